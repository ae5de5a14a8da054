package dev.spikeforge.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntConsumer;
import picocli.CommandLine;

/** Entry point of the runnable jar. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        main(args, null);
    }

    /**
     * The main of a jar that adds {@code verify --master} (the spark module's): the same commands,
     * with {@code sharded} verifying when {@code --master} is given.
     */
    public static void main(String[] args, ShardedVerifier sharded) {
        PrintWriter err = new PrintWriter(System.err, true);
        // a thread of ours that dies of an exception (a worker pool's, the synthesis thread's)
        // reports it like the main thread, instead of the JVM's "Exception in thread" trace
        Thread.setDefaultUncaughtExceptionHandler(uncaught(err, stacktrace(args), System::exit));
        System.exit(run(args, new PrintWriter(System.out, true), err, sharded));
    }

    /** Runs one command line with the given streams and returns its exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, new SpikeforgeCommand());
    }

    /**
     * As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code verify --master} verifying
     * through {@code sharded} (null: refused with a message, as in the main jar).
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, ShardedVerifier sharded) {
        return run(args, out, err, new SpikeforgeCommand(), sharded);
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with {@code command} as the top command (tests). */
    static int run(String[] args, PrintWriter out, PrintWriter err, Object command) {
        return run(args, out, err, command, null);
    }

    private static int run(String[] args, PrintWriter out, PrintWriter err, Object command, ShardedVerifier sharded) {
        boolean stacktrace = stacktrace(args);
        String unreadable = unreadableArgument(args, System.getProperty("sun.jnu.encoding", "UTF-8"));
        if (unreadable != null) {
            err.println(unreadable);
            err.flush();
            return ExitCodes.INPUT_ERROR;
        }
        try {
            return commandLine(command, out, err, stacktrace, sharded).execute(args);
        } catch (Throwable t) {
            // picocli hands only Exceptions to the execution-exception handler: an Error
            // (OutOfMemoryError, StackOverflowError) thrown by a command leaves execute() here
            return failure(t, err, stacktrace);
        } finally {
            // Auto-flush acts on println only: text a command wrote with print (rendered
            // diagnostics) would otherwise be lost when main calls System.exit.
            out.flush();
            err.flush();
        }
    }

    private static boolean stacktrace(String[] args) {
        return Arrays.asList(args).contains("--stacktrace");
    }

    /**
     * The message for an argument the JVM could not decode, or null: under a locale whose
     * character set is not UTF-8 (LC_ALL=C), the JVM turns the bytes of a name such as
     * {@code modèle.snn} into U+FFFD, and no file of that name can be opened. The launcher runs
     * the JVM under C.UTF-8 for this reason; {@code java -jar} does not.
     */
    static String unreadableArgument(String[] args, String charset) {
        if (charset.replace("-", "").equalsIgnoreCase("UTF8")) {
            return null;
        }
        for (String a : args) {
            if (a.indexOf('\uFFFD') >= 0) {
                return "spikeforge: the argument '" + a + "' holds characters this JVM cannot read: it runs under a locale"
                        + " whose character set is " + charset + ", not UTF-8; run it through the spikeforge launcher, or"
                        + " with LC_ALL=C.UTF-8 (java -jar needs the locale set)";
            }
        }
        return null;
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean stacktrace) {
        return commandLine(new SpikeforgeCommand(), out, err, stacktrace);
    }

    static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err, boolean stacktrace) {
        return commandLine(command, out, err, stacktrace, null);
    }

    private static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err, boolean stacktrace,
                                           ShardedVerifier sharded) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cl = new CommandLine(command, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == VerifyCommand.class ? cls.cast(new VerifyCommand(sharded)) : defaults.create(cls);
            }
        });
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine.getErr(), stacktrace));
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("spikeforge: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }

    /**
     * The default uncaught-exception handler: the same one message as {@link #failure}, then the
     * process ends with its exit code, since the command's work cannot be complete.
     */
    static Thread.UncaughtExceptionHandler uncaught(PrintWriter err, boolean stacktrace, IntConsumer exit) {
        return (thread, e) -> {
            int code = failure(e, err, stacktrace);
            err.flush();
            exit.accept(code);
        };
    }

    /**
     * Prints what a command did not handle and returns its exit code: running out of heap or of
     * stack, wherever in the chain of causes, is the input being too large for this machine as
     * the JVM is set up (exit 3, with what to change); anything else is a bug (exit 4). The stack
     * trace only with {@code --stacktrace}.
     */
    static int failure(Throwable e, PrintWriter err, boolean stacktrace) {
        VirtualMachineError resource = resourceError(e);
        int code;
        try {
            if (resource instanceof OutOfMemoryError oom) {
                err.println(outOfMemory(oom));
                code = ExitCodes.INPUT_ERROR;
            } else if (resource instanceof StackOverflowError) {
                err.println(STACK_OVERFLOW);
                code = ExitCodes.INPUT_ERROR;
            } else {
                err.println("spikeforge: internal error: " + e);
                if (!stacktrace) {
                    err.println("This is a bug in spikeforge. Run again with --stacktrace and report"
                            + " the output with the model file.");
                }
                code = ExitCodes.INTERNAL;
            }
            if (stacktrace) {
                e.printStackTrace(err);
            }
        } catch (OutOfMemoryError again) {
            err.println(OUT_OF_MEMORY_SHORT);
            code = ExitCodes.INPUT_ERROR;
        }
        err.flush();
        return code;
    }

    /** The OutOfMemoryError or StackOverflowError in {@code e}'s chain of causes, or null. */
    static VirtualMachineError resourceError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError || t instanceof StackOverflowError) {
                return (VirtualMachineError) t;
            }
        }
        return null;
    }

    static final String STACK_OVERFLOW = "spikeforge: error: the input is nested too deeply for the JVM's stack"
            + " (StackOverflowError). Simplify it (fewer nested brackets or calls), or give the JVM a larger stack:"
            + " SPIKEFORGE_JAVA_OPTS=-Xss64m ./spikeforge ...";

    /** Said when even the message cannot be built. */
    static final String OUT_OF_MEMORY_SHORT = "spikeforge: error: out of memory: the input is too large for this"
            + " machine. Give the JVM more memory (SPIKEFORGE_JAVA_OPTS=-Xmx...), or use a smaller batch, fewer"
            + " time steps or fewer units.";

    private static String outOfMemory(OutOfMemoryError e) {
        long heap = Runtime.getRuntime().maxMemory();
        long physical = dev.spikeforge.runtime.engine.MemoryEstimate.Machine.current().physical();
        long suggest = Math.max((heap >> 30) * 2, 2);
        if (physical != Long.MAX_VALUE) {
            suggest = Math.min(suggest, Math.max(1, (physical >> 30) * 3 / 4));
        }
        String what = e.getMessage() == null ? "OutOfMemoryError" : e.getMessage().lines().findFirst().orElse("");
        if (what.length() > 160) {
            what = what.substring(0, 160) + "...";
        }
        // JavaCPP, under ND4J, refuses native memory once the process holds more than
        // org.bytedeco.javacpp.maxphysicalbytes, by default 4 times the maximum heap
        String limit = what.contains("physicalBytes") ? "; ND4J's native arrays stop at "
                + System.getProperty("org.bytedeco.javacpp.maxphysicalbytes", "4 times the heap") : "";
        return String.format(Locale.ROOT, "spikeforge: error: out of memory (%s): the input is too large for this machine"
                + " as the JVM runs now (heap at most %s%s; the machine has %s). Give the JVM more memory, e.g."
                + " SPIKEFORGE_JAVA_OPTS=-Xmx%dg ./spikeforge ..., or make the work smaller: a smaller batch or"
                + " fewer time steps in the train block, fewer units, --limit or fewer --samples ('spikeforge check"
                + " MODEL' estimates the memory training needs).", what,
                dev.spikeforge.runtime.engine.MemoryEstimate.bytes(heap), limit,
                physical == Long.MAX_VALUE ? "an unknown amount" : dev.spikeforge.runtime.engine.MemoryEstimate.bytes(physical),
                suggest);
    }
}

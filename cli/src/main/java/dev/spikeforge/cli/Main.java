package dev.spikeforge.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the runnable jar. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams and returns its exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean stacktrace = java.util.Arrays.asList(args).contains("--stacktrace");
        try {
            return commandLine(out, err, stacktrace).execute(args);
        } finally {
            // Auto-flush acts on println only: text a command wrote with print (rendered
            // diagnostics) would otherwise be lost when main calls System.exit.
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean stacktrace) {
        CommandLine cl = new CommandLine(new SpikeforgeCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("spikeforge: internal error: " + e);
            if (stacktrace) {
                e.printStackTrace(commandLine.getErr());
            } else {
                commandLine.getErr().println("This is a bug in spikeforge. Run again with --stacktrace and report"
                        + " the output with the model file.");
            }
            commandLine.getErr().flush();
            return ExitCodes.INTERNAL;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("spikeforge: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }
}

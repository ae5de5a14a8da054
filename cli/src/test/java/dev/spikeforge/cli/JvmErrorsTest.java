package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.util.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Running out of heap or stack, on the command's thread, inside an exception, on a worker of the
 * pool, or on a thread of its own: one message, exit 3, no stack trace without --stacktrace.
 */
class JvmErrorsTest {

    /** A command that fails the way it is told. */
    @Command(name = "spikeforge")
    static final class Failing implements Callable<Integer> {
        @Parameters(index = "0")
        String how;

        @Option(names = "--stacktrace")
        boolean stacktrace;

        @Override
        public Integer call() {
            switch (how) {
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                case "native" -> throw new OutOfMemoryError("Cannot allocate new LongPointer(4): totalBytes = 256,"
                        + " physicalBytes = 364M");
                case "soe" -> recurse(0);
                case "wrapped" -> throw new IllegalStateException("failed", new OutOfMemoryError("Java heap space"));
                case "worker" -> Parallel.map(new int[][] {{1}, {2}}, 2, "w", () -> 0, (s, in) -> {
                    throw new OutOfMemoryError("Java heap space");
                });
                case "bug" -> throw new IllegalArgumentException("a bug");
                default -> {
                }
            }
            return 0;
        }

        private static int recurse(int n) {
            return recurse(n + 1) + 1;
        }
    }

    private static CliRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true), new Failing());
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneMessage(CliRun r, String must) {
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains(must), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void outOfMemoryOnTheCommandsThread() {
        assertOneMessage(run("oom"), "SPIKEFORGE_JAVA_OPTS=-Xmx");
        assertTrue(run("oom").err().contains("out of memory (Java heap space)"));
        assertTrue(run("oom").err().contains("a smaller batch"));
    }

    /** JavaCPP's refusal of native memory (ND4J's arrays) is an OutOfMemoryError too, and its limit follows -Xmx. */
    @Test
    void outOfNativeMemory() {
        CliRun r = run("native");
        assertOneMessage(r, "ND4J's native arrays stop at 4 times the heap");
        assertTrue(r.err().contains("SPIKEFORGE_JAVA_OPTS=-Xmx"), r.err());
    }

    @Test
    void stackOverflow() {
        assertOneMessage(run("soe"), "SPIKEFORGE_JAVA_OPTS=-Xss64m");
    }

    @Test
    void outOfMemoryInsideAnException() {
        assertOneMessage(run("wrapped"), "out of memory");
    }

    @Test
    void outOfMemoryOnAWorkerOfThePool() {
        assertOneMessage(run("worker"), "out of memory");
    }

    @Test
    void theStackTraceOnlyWhenAsked() {
        CliRun r = run("oom", "--stacktrace");
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    @Test
    void anyOtherExceptionIsStillABug() {
        CliRun r = run("bug");
        assertEquals(ExitCodes.INTERNAL, r.exit());
        assertTrue(r.err().contains("internal error: java.lang.IllegalArgumentException: a bug"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    /** The default uncaught-exception handler that main installs: the same message, then that exit code. */
    @Test
    void aThreadOfItsOwnThatRunsOutOfMemory() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        PrintWriter w = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        Thread.UncaughtExceptionHandler old = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(Main.uncaught(w, false, exit::set));
        try {
            Thread t = new Thread(() -> {
                throw new OutOfMemoryError("Java heap space");
            });
            t.start();
            t.join();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.INPUT_ERROR, exit.get(), text);
        assertTrue(text.contains("SPIKEFORGE_JAVA_OPTS=-Xmx"), text);
        assertFalse(text.contains("\tat "), text);
    }
}

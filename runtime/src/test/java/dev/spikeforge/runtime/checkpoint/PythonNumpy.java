package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python script under Debian's /usr/bin/python3 with its python3-numpy. Not the
 * {@code python3} on PATH, which may be another interpreter (pyenv) with another numpy or none.
 * {@code -I} (isolated mode) ignores PYTHONPATH and the user's site-packages for the same reason.
 *
 * <p>A missing interpreter or numpy fails the test, it does not skip it: interoperability with
 * numpy is what the checkpoint format promises, and a skipped test would hide that it was never
 * checked. The fix is in the failure message.
 */
final class PythonNumpy {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long TIMEOUT_SECONDS = 120;
    private static final String INSTALL = "install Debian's numpy: apt-get install -y python3-numpy";

    private PythonNumpy() {
    }

    /** Runs {@code script} with {@code args} as sys.argv[1:] and returns its standard output. */
    static String run(Path workDir, String script, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing; the numpy interoperability tests need it: " + INSTALL);
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-I", "-c", script));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "python", ".out");
        Path err = Files.createTempFile(workDir, "python", ".err");
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(PYTHON + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.delete(out);
        Files.delete(err);
        if (stderr.contains("No module named 'numpy'")) {
            fail(PYTHON + " has no numpy; " + INSTALL + "\n" + stderr);
        }
        if (p.exitValue() != 0) {
            fail(PYTHON + " failed with exit code " + p.exitValue() + ":\n" + stderr);
        }
        return stdout;
    }
}

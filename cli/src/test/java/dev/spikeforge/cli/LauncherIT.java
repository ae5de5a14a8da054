package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script {@code ./spikeforge} at the repository root, run as a user runs it (failsafe, after `package`). */
class LauncherIT {

    private static final Path ROOT = CheckJarIT.ROOT;

    /**
     * Runs {@code script} in bash with the launcher as $0 and {@code dir} as $1. The non-ASCII
     * bytes are written by bash ($'\xc3\xa8' is "è" in UTF-8), so this JVM's own locale, which
     * may not be able to represent them, plays no part.
     */
    private static CheckJarIT.Run bash(String script, Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script, ROOT.resolve("spikeforge").toString(), dir.toString())
                .directory(ROOT.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return new CheckJarIT.Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void aNonAsciiPathIsCheckedUnderTheCLocale(@TempDir Path dir) throws Exception {
        String setup = "f=\"$1/mod\"$'\\xc3\\xa8'\"le.snn\"; cp examples/models/quick.snn \"$f\"; ";
        for (String locale : List.of("LC_ALL=C", "LC_ALL=POSIX", "LANG= LC_ALL= LC_CTYPE=")) {
            CheckJarIT.Run r = bash(setup + "env " + locale + " \"$0\" check \"$f\"", dir);
            assertEquals(ExitCodes.OK, r.exit(), locale + ": " + r.err());
            assertTrue(r.out().contains("model quick"), r.out());
        }
    }

    /** Without the launcher, the JVM cannot read the name under LC_ALL=C: one message saying so, exit 3. */
    @Test
    void javaDashJarUnderTheCLocaleSaysWhatToSet(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String setup = "f=\"$1/mod\"$'\\xc3\\xa8'\"le.snn\"; cp examples/models/quick.snn \"$f\"; ";
        CheckJarIT.Run r = bash(setup + "env LC_ALL=C " + java + " -jar " + CheckJarIT.JAR.toAbsolutePath() + " check \"$f\"",
                dir);
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains("not UTF-8; run it through the spikeforge launcher, or with LC_ALL=C.UTF-8"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aMissingNonAsciiFileIsNamedInUtf8(@TempDir Path dir) throws Exception {
        CheckJarIT.Run r = bash("env LC_ALL=C \"$0\" check \"$1/gr\"$'\\xc3\\xbc'\"n.snn\"", dir);
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains("grün.snn"), r.err());
    }
}

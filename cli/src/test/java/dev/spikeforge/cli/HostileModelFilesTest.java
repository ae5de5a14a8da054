package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `check` on the model files a hostile user (or a fuzzer) writes: one clear message and exit 1 for
 * an invalid model, exit 3 for a file that cannot be used, never exit 4 and never a stack trace.
 */
class HostileModelFilesTest {

    private static final String HEAD = "model m\ninput 1x8x8\nneuron lif = LIF(beta = 0.9)\n";

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static CliRun check(Path file) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.of("check", file.toString()));
    }

    private static void noTrace(CliRun r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.err().contains("Error:")
                || r.err().contains("internal error"), r.err());
    }

    /** Exit 1 with exactly the given codes among the diagnostics. */
    private static CliRun invalid(CliRun r, String... codes) {
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        noTrace(r);
        List<String> found = r.err().lines().filter(l -> l.contains(": error[")).map(l -> l.replaceAll(".*error\\[(\\w+)\\].*", "$1"))
                .distinct().toList();
        assertEquals(List.of(codes), found, r.err());
        return r;
    }

    @Test
    void unclosedCallsAreOneNestingError() throws IOException {
        CliRun r = check(write("deep.snn", HEAD + "train { optimizer = " + "f(".repeat(1745) + "\n"));
        invalid(r, "E105");
        assertTrue(r.err().contains("the limit is 64"), r.err());
        assertTrue(r.err().length() < 2000, r.err());
    }

    @Test
    void twentyThousandCommentClosersPrintAHundredErrorsAndACount() throws IOException {
        CliRun r = check(write("stars.snn", "*/".repeat(20_000)));
        invalid(r, "E102", "E106");
        assertTrue(r.err().length() < 100_000, "printed " + r.err().length() + " characters");
        assertTrue(r.err().lines().anyMatch(l -> l.matches(".*stars\\.snn: error\\[E106\\]: and [0-9,]+ more errors; .*")),
                r.err());
        CliRun bad = check(write("bad.snn", "@".repeat(20_000)));
        invalid(bad, "E102", "E106");
        assertTrue(bad.err().endsWith("bad.snn: 20000 errors, 0 warnings\n"), bad.err().substring(bad.err().length() - 200));
        CliRun big = check(write("stars200k.snn", "*/".repeat(100_000)));
        invalid(big, "E102", "E106");
        assertTrue(big.err().length() < 100_000, "printed " + big.err().length() + " characters");
    }

    @Test
    void anArrowWithoutANeuronIsASyntaxError() throws IOException {
        CliRun eof = invalid(check(write("eof.snn", HEAD + "layers {\n  flatten ->\n")), "E100");
        assertTrue(eof.err().contains("unexpected end of file; expected a name"), eof.err());
        CliRun r = check(write("res.snn", HEAD + "layers {\n  residual { conv(1, kernel = 3, padding = 1) -> lif\n"
                + "    conv(1, kernel = 3, padding = 1) -> } skip identity -> lif\n  readout(10)\n}\n"));
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        noTrace(r);
    }

    @Test
    void sizesPastTheEnginesAreE404() throws IOException {
        invalid(check(write("input.snn", "model m\ninput 1x65536x65536\nneuron lif = LIF(beta = 0.9)\n"
                + "layers {\n  dense(10) -> lif\n  readout(10)\n}\n")), "E404");
        CliRun r = invalid(check(write("dense.snn", "model m\ninput 784\nneuron lif = LIF(beta = 0.9)\nlayers {\n"
                + "  dense(2000000) -> lif\n  dense(3000000) -> lif\n  readout(10)\n}\n"
                + "deploy {\n  target neurocore(preset = loihi_like)\n}\n")), "E404");
        assertTrue(r.err().contains("2,147,483,639"), r.err());
    }

    @Test
    void aLeakMultiplierWithFortyFractionBitsIsOutOfRange() throws IOException {
        CliRun r = invalid(check(write("leak.snn", "model m\ninput 784\nneuron lif = LIF(beta = 0.9)\nlayers {\n"
                + "  dense(10) -> lif\n  readout(10)\n}\ndeploy {\n  leak = multiplier(40)\n"
                + "  target neurocore(preset = loihi_like)\n}\n")), "E301");
        assertTrue(r.err().contains("multiplier fraction bits must be 1 to 24, got 40"), r.err());
    }

    /** Exit 3, one message naming the file. */
    private static void unusable(CliRun r, Path file, String problem) {
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.err());
        noTrace(r);
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith(file + ": error: ") && r.err().contains(problem), r.err());
    }

    @Test
    void devicesPipesFoldersAndHugeFilesAreRefusedWithoutBeingRead() throws Exception {
        unusable(check(Path.of("/dev/zero")), Path.of("/dev/zero"), "not a regular file (a device");
        Path link = tmp.resolve("zero.snn");
        Files.createSymbolicLink(link, Path.of("/dev/zero"));
        unusable(check(link), link, "not a regular file");
        Path fifo = tmp.resolve("fifo.snn");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        unusable(check(fifo), fifo, "not a regular file");
        Path folder = Files.createDirectory(tmp.resolve("folder.snn"));
        unusable(check(folder), folder, "is a folder");
        Path huge = tmp.resolve("huge.snn");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(5L << 20);
        }
        unusable(check(huge), huge, "is 5.0 MiB, over the limit of 1.0 MiB");
        Path justOver = write("over.snn", "model m\n" + "// a comment line that only fills the file\n".repeat(25_000));
        assertTrue(Files.size(justOver) > (1 << 20));
        unusable(check(justOver), justOver, "over the limit of 1.0 MiB");
        Path missing = tmp.resolve("missing.snn");
        unusable(check(missing), missing, "no such model file");
    }

    @Test
    void aModelOfTenBillionParametersIsJudgedByItsTargetsAtOnce() throws IOException {
        StringBuilder text = new StringBuilder("model huge\ninput 1000\nneuron lif = LIF(beta = 0.9)\nlayers {\n");
        for (int i = 0; i < 7; i++) {
            text.append("  dense(41000) -> lif\n");
        }
        text.append("  readout(10)\n}\ndeploy {\n  leak = multiplier(12)\n  target neurocore(preset = loihi_like)\n"
                + "  target fpga(family = xc7, lanes = 16, device = xc7a100t)\n}\n");
        Path file = write("huge.snn", text.toString());
        CliRun.of("check", write("warm.snn", text.toString().replace("41000", "41")).toString());
        // Judging per parameter or per synapse would take minutes; from the shapes it takes well under
        // a second. The best of two runs under 5 s tells them apart on a loaded machine too.
        CliRun r = null;
        double seconds = Double.MAX_VALUE;
        for (int run = 0; run < 2; run++) {
            long t0 = System.nanoTime();
            r = check(file);
            seconds = Math.min(seconds, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("check of a 10-billion-parameter model: %.3f s (best of 2)%n", seconds);
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        noTrace(r);
        assertTrue(r.err().contains("error[E700]: loihi_like: Every layer can be cut into cores: layer 'dense2' each unit"
                + " reads 41000 inputs, over the core's 4096 axons"), r.err());
        assertTrue(r.err().contains("The on-chip memories fit the named device: 81,056,106,144 bits"), r.err());
        assertTrue(seconds < 5.0, seconds + " s");
    }
}

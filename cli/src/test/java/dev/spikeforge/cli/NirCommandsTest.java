package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spikeforge nir ...} end to end on real Fashion-MNIST: the LeNet5 and MLP examples go to
 * NIR and back with every spike equal on 100 test samples; bad files and unsupported graphs get
 * one line and exit code 3.
 */
class NirCommandsTest {

    @TempDir
    Path dir;

    private static String example(String name) {
        return Golden.projectRoot().resolve("examples/models/" + name + ".snn").toString();
    }

    private static void assertOneCleanError(CliRun r, int exit, String... fragments) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    @Test
    void lenet5AndMlpRoundTripSpikeForSpikeOn100Samples() {
        for (String model : new String[] {"lenet5", "mlp"}) {
            CliRun r = CliRun.of("nir", "check", example(model), "--samples", "100", "--keep", dir.resolve(model).toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("float model: 100 test samples, every spike of"), r.out());
            assertTrue(r.out().contains("integer model: every spike and readout equal"), r.out());
            assertTrue(r.out().contains("PASS"), r.out());
            assertTrue(Files.exists(dir.resolve(model).resolve(model + ".nir")));
            assertTrue(Files.exists(dir.resolve(model).resolve(model + "-imported.snn")));
            assertTrue(Files.exists(dir.resolve(model).resolve(model + "-imported.npz")));
        }
    }

    /** Residual blocks with both kinds of skip path, on real data. */
    @Test
    void residualBlocksRoundTripSpikeForSpike() throws Exception {
        Path model = dir.resolve("res.snn");
        Files.writeString(model, """
                model res
                input 1x28x28 encode poisson
                timesteps 8
                neuron lif = LIF(beta = 0.875, threshold = 0.6, reset = subtract)
                layers {
                    c1 = conv(6, kernel = 3, stride = 2, padding = 1) -> lif
                    r1 = residual {
                        r1a = conv(6, kernel = 3, padding = 1) -> lif
                        r1b = conv(6, kernel = 3, padding = 1)
                    } skip identity -> lif
                    r2 = residual {
                        r2a = conv(8, kernel = 3, stride = 2, padding = 1, bias = true) -> lif
                        r2b = conv(8, kernel = 3, padding = 1)
                    } skip conv(8, kernel = 1, stride = 2) -> lif dropout 0.1
                    out = readout(10, mode = count) -> lif
                }
                train { dataset = fashion_mnist
                        seed = 3 }
                """);
        CliRun r = CliRun.of("nir", "check", model.toString(), "--samples", "40", "--keep", dir.resolve("k").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("every spike of 5 spiking layer(s)") && r.out().contains("PASS"), r.out());
        String back = Files.readString(dir.resolve("k").resolve("res-imported.snn"));
        assertTrue(back.contains("} skip identity -> lif") && back.contains("} skip conv(8, kernel = 1, stride = 2) -> lif"
                + " dropout 0.1"), back);
    }

    @Test
    void exportImportThenTheUsualCommandsTakeTheModel() throws Exception {
        Path nir = dir.resolve("lenet5.nir");
        CliRun e = CliRun.of("nir", "export", example("lenet5"), "-o", nir.toString());
        assertEquals(0, e.exit(), e.err());
        assertTrue(e.err().contains("resets by subtraction"), e.err());
        assertTrue(e.err().contains("untrained initial weights"), e.err());

        CliRun info = CliRun.of("nir", "info", nir.toString());
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("node c1.lif: LIF") && info.out().contains("tau: float64 (20, 24, 24)"), info.out());

        Path snn = dir.resolve("back.snn");
        CliRun i = CliRun.of("nir", "import", nir.toString(), "-o", snn.toString());
        assertEquals(0, i.exit(), i.err());
        assertTrue(Files.exists(dir.resolve("back.npz")));
        assertTrue(Files.readString(snn).contains("c1  = conv(20, kernel = 5) -> lif"), Files.readString(snn));
        CliRun check = CliRun.of("check", snn.toString());
        assertEquals(0, check.exit(), check.out() + check.err());
        CliRun eval = CliRun.of("eval", snn.toString(), "--checkpoint", dir.resolve("back.npz").toString(), "--limit", "64");
        assertEquals(0, eval.exit(), eval.err());
        assertTrue(eval.out().contains("model lenet5, 64 test samples"), eval.out());

        // no silent overwrite
        CliRun again = CliRun.of("nir", "import", nir.toString(), "-o", snn.toString());
        assertOneCleanError(again, ExitCodes.USAGE, "back.snn exists", "--force");
        assertEquals(0, CliRun.of("nir", "import", nir.toString(), "-o", snn.toString(), "--force").exit());
    }

    @Test
    void damagedFilesGetOneLineAndExitCode3() throws Exception {
        Path nir = dir.resolve("mlp.nir");
        assertEquals(0, CliRun.of("nir", "export", example("mlp"), "-o", nir.toString()).exit());
        byte[] b = Files.readAllBytes(nir);
        Path cut = dir.resolve("cut.nir");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 3));
        assertOneCleanError(CliRun.of("nir", "import", cut.toString(), "-o", dir.resolve("x.snn").toString()),
                ExitCodes.INPUT_ERROR, "cut.nir: ");
        assertFalse(Files.exists(dir.resolve("x.snn")));
        Path text = dir.resolve("text.nir");
        Files.writeString(text, "not hdf5");
        assertOneCleanError(CliRun.of("nir", "info", text.toString()), ExitCodes.INPUT_ERROR, "text.nir: ",
                "not a readable HDF5 file");
        assertOneCleanError(CliRun.of("nir", "import", dir.resolve("none.nir").toString(), "-o",
                dir.resolve("y.snn").toString()), ExitCodes.INPUT_ERROR, "no such file");
        // a checkpoint of another model
        Path ck = dir.resolve("other.npz");
        assertEquals(0, CliRun.of("nir", "import", nir.toString(), "-o", dir.resolve("m.snn").toString(),
                "--checkpoint-out", ck.toString()).exit());
        assertOneCleanError(CliRun.of("nir", "export", example("lenet5"), "--checkpoint", ck.toString(), "-o",
                dir.resolve("z.nir").toString()), ExitCodes.INPUT_ERROR, "other.npz");
        assertFalse(Files.exists(dir.resolve("z.nir")));
    }

    /**
     * NIR's own reference file with fc1's weight redimensioned from 3 x 4 to 3 x 268 million: the
     * reader once allocated what the header claimed; now every command says so in one line.
     */
    @Test
    void aFileClaimingGigabytesIsOneLineAndExitCode3() throws Exception {
        byte[] b = Files.readAllBytes(Golden.projectRoot().resolve("compiler/src/test/resources/nir/nir-1.0.7-reference.nir"));
        byte[] find = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(4).array();
        byte[] put = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(1L << 28).array();
        int found = 0;
        for (int i = 0; i + 16 <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + 16, find, 0, 16)) {
                System.arraycopy(put, 0, b, i, 16);
                found++;
            }
        }
        assertTrue(found > 0);
        Path huge = dir.resolve("huge.nir");
        Files.write(huge, b);
        String says = "/node/nodes/fc1/weight has dimensions [3, 268435456] of 4-byte values, which would need 3.0 GiB, more"
                + " than the whole file";
        assertOneCleanError(CliRun.of("nir", "info", huge.toString()), ExitCodes.INPUT_ERROR, "huge.nir: ", says);
        assertOneCleanError(CliRun.of("nir", "import", huge.toString(), "-o", dir.resolve("h.snn").toString()),
                ExitCodes.INPUT_ERROR, "huge.nir: ", says);
        assertFalse(Files.exists(dir.resolve("h.snn")));
    }

    /** A folder no file can be created in (/proc refuses even root) is the user's problem, not an internal error. */
    @Test
    void exportWhereNoFileCanBeWrittenIsExitCode3() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        assertOneCleanError(CliRun.of("nir", "export", example("mlp"), "-o", "/proc/mlp.nir"), ExitCodes.INPUT_ERROR,
                "/proc/mlp.nir: cannot write the file: no file can be created in /proc", "check that the folder is writable");
    }

    @Test
    void graphsSpikeforgeCannotExpressAreNamed() throws Exception {
        Path p = dir.resolve("rec.nir");
        dev.spikeforge.compiler.nir.NirStore.standard().write(p, new dev.spikeforge.compiler.nir.NirFile("1.0.7",
                new dev.spikeforge.compiler.nir.NirElement.NirGraph(java.util.Map.of(
                        "input", node("Input", "shape", dev.spikeforge.compiler.nir.NirValue.NirArray.int64(2)),
                        "d", node("Delay", "delay", dev.spikeforge.compiler.nir.NirValue.NirArray.filled(new int[] {2}, 1)),
                        "output", node("Output", "shape", dev.spikeforge.compiler.nir.NirValue.NirArray.int64(2))),
                        java.util.List.of(new dev.spikeforge.compiler.nir.NirElement.NirEdge("input", "d"),
                                new dev.spikeforge.compiler.nir.NirElement.NirEdge("d", "output")), java.util.Map.of())));
        assertOneCleanError(CliRun.of("nir", "import", p.toString(), "-o", dir.resolve("r.snn").toString()),
                ExitCodes.INPUT_ERROR, "rec.nir: node 'd' (Delay)", "cannot express");
    }

    private static dev.spikeforge.compiler.nir.NirElement.NirNode node(String type, String k,
                                                                       dev.spikeforge.compiler.nir.NirValue v) {
        return new dev.spikeforge.compiler.nir.NirElement.NirNode(type, java.util.Map.of(k, v));
    }

    @Test
    void badArguments() {
        assertEquals(ExitCodes.USAGE, CliRun.of("nir", "export", example("mlp")).exit());
        assertOneCleanError(CliRun.of("nir", "export", example("mlp"), "-o", dir.resolve("a.nir").toString(), "--dt", "0"),
                ExitCodes.USAGE, "--dt");
        assertOneCleanError(CliRun.of("nir", "import", "x.nir", "-o", dir.resolve("a.snn").toString(), "--timesteps", "0"),
                ExitCodes.USAGE, "--timesteps");
    }
}

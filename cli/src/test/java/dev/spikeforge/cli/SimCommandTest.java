package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.checkpoint.Npy;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikeforge sim}: a model on an input of one's own, every layer's spikes out; bad inputs get one message. */
class SimCommandTest {

    @TempDir
    Path dir;

    Path model;
    Path weights;

    /**
     * Two LIF neurons (beta 0.5, threshold 1, subtract) with weights (1, 0, 0) and (0.6, 0.6, 0),
     * then a count readout with identity weights: small enough to work out by hand (below).
     */
    @BeforeEach
    void model() throws Exception {
        model = dir.resolve("simtest.snn");
        Files.writeString(model, """
                model simtest
                input 3 encode poisson
                timesteps 4
                neuron lif = LIF(beta = 0.5, threshold = 1.0, reset = subtract)
                layers {
                    h   = dense(2) -> lif
                    out = readout(2, mode = count) -> lif
                }
                deploy {
                    weights  = int(8, per_channel)
                    membrane = int(16)
                }
                """);
        Network net = SnnFrontEnd.compile(SourceFile.read(model)).network();
        Map<String, float[]> w = new LinkedHashMap<>();
        w.put("h.weight", new float[] {1, 0, 0, 0.6f, 0.6f, 0});
        w.put("out.weight", new float[] {1, 0, 0, 1});
        weights = dir.resolve("simtest.npz");
        new TrainingCheckpoint("", net.name(), 0, 0, new Parameters(w), Map.of(), 0, 1, List.of(), "test").write(weights, net);
    }

    private Path npy(String name, NdArray a) throws Exception {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p)) {
            Npy.write(a, out);
        }
        return p;
    }

    /** [T = 4, B = 2, 3]: sample 0 gets (1,0,0), (0,1,1), (0,0,0), (1,1,0); sample 1 only (1,1,1) at step 2. */
    private Path input() throws Exception {
        double[] x = {
            1, 0, 0, 0, 0, 0,
            0, 1, 1, 0, 0, 0,
            0, 0, 0, 1, 1, 1,
            1, 1, 0, 0, 0, 0};
        return npy("x.npy", NdArray.ofDoubles(x, 4, 2, 3));
    }

    /*
     * By hand, h[t] = 0.5 v[t-1] + I[t], spike when h >= 1, v = h - s:
     *   sample 0, neuron 0: I = 1, 0, 0, 1        -> spikes at steps 0 and 3
     *   sample 0, neuron 1: I = .6, .6, 0, 1.2    -> h = .6, .9, .45, 1.425: a spike at step 3
     *   sample 1, neuron 0: I = 0, 0, 1, 0        -> a spike at step 2
     *   sample 1, neuron 1: I = 0, 0, 1.2, 0      -> a spike at step 2
     * The readout's neurons see the same current as spikes (identity weights): counts 2, 1 and 1, 1.
     */
    static final byte[] HIDDEN = {
        1, 0, 0, 0,
        0, 0, 0, 0,
        0, 0, 1, 1,
        1, 1, 0, 0};

    @Test
    void floatModelSpikesAsWorkedOutByHand() throws Exception {
        Path out = dir.resolve("y.npz");
        CliRun r = CliRun.of("sim", model.toString(), "--checkpoint", weights.toString(), "--input", input().toString(),
                "-o", out.toString(), "--record");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("float engine, 4 steps x 2 samples") && r.out().contains("encoding bypassed"), r.out());
        Checkpoint c = CheckpointReader.read(out);
        NdArray s = c.array("h.lif.spikes").orElseThrow();
        assertArrayEquals(new int[] {4, 2, 2}, s.shape());
        assertArrayEquals(HIDDEN, s.bytes());
        assertArrayEquals(new float[] {2, 1, 1, 1}, c.array("out.readout").orElseThrow().floats());
        NdArray current = c.array("h.output").orElseThrow();
        assertEquals(1.2f, current.floats()[(3 * 2) * 2 + 1], 1e-6f, "--record keeps the dense layer's current");
        assertEquals("spikeforge.sim/1", c.manifest().path("kind").asText());
        assertTrue(c.manifest().path("encoding").asText().contains("bypassed"));
    }

    @Test
    void integerModelSpikesAlikeAndRecordsMembranes() throws Exception {
        Path out = dir.resolve("yi.npz");
        CliRun r = CliRun.of("sim", model.toString(), "--checkpoint", weights.toString(), "--input", input().toString(),
                "-o", out.toString(), "--integer", "--record");
        assertEquals(0, r.exit(), r.out() + r.err());
        Checkpoint c = CheckpointReader.read(out);
        assertArrayEquals(HIDDEN, c.array("h.lif.spikes").orElseThrow().bytes());
        // the readout's own spikes: its currents are the hidden spikes, so it fires as they do
        assertArrayEquals(HIDDEN, c.array("out.spikes").orElseThrow().bytes());
        assertArrayEquals(new long[] {2, 1, 1, 1}, c.array("out.readout").orElseThrow().longs());
        assertArrayEquals(new int[] {4, 2, 2}, c.array("h.lif.membrane").orElseThrow().shape());
    }

    @Test
    void oneSampleNeedsNoBatchAxis() throws Exception {
        Path x = npy("one.npy", NdArray.ofLongs(new long[] {1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0}, 4, 3));
        Path out = dir.resolve("one.npz");
        CliRun r = CliRun.of("sim", model.toString(), "--checkpoint", weights.toString(), "--input", x.toString(),
                "-o", out.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        NdArray s = CheckpointReader.read(out).array("h.lif.spikes").orElseThrow();
        assertArrayEquals(new int[] {4, 1, 2}, s.shape());
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 1, 1}, s.bytes());
    }

    private void refused(Path x, String... fragments) {
        refused(List.of(), x, fragments);
    }

    private void refused(List<String> extra, Path x, String... fragments) {
        Path out = dir.resolve("bad.npz");
        List<String> args = new java.util.ArrayList<>(List.of("sim", model.toString(), "--checkpoint", weights.toString(),
                "--input", x.toString(), "-o", out.toString()));
        args.addAll(extra);
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), f + " in " + r.err());
        }
        assertFalse(Files.exists(out), "nothing is written for a refused input");
    }

    @Test
    void badInputsGetOneMessage() throws Exception {
        refused(npy("shape.npy", NdArray.ofDoubles(new double[40], 4, 2, 5)), "shape.npy", "[4, 2, 5]",
                "[4, 3] or [4, B, 3]");
        refused(npy("steps.npy", NdArray.ofDoubles(new double[15], 5, 3)), "steps.npy", "5 steps", "runs 4",
                "timesteps 5");
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "1,2,3\n");
        refused(text, "text.npy", "not a .npy array", "numpy.save");
        refused(dir.resolve("missing.npy"), "missing.npy", "no such input array");
        double[] nan = new double[24];
        nan[5] = Double.NaN;
        refused(npy("nan.npy", NdArray.ofDoubles(nan, 4, 2, 3)), "nan.npy", "value 5", "finite");
        double[] half = new double[24];
        half[4] = 0.5;
        refused(List.of("--integer"), npy("half.npy", NdArray.ofDoubles(half, 4, 2, 3)), "half.npy", "value 0.5",
                "step 0, sample 1, input 1", "spikes -1, 0 or 1", "without --integer");
    }
}

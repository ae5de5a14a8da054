package dev.spikeforge.compiler.nir;

import static dev.spikeforge.compiler.nir.NirTesting.f32;
import static dev.spikeforge.compiler.nir.NirTesting.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.DType;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HDF5 layer: every node type survives write and read; bad files are one clear error. */
class NirStoreTest {

    @TempDir
    Path dir;

    private final NirStore store = NirStore.standard();

    /** One node of every type spikeforge maps, in the dtypes and ranks NIR files use. */
    static NirGraph everyNodeType() {
        Map<String, NirElement> nodes = new LinkedHashMap<>();
        nodes.put("input", node("Input", "shape", NirArray.int64(1, 8, 8)));
        nodes.put("conv", node("Conv2d", "input_shape", NirArray.int64(8, 8),
                "weight", NirArray.float32(new float[] {1, -2, 3, -4, 5, -6, 7, -8, 9}, 1, 1, 3, 3),
                "stride", NirArray.int64(1, 1), "padding", NirArray.int64(1, 1), "dilation", NirArray.int64(1, 1),
                "groups", NirArray.int64Scalar(1), "bias", NirArray.float32(new float[] {0.5f}, 1)));
        nodes.put("conv.lif", new NirNode("LIF", Map.of("tau", NirArray.filled(new int[] {1, 8, 8}, 0.0016),
                "r", NirArray.filled(new int[] {1, 8, 8}, 16), "v_leak", NirArray.filled(new int[] {1, 8, 8}, 0),
                "v_threshold", NirArray.filled(new int[] {1, 8, 8}, 1), "v_reset", NirArray.filled(new int[] {1, 8, 8}, 0)),
                Map.of("reset_mode", new NirText("subtract"))));
        nodes.put("avg", node("AvgPool2d", "kernel_size", NirArray.int64(2, 2), "stride", NirArray.int64(2, 2),
                "padding", NirArray.int64(0, 0)));
        nodes.put("if", node("IF", "r", f32(16, 1), "v_threshold", f32(16, 0.75f), "v_reset", f32(16, 0)));
        nodes.put("sum", node("SumPool2d", "kernel_size", NirArray.int64(2, 2), "stride", NirArray.int64(2, 2),
                "padding", NirArray.int64(0, 0)));
        nodes.put("flat", node("Flatten", "start_dim", NirArray.int64Scalar(0), "end_dim", NirArray.int64Scalar(-1),
                "input_type", NirArray.int64(1, 2, 2)));
        nodes.put("aff", node("Affine", "weight", NirArray.float32(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4),
                "bias", NirArray.float32(new float[] {-1, 1}, 2)));
        nodes.put("cuba", node("CubaLIF", "tau_syn", NirArray.filled(new int[] {2}, 1e-4),
                "tau_mem", NirArray.filled(new int[] {2}, 2e-3), "r", NirArray.filled(new int[] {2}, 20),
                "v_leak", NirArray.filled(new int[] {2}, 0), "v_threshold", NirArray.filled(new int[] {2}, 1),
                "v_reset", NirArray.filled(new int[] {2}, 0), "w_in", NirArray.filled(new int[] {2}, 1)));
        Map<String, NirElement> inner = new LinkedHashMap<>();
        inner.put("input", node("Input", "shape", NirArray.int64(2)));
        inner.put("lin", node("Linear", "weight", NirArray.float32(new float[] {1, 0, 0, 1}, 2, 2)));
        inner.put("li", node("LI", "tau", NirArray.filled(new int[] {2}, 1e-3), "r", NirArray.filled(new int[] {2}, 10),
                "v_leak", NirArray.filled(new int[] {2}, 0)));
        inner.put("output", node("Output", "shape", NirArray.int64(2)));
        nodes.put("sub", new NirGraph(inner, List.of(new NirEdge("input", "lin"), new NirEdge("lin", "li"),
                new NirEdge("li", "output")), Map.of("note", new NirText("nested"))));
        nodes.put("i", node("I", "r", new NirArray(DType.FLOAT32, new int[0], new double[] {1})));
        nodes.put("output", node("Output", "shape", NirArray.int64(2)));
        List<String> order = List.copyOf(nodes.keySet());
        List<NirEdge> edges = new java.util.ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            edges.add(new NirEdge(order.get(i - 1), order.get(i)));
        }
        Map<String, NirValue> meta = new LinkedHashMap<>();
        meta.put("dt", new NirArray(DType.FLOAT64, new int[0], new double[] {1e-4}));
        meta.put("source", new NirText("test ä"));
        meta.put("steps", NirArray.int64Scalar(25));
        meta.put("int32", new NirArray(DType.INT32, new int[] {2}, new double[] {7, -7}));
        return new NirGraph(nodes, edges, meta);
    }

    @Test
    void everyNodeTypeSurvivesWriteAndRead() throws Exception {
        NirFile f = new NirFile("1.0.7", everyNodeType());
        Path p = dir.resolve("all.nir");
        store.write(p, f);
        NirFile back = store.read(p);
        assertEquals("1.0.7", back.version());
        assertEquals(f.graph(), back.graph());
        // the reader lists nodes by name (jHDF does not keep the written order); NIR's meaning is in the edges
        assertEquals(f.graph().nodes().keySet().stream().sorted().toList(), List.copyOf(back.graph().nodes().keySet()));
        assertEquals(f.graph().edges(), back.graph().edges());
    }

    @Test
    void sameContentGivesTheSameBytes() throws Exception {
        NirFile f = new NirFile("1.0.7", everyNodeType());
        store.write(dir.resolve("a.nir"), f);
        store.write(dir.resolve("b.nir"), f);
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.nir")), Files.readAllBytes(dir.resolve("b.nir")));
    }

    /**
     * A file written by NIR 1.0.7's own nir.write (h5py 3.7, variable-length strings, float32
     * parameters, a nested graph), kept as a fixture because NIR's package cannot be installed here.
     */
    @Test
    void readsAFileWrittenByNirItself() throws Exception {
        Path p = Golden.projectRoot().resolve("compiler/src/test/resources/nir/nir-1.0.7-reference.nir");
        NirFile f = store.read(p);
        assertEquals("1.0.7", f.version());
        NirGraph g = f.graph();
        assertEquals(List.of("avgpool", "conv", "cuba", "delay", "fc1", "flat", "if1", "input", "li", "lif", "lin",
                "output", "scale", "sub", "sumpool", "thr"), List.copyOf(g.nodes().keySet()));
        assertEquals(List.of(new NirEdge("input", "fc1"), new NirEdge("fc1", "lif"), new NirEdge("lif", "lin"),
                new NirEdge("lin", "sub"), new NirEdge("sub", "output")), g.edges());
        NirNode fc1 = (NirNode) g.nodes().get("fc1");
        NirArray w = (NirArray) fc1.params().get("weight");
        assertEquals(DType.FLOAT32, w.dtype());
        assertArrayEquals(new int[] {3, 4}, w.shape());
        assertEquals(11.0, w.get(11));
        NirNode conv = (NirNode) g.nodes().get("conv");
        assertEquals(NirArray.int64Scalar(1), conv.params().get("groups"));
        NirNode lif = (NirNode) g.nodes().get("lif");
        assertEquals(0.02f, (float) ((NirArray) lif.params().get("tau")).get(0));
        assertInstanceOf(NirGraph.class, g.nodes().get("sub"));
        assertEquals(new NirText("x"), g.metadata().get("author"));
        assertEquals(1e-3, ((NirArray) g.metadata().get("dt")).get(0));
    }

    @Test
    void refusesWhatJhdfWouldStoreWrongly() {
        NirGraph slash = NirTesting.chain(Map.of(), "input", node("Input", "shape", NirArray.int64(2)),
                "a/b", node("Output", "shape", NirArray.int64(2)));
        assertThrows(IllegalArgumentException.class, () -> store.write(dir.resolve("x.nir"), new NirFile("1.0.7", slash)));
        NirGraph empty = NirTesting.chain(Map.of(), "input", node("Input", "shape",
                new NirArray(DType.INT64, new int[] {0}, new double[0])), "output", node("Output", "shape", NirArray.int64(2)));
        assertThrows(IllegalArgumentException.class, () -> store.write(dir.resolve("x.nir"), new NirFile("1.0.7", empty)));
        NirGraph noEdges = new NirGraph(Map.of("input", node("Input", "shape", NirArray.int64(2))), List.of(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> store.write(dir.resolve("x.nir"), new NirFile("1.0.7", noEdges)));
        assertFalse(Files.exists(dir.resolve("x.nir")));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFiles() throws Exception {
        Path p = dir.resolve("keep.nir");
        store.write(p, new NirFile("1.0.7", everyNodeType()));
        byte[] before = Files.readAllBytes(p);
        NirGraph slash = NirTesting.chain(Map.of(), "input", node("Input", "shape", NirArray.int64(2)),
                "a/b", node("Output", "shape", NirArray.int64(2)));
        assertThrows(IllegalArgumentException.class, () -> store.write(p, new NirFile("1.0.7", slash)));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList());
        }
    }

    // ------------------------------------------------------------------ damaged files

    private NirFormatException readFails(Path p) {
        NirFormatException e = assertThrows(NirFormatException.class, () -> store.read(p));
        assertTrue(e.oneLine().startsWith(p.toString() + ": "), e.oneLine());
        assertFalse(e.oneLine().contains("\n"), e.oneLine());
        assertTrue(e.help() != null && !e.help().isBlank());
        return e;
    }

    @Test
    void missingFile() {
        assertTrue(readFails(dir.resolve("none.nir")).problem().contains("no such file"));
    }

    @Test
    void notHdf5() throws IOException {
        Path p = dir.resolve("text.nir");
        Files.writeString(p, "this is not HDF5\n".repeat(100));
        assertTrue(readFails(p).problem().contains("not a readable HDF5 file"));
        Path empty = dir.resolve("empty.nir");
        Files.write(empty, new byte[0]);
        readFails(empty);
    }

    @Test
    void truncatedAtEveryEighthOfTheFile() throws Exception {
        Path whole = dir.resolve("whole.nir");
        store.write(whole, new NirFile("1.0.7", everyNodeType()));
        byte[] b = Files.readAllBytes(whole);
        for (int k = 1; k < 8; k++) {
            Path p = dir.resolve("cut" + k + ".nir");
            Files.write(p, Arrays.copyOf(b, b.length * k / 8));
            readFails(p);
        }
    }

    @Test
    void flippedBytesNeverEscapeAsAnotherException() throws Exception {
        Path whole = dir.resolve("whole.nir");
        store.write(whole, new NirFile("1.0.7", everyNodeType()));
        byte[] b = Files.readAllBytes(whole);
        java.util.Random r = new java.util.Random(3);
        for (int k = 0; k < 40; k++) {
            byte[] c = b.clone();
            for (int j = 0; j < 4; j++) {
                c[r.nextInt(c.length)] ^= (byte) (1 + r.nextInt(255));
            }
            Path p = dir.resolve("flip" + k + ".nir");
            Files.write(p, c);
            try {
                store.read(p);
            } catch (NirFormatException e) {
                assertTrue(e.oneLine().startsWith(p.toString()), e.oneLine());
            }
        }
    }

    @Test
    void hdf5WithoutTheNirLayout() throws Exception {
        Path p = dir.resolve("plain.h5");
        try (io.jhdf.WritableHdfFile f = io.jhdf.HdfFile.write(p)) {
            f.putDataset("data", new float[] {1, 2, 3});
        }
        assertTrue(readFails(p).problem().contains("/node"));
    }

    @Test
    void aNodeWithoutTypeAndBadEdgesAreNamedByTheirPath() throws Exception {
        Path p = dir.resolve("notype.nir");
        try (io.jhdf.WritableHdfFile f = io.jhdf.HdfFile.write(p)) {
            f.putDataset("version", "1.0.7");
            io.jhdf.api.WritableGroup node = f.putGroup("node");
            node.putDataset("type", "NIRGraph");
            node.putGroup("nodes").putGroup("lif").putDataset("tau", new float[] {1});
            node.putDataset("edges", new String[][] {{"lif", "lif"}});
        }
        assertTrue(readFails(p).problem().contains("/node/nodes/lif/type"));
        Path q = dir.resolve("edges.nir");
        try (io.jhdf.WritableHdfFile f = io.jhdf.HdfFile.write(q)) {
            f.putDataset("version", "1.0.7");
            io.jhdf.api.WritableGroup node = f.putGroup("node");
            node.putDataset("type", "NIRGraph");
            node.putGroup("nodes").putGroup("a").putDataset("type", "Input");
            node.putDataset("edges", new String[] {"a", "a", "a"});
        }
        assertTrue(readFails(q).problem().contains("/node/edges"));
    }

    @Test
    void nonFiniteParameters() throws Exception {
        Path p = dir.resolve("nan.nir");
        NirGraph g = NirTesting.chain(Map.of(), "input", node("Input", "shape", NirArray.int64(2)),
                "lif", node("IF", "r", f32(2, Float.NaN), "v_threshold", f32(2, 1)), "output",
                node("Output", "shape", NirArray.int64(2)));
        store.write(p, new NirFile("1.0.7", g));
        NirFormatException e = readFails(p);
        assertTrue(e.problem().contains("/node/nodes/lif/r") && e.problem().contains("NaN"), e.problem());
    }
}

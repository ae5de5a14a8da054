package dev.spikeforge.compiler.nir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our files as an independent HDF5 reader sees them: h5dump (Debian's hdf5-tools) lists every
 * group and dataset of the LeNet5 export, and each must have the name, HDF5 type and shape of NIR
 * 1.0.7's layout; the MLP's header is a golden file. A file written with h5py the way nir.write
 * writes (variable-length strings, snnTorch's conventions) is read and imported.
 */
class NirLayoutTest {

    @TempDir
    Path dir;

    /** A dataset as h5dump -H shows it: its type class and its dimensions ("SCALAR" or "(20, 1, 5, 5)"). */
    record Dataset(String type, String space) {
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(cmd.get(0) + " is not installed; scripts/test.sh installs it (Debian package "
                    + (cmd.get(0).contains("python") ? "python3-h5py" : "hdf5-tools") + ")", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    /** Parses h5dump -H output into path -> dataset (groups end in '/'; attributes are left out). */
    static Map<String, Dataset> parse(String h5dump) {
        Map<String, Dataset> out = new TreeMap<>();
        Deque<String> frames = new ArrayDeque<>(); // path of each open block; "" for blocks that are not nodes
        for (String raw : h5dump.split("\n")) {
            String line = raw.strip();
            String parent = frames.stream().filter(f -> f.endsWith("/")).findFirst().orElse("");
            String dataset = frames.isEmpty() || frames.peek().endsWith("/") ? null : frames.peek();
            if (line.startsWith("GROUP \"") || line.startsWith("DATASET \"") || line.startsWith("ATTRIBUTE \"")) {
                String name = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
                if (line.startsWith("GROUP")) {
                    String path = name.equals("/") ? "/" : parent + name + "/";
                    out.put(path, new Dataset("GROUP", ""));
                    frames.push(path);
                } else if (line.startsWith("DATASET")) {
                    frames.push(parent + name);
                    out.put(parent + name, new Dataset(null, null));
                } else {
                    frames.push("@");
                }
            } else if (line.startsWith("DATATYPE") && dataset != null && !dataset.equals("@") && !dataset.isEmpty()) {
                String type = line.substring("DATATYPE".length()).strip().replace(" {", "");
                out.put(dataset, new Dataset(type, null));
                if (line.endsWith("{")) {
                    frames.push("");
                }
            } else if (line.startsWith("DATASPACE") && dataset != null && !dataset.equals("@") && !dataset.isEmpty()) {
                String space = line.substring("DATASPACE".length()).strip();
                if (space.startsWith("SIMPLE")) {
                    space = space.substring(space.indexOf('('), space.indexOf(')') + 1).replace("( ", "(").replace(" )", ")");
                }
                out.put(dataset, new Dataset(out.get(dataset).type(), space));
            } else if (line.equals("}")) {
                frames.pop();
            } else if (line.endsWith("{")) {
                frames.push("");
            }
        }
        return out;
    }

    @Test
    void lenet5FollowsNirsLayoutDatasetByDataset() throws Exception {
        Network net = NirTesting.compile(Files.readString(Golden.projectRoot().resolve("examples/models/lenet5.snn")));
        Path p = dir.resolve("lenet5.nir");
        NirStore.standard().write(p, NirExport.export(net, NirTesting.weights(net, 2), 1e-4, "spikeforge").file());
        Map<String, Dataset> got = parse(run(List.of("h5dump", "-H", p.toString())));

        String f32 = "H5T_IEEE_F32LE";
        String f64 = "H5T_IEEE_F64LE";
        String i64 = "H5T_STD_I64LE";
        String str = "H5T_STRING";
        Map<String, Dataset> want = new LinkedHashMap<>();
        want.put("/version", new Dataset(str, "SCALAR"));
        want.put("/node/type", new Dataset(str, "SCALAR"));
        want.put("/node/edges", new Dataset(str, "(14, 2)"));
        node(want, "input", "Input", Map.of("shape", new Dataset(i64, "(3)")));
        conv(want, "c1", 20, 1, 28);
        conv(want, "c2", 50, 20, 12);
        neuron(want, "c1.lif", "LIF", "(20, 24, 24)");
        neuron(want, "c2.lif", "LIF", "(50, 8, 8)");
        for (String pool : List.of("p1", "p2")) {
            node(want, pool, "AvgPool2d", Map.of("kernel_size", new Dataset(i64, "(2)"), "stride", new Dataset(i64, "(2)"),
                    "padding", new Dataset(i64, "(2)")));
        }
        neuron(want, "p1.pool", "IF", "(20, 12, 12)");
        neuron(want, "p2.pool", "IF", "(50, 4, 4)");
        node(want, "f1.flatten", "Flatten", Map.of("start_dim", new Dataset(i64, "SCALAR"),
                "end_dim", new Dataset(i64, "SCALAR"), "input_type", new Dataset(i64, "(3)")));
        node(want, "f1", "Linear", Map.of("weight", new Dataset(f32, "(200, 800)")));
        neuron(want, "f1.lif", "LIF", "(200)");
        node(want, "out", "Linear", Map.of("weight", new Dataset(f32, "(10, 200)")));
        node(want, "out.neuron", "I", Map.of("r", new Dataset(f64, "(10)")));
        node(want, "output", "Output", Map.of("shape", new Dataset(i64, "(1)")));
        want.put("/node/metadata/dt", new Dataset(f64, "SCALAR"));
        want.put("/node/metadata/spikeforge_timesteps", new Dataset(i64, "SCALAR"));
        for (String m : List.of("source", "discretization", "spikeforge_model", "spikeforge_encoding",
                "spikeforge_readout", "spikeforge_threshold_compare", "spikeforge_train", "spikeforge_deploy",
                "spikeforge_quantization")) {
            want.put("/node/metadata/" + m, new Dataset(str, "SCALAR"));
        }
        for (String lif : List.of("c1.lif", "c2.lif", "f1.lif", "p1.pool", "p2.pool")) {
            want.put("/node/nodes/" + lif + "/metadata/reset_mode", new Dataset(str, "SCALAR"));
        }
        want.put("/node/nodes/f1.lif/metadata/spikeforge_dropout", new Dataset(f64, "SCALAR"));

        Map<String, Dataset> datasets = new TreeMap<>(got);
        datasets.keySet().removeIf(k -> k.endsWith("/"));
        assertEquals(new TreeMap<>(want), datasets);
        Set<String> groups = new TreeSet<>(got.keySet());
        groups.removeIf(k -> !k.endsWith("/"));
        assertTrue(groups.containsAll(Set.of("/", "/node/", "/node/nodes/", "/node/metadata/", "/node/nodes/c1/")), groups.toString());
    }

    private static void node(Map<String, Dataset> want, String name, String type, Map<String, Dataset> params) {
        want.put("/node/nodes/" + name + "/type", new Dataset("H5T_STRING", "SCALAR"));
        params.forEach((k, v) -> want.put("/node/nodes/" + name + "/" + k, v));
    }

    private static void conv(Map<String, Dataset> want, String name, int out, int in, int size) {
        String i64 = "H5T_STD_I64LE";
        node(want, name, "Conv2d", Map.of("input_shape", new Dataset(i64, "(2)"),
                "weight", new Dataset("H5T_IEEE_F32LE", "(" + out + ", " + in + ", 5, 5)"),
                "stride", new Dataset(i64, "(2)"), "padding", new Dataset(i64, "(2)"), "dilation", new Dataset(i64, "(2)"),
                "groups", new Dataset(i64, "SCALAR"), "bias", new Dataset("H5T_IEEE_F32LE", "(" + out + ")")));
    }

    private static void neuron(Map<String, Dataset> want, String name, String type, String shape) {
        Map<String, Dataset> ps = new LinkedHashMap<>();
        List<String> names = type.equals("LIF") ? List.of("tau", "r", "v_leak", "v_threshold", "v_reset")
                : List.of("r", "v_threshold", "v_reset");
        for (String n : names) {
            ps.put(n, new Dataset("H5T_IEEE_F64LE", shape));
        }
        node(want, name, type, ps);
    }

    @Test
    void mlpHeaderIsGolden() throws Exception {
        Network net = NirTesting.compile(Files.readString(Golden.projectRoot().resolve("examples/models/mlp.snn")));
        Path p = dir.resolve("mlp.nir");
        NirStore.standard().write(p, NirExport.export(net, NirTesting.weights(net, 2), 1e-4, "spikeforge").file());
        String header = run(List.of("h5dump", "-H", p.toString())).replace(p.toString(), "mlp.nir");
        Golden.assertMatches(Golden.projectRoot().resolve("examples/golden/nir/mlp.h5dump.txt"), header);
    }

    @Test
    void readsAndImportsAFileWrittenLikeNirWriteWithSnnTorchsConventions() throws Exception {
        Path p = dir.resolve("torch.nir");
        Path script = Golden.projectRoot().resolve("compiler/src/test/resources/nir/write_snntorch_style.py");
        run(List.of("/usr/bin/python3", script.toString(), p.toString()));
        assertTrue(run(List.of("h5dump", "-H", "-d", "/node/edges", p.toString())).contains("STRSIZE H5T_VARIABLE"));
        NirFile f = NirStore.standard().read(p);
        NirImport.Result r = NirImport.convert(p, f, NirImport.Options.DEFAULTS);
        String s = r.source();
        assertTrue(s.contains("neuron lif = LIF(beta = 0.9, threshold = 1.0, reset = zero)"), s);
        assertTrue(s.contains("neuron if = IF(threshold = 0.5, reset = zero)"), s);
        assertTrue(s.contains("neuron lif_2 = LIF(beta = 0.9, threshold = 0.75, reset = zero)"), s);
        assertTrue(s.contains("n0 = conv(3, kernel = 3, padding = 1) -> lif"), s);
        assertTrue(s.contains("n2 = avgpool(2) -> if"), s);
        assertTrue(s.contains("n5 = readout(5, mode = count, bias = true) -> lif_2"), s);
        Network net = NirTesting.compile(s);
        assertEquals(3, net.layers().size() - 1);
        List<String> keys = new ArrayList<>(r.weights().keySet());
        assertEquals(List.of("n0.weight", "n5.weight", "n5.bias"), keys);
        assertEquals(3 * 9, r.weights().get("n0.weight").length);
    }
}

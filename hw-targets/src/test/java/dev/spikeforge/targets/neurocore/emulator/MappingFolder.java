package dev.spikeforge.targets.neurocore.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Writes a mapping folder (docs/targets.md, "Mapping files") for a {@link TestNet} by hand: the cores the
 * test lists (layer, mesh position, neuron ranges), each core's image holding exactly the rows its
 * neurons need, routes carrying exactly the source indices each destination core needs (found by
 * brute force over every tap), hops as mesh distances, and the files' sizes and SHA-256.
 */
final class MappingFolder {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record CoreSpec(int layer, int x, int y, int[][] neurons) {
    }

    final TestNet net;
    final List<CoreSpec> cores = new ArrayList<>();
    final ObjectNode target = JsonNodeFactory.instance.objectNode();

    MappingFolder(TestNet net) {
        this.net = net;
        target.put("schema", "spikeforge.target.neurocore/1");
        target.put("name", "test_chip");
        target.put("mesh_width", 4);
        target.put("mesh_height", 4);
        target.put("clock_mhz", 100.0);
        target.put("cycles_per_synaptic_op", 1);
        target.put("cycles_per_neuron_update", 1);
        target.put("cycles_per_hop", 1);
        target.put("barrier_cycles", 0);
        target.put("synaptic_op_pj", 1.0);
        target.put("neuron_update_pj", 1.0);
        target.put("spike_hop_pj", 1.0);
        target.put("static_mw", 0.0);
        target.put("max_spikes_per_core_per_step", 0);
    }

    MappingFolder core(int layer, int x, int y, int[]... neurons) {
        cores.add(new CoreSpec(layer, x, y, neurons));
        return this;
    }

    private boolean holds(CoreSpec c, int n) {
        for (int[] r : c.neurons) {
            if (n >= r[0] && n < r[1]) {
                return true;
            }
        }
        return false;
    }

    /** The source indices of layer {@code source} (-1: input) that core {@code to} needs, held by {@code from}. */
    private TreeSet<Integer> needed(int source, CoreSpec from, CoreSpec to) {
        TreeSet<Integer> out = new TreeSet<>();
        TestNet.L layer = net.layers.get(to.layer);
        for (TestNet.S s : layer.syn) {
            if (s.source != source) {
                continue;
            }
            for (int[] r : to.neurons) {
                for (int n = r[0]; n < r[1]; n++) {
                    for (long[] tap : TestNet.taps(s, layer, n)) {
                        if (from == null || holds(from, (int) tap[0])) {
                            out.add((int) tap[0]);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static ArrayNode ranges(TreeSet<Integer> set) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        Integer start = null;
        int prev = 0;
        for (int i : set) {
            if (start != null && i == prev + 1) {
                prev = i;
                continue;
            }
            if (start != null) {
                a.addArray().add(start).add(prev + 1);
            }
            start = i;
            prev = i;
        }
        if (start != null) {
            a.addArray().add(start).add(prev + 1);
        }
        return a;
    }

    private static ArrayNode ints(int[] v) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }

    private static ArrayNode longs(long[] v) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }

    /** Writes the folder; {@code edit} may change mapping.json (which is not in {@code files}) first. */
    Path write(Path dir, Consumer<ObjectNode> edit) {
        try {
            Files.createDirectories(dir.resolve("cores"));
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("schema", "spikeforge.mapping/1");
            root.put("model", "test");
            ObjectNode chip = target.deepCopy();
            // the test chip's arithmetic is the test net's, as a compiled folder's always is
            chip.put("shift_rounding", net.rounding);
            chip.put("threshold_compare", net.compare);
            chip.put("overflow", net.overflow);
            chip.put("min_weight_bits", 2);
            chip.put("max_weight_bits", 16);
            chip.put("membrane_bits", 63);
            root.set("target", chip);
            root.put("timesteps", net.timesteps);
            ObjectNode num = root.putObject("numerics");
            num.put("weight_bits", net.weightBits);
            num.put("membrane_bits", net.membraneBits);
            num.put("overflow", net.overflow);
            num.put("shift_rounding", net.rounding);
            num.put("threshold_compare", net.compare);
            ObjectNode in = root.putObject("input");
            in.set("shape", ints(net.inShape));
            in.put("size", net.inputSize());
            in.put("encoding", net.encoding);
            in.put("value_limit", net.valueLimit);
            ArrayNode layers = root.putArray("layers");
            for (int l = 0; l < net.layers.size(); l++) {
                layers.add(layer(l));
            }
            ArrayNode coreArray = root.putArray("cores");
            ArrayNode files = JsonNodeFactory.instance.arrayNode();
            for (int c = 0; c < cores.size(); c++) {
                coreArray.add(core(c, dir, files));
            }
            ArrayNode inputRoutes = root.putArray("input_routes");
            for (CoreSpec to : cores) {
                TreeSet<Integer> need = needed(-1, null, to);
                if (!need.isEmpty()) {
                    ObjectNode r = inputRoutes.addObject();
                    r.put("to_core", cores.indexOf(to));
                    r.put("hops", to.x + to.y);
                    r.set("sources", ranges(need));
                }
            }
            root.set("files", files);
            edit.accept(root);
            Files.writeString(dir.resolve("mapping.json"), JSON.writeValueAsString(root));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path write(Path dir) {
        return write(dir, r -> { });
    }

    private ObjectNode layer(int l) {
        TestNet.L layer = net.layers.get(l);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("index", l);
        o.put("name", layer.name);
        o.put("node", layer.name + ".lif");
        o.put("role", layer.role);
        o.set("shape", ints(layer.shape));
        o.put("size", layer.size());
        o.put("channels", layer.channels);
        o.put("features", layer.features);
        if (layer.fires()) {
            o.set("threshold", longs(layer.threshold));
        }
        if (layer.bias == null) {
            o.putNull("bias");
        } else {
            o.set("bias", longs(layer.bias));
        }
        if (layer.fires()) {
            o.put("reset", layer.reset);
        }
        ObjectNode leak = o.putObject("leak");
        leak.put("form", layer.leak);
        if (layer.leak.equals("shift")) {
            leak.put("k", layer.k);
        } else if (layer.leak.equals("multiplier")) {
            leak.put("m", layer.m);
            leak.put("fraction_bits", layer.f);
        }
        ArrayNode syn = o.putArray("synapses");
        for (TestNet.S s : layer.syn) {
            ObjectNode so = syn.addObject();
            so.put("kind", s.kind);
            so.put("source", s.source);
            so.set("in_shape", ints(s.inShape));
            switch (s.kind) {
                case "conv" -> {
                    so.put("filters", s.filters);
                    so.put("kernel", s.kernel);
                    so.put("stride", s.stride);
                    so.put("padding", s.padding);
                }
                case "dense" -> {
                    so.put("in_features", s.inSize());
                    so.put("out_features", layer.size());
                }
                case "avgpool" -> so.put("kernel", s.kernel);
                default -> { }
            }
        }
        ArrayNode ids = o.putArray("cores");
        for (int c = 0; c < cores.size(); c++) {
            if (cores.get(c).layer == l) {
                ids.add(c);
            }
        }
        return o;
    }

    private ObjectNode core(int id, Path dir, ArrayNode files) throws IOException {
        CoreSpec c = cores.get(id);
        TestNet.L layer = net.layers.get(c.layer);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", id);
        o.put("x", c.x);
        o.put("y", c.y);
        o.put("layer", c.layer);
        ArrayNode neurons = o.putArray("neurons");
        for (int[] r : c.neurons) {
            neurons.addArray().add(r[0]).add(r[1]);
        }
        String file = String.format("cores/core-%04d.syn", id);
        o.put("synapse_file", file);
        ArrayNode segments = o.putArray("segments");
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        int offset = 0;
        for (int j = 0; j < layer.syn.size(); j++) {
            TestNet.S s = layer.syn.get(j);
            TreeSet<Integer> rows = new TreeSet<>();
            for (int[] r : c.neurons) {
                for (int n = r[0]; n < r[1]; n++) {
                    rows.add(s.rowOf(layer, n));
                }
            }
            ObjectNode seg = segments.addObject();
            seg.put("synapse", j);
            ArrayNode ra = seg.putArray("rows");
            rows.forEach(ra::add);
            seg.put("row_length", s.rowLength());
            seg.put("offset", offset);
            for (int row : rows) {
                for (int i = 0; i < s.rowLength(); i++) {
                    int w = s.w[row * s.rowLength() + i];
                    image.write(w & 0xff);
                    image.write((w >> 8) & 0xff);
                }
                offset += s.rowLength();
            }
        }
        TreeSet<Integer> axons = new TreeSet<>();
        for (TestNet.S s : layer.syn) {
            for (int[] r : c.neurons) {
                for (int n = r[0]; n < r[1]; n++) {
                    for (long[] tap : TestNet.taps(s, layer, n)) {
                        axons.add((s.source + 1) * 1_000_000 + (int) tap[0]);
                    }
                }
            }
        }
        o.put("axons", axons.size());
        ArrayNode routes = o.putArray("routes");
        for (int to = 0; to < cores.size(); to++) {
            CoreSpec d = cores.get(to);
            TreeSet<Integer> need = needed(c.layer, c, d);
            if (!need.isEmpty()) {
                ObjectNode r = routes.addObject();
                r.put("to_core", to);
                r.put("hops", Math.abs(d.x - c.x) + Math.abs(d.y - c.y));
                r.set("sources", ranges(need));
            }
        }
        byte[] bytes = image.toByteArray();
        Files.write(dir.resolve(file), bytes);
        ObjectNode f = files.addObject();
        f.put("path", file);
        f.put("bytes", bytes.length);
        f.put("sha256", MappingFiles.sha256(bytes));
        return o;
    }

    /** Re-reads mapping.json, lets {@code edit} change it, and writes it back. */
    static void editJson(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve("mapping.json").toFile());
        edit.accept(root);
        Files.writeString(dir.resolve("mapping.json"), JSON.writeValueAsString(root));
    }

    /** Recomputes every {@code files} entry from the bytes on disk (a consistent but changed folder). */
    static void rehash(Path dir) throws IOException {
        editJson(dir, root -> {
            for (JsonNode f : root.get("files")) {
                try {
                    byte[] b = Files.readAllBytes(dir.resolve(f.get("path").asText()));
                    ((ObjectNode) f).put("bytes", b.length);
                    ((ObjectNode) f).put("sha256", MappingFiles.sha256(b));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }
}

package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.io.Checksums;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link NeurocoreMapper.Mapping} as the folder of docs/targets.md ("Mapping files"):
 * {@code mapping.json}, {@code cores/core-NNNN.syn}, {@code report.json}. The same mapping gives
 * the same bytes. The folder is built next to the target under a temporary name and then swapped
 * in, so a reader never sees a half-written mapping and an earlier one is replaced whole.
 */
public final class MappingWriter {

    public static final String SCHEMA = "spikeforge.mapping/1";
    /** A max pooling synapse adds 1 per input spike of its window (docs/semantics.md section 4.11): one stored word. */
    private static final int[] MAX_POOL_WEIGHT = {1};

    private MappingWriter() {
    }

    public static void write(NeurocoreMapper.Mapping m, List<DesignRules.Result> rules, Path folder) throws IOException {
        AtomicFiles.writeFolder(folder, dir -> fill(m, rules, dir));
    }

    private static void fill(NeurocoreMapper.Mapping m, List<DesignRules.Result> rules, Path dir) throws IOException {
        QuantizedNetwork q = m.network();
        NeurocoreSpec spec = m.spec();
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("schema", SCHEMA);
        doc.put("model", q.name());
        ObjectNode chip = NeurocoreSpecs.toJson(spec);
        // the timing the chip runs this model in: its own, or the target's override (the compiler checked they agree)
        chip.put("timing", q.timing().keyword());
        doc.set("target", chip);
        doc.put("timesteps", q.timesteps());
        ObjectNode num = doc.putObject("numerics");
        num.put("weight_bits", q.numerics().weightBits());
        num.put("membrane_bits", q.numerics().membraneBits());
        num.put("overflow", q.numerics().overflow().keyword());
        num.put("shift_rounding", q.numerics().shiftTowardZero() ? "toward_zero" : "floor");
        if (q.numerics().decayMinLsb()) {
            num.put("decay_min_lsb", true);   // written only when set, so other chips' files read as before
        }
        num.put("threshold_compare", spec.thresholdGreaterThan() ? ">" : ">=");
        if (q.layers().stream().anyMatch(QuantLayer::hasSynapticCurrent)) {
            num.put("current_bits", q.numerics().currentBits());
        }
        ObjectNode in = doc.putObject("input");
        in.set("shape", shape(q.inputShape()));
        in.put("size", q.inputSize());
        in.put("encoding", q.encoding().toString());
        in.put("value_limit", q.inputLimit());
        ArrayNode layers = doc.putArray("layers");
        for (int l = 0; l < q.layers().size(); l++) {
            layers.add(layer(q, l, m, spec));
        }
        ArrayNode cores = doc.putArray("cores");
        Files.createDirectories(dir.resolve("cores"));
        List<String[]> files = new ArrayList<>();
        for (NeurocoreMapper.Core c : m.cores()) {
            String name = String.format(Locale.ROOT, "cores/core-%04d.syn", c.id());
            byte[] image = image(q.layers().get(c.slice().layer()), c.slice());
            Files.write(dir.resolve(name), image);
            files.add(new String[] {name, String.valueOf(image.length), sha256(image)});
            ObjectNode o = cores.addObject();
            o.put("id", c.id());
            o.put("x", c.x());
            o.put("y", c.y());
            o.put("layer", c.slice().layer());
            o.set("neurons", ranges(c.slice().ranges()));
            o.put("synapse_file", name);
            ArrayNode segs = o.putArray("segments");
            long offset = 0;
            for (Partitioner.Segment s : c.slice().segments()) {
                ObjectNode so = segs.addObject();
                so.put("synapse", s.synapse());
                ArrayNode rows = so.putArray("rows");
                for (int r : s.rows()) {
                    rows.add(r);
                }
                so.put("row_length", s.rowLength());
                so.put("offset", offset);
                offset += (long) s.rows().length * s.rowLength();
            }
            o.put("axons", c.slice().axons());
            o.set("routes", routes(c.routes()));
        }
        doc.set("input_routes", routes(m.inputRoutes()));
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        byte[] report = (mapper.writeValueAsString(report(m, rules)) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("report.json"), report);
        files.add(new String[] {"report.json", String.valueOf(report.length), sha256(report)});
        ArrayNode fs = doc.putArray("files");
        for (String[] e : files) {
            ObjectNode o = fs.addObject();
            o.put("path", e[0]);
            o.put("bytes", Long.parseLong(e[1]));
            o.put("sha256", e[2]);
        }
        Files.writeString(dir.resolve("mapping.json"), mapper.writeValueAsString(doc) + "\n");
    }

    private static ObjectNode layer(QuantizedNetwork q, int index, NeurocoreMapper.Mapping m, NeurocoreSpec spec) {
        QuantLayer l = q.layers().get(index);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("index", index);
        o.put("name", l.layer());
        o.put("node", l.node());
        o.put("role", l.readout() == null ? "spiking" : "readout_" + l.readout().keyword());
        o.set("shape", shape(l.shape()));
        o.put("size", l.size());
        o.put("channels", l.channels());
        o.put("features", l.features());
        if (l.theta() != null) {
            ArrayNode th = o.putArray("threshold");
            for (long t : l.theta()) {
                th.add(spec.thresholdGreaterThan() ? t - 1 : t);
            }
        }
        if (l.bias() == null) {
            o.putNull("bias");
        } else {
            ArrayNode b = o.putArray("bias");
            for (long v : l.bias()) {
                b.add(v);
            }
        }
        if (l.reset() != null) {
            o.put("reset", l.reset().keyword());
        }
        leak(o.putObject("leak"), l.leak());
        if (l.hasSynapticCurrent()) {
            leak(o.putObject("synaptic_current").putObject("decay"), l.synapticLeak());
        }
        ArrayNode syns = o.putArray("synapses");
        for (Synapse s : l.synapses()) {
            ObjectNode so = syns.addObject();
            so.put("kind", s.kind());
            so.put("source", s.source());
            so.set("in_shape", shape(s.inShape()));
            if (s instanceof Synapse.Conv c) {
                so.put("filters", c.filters());
                so.put("kernel", c.kernel());
                so.put("stride", c.stride());
                so.put("padding", c.padding());
            } else if (s instanceof Synapse.Dense d) {
                so.put("in_features", d.inFeatures());
                so.put("out_features", d.outFeatures());
            } else if (s instanceof Synapse.Pool p) {
                so.put("kernel", p.kernel());
            } else if (s instanceof Synapse.Recurrent r) {
                so.put("units", r.units());
                so.put("delay", 1);
            } else if (s instanceof Synapse.Conv1d c) {
                so.put("filters", c.filters());
                so.put("kernel", c.kernel());
                so.put("stride", c.stride());
                so.put("padding", c.padding());
            } else if (s instanceof Synapse.MaxPool p) {
                so.put("kernel", p.kernel());
            }
        }
        ArrayNode cores = o.putArray("cores");
        m.cores().stream().filter(c -> c.slice().layer() == index).forEach(c -> cores.add(c.id()));
        return o;
    }

    private static void leak(ObjectNode leak, QuantLeak l) {
        if (l instanceof QuantLeak.Shift s) {
            leak.put("form", "shift");
            leak.put("k", s.k());
        } else if (l instanceof QuantLeak.Multiplier mu) {
            leak.put("form", "multiplier");
            leak.put("m", mu.m());
            leak.put("fraction_bits", mu.fractionBits());
        } else {
            leak.put("form", "none");
        }
    }

    /** The core's rows of every synapse path, as little-endian int16. */
    static byte[] image(QuantLayer l, Partitioner.Slice slice) {
        long values = 0;
        for (Partitioner.Segment s : slice.segments()) {
            values += (long) s.rows().length * s.rowLength();
        }
        byte[] out = new byte[Math.toIntExact(values * 2)];
        int at = 0;
        for (Partitioner.Segment s : slice.segments()) {
            int[] w = weights(l.synapses().get(s.synapse()));
            for (int row : s.rows()) {
                for (int i = 0; i < s.rowLength(); i++) {
                    int v = w[row * s.rowLength() + i];
                    out[at++] = (byte) v;
                    out[at++] = (byte) (v >> 8);
                }
            }
        }
        return out;
    }

    private static int[] weights(Synapse s) {
        if (s instanceof Synapse.Conv c) {
            return c.weights();
        } else if (s instanceof Synapse.Dense d) {
            return d.weights();
        } else if (s instanceof Synapse.Pool p) {
            return p.weights();
        } else if (s instanceof Synapse.Recurrent r) {
            return r.weights(); // full: row o = w[o][*]; diagonal: row o = w[o]
        } else if (s instanceof Synapse.Conv1d c) {
            return c.weights(); // row f = w[f][c][k], order c, k
        } else if (s instanceof Synapse.MaxPool) {
            return MAX_POOL_WEIGHT;
        }
        return ((Synapse.Identity) s).weights();
    }

    private static ObjectNode report(NeurocoreMapper.Mapping m, List<DesignRules.Result> rules) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode r = f.objectNode();
        r.put("schema", "spikeforge.mapping-report/1");
        r.put("model", m.network().name());
        r.put("target", m.spec().name());
        r.put("cores_used", m.cores().size());
        r.put("cores_available", m.spec().cores());
        r.put("cores_lower_bound", m.lowerBound());
        ArrayNode layers = r.putArray("layers");
        for (Partitioner.LayerCut c : m.cuts()) {
            QuantLayer l = m.network().layers().get(c.layer());
            ObjectNode o = layers.addObject();
            o.put("layer", l.layer());
            o.put("neurons", l.size());
            o.put("cores", c.slices().size());
            o.put("cores_lower_bound", c.lowerBound());
            o.put("per_core", c.shape());
            o.put("max_neurons_per_core", c.slices().stream().mapToInt(Partitioner.Slice::neurons).max().orElse(0));
            o.put("max_synapse_memory_bits", c.slices().stream().mapToLong(Partitioner.Slice::memoryBits).max().orElse(0));
            o.put("max_axons", c.slices().stream().mapToLong(Partitioner.Slice::axons).max().orElse(0));
        }
        ObjectNode p = r.putObject("placement");
        p.put("traffic_from", m.rates() == null ? "one packet per source neuron per step (no firing rates given)"
                : "measured firing rates");
        p.put("mean_hops", m.meanHops());
        p.put("max_hops", m.maxHops());
        p.put("naive_mean_hops", m.naiveMeanHops());
        p.put("naive_max_hops", m.naiveMaxHops());
        p.put("traffic_hops", m.trafficHops());
        p.put("naive_traffic_hops", m.naiveTrafficHops());
        ArrayNode rs = r.putArray("design_rules");
        for (DesignRules.Result res : rules) {
            ObjectNode o = rs.addObject();
            o.put("rule", res.rule());
            o.put("result", !res.checked() ? "not checked" : res.passed() ? "pass" : "fail");
            ArrayNode vs = o.putArray("violations");
            for (DesignRules.Violation v : res.violations()) {
                ObjectNode vo = vs.addObject();
                vo.put("layer", v.layer());
                vo.put("problem", v.problem());
                vo.put("fix", v.fix());
            }
        }
        return r;
    }

    private static ArrayNode routes(List<NeurocoreMapper.Route> routes) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (NeurocoreMapper.Route r : routes) {
            ObjectNode o = a.addObject();
            o.put("to_core", r.toCore());
            o.put("hops", r.hops());
            o.set("sources", ranges(r.sources()));
        }
        return a;
    }

    private static ArrayNode ranges(List<int[]> ranges) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int[] r : ranges) {
            ArrayNode p = a.addArray();
            p.add(r[0]);
            p.add(r[1]);
        }
        return a;
    }

    private static ArrayNode shape(Shape s) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int d : s.toArray()) {
            a.add(d);
        }
        return a;
    }

    static String sha256(byte[] bytes) {
        return Checksums.sha256(bytes);
    }
}

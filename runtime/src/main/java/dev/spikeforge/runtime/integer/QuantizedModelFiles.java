package dev.spikeforge.runtime.integer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.DType;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a quantised model as files: {@code model.json} (schema {@code spikeforge.quantized/1}:
 * formats, layers, synapse geometry, scales, thresholds, leaks, synaptic leaks of CUBA layers;
 * integer tensors by name), {@code model.npz} (those tensors, int8 for weights of up to 8 bits,
 * else int16; biases int64), and the quantisation report as {@code quantization.txt} and
 * {@code quantization.json}. Each file is written atomically; the same network gives the same
 * bytes. {@link #read} gives the network back, equal in every number the integer model runs on.
 *
 * <p>Synapse kinds and their tensors: {@code dense} ({@code NODE.weight}, [out][in]), {@code conv}
 * ([f][c][k][k]), {@code conv1d} ([f][c][k]), {@code recurrent} ({@code NODE.recurrent}, [units][units])
 * and {@code recurrent_diagonal} ([units]), {@code identity} ({@code NODE.skip.weight}, per channel),
 * {@code avgpool} (weights inline), {@code maxpool} (no weights). A kind outside this list is refused,
 * writing and reading.
 */
public final class QuantizedModelFiles {

    public static final String SCHEMA = "spikeforge.quantized/1";

    private QuantizedModelFiles() {
    }

    /** The files written, in order. */
    public static List<Path> write(QuantizedNetwork q, Path folder) throws IOException, CheckpointException {
        Checkpoint.Builder arrays = Checkpoint.builder();
        ObjectNode doc = describe(q, arrays);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path npz = folder.resolve("model.npz");
        CheckpointWriter.write(npz, arrays.manifest(doc.deepCopy()).build());
        Path json = folder.resolve("model.json");
        AtomicFiles.writeString(json, mapper.writeValueAsString(doc) + "\n");
        Path text = folder.resolve("quantization.txt");
        AtomicFiles.writeString(text, QuantReport.text(q));
        Path report = folder.resolve("quantization.json");
        AtomicFiles.writeString(report, mapper.writeValueAsString(QuantReport.json(q)) + "\n");
        return List.of(json, npz, text, report);
    }

    static ObjectNode describe(QuantizedNetwork q, Checkpoint.Builder arrays) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("schema", SCHEMA);
        doc.put("model", q.name());
        doc.put("timesteps", q.timesteps());
        if (q.timing() != Timing.SEQUENTIAL) {
            doc.put("timing", q.timing().keyword()); // absent: sequential, as in files written before timing existed
        }
        ObjectNode num = doc.putObject("numerics");
        num.put("weight_bits", q.numerics().weightBits());
        num.put("granularity", q.numerics().granularity().keyword());
        num.put("membrane_bits", q.numerics().membraneBits());
        num.put("overflow", q.numerics().overflow().keyword());
        num.put("shift_rounding", q.numerics().shiftTowardZero() ? "toward_zero" : "floor");
        if (q.numerics().decayMinLsb()) {
            num.put("decay_min_lsb", true);   // written only when set: older files and readers stay as they were
        }
        if (q.numerics().leakNearest()) {
            num.put("leak_rounding", "nearest"); // likewise only when set: absent means the shift's own rounding
        }
        num.put("readout_bits", q.readoutBits());
        num.put("current_bits", q.numerics().currentBits());
        ObjectNode in = doc.putObject("input");
        in.set("shape", shape(q.inputShape()));
        in.put("encoding", q.encoding().toString());
        in.put("value_limit", q.inputLimit());
        ArrayNode layers = doc.putArray("layers");
        for (QuantLayer l : q.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", l.layer());
            o.put("node", l.node());
            o.put("role", l.readout() == null ? "spiking" : "readout_" + l.readout().keyword());
            o.set("shape", shape(l.shape()));
            o.put("channels", l.channels());
            ArrayNode scale = o.putArray("scale");
            for (double s : l.scale()) {
                scale.add(s);
            }
            if (l.theta() != null) {
                ArrayNode th = o.putArray("threshold");
                for (long t : l.theta()) {
                    th.add(t);
                }
                o.put("reset", l.reset().keyword());
                o.put("guard_bits", l.guardBits());
            }
            o.set("leak", leak(l.leak(), "beta"));
            if (!Double.isNaN(l.floatTheta())) {
                o.put("threshold_float", l.floatTheta());
            }
            o.put("beta_float", l.floatBeta());
            if (l.synapticLeak() != null) {
                o.set("synaptic_leak", leak(l.synapticLeak(), "alpha"));
                o.put("alpha_float", l.floatAlpha());
            }
            o.put("max_current", l.maxCurrent());
            ObjectNode stats = o.putObject("stats");
            stats.put("weights", l.stats().weights());
            stats.put("clipped", l.stats().clipped());
            stats.put("largest_float", l.stats().largestFloat());
            if (l.bias() != null) {
                String name = l.node() + ".bias";
                arrays.put(name, NdArray.ofLongs(l.bias().clone(), l.bias().length));
                o.put("bias", name);
            }
            ArrayNode syns = o.putArray("synapses");
            for (int i = 0; i < l.synapses().size(); i++) {
                Synapse s = l.synapses().get(i);
                ObjectNode so = syns.addObject();
                so.put("kind", s.kind());
                so.put("source", s.source() < 0 ? "input" : q.layers().get(s.source()).node());
                so.set("in_shape", shape(s.inShape()));
                String name = l.node() + ".skip.weight";
                if (s instanceof Synapse.Conv c) {
                    name = c.node() + ".weight";
                    so.put("filters", c.filters());
                    so.put("kernel", c.kernel());
                    so.put("stride", c.stride());
                    so.put("padding", c.padding());
                    arrays.put(name, ints(q, c.weights(), c.filters(), s.inShape().channels(), c.kernel(), c.kernel()));
                    so.put("weight", name);
                } else if (s instanceof Synapse.Dense d) {
                    name = d.node() + ".weight";
                    arrays.put(name, ints(q, d.weights(), d.outFeatures(), d.inFeatures()));
                    so.put("weight", name);
                } else if (s instanceof Synapse.Pool p) {
                    so.put("kernel", p.kernel());
                    ArrayNode pw = so.putArray("weights");
                    for (int v : p.weights()) {
                        pw.add(v);
                    }
                } else if (s instanceof Synapse.Identity id) {
                    arrays.put(name, ints(q, id.weights(), id.weights().length));
                    so.put("weight", name);
                } else if (s instanceof Synapse.Conv1d c) {
                    name = c.node() + ".weight";
                    so.put("filters", c.filters());
                    so.put("kernel", c.kernel());
                    so.put("stride", c.stride());
                    so.put("padding", c.padding());
                    arrays.put(name, ints(q, c.weights(), c.filters(), s.inShape().channels(), c.kernel()));
                    so.put("weight", name);
                } else if (s instanceof Synapse.Recurrent r) {
                    name = r.node() + ".recurrent";
                    so.put("units", r.units());
                    arrays.put(name, r.diagonal() ? ints(q, r.weights(), r.units())
                            : ints(q, r.weights(), r.units(), r.units()));
                    so.put("weight", name);
                } else if (s instanceof Synapse.MaxPool m) {
                    so.put("kernel", m.kernel());
                } else {
                    throw new IllegalArgumentException("layer '" + l.layer() + "': synapse kind '" + s.kind()
                            + "' has no place in " + SCHEMA);
                }
            }
        }
        return doc;
    }

    /** A leak as JSON; {@code decay} names the factor it represents (beta for the membrane, alpha for a current). */
    private static ObjectNode leak(QuantLeak leak, String decay) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (leak instanceof QuantLeak.Shift s) {
            o.put("form", "shift");
            o.put("k", s.k());
        } else if (leak instanceof QuantLeak.Multiplier m) {
            o.put("form", "multiplier");
            o.put("m", m.m());
            o.put("fraction_bits", m.fractionBits());
        } else {
            o.put("form", "none");
        }
        o.put(decay, leak.beta());
        return o;
    }

    private static ArrayNode shape(Shape s) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int d : s.toArray()) {
            a.add(d);
        }
        return a;
    }

    // ---- reading back -----------------------------------------------------------------------

    /**
     * The network a folder written by {@link #write} holds ({@code model.json} and {@code model.npz}):
     * every number the integer model runs on, the float thresholds, betas and alphas, and the
     * weight statistics. Source positions are not kept ({@link SourcePos#NONE}).
     *
     * @throws IOException on a file that is not such a model, naming what is wrong
     */
    public static QuantizedNetwork read(Path folder) throws IOException, CheckpointException {
        JsonNode doc = new ObjectMapper().readTree(folder.resolve("model.json").toFile());
        Checkpoint arrays = CheckpointReader.read(folder.resolve("model.npz"));
        return fromJson(doc, arrays);
    }

    static QuantizedNetwork fromJson(JsonNode doc, Checkpoint arrays) throws IOException {
        if (!SCHEMA.equals(doc.path("schema").asText())) {
            throw new IOException("model.json: schema is '" + doc.path("schema").asText() + "', expected " + SCHEMA);
        }
        JsonNode num = need(doc, "numerics", "model.json");
        int membraneBits = need(num, "membrane_bits", "numerics").asInt();
        QuantizedNetwork.Numerics numerics = new QuantizedNetwork.Numerics(need(num, "weight_bits", "numerics").asInt(),
                keyword(DeploySpec.Granularity.class, need(num, "granularity", "numerics").asText(), "granularity"),
                membraneBits, keyword(DeploySpec.Overflow.class, need(num, "overflow", "numerics").asText(), "overflow"),
                "toward_zero".equals(need(num, "shift_rounding", "numerics").asText()),
                num.has("current_bits") ? num.get("current_bits").asInt() : membraneBits,
                num.path("decay_min_lsb").asBoolean(false), leakRounding(num));
        JsonNode in = need(doc, "input", "model.json");
        List<QuantLayer> layers = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        JsonNode list = need(doc, "layers", "model.json");
        for (int li = 0; li < list.size(); li++) {
            JsonNode o = list.get(li);
            String layer = need(o, "layer", "a layer").asText();
            String where = "layer '" + layer + "'";
            String node = need(o, "node", where).asText();
            index.put(node, li);
            String role = need(o, "role", where).asText();
            ReadoutMode mode = role.equals("spiking") ? null : role.startsWith("readout_")
                    ? keyword(ReadoutMode.class, role.substring("readout_".length()), where + " role") : null;
            if (mode == null && !role.equals("spiking")) {
                throw new IOException("model.json: " + where + " has role '" + role + "'");
            }
            Shape shape = shape(need(o, "shape", where));
            double[] scale = doubles(need(o, "scale", where));
            long[] theta = o.has("threshold") ? longs(o.get("threshold")) : null;
            Reset reset = o.has("reset") ? keyword(Reset.class, o.get("reset").asText(), where + " reset") : null;
            long[] bias = o.has("bias") ? array(arrays, o.get("bias").asText(), where).longs() : null;
            List<Synapse> synapses = new ArrayList<>();
            JsonNode syns = need(o, "synapses", where);
            for (int si = 0; si < syns.size(); si++) {
                synapses.add(synapse(syns.get(si), arrays, index, where + ", synapse " + si));
            }
            JsonNode stats = o.path("stats");
            QuantLeak synaptic = o.has("synaptic_leak") ? leak(o.get("synaptic_leak"), where + " synaptic_leak") : null;
            layers.add(new QuantLayer(layer, node, SourcePos.NONE, mode, shape, need(o, "channels", where).asInt(),
                    synapses, bias, theta, reset, leak(need(o, "leak", where), where + " leak"), scale,
                    o.has("threshold_float") ? o.get("threshold_float").asDouble() : Double.NaN,
                    need(o, "beta_float", where).asDouble(), need(o, "max_current", where).asLong(),
                    o.path("guard_bits").asInt(0),
                    new QuantLayer.Stats(stats.path("weights").asLong(), stats.path("clipped").asLong(),
                            stats.path("largest_float").asDouble()),
                    synaptic, synaptic == null ? 0.0 : need(o, "alpha_float", where).asDouble()));
        }
        return new QuantizedNetwork(doc.path("model").asText(), need(doc, "timesteps", "model.json").asInt(),
                encoding(need(in, "encoding", "input").asText()), shape(need(in, "shape", "input")),
                need(in, "value_limit", "input").asInt(), layers, numerics, need(num, "readout_bits", "numerics").asInt(),
                doc.has("timing") ? keyword(Timing.class, doc.get("timing").asText(), "timing") : Timing.SEQUENTIAL);
    }

    private static Synapse synapse(JsonNode s, Checkpoint arrays, Map<String, Integer> index, String where)
            throws IOException {
        String kind = need(s, "kind", where).asText();
        String from = need(s, "source", where).asText();
        Integer source = from.equals("input") ? Integer.valueOf(-1) : index.get(from);
        if (source == null) {
            throw new IOException("model.json: " + where + " reads '" + from + "', which is not an earlier layer");
        }
        Shape in = shape(need(s, "in_shape", where));
        switch (kind) {
            case "dense" -> {
                NdArray w = array(arrays, need(s, "weight", where).asText(), where);
                return new Synapse.Dense(node(s), source, in, w.dim(1), w.dim(0), weights(w));
            }
            case "conv" -> {
                return new Synapse.Conv(node(s), source, in, s.path("filters").asInt(), s.path("kernel").asInt(),
                        s.path("stride").asInt(), s.path("padding").asInt(),
                        weights(array(arrays, need(s, "weight", where).asText(), where)));
            }
            case "conv1d" -> {
                return new Synapse.Conv1d(node(s), source, in, s.path("filters").asInt(), s.path("kernel").asInt(),
                        s.path("stride").asInt(), s.path("padding").asInt(),
                        weights(array(arrays, need(s, "weight", where).asText(), where)));
            }
            case "recurrent", "recurrent_diagonal" -> {
                return new Synapse.Recurrent(node(s), source, in, need(s, "units", where).asInt(),
                        kind.equals("recurrent_diagonal"), weights(array(arrays, need(s, "weight", where).asText(), where)));
            }
            case "avgpool" -> {
                JsonNode pw = need(s, "weights", where);
                int[] w = new int[pw.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = pw.get(i).asInt();
                }
                return new Synapse.Pool(source, in, s.path("kernel").asInt(), w);
            }
            case "identity" -> {
                return new Synapse.Identity(source, in, weights(array(arrays, need(s, "weight", where).asText(), where)));
            }
            case "maxpool" -> {
                return new Synapse.MaxPool(source, in, need(s, "kernel", where).asInt());
            }
            default -> throw new IOException("model.json: " + where + " has kind '" + kind + "', which this version does"
                    + " not know (it reads dense, conv, conv1d, recurrent, recurrent_diagonal, avgpool, identity, maxpool)");
        }
    }

    /** The IR node a weight array came from: its name without the {@code .weight} / {@code .recurrent} suffix. */
    private static String node(JsonNode s) {
        String name = s.path("weight").asText();
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static QuantLeak leak(JsonNode o, String where) throws IOException {
        return switch (need(o, "form", where).asText()) {
            case "shift" -> new QuantLeak.Shift(need(o, "k", where).asInt());
            case "multiplier" -> new QuantLeak.Multiplier(need(o, "m", where).asLong(), need(o, "fraction_bits", where).asInt());
            case "none" -> new QuantLeak.None();
            default -> throw new IOException("model.json: " + where + " has form '" + o.get("form").asText()
                    + "' (shift, multiplier or none)");
        };
    }

    private static Encoding encoding(String text) throws IOException {
        return Encoding.parse(text).orElseThrow(() -> new IOException("model.json: input encoding '" + text
                + "' is not one of poisson, bipolar, latency, direct, events(bins = N), rows, rows(levels = L)"));
    }

    /** numerics.leak_rounding: "nearest", or absent (the leak rounds its shift as shift_rounding says). */
    private static boolean leakRounding(JsonNode num) throws IOException {
        JsonNode r = num.get("leak_rounding");
        if (r == null) {
            return false;
        }
        if (!"nearest".equals(r.asText())) {
            throw new IOException("model.json: numerics.leak_rounding is '" + r.asText() + "', expected \"nearest\" or"
                    + " no field");
        }
        return true;
    }

    private static <E extends Enum<E>> E keyword(Class<E> type, String text, String what) throws IOException {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(java.util.Locale.ROOT).equals(text)) {
                return e;
            }
        }
        throw new IOException("model.json: " + what + " '" + text + "' is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    private static JsonNode need(JsonNode o, String field, String where) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IOException("model.json: " + where + " has no '" + field + "'");
        }
        return v;
    }

    private static NdArray array(Checkpoint arrays, String name, String where) throws IOException {
        return arrays.array(name).orElseThrow(() -> new IOException("model.npz has no array '" + name + "' (" + where + ")"));
    }

    /** Weights stored as int8 or int16, as ints. */
    private static int[] weights(NdArray a) throws IOException {
        int[] w = new int[a.size()];
        if (a.dtype() == DType.INT8) {
            byte[] b = a.bytes();
            for (int i = 0; i < w.length; i++) {
                w[i] = b[i];
            }
        } else if (a.dtype() == DType.INT16) {
            short[] s = a.shorts();
            for (int i = 0; i < w.length; i++) {
                w[i] = s[i];
            }
        } else {
            throw new IOException("weights must be int8 or int16, got " + a.dtype());
        }
        return w;
    }

    private static Shape shape(JsonNode a) {
        int[] d = new int[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asInt();
        }
        return Shape.of(d);
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    private static long[] longs(JsonNode a) {
        long[] d = new long[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asLong();
        }
        return d;
    }

    /** int8 for weights of up to 8 bits, int16 above. */
    private static NdArray ints(QuantizedNetwork q, int[] w, int... shape) {
        if (q.numerics().weightBits() <= 8) {
            byte[] b = new byte[w.length];
            for (int i = 0; i < w.length; i++) {
                b[i] = (byte) w[i];
            }
            return NdArray.ofBytes(b, shape);
        }
        short[] s = new short[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = (short) w[i];
        }
        return NdArray.ofShorts(s, shape);
    }
}

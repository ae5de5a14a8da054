package dev.spikeforge.runtime.integer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a quantised model as files: {@code model.json} (schema {@code spikeforge.quantized/1}:
 * formats, layers, synapse geometry, scales, thresholds, leaks; integer tensors by name),
 * {@code model.npz} (those tensors, int8 for weights of up to 8 bits, else int16; biases int64),
 * and the quantisation report as {@code quantization.txt} and {@code quantization.json}.
 * Each file is written atomically; the same network gives the same bytes.
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
        ObjectNode num = doc.putObject("numerics");
        num.put("weight_bits", q.numerics().weightBits());
        num.put("granularity", q.numerics().granularity().keyword());
        num.put("membrane_bits", q.numerics().membraneBits());
        num.put("overflow", q.numerics().overflow().keyword());
        num.put("shift_rounding", q.numerics().shiftTowardZero() ? "toward_zero" : "floor");
        num.put("readout_bits", q.readoutBits());
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
            o.set("leak", leak(l.leak()));
            o.put("max_current", l.maxCurrent());
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
                }
            }
        }
        return doc;
    }

    private static ObjectNode leak(QuantLeak leak) {
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
        o.put("beta", leak.beta());
        return o;
    }

    private static ArrayNode shape(Shape s) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int d : s.toArray()) {
            a.add(d);
        }
        return a;
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

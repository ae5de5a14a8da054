package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.DType;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.checkpoint.Npy;
import dev.spikeforge.runtime.checkpoint.NpyFormatException;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code spikeforge sim}: one model on a given input tensor, every layer's spikes written as
 * arrays. The input goes into the model's first layer as it is: the model's input encoding is
 * bypassed (a peer's spikes, or any tensor, reach the network unchanged).
 */
final class Simulation {

    /** The largest input file read: 1 GiB. */
    static final long MAX_INPUT_BYTES = 1L << 30;

    private Simulation() {
    }

    /** The input tensor as [T, B, ...input shape] values, row-major, and its batch. */
    record Input(double[] values, int steps, int batch, DType dtype) {
    }

    /** What was written: the arrays' names and shapes and their spike totals, for the summary. */
    record Written(List<String> lines) {
    }

    static Input readInput(Path file, Network net) throws PipelineException {
        NdArray a;
        try {
            byte[] bytes = InputFiles.read(file, "input array (.npy)", MAX_INPUT_BYTES);
            a = Npy.fromBytes(bytes);
        } catch (InputFiles.NotUsable e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        } catch (NpyFormatException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, file + ": not a .npy array: " + e.getMessage()
                    + "; write it with numpy.save(path, array)");
        }
        int[] in = net.input().shape().toArray();
        int[] shape = a.shape();
        int t = net.timesteps();
        String want = "[" + t + ", " + dims(in) + "] or [" + t + ", B, " + dims(in) + "]";
        int batch;
        if (shape.length == in.length + 1 && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), in)) {
            batch = 1;
        } else if (shape.length == in.length + 2 && Arrays.equals(Arrays.copyOfRange(shape, 2, shape.length), in)) {
            batch = shape[1];
        } else {
            throw PipelineException.of(PipelineException.Kind.INPUT, file + ": the input has shape [" + dims(shape)
                    + "] but model '" + net.name() + "' takes " + want + " (steps, optional batch, input "
                    + net.input().shape() + "); reshape it, or give the model the input it was made for");
        }
        if (shape[0] != t) {
            throw PipelineException.of(PipelineException.Kind.INPUT, file + ": the input has " + shape[0] + " steps but "
                    + "model '" + net.name() + "' runs " + t + " (its 'timesteps " + t + "'); write 'timesteps "
                    + shape[0] + "' in the model or give " + t + " steps");
        }
        if (batch < 1) {
            throw PipelineException.of(PipelineException.Kind.INPUT, file + ": the input has a batch of 0 samples;"
                    + " give at least one");
        }
        double[] v = values(a, file);
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw PipelineException.of(PipelineException.Kind.INPUT, file + ": value " + i + " (flat index) is "
                        + v[i] + "; the input must be finite numbers");
            }
        }
        return new Input(v, t, batch, a.dtype());
    }

    private static double[] values(NdArray a, Path file) throws PipelineException {
        int n = a.size();
        double[] v = new double[n];
        ByteBuffer b = ByteBuffer.wrap(a.toLittleEndian()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            v[i] = switch (a.dtype()) {
                case FLOAT32 -> b.getFloat();
                case FLOAT64 -> b.getDouble();
                case INT8, BOOL -> b.get();
                case UINT8 -> Byte.toUnsignedInt(b.get());
                case INT16 -> b.getShort();
                case INT32 -> b.getInt();
                case INT64 -> b.getLong();
            };
        }
        return v;
    }

    private static String dims(int[] d) {
        return Arrays.stream(d).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    /** The float model on the input: every neuron node's spikes; with {@code record}, every other node's output too. */
    static Map<String, NdArray> runFloat(FloatModel model, Trained t, Input x, boolean record) throws PipelineException {
        Network net = t.model().network();
        float[] in = new float[x.values().length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) x.values()[i];
        }
        Set<String> names = new LinkedHashSet<>();
        for (Node n : net.nodes()) {
            if (n instanceof NeuronNode || n instanceof ReadoutNode ro && ro.mode().spiking()
                    || record && !(n instanceof dev.spikeforge.compiler.ir.InputNode)) {
                names.add(n.name());
            }
        }
        ForwardResult r;
        try {
            r = model.forward(in, x.batch(), names);
        } catch (dev.spikeforge.runtime.engine.IntegerExact.OffGrid e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage()
                    + "; the integer-exact float model takes spikes (0 and 1) as its input");
        }
        Map<String, NdArray> out = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            boolean spikingReadout = n instanceof ReadoutNode ro && ro.mode().spiking();
            float[] a = r.recorded().get(spikingReadout ? n.name() + FloatModel.READOUT_SPIKES : n.name());
            if (a == null) {
                continue;
            }
            int[] shape = withTime(x, n.shape().toArray());
            if (n instanceof NeuronNode || spikingReadout) {
                byte[] s = new byte[a.length];
                for (int i = 0; i < a.length; i++) {
                    s[i] = a[i] != 0 ? (byte) 1 : 0;
                }
                out.put(n.name() + ".spikes", NdArray.ofUnsignedBytes(s, shape));
            } else if (!(n instanceof ReadoutNode) && a.length == size(shape)) {
                out.put(n.name() + ".output", NdArray.of(a, shape));
            }
        }
        ReadoutNode ro = net.readouts().get(0);
        out.put(ro.name() + ".readout", NdArray.of(r.readout(), x.batch(), ro.classes()));
        return out;
    }

    /**
     * The integer model (the deploy formats) on the input: every spiking layer's spikes; with
     * {@code record}, every layer's membrane after reset (integer units; a readout's accumulator).
     * Spiking inputs must be -1, 0 or 1; a direct input's values in [0, 1] become round(255 v), as
     * every integer engine takes them.
     */
    static Map<String, NdArray> runInteger(Pipeline p, Trained t, Input x, Path file, boolean record)
            throws PipelineException {
        Network net = t.model().network();
        QuantizedNetwork q = p.quantise(t, QuantSettings.DEPLOY, null).network();
        int n = (int) net.input().shape().size();
        boolean direct = net.input().encoding().kind() == Encoding.Kind.DIRECT;
        int[][] inputs = new int[x.batch()][x.steps() * n];
        for (int s = 0; s < x.batch(); s++) {
            for (int step = 0; step < x.steps(); step++) {
                for (int i = 0; i < n; i++) {
                    int flat = (step * x.batch() + s) * n + i;
                    double v = x.values()[flat];
                    if (direct && !(v >= 0 && v <= 1) || !direct && v != -1 && v != 0 && v != 1) {
                        throw PipelineException.of(PipelineException.Kind.INPUT, file + ": value " + v + " at step "
                                + step + ", sample " + s + ", input " + i + " cannot go into the integer model, which takes "
                                + (direct ? "intensities in [0, 1] (direct encoding) as bytes 0..255"
                                : "spikes -1, 0 or 1") + "; run the float model (without --integer) for other values");
                    }
                    inputs[s][step * n + i] = direct ? (int) Math.round(v * 255) : (int) v;
                }
            }
        }
        int[] all = new int[q.layers().size()];
        for (int l = 0; l < all.length; l++) {
            all[l] = l;
        }
        IntegerSimulator sim = new IntegerSimulator(q);
        List<SampleResult> rs = sim.run(inputs, p.threads(), new IntegerSimulator.Recording(
                record ? IntegerSimulator.Detail.FULL : IntegerSimulator.Detail.SPIKES, all));
        Map<String, NdArray> out = new LinkedHashMap<>();
        int b = x.batch();
        for (int l = 0; l < all.length; l++) {
            QuantLayer ql = q.layers().get(l);
            int size = ql.size();
            int[] shape = withTime(x, ql.shape().toArray());
            if (ql.spiking()) {
                byte[] s = new byte[x.steps() * b * size];
                for (int k = 0; k < b; k++) {
                    byte[][] rec = rs.get(k).spikeRecord()[l];
                    for (int step = 0; step < x.steps(); step++) {
                        System.arraycopy(rec[step], 0, s, (step * b + k) * size, size);
                    }
                }
                out.put(ql.node() + ".spikes", NdArray.ofUnsignedBytes(s, shape));
            }
            if (record) {
                long[] m = new long[x.steps() * b * size];
                for (int k = 0; k < b; k++) {
                    long[][] rec = rs.get(k).membraneRecord()[l];
                    for (int step = 0; step < x.steps(); step++) {
                        System.arraycopy(rec[step], 0, m, (step * b + k) * size, size);
                    }
                }
                out.put(ql.node() + ".membrane", NdArray.ofLongs(m, shape));
            }
        }
        ReadoutNode ro = net.readouts().get(0);
        long[] readout = new long[b * ro.classes()];
        for (int k = 0; k < b; k++) {
            System.arraycopy(rs.get(k).readout(), 0, readout, k * ro.classes(), ro.classes());
        }
        out.put(ro.name() + ".readout", NdArray.ofLongs(readout, b, ro.classes()));
        return out;
    }

    private static int[] withTime(Input x, int[] shape) {
        int[] s = new int[shape.length + 2];
        s[0] = x.steps();
        s[1] = x.batch();
        System.arraycopy(shape, 0, s, 2, shape.length);
        return s;
    }

    private static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Writes the arrays as one .npz (atomically, through the checkpoint writer) and says what is in it. */
    static Written write(Path out, LoadedModel model, Path inputFile, Input x, boolean integer, boolean record,
                         Map<String, NdArray> arrays) throws PipelineException {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("kind", "spikeforge.sim/1");
        m.put("model", model.name());
        m.put("engine", integer ? "integer" : "float");
        m.put("input", inputFile.getFileName().toString());
        m.put("steps", x.steps());
        m.put("batch", x.batch());
        m.put("encoding", "bypassed: the input was fed to the first layer as given");
        m.put("layout", "every array is [steps, batch, ...layer shape], except NODE.readout [batch, classes]");
        m.put("record", record);
        try {
            CheckpointWriter.write(out, Checkpoint.of(arrays, m));
        } catch (CheckpointException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "model %s, %s engine, %d steps x %d samples from %s (the model's encoding "
                + "bypassed) -> %s", model.name(), integer ? "integer" : "float", x.steps(), x.batch(), inputFile, out));
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            NdArray a = e.getValue();
            String extra = "";
            if (e.getKey().endsWith(".spikes")) {
                long spikes = 0;
                for (byte v : a.bytes()) {
                    spikes += v;
                }
                extra = String.format(Locale.ROOT, "  %d spikes (rate %.4f)", spikes, spikes / (double) a.size());
            }
            lines.add(String.format(Locale.ROOT, "  %-24s %-8s %s%s", e.getKey(), a.dtype().numpyName(),
                    NdArray.shapeString(a.shape()), extra));
        }
        return new Written(lines);
    }
}

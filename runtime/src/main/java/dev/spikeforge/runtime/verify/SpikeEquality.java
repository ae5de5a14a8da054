package dev.spikeforge.runtime.verify;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Do two models spike alike? Runs both (a model and, say, its NIR round trip) on the same encoded
 * test samples and compares every spike of every spiking layer at every step and the readout,
 * bit for bit, in the float model; then quantises both with their deploy formats and compares the
 * integer models' spikes (every step) and readouts. Spiking layers are paired by position.
 */
public final class SpikeEquality {

    /** The first place where the two models differ. */
    public record Difference(String model, int sample, int step, String layerA, String layerB, int neuron,
                             String valueA, String valueB) {
        @Override
        public String toString() {
            return model + " model, sample " + sample + (step >= 0 ? ", step " + step : "") + ", layer " + layerA
                    + (layerA.equals(layerB) ? "" : " / " + layerB) + (neuron >= 0 ? ", neuron " + neuron : "")
                    + ": " + valueA + " vs " + valueB;
        }
    }

    /**
     * @param floatSpikes   spikes the first float model fired over all samples (the second fired
     *                      as many when they are equal)
     * @param integerSpikes the same for the integer models (-1 when they were not compared)
     * @param difference    the first difference, or null when the models are equal
     */
    public record Result(int samples, int layers, long floatSpikes, long integerSpikes, Difference difference) {
        public boolean equal() {
            return difference == null;
        }
    }

    private SpikeEquality() {
    }

    /**
     * @throws IllegalArgumentException when the two networks do not even have the same input,
     *         time steps or spiking layer sizes (the message says which)
     */
    public static Result compare(Network a, Parameters pa, Network b, Parameters pb, ImageDataset test, int samples,
                                 long runSeed, int batch, int threads) {
        structure(a, b);
        List<NeuronNode> la = spiking(a);
        List<NeuronNode> lb = spiking(b);
        FloatModel fa = new FloatModel(a, pa);
        FloatModel fb = new FloatModel(b, pb);
        Set<String> ra = names(la);
        Set<String> rb = names(lb);
        QuantizedNetwork qa = quantise(a, pa);
        QuantizedNetwork qb = quantise(b, pb);
        IntegerSimulator sa = qa == null ? null : new IntegerSimulator(qa);
        IntegerSimulator sb = qb == null ? null : new IntegerSimulator(qb);
        int[] all = new int[qa == null ? 0 : qa.layers().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int steps = a.timesteps();
        int n = Math.toIntExact(a.input().shape().size());
        boolean direct = a.input().encoding().analog();
        long floatSpikes = 0;
        long intSpikes = 0;
        for (int from = 0; from < samples; from += batch) {
            int bs = Math.min(batch, samples - from);
            int[] idx = new int[bs];
            for (int i = 0; i < bs; i++) {
                idx[i] = from + i;
            }
            float[] input = InputEncoder.encode(a, test, idx, runSeed);
            ForwardResult ya = fa.forward(input, bs, ra);
            ForwardResult yb = fb.forward(input, bs, rb);
            for (int l = 0; l < la.size(); l++) {
                float[] xa = ya.recorded().get(la.get(l).name());
                float[] xb = yb.recorded().get(lb.get(l).name());
                int size = xa.length / (steps * bs);
                for (int i = 0; i < xa.length; i++) {
                    floatSpikes += xa[i] != 0 ? 1 : 0;
                    if (Float.floatToRawIntBits(xa[i]) != Float.floatToRawIntBits(xb[i])) {
                        int row = i / size;
                        return new Result(samples, la.size(), floatSpikes, -1, new Difference("float",
                                from + row % bs, row / bs, la.get(l).name(), lb.get(l).name(), i % size,
                                Float.toString(xa[i]), Float.toString(xb[i])));
                    }
                }
            }
            for (int s = 0; s < bs; s++) {
                for (int c = 0; c < ya.classes(); c++) {
                    float va = ya.readout()[s * ya.classes() + c];
                    float vb = yb.readout()[s * yb.classes() + c];
                    if (Float.floatToRawIntBits(va) != Float.floatToRawIntBits(vb)) {
                        return new Result(samples, la.size(), floatSpikes, -1, new Difference("float", from + s, -1,
                                "readout", "readout", c, Float.toString(va), Float.toString(vb)));
                    }
                }
            }
            if (sa == null) {
                continue;
            }
            int[][] ints = FloatIntegerComparison.integerInputs(input, bs, n, steps, direct);
            IntegerSimulator.Recording rec = new IntegerSimulator.Recording(IntegerSimulator.Detail.SPIKES, all);
            List<SampleResult> ia = sa.run(ints, threads, rec);
            List<SampleResult> ib = sb.run(ints, threads, rec);
            for (int s = 0; s < bs; s++) {
                SampleResult x = ia.get(s);
                SampleResult y = ib.get(s);
                for (int l = 0; l < all.length; l++) {
                    if (x.spikeRecord()[l] == null) {
                        continue;
                    }
                    for (int t = 0; t < steps; t++) {
                        byte[] u = x.spikeRecord()[l][t];
                        byte[] v = y.spikeRecord()[l][t];
                        for (int k = 0; k < u.length; k++) {
                            intSpikes += u[k];
                            if (u[k] != v[k]) {
                                String name = qa.layers().get(l).node();
                                return new Result(samples, la.size(), floatSpikes, intSpikes, new Difference("integer",
                                        from + s, t, name, qb.layers().get(l).node(), k, Byte.toString(u[k]),
                                        Byte.toString(v[k])));
                            }
                        }
                    }
                }
                if (!Arrays.equals(x.readout(), y.readout())) {
                    return new Result(samples, la.size(), floatSpikes, intSpikes, new Difference("integer", from + s, -1,
                            "readout", "readout", -1, Arrays.toString(x.readout()), Arrays.toString(y.readout())));
                }
            }
        }
        return new Result(samples, la.size(), floatSpikes, sa == null ? -1 : intSpikes, null);
    }

    private static void structure(Network a, Network b) {
        if (!a.input().shape().equals(b.input().shape()) || !a.input().encoding().equals(b.input().encoding())
                || a.timesteps() != b.timesteps()) {
            throw new IllegalArgumentException("the models differ in their input (" + a.input().shape() + " "
                    + a.input().encoding() + ", T = " + a.timesteps() + " vs " + b.input().shape() + " "
                    + b.input().encoding() + ", T = " + b.timesteps() + ")");
        }
        List<NeuronNode> la = spiking(a);
        List<NeuronNode> lb = spiking(b);
        if (la.size() != lb.size()) {
            throw new IllegalArgumentException("the models have " + la.size() + " and " + lb.size() + " spiking layers");
        }
        for (int i = 0; i < la.size(); i++) {
            if (!la.get(i).shape().equals(lb.get(i).shape())) {
                throw new IllegalArgumentException("spiking layer " + (i + 1) + " is " + la.get(i).name() + " "
                        + la.get(i).shape() + " in one model and " + lb.get(i).name() + " " + lb.get(i).shape()
                        + " in the other");
            }
        }
        if (a.readouts().get(0).classes() != b.readouts().get(0).classes()) {
            throw new IllegalArgumentException("the readouts have " + a.readouts().get(0).classes() + " and "
                    + b.readouts().get(0).classes() + " classes");
        }
    }

    private static List<NeuronNode> spiking(Network n) {
        return n.nodes().stream().filter(NeuronNode.class::isInstance).map(NeuronNode.class::cast).toList();
    }

    private static Set<String> names(List<NeuronNode> ns) {
        Set<String> s = new LinkedHashSet<>();
        ns.forEach(x -> s.add(x.name()));
        return s;
    }

    /** The integer model of the deploy formats, or null when the model cannot be quantised. */
    private static QuantizedNetwork quantise(Network n, Parameters p) {
        Quantizer.Result r = Quantizer.quantize(n, p.tensors(), QuantOptions.from(n.deploy().orElse(null)));
        return r.ok() ? r.network() : null;
    }
}

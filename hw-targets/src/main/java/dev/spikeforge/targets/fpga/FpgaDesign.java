package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.ArrayList;
import java.util.List;

/**
 * The accelerator for one quantised network: its parameters, its layer engines and the contents
 * of every on-chip memory. This is what the generator writes and what the FPGA emulator reads
 * back from the folder; the two never consult the {@link QuantizedNetwork} again.
 *
 * @param top        Verilog name of the top module ({@code <model>_top})
 * @param inputShape channels, rows, columns of the input (1 x 1 x n when flat)
 * @param encoding   the input encoding as written (rows(levels = 4)); spike encodings give values -1/+1,
 *                   {@code direct} and analog {@code rows} 0..255
 * @param images     per layer: weight, bias and threshold words, {@code [word][lane]} (empty in a {@link #layout})
 */
public record FpgaDesign(String model, String top, int timesteps, FpgaOptions options, String encoding,
                         int[] inputShape, List<FpgaLayer> layers, List<Images> images) {

    public FpgaDesign {
        layers = List.copyOf(layers);
        images = List.copyOf(images);
    }

    /** Memory contents of one layer: weights {@code [word][lane]}; bias and theta {@code [block][lane]} or null. */
    public record Images(long[][] weights, long[][] bias, long[][] theta) {
    }

    public FpgaLayer last() {
        return layers.get(layers.size() - 1);
    }

    /** Widest membrane lane of any layer: the width of the trace bus lanes. */
    /** The widest engine's lanes: the width of the top's per-layer trace fields. */
    public int maxLanes() {
        return layers.stream().mapToInt(FpgaLayer::lanes).max().orElse(1);
    }

    public int traceBits() {
        return layers.stream().mapToInt(FpgaLayer::accBits).max().orElse(1);
    }

    /** Widest flat neuron index of any layer. */
    public int neuronBits() {
        return layers.stream().mapToInt(l -> FpgaLayer.indexBits(l.outputSize())).max().orElse(1);
    }

    /**
     * Plans the accelerator. The network must already satisfy {@link FpgaRules} (a chain of dense,
     * conv and pool layers, per-layer or per-channel scales).
     */
    public static FpgaDesign plan(QuantizedNetwork q, FpgaOptions o) {
        return plan(q, o, true);
    }

    /**
     * The layer engines and their memory sizes without the memory contents ({@code images} is
     * empty): what {@link FpgaRules} judges, also on a shape-only network whose synapses carry no
     * weights, in memory that grows with the layers and not with the parameters.
     */
    public static FpgaDesign layout(QuantizedNetwork q, FpgaOptions o) {
        return plan(q, o, false);
    }

    private static FpgaDesign plan(QuantizedNetwork q, FpgaOptions o, boolean withImages) {
        if (!o.layerLanes().isEmpty() && o.layerLanes().size() != q.layers().size()) {
            throw new IllegalArgumentException(FpgaRules.lanesCountProblem(o, q.layers().size()));
        }
        int[] in = shape3(q.inputShape());
        boolean direct = q.encoding().analog();
        boolean signedSpikes = q.encoding().kind() == Encoding.Kind.BIPOLAR || q.encoding().kind() == Encoding.Kind.EVENTS;
        int inputValueBits = direct ? 9 : signedSpikes ? 2 : 0;
        List<FpgaLayer> layers = new ArrayList<>();
        List<Images> images = new ArrayList<>();
        int[] src = in;
        int membrane = q.numerics().membraneBits();
        int weightBits = q.numerics().weightBits();
        for (int i = 0; i < q.layers().size(); i++) {
            QuantLayer l = q.layers().get(i);
            Synapse s = feedForward(l);
            Synapse.Recurrent rec = recurrent(l);
            int[] out = shape3(l.shape());
            int p = o.lanesOf(i);
            int blocks = (out[0] + p - 1) / p;
            FpgaLayer.Kind kind;
            int kernel = 1;
            int stride = 1;
            int padding = 0;
            int words;
            if (s instanceof Synapse.Conv c) {
                kind = FpgaLayer.Kind.CONV;
                kernel = c.kernel();
                stride = c.stride();
                padding = c.padding();
                words = src[0] * kernel * kernel * blocks;
            } else if (s instanceof Synapse.Pool pool) {
                kind = FpgaLayer.Kind.POOL;
                kernel = pool.kernel();
                stride = pool.kernel();
                words = blocks;
            } else if (s instanceof Synapse.MaxPool pool) {
                // weight 1 per window spike into a neuron of threshold 1 that resets to zero: the pool engine as it is
                kind = FpgaLayer.Kind.POOL;
                kernel = pool.kernel();
                stride = pool.kernel();
                words = blocks;
            } else {
                kind = FpgaLayer.Kind.DENSE;
                words = src[0] * src[1] * src[2] * blocks;
            }
            int valueBits = i == 0 ? inputValueBits : 0;
            FpgaLayer.Mode mode = l.readout() == null ? FpgaLayer.Mode.SPIKING : switch (l.readout()) {
                case COUNT -> FpgaLayer.Mode.COUNT;
                case ACCUMULATE -> FpgaLayer.Mode.ACCUMULATE;
                case MEMBRANE -> FpgaLayer.Mode.MEMBRANE;
            };
            boolean spiking = mode.spiking();
            long maxBias = 0;
            if (l.bias() != null) {
                for (long b : l.bias()) {
                    maxBias = Math.max(maxBias, Math.abs(b));
                }
            }
            int biasBits = l.bias() == null ? 0 : FpgaLayer.signedBits(maxBias);
            long maxTheta = 0;
            if (spiking) {
                for (long t : l.theta()) {
                    maxTheta = Math.max(maxTheta, t);
                }
            }
            int thetaBits = spiking ? FpgaLayer.indexBits(maxTheta + 1) : 0;
            int product = weightBits + valueBits;
            boolean last = i == q.layers().size() - 1;
            int readoutBits = last ? q.readoutBits() : 0;
            int currentBits = l.hasSynapticCurrent() ? q.numerics().currentBits() : 0;
            if (last && !spiking && l.hasSynapticCurrent()) {
                readoutBits = Math.max(readoutBits, cubaReadoutBits(q.timesteps(), currentBits, l.maxCurrent()));
            }
            int acc = spiking ? membrane + l.guardBits() : readoutBits;
            acc = Math.max(acc, Math.max(product, Math.max(biasBits, thetaBits + 1)));
            if (l.hasSynapticCurrent()) {
                // the current memory holds alpha(c) (C bits) plus any partial sum of a step; the membrane's
                // sum leak(v) + c must not overflow either: one width serves both memories
                acc = Math.max(acc, currentBits + Quantizer.guardBits(l.maxCurrent(), currentBits));
                acc = Math.max(acc, Math.max(spiking ? membrane : readoutBits, currentBits) + 1);
            }
            FpgaLayer.Leak leak = mode == FpgaLayer.Mode.ACCUMULATE ? FpgaLayer.Leak.NONE
                    : new FpgaLayer.Leak(l.leak(), q.numerics().shiftTowardZero(), q.numerics().leakNearest());
            FpgaLayer.Recurrence recurrence = rec == null ? FpgaLayer.Recurrence.NONE
                    : rec.diagonal() ? FpgaLayer.Recurrence.DIAGONAL : FpgaLayer.Recurrence.FULL;
            int units = out[0];
            if (rec != null) {
                words += recurrence == FpgaLayer.Recurrence.FULL ? units * blocks : blocks;
            }
            FpgaLayer.Leak synapticLeak = l.hasSynapticCurrent()
                    ? new FpgaLayer.Leak(l.synapticLeak(), q.numerics().shiftTowardZero(), q.numerics().leakNearest())
                    : null;
            FpgaLayer f = new FpgaLayer(i, l.layer(), kind, src[0], src[1], src[2], out[0], out[1], out[2], kernel,
                    stride, padding, p, blocks, words, weightBits, valueBits, acc, membrane, biasBits, thetaBits, leak,
                    spiking && l.reset() == Reset.ZERO,
                    q.numerics().overflow() == dev.spikeforge.compiler.ir.DeploySpec.Overflow.WRAP, mode,
                    readoutBits, src[0] * src[1] * src[2] + (rec == null ? 0 : units),
                    FpgaLayer.indexBits(src[0]), FpgaLayer.indexBits(src[1]), FpgaLayer.indexBits(src[2]),
                    FpgaLayer.indexBits(out[0]), FpgaLayer.indexBits(out[1]), FpgaLayer.indexBits(out[2]),
                    synapticLeak, currentBits, recurrence);
            layers.add(f);
            if (withImages) {
                checkCurrentBound(l, s, rec, q.inputLimit(), i);
                images.add(images(l, s, rec, f));
            }
            src = out;
        }
        String top = sanitize(q.name()) + "_top";
        // rows keeps its levels (rows and rows(levels = L) differ in value bits); the others their keyword
        String encoding = q.encoding().kind() == Encoding.Kind.ROWS || q.encoding().kind() == Encoding.Kind.EVENTS
                ? q.encoding().toString() : q.encoding().kind().keyword();
        return new FpgaDesign(q.name(), top, q.timesteps(), o, encoding, in, layers, images);
    }

    /** The layer's one feed-forward synapse (a recurrent layer also has its {@link Synapse.Recurrent}). */
    static Synapse feedForward(QuantLayer l) {
        for (Synapse s : l.synapses()) {
            if (!(s instanceof Synapse.Recurrent)) {
                return s;
            }
        }
        throw new IllegalArgumentException(l.layer() + " has no feed-forward synapse");
    }

    /** The layer's recurrent synapse, or null. */
    static Synapse.Recurrent recurrent(QuantLayer l) {
        for (Synapse s : l.synapses()) {
            if (s instanceof Synapse.Recurrent r) {
                return r;
            }
        }
        return null;
    }

    /**
     * A non-spiking CUBA readout sums (or leaks) a current that is not bounded by one step's
     * maxCurrent: c[t] can grow to t times it, and at most 2^(C-1). The signed bits of T times
     * that bound.
     */
    static int cubaReadoutBits(int steps, int currentBits, long maxCurrent) {
        long perStep = 1L << (currentBits - 1);
        if (maxCurrent <= perStep / Math.max(1, steps)) {
            perStep = Math.min(perStep, steps * maxCurrent);
        }
        long bound = perStep > Long.MAX_VALUE / Math.max(1, steps) ? Long.MAX_VALUE : perStep * steps;
        return FpgaLayer.signedBits(bound);
    }

    /**
     * The accumulators' widths rest on the layer's maxCurrent: the largest current one step can
     * bring, recurrent weights included. For a dense layer the bound is checked against the
     * weights themselves, so that a quantiser which left the recurrent fan-in out fails here
     * instead of wrapping a partial sum in the hardware.
     */
    private static void checkCurrentBound(QuantLayer l, Synapse s, Synapse.Recurrent rec, int inputLimit, int index) {
        if (!(s instanceof Synapse.Dense d) || rec == null && !l.hasSynapticCurrent()) {
            return;
        }
        long limit = index == 0 ? inputLimit : 1;
        for (int o = 0; o < d.outFeatures(); o++) {
            long sum = l.bias() == null ? 0 : Math.abs(l.bias()[o]);
            for (int i = 0; i < d.inFeatures(); i++) {
                sum += Math.abs(d.weights()[o * d.inFeatures() + i]) * limit;
            }
            if (rec != null) {
                if (rec.diagonal()) {
                    sum += Math.abs(rec.weights()[o]);
                } else {
                    for (int i = 0; i < rec.units(); i++) {
                        sum += Math.abs(rec.weights()[o * rec.units() + i]);
                    }
                }
            }
            if (sum > l.maxCurrent()) {
                throw new IllegalArgumentException(l.layer() + ": unit " + o + " can receive a current of " + sum
                        + " in one step (recurrent weights included), over the layer's maxCurrent " + l.maxCurrent()
                        + " that sizes the accumulators");
            }
        }
    }

    private static Images images(QuantLayer l, Synapse s, Synapse.Recurrent rec, FpgaLayer f) {
        int p = f.lanes();
        long[][] w = new long[f.weightWords()][p];
        if (s instanceof Synapse.Dense d) {
            for (int i = 0; i < d.inFeatures(); i++) {
                for (int o = 0; o < d.outFeatures(); o++) {
                    w[i * f.blocks() + o / p][o % p] = d.weights()[o * d.inFeatures() + i];
                }
            }
        } else if (s instanceof Synapse.Conv c) {
            int k = c.kernel();
            int ch = f.inC();
            for (int o = 0; o < c.filters(); o++) {
                for (int cc = 0; cc < ch; cc++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int word = ((cc * k + ky) * k + kx) * f.blocks() + o / p;
                            w[word][o % p] = c.weights()[((o * ch + cc) * k + ky) * k + kx];
                        }
                    }
                }
            }
        } else if (s instanceof Synapse.Pool pool) {
            for (int c = 0; c < f.outC(); c++) {
                w[c / p][c % p] = pool.weights()[pool.weights().length == 1 ? 0 : c];
            }
        } else if (s instanceof Synapse.MaxPool) {
            for (int c = 0; c < f.outC(); c++) {
                w[c / p][c % p] = 1;
            }
        }
        if (rec != null) {
            // recurrent weights after the input's: full, word base + i * blocks + b holds w_rec[b*P+lane][i];
            // diagonal, word base + b holds w_rec[b*P+lane]
            int base = f.recurrentBase();
            int u = rec.units();
            for (int o = 0; o < u; o++) {
                if (rec.diagonal()) {
                    w[base + o / p][o % p] = rec.weights()[o];
                } else {
                    for (int i = 0; i < u; i++) {
                        w[base + i * f.blocks() + o / p][o % p] = rec.weights()[o * u + i];
                    }
                }
            }
        }
        long[][] bias = null;
        if (l.bias() != null) {
            bias = new long[f.blocks()][p];
            for (int c = 0; c < f.outC(); c++) {
                bias[c / p][c % p] = l.bias()[c];
            }
        }
        long[][] theta = null;
        if (f.mode().spiking()) {
            theta = new long[f.blocks()][p];
            for (int c = 0; c < f.outC(); c++) {
                theta[c / p][c % p] = l.theta()[l.theta().length == 1 ? 0 : c];
            }
        }
        return new Images(w, bias, theta);
    }

    /** Channels, rows, columns; a flat shape of n is n x 1 x 1 (its units are the channels). */
    static int[] shape3(dev.spikeforge.compiler.ir.Shape s) {
        if (s.isSpatial()) {
            return new int[] {s.channels(), s.height(), s.width()};
        }
        return new int[] {Math.toIntExact(s.size()), 1, 1};
    }

    /** A Verilog identifier from a model name. */
    static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_]", "_");
        return s.isEmpty() || !Character.isLetter(s.charAt(0)) ? "m_" + s : s;
    }
}

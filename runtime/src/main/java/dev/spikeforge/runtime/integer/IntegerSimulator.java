package dev.spikeforge.runtime.integer;

import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.util.Parallel;
import java.util.List;




/**
 * The integer reference model: runs a {@link QuantizedNetwork} exactly as docs/semantics.md
 * section 4 says, in 64-bit integer arithmetic, one sample at a time. Event-driven: a step's
 * synaptic work is one pass over the targets of each spike that occurred (spikes x fan-out), never
 * over silent inputs; the neuron update then visits each neuron once per step (leak, fire, reset).
 *
 * <p>Pure Java, no ND4J. A simulator is immutable and thread-safe; {@link #run(int[][], int, Recording)}
 * spreads samples over threads, each with its own state.
 */
public final class IntegerSimulator {

    private final QuantizedNetwork net;
    private final Compiled[] layers;
    private final int steps;

    public IntegerSimulator(QuantizedNetwork net) {
        this.net = net;
        this.steps = net.timesteps();
        this.layers = new Compiled[net.layers().size()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Compiled(net.layers().get(i));
        }
    }

    public QuantizedNetwork network() {
        return net;
    }

    /**
     * Runs one sample.
     *
     * @param input    {@code steps * inputSize} integers, step-major: spikes -1/0/1, or direct bytes 0..255
     * @param recorded layer indices whose spikes and membranes to keep (may be empty)
     */
    public SampleResult run(int[] input, int... recorded) {
        return new State().run(input, new Recording(Detail.FULL, recorded));
    }

    /** Runs many samples on {@code threads} threads; results in input order. */
    public List<SampleResult> run(int[][] inputs, int threads, Recording recording) {
        return Parallel.map(inputs, threads, "spikeforge-int", State::new, (s, in) -> s.run(in, recording));
    }

    /** Which layers to record, and how much of them. */
    public record Recording(Detail detail, int... layers) {
        public static Recording none() {
            return new Recording(Detail.COUNTS);
        }
    }

    /** COUNTS: spikes per neuron over the run; SPIKES: also every spike per step; FULL: also every membrane. */
    public enum Detail {
        COUNTS,
        SPIKES,
        FULL
    }

    // ---- precomputed, read-only layouts ------------------------------------------------------

    /** A layer's synapses rearranged so that one source spike walks contiguous weights. */
    private static final class Compiled {
        final QuantLayer layer;
        final int size;
        final int perChannel;
        final int perFeature;
        final long[] biasPerNeuron;
        final long[] theta;
        final Path[] paths;

        Compiled(QuantLayer l) {
            this.layer = l;
            this.size = l.size();
            this.perChannel = size / l.channels();
            this.perFeature = size / l.features();
            this.biasPerNeuron = new long[size];
            if (l.bias() != null) {
                for (int n = 0; n < size; n++) {
                    biasPerNeuron[n] = l.bias()[n / perFeature];
                }
            }
            this.theta = l.theta();
            this.paths = new Path[l.synapses().size()];
            for (int i = 0; i < paths.length; i++) {
                paths[i] = new Path(l.synapses().get(i), l);
            }
        }
    }

    /** One synapse in event-driven layout. */
    private static final class Path {
        final Synapse syn;
        final int source;
        // dense: weights input-major [in][out]; conv: [c][ky][kx][f]; identity: per neuron
        final int[] w;
        final int outH;
        final int outW;
        final int inH;
        final int inW;

        Path(Synapse syn, QuantLayer target) {
            this.syn = syn;
            this.source = syn.source();
            Shape out = target.shape();
            this.outH = out.isSpatial() ? out.height() : 1;
            this.outW = out.isSpatial() ? out.width() : out.isSequence() ? out.length() : 1;
            Shape in = syn.inShape();
            this.inH = in.isSpatial() ? in.height() : 1;
            this.inW = in.isSpatial() ? in.width() : 1;
            if (syn instanceof Synapse.Dense d) {
                w = inputMajor(d.weights(), d.outFeatures(), d.inFeatures());
            } else if (syn instanceof Synapse.Conv c) {
                int ch = in.channels();
                int k = c.kernel();
                w = new int[c.weights().length];
                for (int f = 0; f < c.filters(); f++) {
                    for (int cc = 0; cc < ch; cc++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                w[((cc * k + ky) * k + kx) * c.filters() + f] = c.weights()[((f * ch + cc) * k + ky) * k + kx];
                            }
                        }
                    }
                }
            } else if (syn instanceof Synapse.Recurrent r) {
                w = r.diagonal() ? r.weights() : inputMajor(r.weights(), r.units(), r.units());
            } else if (syn instanceof Synapse.Conv1d c) {
                int ch = in.channels();
                int k = c.kernel();
                w = new int[c.weights().length]; // [c][k][f]
                for (int f = 0; f < c.filters(); f++) {
                    for (int cc = 0; cc < ch; cc++) {
                        for (int kk = 0; kk < k; kk++) {
                            w[(cc * k + kk) * c.filters() + f] = c.weights()[(f * ch + cc) * k + kk];
                        }
                    }
                }
            } else if (syn instanceof Synapse.MaxPool) {
                w = null;
            } else {
                int[] perChannel = syn instanceof Synapse.Identity id ? id.weights() : ((Synapse.Pool) syn).weights();
                w = new int[target.size()];
                for (int n = 0; n < w.length; n++) {
                    w[n] = perChannel[perChannel.length == 1 ? 0 : target.channelOf(n)];
                }
            }
        }

        /** Weights [out][in] row-major, copied input-major [in][out]: one source's targets are contiguous. */
        private static int[] inputMajor(int[] weights, int outs, int ins) {
            int[] t = new int[weights.length];
            for (int o = 0; o < outs; o++) {
                for (int i = 0; i < ins; i++) {
                    t[i * outs + o] = weights[o * ins + i];
                }
            }
            return t;
        }

        /** All {@code outs} targets of source {@code index} in an input-major matrix (dense, full recurrence). */
        private long deliverRow(int index, int value, long[] cur, int outs) {
            int base = index * outs;
            for (int o = 0; o < outs; o++) {
                cur[o] += (long) value * w[base + o];
            }
            return outs;
        }

        /** Adds the current of one source event (index, value) to {@code cur}; returns synaptic ops. */
        long deliver(int index, int value, long[] cur) {
            if (syn instanceof Synapse.Dense d) {
                return deliverRow(index, value, cur, d.outFeatures());
            } else if (syn instanceof Synapse.Conv c) {
                return deliverConv(c, index, value, cur);
            } else if (syn instanceof Synapse.Recurrent r && !r.diagonal()) {
                return deliverRow(index, value, cur, r.units());
            } else if (syn instanceof Synapse.Conv1d c) {
                return deliverConv1d(c, index, value, cur);
            } else if (syn instanceof Synapse.MaxPool m) {
                return deliverMaxPool(m, index, value, cur);
            } else if (syn instanceof Synapse.Pool p) {
                int k = p.kernel();
                int plane = inH * inW;
                int ch = index / plane;
                int y = (index % plane) / inW;
                int x = index % inW;
                int oy = y / k;
                int ox = x / k;
                if (oy < outH && ox < outW) {
                    int t = (ch * outH + oy) * outW + ox;
                    cur[t] += (long) value * w[t];
                    return 1;
                }
                return 0;
            } else { // identity skip and diagonal recurrence: one weight per neuron
                cur[index] += (long) value * w[index];
                return 1;
            }
        }

        /** I[f, o] += w[f, c, k] * x[c, o * s - p + k]: the outputs o that input position x meets. */
        private long deliverConv1d(Synapse.Conv1d c, int index, int value, long[] cur) {
            int k = c.kernel();
            int s = c.stride();
            int p = c.padding();
            int filters = c.filters();
            int inL = syn.inShape().length();
            int outL = outW;
            int ch = index / inL;
            int x = index % inL;
            long ops = 0;
            for (int kk = 0; kk < k; kk++) {
                int nx = x + p - kk;
                if (nx < 0 || nx % s != 0 || nx / s >= outL) {
                    continue;
                }
                int o = nx / s;
                int base = (ch * k + kk) * filters;
                for (int f = 0; f < filters; f++) {
                    cur[f * outL + o] += (long) value * w[base + f];
                }
                ops += filters;
            }
            return ops;
        }

        /** Weight 1 into the window that holds the input (none for a dropped edge). */
        private long deliverMaxPool(Synapse.MaxPool m, int index, int value, long[] cur) {
            int k = m.kernel();
            Shape in = m.inShape();
            int t;
            if (in.isSequence()) {
                int ch = index / in.length();
                int x = index % in.length();
                if (x / k >= outW) {
                    return 0;
                }
                t = ch * outW + x / k;
            } else {
                int plane = inH * inW;
                int ch = index / plane;
                int y = (index % plane) / inW;
                int x = index % inW;
                if (y / k >= outH || x / k >= outW) {
                    return 0;
                }
                t = (ch * outH + y / k) * outW + x / k;
            }
            cur[t] += value;
            return 1;
        }

        private long deliverConv(Synapse.Conv c, int index, int value, long[] cur) {
            int k = c.kernel();
            int s = c.stride();
            int p = c.padding();
            int filters = c.filters();
            int plane = inH * inW;
            int ch = index / plane;
            int y = (index % plane) / inW;
            int x = index % inW;
            int outPlane = outH * outW;
            long ops = 0;
            for (int ky = 0; ky < k; ky++) {
                int ny = y + p - ky;
                if (ny < 0 || ny % s != 0 || ny / s >= outH) {
                    continue;
                }
                int oy = ny / s;
                for (int kx = 0; kx < k; kx++) {
                    int nx = x + p - kx;
                    if (nx < 0 || nx % s != 0 || nx / s >= outW) {
                        continue;
                    }
                    int target = oy * outW + nx / s;
                    int base = ((ch * k + ky) * k + kx) * filters;
                    for (int f = 0; f < filters; f++) {
                        cur[f * outPlane + target] += (long) value * w[base + f];
                    }
                    ops += filters;
                }
            }
            return ops;
        }
    }

    // ---- per-thread state ----------------------------------------------------------------

    private final class State {
        final long[][] membrane = new long[layers.length][];
        final long[][] current = new long[layers.length][];
        /** The synaptic current carried between steps (CUBA layers only, else null). */
        final long[][] synaptic = new long[layers.length][];
        // events of the current step per layer: indices and values (+1 for spikes)
        final int[][] eventIndex = new int[layers.length][];
        final int[] eventCount = new int[layers.length];
        final int[] inputIndex;
        final int[] inputValue;
        int inputCount;

        State() {
            for (int l = 0; l < layers.length; l++) {
                membrane[l] = new long[layers[l].size];
                current[l] = new long[layers[l].size];
                synaptic[l] = layers[l].layer.hasSynapticCurrent() ? new long[layers[l].size] : null;
                eventIndex[l] = new int[layers[l].size];
            }
            inputIndex = new int[net.inputSize()];
            inputValue = new int[net.inputSize()];
        }

        SampleResult run(int[] input, Recording recording) {
            int n = net.inputSize();
            if (input.length != steps * n) {
                throw new IllegalArgumentException("input has " + input.length + " values, expected " + steps + " x " + n);
            }
            for (long[] m : membrane) {
                java.util.Arrays.fill(m, 0);
            }
            for (long[] c : synaptic) {
                if (c != null) {
                    java.util.Arrays.fill(c, 0);
                }
            }
            // no layer spiked before the first step: recurrent synapses read s[-1] = 0
            java.util.Arrays.fill(eventCount, 0);
            long[] spikes = new long[layers.length];
            long[] synOps = new long[layers.length];
            long[] inputEvents = new long[1];
            int[][] countRec = new int[layers.length][];
            byte[][][] spikeRec = new byte[layers.length][][];
            long[][][] memRec = new long[layers.length][][];
            for (int l : recording.layers()) {
                countRec[l] = new int[layers[l].size];
                if (recording.detail() != Detail.COUNTS) {
                    spikeRec[l] = new byte[steps][];
                }
                if (recording.detail() == Detail.FULL) {
                    memRec[l] = new long[steps][];
                }
            }
            boolean pipelined = net.timing() == Timing.PIPELINED;
            QuantizedNetwork.Numerics num = net.numerics();
            long[] readout = new long[layers[layers.length - 1].size];
            for (int t = 0; t < steps; t++) {
                inputCount = 0;
                for (int i = 0; i < n; i++) {
                    int v = input[t * n + i];
                    if (v != 0) {
                        inputIndex[inputCount] = i;
                        inputValue[inputCount++] = v;
                    }
                }
                inputEvents[0] += inputCount;
                for (int k = 0; k < layers.length; k++) {
                    // sequential: in execution order, each layer reads its sources' events of this step;
                    // pipelined (docs/semantics.md section 2.7): from the last layer to the first, so every
                    // source (always an earlier layer) still holds its events of step t-1 when read
                    int l = pipelined ? layers.length - 1 - k : k;
                    Compiled c = layers[l];
                    long[] cur = current[l];
                    System.arraycopy(c.biasPerNeuron, 0, cur, 0, c.size);
                    for (Path p : c.paths) {
                        if (p.source < 0) {
                            for (int e = 0; e < inputCount; e++) {
                                synOps[l] += p.deliver(inputIndex[e], inputValue[e], cur);
                            }
                        } else {
                            int[] idx = eventIndex[p.source];
                            for (int e = 0, cnt = eventCount[p.source]; e < cnt; e++) {
                                synOps[l] += p.deliver(idx[e], 1, cur);
                            }
                        }
                    }
                    long[] v = membrane[l];
                    QuantLayer q = c.layer;
                    QuantLeak leak = q.leak();
                    long[] syn = synaptic[l];
                    if (syn != null) {
                        // docs/semantics.md section 4.9: the current decays, takes the step's input, saturates
                        QuantLeak decay = q.synapticLeak();
                        for (int i = 0; i < c.size; i++) {
                            syn[i] = synaptic(num, decay, syn[i], cur[i]);
                            cur[i] = syn[i];
                        }
                    }
                    if (!q.spiking()) {
                        for (int i = 0; i < c.size; i++) {
                            v[i] = readout(num, q, v[i], cur[i]);
                        }
                        eventCount[l] = 0;
                    } else {
                        int count = 0;
                        int[] out = eventIndex[l];
                        boolean subtract = q.reset() == Reset.SUBTRACT;
                        for (int i = 0; i < c.size; i++) {
                            long h = charge(num, leak, v[i], cur[i]);
                            long th = c.theta[i / c.perChannel];
                            if (h >= th) {
                                out[count++] = i;
                            }
                            v[i] = reset(h, th, subtract);
                        }
                        eventCount[l] = count;
                        spikes[l] += count;
                        if (q.readout() == ReadoutMode.COUNT) {
                            for (int e = 0; e < count; e++) {
                                readout[out[e]]++;
                            }
                        }
                    }
                    if (countRec[l] != null) {
                        for (int e = 0; e < eventCount[l]; e++) {
                            countRec[l][eventIndex[l][e]]++;
                        }
                    }
                    if (spikeRec[l] != null) {
                        byte[] s = new byte[c.size];
                        for (int e = 0; e < eventCount[l]; e++) {
                            s[eventIndex[l][e]] = 1;
                        }
                        spikeRec[l][t] = s;
                    }
                    if (memRec[l] != null) {
                        memRec[l][t] = v.clone();
                    }
                }
            }
            int last = layers.length - 1;
            if (!layers[last].layer.spiking()) {
                System.arraycopy(membrane[last], 0, readout, 0, readout.length);
            }
            return new SampleResult(readout, argmax(readout), spikes, synOps, inputEvents[0], countRec, spikeRec, memRec);
        }
    }

    // ---- one neuron's step: shared with the float engine's integer-exact forward -------------

    /**
     * The synaptic current of a CUBA neuron after a step whose synaptic input is {@code input}
     * (docs/semantics.md section 4.9): decayed, the input added, then saturated or wrapped to the
     * current's width, once.
     */
    public static long synaptic(QuantizedNetwork.Numerics num, QuantLeak decay, long current, long input) {
        return num.clampCurrent(num.leak(decay, current) + input);
    }

    /**
     * h of a spiking neuron (docs/semantics.md section 4.6): the leak of the membrane the previous
     * step left, plus the step's current, saturated or wrapped to the membrane's width, once.
     */
    public static long charge(QuantizedNetwork.Numerics num, QuantLeak leak, long membrane, long current) {
        return num.clampMembrane(num.leak(leak, membrane) + current);
    }

    /** The membrane a spiking neuron keeps after charging to h: fires when h >= theta, then subtract or zero. */
    public static long reset(long h, long theta, boolean subtract) {
        return h >= theta ? (subtract ? h - theta : 0) : h;
    }

    /**
     * A non-spiking readout's value after a step with current {@code current} (docs/semantics.md
     * section 4.8): accumulate adds it, membrane leaks first; neither saturates (the readout is wide).
     */
    public static long readout(QuantizedNetwork.Numerics num, QuantLayer q, long value, long current) {
        return q.readout() == ReadoutMode.ACCUMULATE ? value + current : num.leak(q.leak(), value) + current;
    }

    /** Index of the largest value; ties go to the lowest index (the same rule for every engine). */
    public static int argmax(long[] v) {
        return dev.spikeforge.compiler.target.TargetSample.argmax(v);
    }
}

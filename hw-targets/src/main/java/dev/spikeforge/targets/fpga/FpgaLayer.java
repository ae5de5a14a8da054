package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.quant.QuantLeak;

/**
 * One layer engine of the generated accelerator: every constant the Verilog, the memory images,
 * {@code fpga.json} and the FPGA emulator share. Nothing here is derived again by a reader: the
 * emulator takes these numbers from {@code fpga.json} as they are.
 *
 * <p>Memory layout (lane 0 in the least significant bits of a word; "block" b holds output
 * channels or units {@code b*P .. b*P+P-1}):
 * <ul>
 *   <li>membranes: word {@code (y * outW + x) * blocks + b}, {@code P} lanes of {@code accBits};</li>
 *   <li>weights, dense: word {@code i * blocks + b} holds {@code w[b*P+lane][i]} for input feature {@code i};
 *       conv: word {@code ((c * K + ky) * K + kx) * blocks + b} holds {@code w[b*P+lane][c][ky][kx]};
 *       pool: word {@code b} holds the pooling weight of channel {@code b*P+lane} (1 for a maxpool);
 *       a recurrent layer's W_rec follows from {@link #recurrentBase()}: full, word {@code base + u * blocks + b}
 *       holds {@code w_rec[b*P+lane][u]}; diagonal, word {@code base + b} holds {@code w_rec[b*P+lane]};</li>
 *   <li>synaptic currents (CUBA layers): a second memory with the membranes' words and lanes;</li>
 *   <li>bias and threshold: word {@code b}, one entry per lane (absent when {@code biasBits}/{@code thetaBits} is 0).</li>
 * </ul>
 *
 * @param index        position in the chain (0 reads the input events)
 * @param name         the user-level layer name
 * @param kind         dense, conv or pool
 * @param inC          source channels (flat sources: features), {@code inH}, {@code inW} 1 when flat
 * @param outC         output channels or units; {@code outH}, {@code outW} 1 when flat
 * @param kernel       conv or pool kernel K (1 for dense)
 * @param stride       conv stride (pool: K, dense: 1)
 * @param padding      conv padding (0 otherwise)
 * @param lanes        P
 * @param blocks       ceil(outC / P)
 * @param weightWords  depth of the weight memory
 * @param weightBits   B, two's complement per lane
 * @param valueBits    signed width of an input event's value (0: events carry none, each counts +1)
 * @param accBits      membrane memory width per lane: M + G (at least B + value bits), or the readout width
 * @param membraneBits M: where the step's sum is saturated or wrapped (spiking layers)
 * @param biasBits     signed width of a bias entry, 0 when the layer has no bias
 * @param thetaBits    unsigned width of a threshold entry, 0 for a non-spiking readout
 * @param leak         the leak applied at end of step to the post-reset membrane
 * @param resetZero    reset to zero (else subtract)
 * @param wrap         overflow wraps (else saturates)
 * @param mode         spiking, or which readout
 * @param readoutBits  width of the readout registers (last layer), else 0
 * @param eventDepth   entries of the input event buffer: the source's size (plus the layer's units when recurrent)
 * @param cBits        widths of the input event's channel, row and column fields
 * @param outCBits     widths of the output event's fields
 * @param synapticLeak the decay of the synaptic current (CUBA), or null when the layer has none:
 *                     then the step's current goes straight into the membrane
 * @param currentBits  C: where the synaptic current is saturated or wrapped once a step (0 without one)
 * @param recurrence   whether the layer's own spikes of step t come back as events of step t+1
 *                     (dense only): through a full matrix, one weight per neuron, or not at all
 */
public record FpgaLayer(int index, String name, Kind kind, int inC, int inH, int inW, int outC, int outH, int outW,
                        int kernel, int stride, int padding, int lanes, int blocks, int weightWords, int weightBits,
                        int valueBits, int accBits, int membraneBits, int biasBits, int thetaBits, Leak leak,
                        boolean resetZero, boolean wrap, Mode mode, int readoutBits, int eventDepth,
                        int cBits, int yBits, int xBits, int outCBits, int outYBits, int outXBits,
                        Leak synapticLeak, int currentBits, Recurrence recurrence) {

    public enum Kind { DENSE, CONV, POOL }

    /** NONE: a feed-forward layer; FULL: W_rec [units][units]; DIAGONAL: one recurrent weight per neuron. */
    public enum Recurrence { NONE, FULL, DIAGONAL }

    /** Whether the layer keeps a synaptic current between steps (CUBA): a second memory of acc_bits lanes. */
    public boolean hasCurrent() {
        return synapticLeak != null;
    }

    public boolean recurrent() {
        return recurrence != Recurrence.NONE;
    }

    /** Weight words of the recurrent matrix, stored after the input's: units x blocks (full), blocks (diagonal), 0. */
    public int recurrentWords() {
        return switch (recurrence) {
            case NONE -> 0;
            case FULL -> outC * blocks;
            case DIAGONAL -> blocks;
        };
    }

    /** The first weight word of the recurrent matrix: the words the input events address come first. */
    public int recurrentBase() {
        return weightWords - recurrentWords();
    }

    /** Words one recurrent event walks: every block (full), or the one word that holds its own neuron (diagonal). */
    public int recurrentEventWords() {
        return recurrence == Recurrence.DIAGONAL ? 1 : blocks;
    }

    /**
     * Bits of one event buffer entry. A recurrent layer's buffer also takes its own spikes (the
     * unit index), so an entry is a flag (1: own spike) above a payload wide enough for either.
     */
    public int bufferBits() {
        return recurrent() ? 1 + Math.max(eventBits(), outCBits) : eventBits();
    }

    /**
     * Words of the input event memory: two banks of the event depth (one written while the other
     * is walked, see {@link Schedule}), bank 1 from word {@code eventDepth} on.
     */
    public int eventMemoryWords() {
        return 2 * eventDepth;
    }

    /** Bits of all the layer's event memories: the two banks of input events, and a recurrent layer's own spikes. */
    public long eventMemoryBits() {
        return (long) eventMemoryWords() * eventBits() + (recurrent() ? (long) outC() * outCBits : 0);
    }

    /** SPIKING: a hidden layer; COUNT: spiking readout that counts; ACCUMULATE and MEMBRANE: non-spiking readouts. */
    public enum Mode {
        SPIKING, COUNT, ACCUMULATE, MEMBRANE;

        public boolean spiking() {
            return this == SPIKING || this == COUNT;
        }
    }

    /**
     * The leak as the hardware does it: shift {@code v - (v >>> k)}, multiplier {@code (v * m) >>> f},
     * or none, with right shifts toward minus infinity unless {@code towardZero}. {@code form} only
     * carries the parameters (k, or m and f): the accessors give the fields fpga.json and the
     * generator write, and {@link #apply} computes from them as the generated RTL does, never through
     * the integer model's code, so that a change of the integer model's leak shows as a difference
     * between the emulator and the integer model in {@code verify} even without {@code --rtl}.
     */
    public record Leak(QuantLeak form, boolean towardZero, boolean nearest) {
        public static final Leak NONE = new Leak(new QuantLeak.None(), false);

        /** A leak whose shift rounds as {@code towardZero} says (not to nearest). */
        public Leak(QuantLeak form, boolean towardZero) {
            this(form, towardZero, false);
        }

        public long apply(long v) {
            if (form instanceof QuantLeak.Shift s) {
                return v - arithmeticShift(v, s.k());
            }
            if (form instanceof QuantLeak.Multiplier x) {
                return arithmeticShift(v * x.m(), x.fractionBits());
            }
            return v;
        }

        /**
         * The RTL's {@code >>>} on a signed value; with {@code leak_rounding = nearest} half an LSB is
         * added first, {@code (x + 2^(s-1)) >>> s}; toward zero, -((-x) >>> s), when the numerics say so.
         */
        private long arithmeticShift(long x, int s) {
            if (nearest) {
                return (x + (1L << (s - 1))) >> s;
            }
            return towardZero && x < 0 ? -((-x) >> s) : x >> s;
        }

        /** none, shift or multiplier. */
        public String kind() {
            return form instanceof QuantLeak.Shift ? "shift" : form instanceof QuantLeak.Multiplier ? "multiplier" : "none";
        }

        public int k() {
            return form instanceof QuantLeak.Shift s ? s.k() : 0;
        }

        public long m() {
            return form instanceof QuantLeak.Multiplier x ? x.m() : 0;
        }

        public int f() {
            return form instanceof QuantLeak.Multiplier x ? x.fractionBits() : 0;
        }

        public String describe() {
            boolean none = form instanceof QuantLeak.None;
            return form.describe() + (towardZero && !none ? " toward_zero" : "") + (nearest && !none ? " nearest" : "");
        }
    }

    /** Words of the membrane memory: one per output position and block. */
    public int memoryWords() {
        return outH * outW * blocks;
    }

    public int outputSize() {
        return outC * outH * outW;
    }

    public int inputSize() {
        return inC * inH * inW;
    }

    /** Bits of one event as the source writes it: value (if any), channel, row, column. */
    public int eventBits() {
        return valueBits + cBits + yBits + xBits;
    }

    /** The lanes of block {@code b} that hold a real channel or unit. */
    public int validLanes(int b) {
        return Math.min(lanes, outC - b * lanes);
    }

    /** Flat (channel-major) index of output neuron (c, y, x), as the integer model numbers it. */
    public int neuron(int c, int y, int x) {
        return (c * outH + y) * outW + x;
    }

    /** Words an input event at (c, y, x) walks in the synaptic phase (0 when it reaches no neuron). */
    public int wordsFor(int c, int y, int x) {
        return switch (kind) {
            case DENSE -> blocks;
            case POOL -> y / kernel < outH && x / kernel < outW ? 1 : 0;
            case CONV -> blocks * validTaps(y, inH, outH) * validTaps(x, inW, outW);
        };
    }

    /** Kernel offsets k in [0, K) for which input row y reaches an output row: (y + pad - k) = s * o, 0 <= o < outDim. */
    int validTaps(int y, int inDim, int outDim) {
        int n = 0;
        for (int k = 0; k < kernel; k++) {
            if (tapValid(y, k, outDim)) {
                n++;
            }
        }
        return n;
    }

    boolean tapValid(int y, int k, int outDim) {
        int d = y + padding - k;
        return d >= 0 && d % stride == 0 && d / stride < outDim;
    }

    /** Unsigned bits to count 0 .. n-1 (at least 1). */
    public static int indexBits(long n) {
        return Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(0, n - 1)));
    }

    /** Signed bits holding every value in [-|v|, |v|] (at least 2). */
    public static int signedBits(long maxAbs) {
        return Math.max(2, 65 - Long.numberOfLeadingZeros(Math.abs(maxAbs)));
    }
}

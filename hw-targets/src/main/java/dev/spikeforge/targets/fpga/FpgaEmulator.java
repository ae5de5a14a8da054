package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.util.Parallel;
import java.util.Arrays;
import java.util.List;





/**
 * Cycle-accurate model of the generated accelerator: the same registers as the Verilog of
 * {@link VerilogGenerator}, stepped one clock at a time (combinational values first, then every
 * register from the old values), with the same memories initialised from the same images. It reads
 * only an {@link FpgaDesign} (as {@link FpgaFolder#read} returns it). Per sample it gives every
 * spike with its cycle, every membrane at the end of every step, the cycles of every step, and the
 * readout.
 *
 * <p>Its arithmetic is its own (docs/semantics.md section 4.12): the membrane adders' wrap to
 * {@code acc_bits}, the saturation or wrap to M and C bits, the {@code >=} threshold compare, the
 * reset, the leak and the current's decay ({@link FpgaLayer.Leak#apply}, from fpga.json's k, m
 * and f), the readout's registers; none of it calls the integer model's code, so that a change
 * there shows as a difference in {@code verify} without an RTL simulation.
 *
 * <p>Internal consistency check, not a prediction: every step, the cycles the registers took are
 * compared with {@link CycleFormula} evaluated on the engines' own event buffers and spikes (a
 * difference is an {@link IllegalStateException}). The prediction that proves the cycle model is
 * {@link CycleFormula#predict}, fed the integer model's spikes by {@code verify}.
 *
 * <p>Not thread-safe: one emulator per thread.
 */
public final class FpgaEmulator {

    private static final int IDLE = 0;
    private static final int WALK = 1;
    private static final int NEU = 2;

    private final FpgaDesign d;
    private final Engine[] engines;
    private final int inputSize;

    /**
     * A deliberate fault in one rule of the end-of-step update, for tests only: the emulator's
     * comparison with the integer model must catch each (FpgaFaultTest). NONE is the emulator.
     */
    enum Fault {
        NONE,
        /** fires on h > theta instead of h >= theta */
        STRICT_THRESHOLD,
        /** resets to zero where the layer subtracts, and by subtracting where it resets to zero */
        RESET_SWAPPED,
        /** leaves the bias out of the step's sum */
        BIAS_DROPPED
    }

    public FpgaEmulator(FpgaDesign d) {
        this(d, Fault.NONE);
    }

    /** An emulator with a deliberate fault (tests only). */
    FpgaEmulator(FpgaDesign d, Fault fault) {
        this.d = d;
        this.engines = new Engine[d.layers().size()];
        for (int i = 0; i < engines.length; i++) {
            engines[i] = new Engine(d.layers().get(i), d.images().get(i), fault);
        }
        this.inputSize = d.inputShape()[0] * d.inputShape()[1] * d.inputShape()[2];
    }

    public FpgaDesign design() {
        return d;
    }

    /**
     * What one sample did on the accelerator, in a stream of samples (docs/targets.md, "Schedule").
     *
     * @param stepCycles  per step, the cycles of the wave in which the step entered the first engine:
     *                    the sample's share of the stream ({@link Schedule#share})
     * @param spikeCycles per layer and step, each spike's cycle counted from the start of the sample's first wave
     * @param layerCycles per layer and step, the engine's cycles ({@link CycleFormula#layer}); null from an RTL trace
     * @param latency     from the start of the sample's first wave to the end of its last ({@link Schedule#latency})
     * @param engineSpikeCycles per layer and step, each spike's cycle counted from its engine's start, which
     *                    do not depend on the stream ({@link #stream} places them again); null from an RTL trace
     */
    public record Sample(long[] readout, long[] stepCycles, int[][][] spikeNeurons,
                         long[][][] spikeCycles, long[][][] membranes, long[][] layerCycles, long latency,
                         long[][][] engineSpikeCycles) {

        /** The sample's share of the stream's cycles: the inverse of the throughput. */
        public long cycles() {
            return Arrays.stream(stepCycles).sum();
        }

        /** Spikes of layer {@code l} over all steps. */
        public long spikes(int l) {
            long n = 0;
            for (int[] s : spikeNeurons[l]) {
                n += s.length;
            }
            return n;
        }
    }

    /**
     * Runs many samples as one stream (each sample's timing depends on its neighbours'), the samples'
     * arithmetic spread over {@code threads} threads with one emulator each; results in input order.
     */
    public static List<Sample> run(FpgaDesign d, int[][] inputs, int threads, boolean keepMembranes) {
        List<Sample> alone = Parallel.map(inputs, threads, "spikeforge-fpga", () -> new FpgaEmulator(d),
                (e, in) -> e.alone(in, keepMembranes));
        return stream(d, alone);
    }

    /** Runs one sample, as a stream of its own. */
    public Sample run(int[] input, boolean keepMembranes) {
        return stream(d, List.of(alone(input, keepMembranes))).get(0);
    }

    /**
     * Places samples run {@link #alone} (or already placed in another stream) into one stream:
     * composes the waves ({@link Schedule#compose}) and turns each spike's cycle within its engine's
     * step into a cycle of its sample.
     */
    static List<Sample> stream(FpgaDesign d, List<Sample> alone) {
        int steps = d.timesteps();
        int layers = d.layers().size();
        long[][][] lc = new long[alone.size()][][];
        for (int s = 0; s < lc.length; s++) {
            lc[s] = alone.get(s).layerCycles();
        }
        long[] waves = Schedule.compose(lc);
        List<Sample> out = new java.util.ArrayList<>(alone.size());
        for (int s = 0; s < alone.size(); s++) {
            Sample a = alone.get(s);
            long[][][] cycles = new long[layers][steps][];
            for (int l = 0; l < layers; l++) {
                for (int t = 0; t < steps; t++) {
                    long start = Schedule.engineStart(waves, s, steps, l, t);
                    long[] c = a.engineSpikeCycles()[l][t].clone();
                    for (int i = 0; i < c.length; i++) {
                        c[i] += start;
                    }
                    cycles[l][t] = c;
                }
            }
            out.add(new Sample(a.readout(), Schedule.share(waves, s, steps), a.spikeNeurons(), cycles, a.membranes(),
                    a.layerCycles(), Schedule.latency(waves, s, steps, layers), a.engineSpikeCycles()));
        }
        return out;
    }

    /**
     * Runs one sample through the engines, each step of each layer from the engine's start (its
     * cycle 0): the arithmetic and each engine's cycles, which do not depend on the other samples.
     * Its spike cycles are counted from the engine's start, and it has no waves yet ({@link #stream}).
     *
     * @param input           {@code steps * inputSize} values, step-major: spikes -1/0/1, or direct bytes 0..255
     * @param keepMembranes   record every membrane of every layer at every step (the trace)
     */
    Sample alone(int[] input, boolean keepMembranes) {
        int steps = d.timesteps();
        if (input.length != steps * inputSize) {
            throw new IllegalArgumentException("input has " + input.length + " values, expected " + steps + " x " + inputSize);
        }
        int layers = engines.length;
        for (Engine e : engines) {
            e.clear();
        }
        long[][] layerCycles = new long[layers][steps];
        int[][][] spikeNeurons = new int[layers][steps][];
        long[][][] spikeCycles = new long[layers][steps][];
        long[][][] membranes = keepMembranes ? new long[layers][steps][] : null;
        int h = d.inputShape()[1];
        int w = d.inputShape()[2];
        for (int t = 0; t < steps; t++) {
            // the host writes the step's events into the first engine's buffer
            Engine first = engines[0];
            for (int i = 0; i < inputSize; i++) {
                int v = input[t * inputSize + i];
                if (v != 0) {
                    first.write(i / (h * w), (i / w) % h, i % w, v);
                }
            }
            // engine l's step t runs in a later wave than engine l - 1's, whose spikes it reads
            for (int l = 0; l < layers; l++) {
                Engine e = engines[l];
                Engine next = l + 1 < layers ? engines[l + 1] : null;
                int[] eventsCopy = e.evXyz();
                int events = eventsCopy.length / 3;
                int recurrentEvents = e.evN - events;
                if (membranes != null) {
                    membranes[l][t] = new long[e.l.outputSize()];
                }
                e.spikeCount = 0;
                long cycle = 0;
                boolean first1 = true;
                while (true) {
                    boolean done = e.cycle(cycle, next, first1, membranes == null ? null : membranes[l][t]);
                    first1 = false;
                    cycle++;
                    if (done) {
                        break;
                    }
                }
                spikeNeurons[l][t] = Arrays.copyOf(e.spikeNeuron, e.spikeCount);
                spikeCycles[l][t] = Arrays.copyOf(e.spikeCycle, e.spikeCount);
                layerCycles[l][t] = cycle;
                // internal consistency check, not a prediction: the formula on this engine's own buffers
                long formula = CycleFormula.layer(e.l, eventsCopy, events, recurrentEvents, spikeNeurons[l][t], e.spikeCount);
                if (cycle != formula) {
                    throw new IllegalStateException("step " + (t + 1) + ", layer " + l + ": internal consistency check: the"
                            + " emulator's registers took " + cycle + " cycles, the cycle formula on its own event buffers " + formula);
                }
            }
        }
        Engine last = engines[layers - 1];
        return new Sample(last.readout.clone(), null, spikeNeurons, spikeCycles, membranes, layerCycles, 0, spikeCycles);
    }

    /** One layer engine's registers and memories. */
    private static final class Engine {
        final FpgaLayer l;
        final long[][] weights;
        final long[][] bias;
        final long[][] theta;
        final int p;
        final int mw;
        final int plane;
        final long accMask;
        final int accShift;
        // event buffer (c, y, x, value per entry; own: the layer's own spike of the previous step, unit in c)
        final boolean[] evOwn;
        final int[] evC;
        final int[] evY;
        final int[] evX;
        final int[] evV;
        int evN;
        int evI;
        // the buffer's read register (the next event) and the event being walked (de_q)
        int qC;
        int qY;
        int qX;
        int qV;
        boolean deValid;
        boolean deOwn;
        int deC;
        int deY;
        int deX;
        int deV;
        // membranes, flat [word * p + lane]; with a synaptic current, mem holds the currents and vmem the membranes
        final long[] mem;
        final long[] vmem;
        final long[] vmemQ;
        final long[] memQ;
        final long[] fwdD;
        boolean fwdV;
        int wQ;
        int bQ;
        // walker
        int state;
        boolean wFirst;
        int wBlk;
        int wKy;
        int wKx;
        // synaptic pipeline: stage 1 reads the word the walker chose, stage 2 adds and writes it
        boolean s1V;
        int s1A;
        int s1Wa;
        long s1Mask;
        int s1Val;
        boolean s2V;
        int s2A;
        long s2Mask;
        int s2Val;
        // neuron phase: the counters, stage n1 (read), n2 (the word read: bias), then n3..n5 as slots
        int nI;
        int nBlk;
        int nY;
        int nX;
        boolean n1V;
        int n1A;
        int n1Blk;
        int n1Y;
        int n1X;
        boolean n2V;
        int n2A;
        int n2Blk;
        int n2Y;
        int n2X;
        /**
         * Stages n3, n4 and n5 of the RTL, and a spare slot that the word in n2 is computed into. The
         * whole update of a word is computed once, when its data is read (n2): nothing writes the word
         * between its read and its write-back, so the values the RTL computes stage by stage are these;
         * what is observable happens at the stage the RTL does it: spikes, trace and readout in n4,
         * the write-back in n5.
         */
        Slot n3;
        Slot n4;
        Slot n5;
        Slot spare;
        long pend;
        int pendBlk;
        int pendY;
        int pendX;
        // scratch
        final long[] word;
        // per step record
        int[] spikeNeuron;
        long[] spikeCycle;
        int spikeCount;
        final long[] readout;
        final long roMask;

        // precomputed per input coordinate (what the RTL's comparators compute each cycle)
        final int[] kyMask;
        final int[] kxMask;
        final int[] oyOf;
        final int[] oxOf;
        final Fault fault;

        Engine(FpgaLayer l, FpgaDesign.Images im, Fault fault) {
            this.l = l;
            this.fault = fault;
            int k = l.kernel();
            kyMask = new int[l.inH()];
            kxMask = new int[l.inW()];
            oyOf = new int[l.inH() * k];
            oxOf = new int[l.inW() * k];
            for (int y = 0; y < l.inH(); y++) {
                kyMask[y] = tapMask(l, y, l.outH());
                for (int t = 0; t < k; t++) {
                    oyOf[y * k + t] = l.kind() == FpgaLayer.Kind.POOL ? y / k : (y + l.padding() - t) / l.stride();
                }
            }
            for (int x = 0; x < l.inW(); x++) {
                kxMask[x] = tapMask(l, x, l.outW());
                for (int t = 0; t < k; t++) {
                    oxOf[x * k + t] = l.kind() == FpgaLayer.Kind.POOL ? x / k : (x + l.padding() - t) / l.stride();
                }
            }
            this.weights = im.weights();
            this.bias = im.bias();
            this.theta = im.theta();
            this.p = l.lanes();
            this.mw = l.memoryWords();
            this.plane = l.outH() * l.outW();
            this.accShift = 64 - l.accBits();
            this.accMask = l.accBits() >= 64 ? -1L : (1L << l.accBits()) - 1;
            int depth = l.eventDepth();
            evOwn = new boolean[depth];
            evC = new int[depth];
            evY = new int[depth];
            evX = new int[depth];
            evV = new int[depth];
            mem = new long[mw * p];
            vmem = l.hasCurrent() ? new long[mw * p] : null;
            vmemQ = new long[p];
            memQ = new long[p];
            fwdD = new long[p];
            word = new long[p];
            n3 = new Slot(p);
            n4 = new Slot(p);
            n5 = new Slot(p);
            spare = new Slot(p);
            spikeNeuron = new int[Math.max(16, l.outputSize())];
            spikeCycle = new long[spikeNeuron.length];
            readout = new long[l.outC()];
            roMask = l.readoutBits() >= 64 ? -1L : (1L << Math.max(1, l.readoutBits())) - 1;
        }

        /** The buffered input events as {c, y, x} triples (for the formula); the layer's own spikes are left out. */
        int[] evXyz() {
            int n = 0;
            for (int i = 0; i < evN; i++) {
                n += evOwn[i] ? 0 : 1;
            }
            int[] out = new int[3 * n];
            for (int i = 0, j = 0; i < evN; i++) {
                if (!evOwn[i]) {
                    out[3 * j] = evC[i];
                    out[3 * j + 1] = evY[i];
                    out[3 * j + 2] = evX[i];
                    j++;
                }
            }
            return out;
        }

        void clear() {
            Arrays.fill(mem, 0);
            if (vmem != null) {
                Arrays.fill(vmem, 0);
            }
            Arrays.fill(readout, 0);
            evN = 0;
            s1V = false;
            s2V = false;
            n1V = false;
            n2V = false;
            n3.v = false;
            n4.v = false;
            n5.v = false;
            pend = 0;
            fwdV = false;
            deValid = false;
            state = IDLE;
        }

        void write(int c, int y, int x, int v) {
            evOwn[evN] = false;
            evC[evN] = c;
            evY[evN] = y;
            evX[evN] = x;
            evV[evN] = v;
            evN++;
        }

        /** The layer's own spike, into its own buffer for the next step's recurrent walk. */
        void writeOwn(int unit) {
            evOwn[evN] = true;
            evC[evN] = unit;
            evY[evN] = 0;
            evX[evN] = 0;
            evV[evN] = 1;
            evN++;
        }

        /** Two's complement wrap to the membrane memory's width, as the RTL's adders do. */
        long acc(long v) {
            return (v << accShift) >> accShift;
        }

        /** One clock. Returns whether {@code done} was high in it. */
        boolean cycle(long now, Engine next, boolean start, long[] membranes) {
            // ---- combinational
            boolean stall = pend != 0;
            boolean walkAny = false;
            boolean lastWord = false;
            int tKy = 0;
            int tKx = 0;
            int walkMa = 0;
            int wRa = 0;
            long walkMask = 0;
            long lanesAll = p == 64 ? -1L : (1L << p) - 1;
            if (state == WALK && deValid) {
                switch (l.kind()) {
                    case DENSE -> {
                        walkAny = true;
                        if (!deOwn) {
                            lastWord = wBlk == l.blocks() - 1;
                            walkMa = wBlk;
                            int flat = (deC * l.inH() + deY) * l.inW() + deX;
                            wRa = flat * l.blocks() + wBlk;
                            walkMask = blockMask(wBlk);
                        } else if (l.recurrence() == FpgaLayer.Recurrence.FULL) {
                            // the unit's row of W_rec, every block, as an input event's
                            lastWord = wBlk == l.blocks() - 1;
                            walkMa = wBlk;
                            wRa = l.recurrentBase() + deC * l.blocks() + wBlk;
                            walkMask = blockMask(wBlk);
                        } else {
                            // diagonal: the unit's own weight, its own lane of its own word
                            lastWord = true;
                            walkMa = deC / p;
                            wRa = l.recurrentBase() + deC / p;
                            walkMask = 1L << (deC % p);
                        }
                    }
                    case POOL -> {
                        int k = l.kernel();
                        int oy = oyOf[deY * k];
                        int ox = oxOf[deX * k];
                        walkAny = oy < l.outH() && ox < l.outW();
                        lastWord = true;
                        int blk = deC / p;
                        walkMa = (oy * l.outW() + ox) * l.blocks() + blk;
                        wRa = blk;
                        walkMask = 1L << (deC % p);
                    }
                    case CONV -> {
                        int kyOk = kyMask[deY];
                        int kxOk = kxMask[deX];
                        walkAny = kyOk != 0 && kxOk != 0;
                        tKy = wFirst ? lowest(kyOk) : wKy;
                        tKx = wFirst ? lowest(kxOk) : wKx;
                        int kyRest = kyOk & ~((2 << tKy) - 1);
                        int kxRest = kxOk & ~((2 << tKx) - 1);
                        boolean blkLast = wBlk == l.blocks() - 1;
                        lastWord = blkLast && kxRest == 0 && kyRest == 0;
                        int k = l.kernel();
                        int oy = oyOf[deY * k + tKy];
                        int ox = oxOf[deX * k + tKx];
                        walkMa = (oy * l.outW() + ox) * l.blocks() + wBlk;
                        wRa = ((deC * k + tKy) * k + tKx) * l.blocks() + wBlk;
                        walkMask = blockMask(wBlk);
                        if (!walkAny || lastWord) {
                            // registers follow below
                        } else if (!blkLast) {
                            nextKy = tKy;
                            nextKx = tKx;
                        } else if (kxRest != 0) {
                            nextKy = tKy;
                            nextKx = lowest(kxRest);
                        } else {
                            nextKy = lowest(kyRest);
                            nextKx = lowest(kxOk);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                if (!walkAny) {
                    lastWord = true;
                }
            }
            boolean walk = state == WALK && deValid && walkAny;
            boolean moreEvents = evI + 1 < evN;
            boolean neuIssue = state == NEU && !stall && nI < mw;
            boolean neuRead = n1V && !stall;
            boolean neuEmit = n4.v && !stall;
            boolean neuWrite = n5.v && !stall;
            boolean done = state == NEU && !stall && nI == mw && !n1V && !n2V && !n3.v && !n4.v && !n5.v;
            // the walk's first cycle loads the first event and reads the second; an event's last word loads the next
            boolean deLoad = state == WALK && (deValid ? lastWord && moreEvents : evN != 0);
            boolean evRe = (state == IDLE && start && evN != 0) || (state == WALK && !deValid && evN > 1)
                    || (state == WALK && deValid && lastWord && evI + 2 < evN);
            int evRa = state == IDLE ? 0 : !deValid ? 1 : evI + 2;
            long[] cur = fwdV ? fwdD : memQ;
            // memory write data: synaptic stage 2's sum, or the word in n5
            boolean mWe = s2V || neuWrite;
            int mWa = s2V ? s2A : n5.a;
            long[] wd = n5.word;
            if (s2V) {
                long[] wt = weights[wQ];
                for (int i = 0; i < p; i++) {
                    long add = ((s2Mask >>> i) & 1) != 0 ? (l.valueBits() > 0 ? wt[i] * s2Val : wt[i]) : 0;
                    word[i] = acc(cur[i] + add);
                }
                wd = word;
            }
            if (n2V && !stall) {
                update(cur, spare);
            }
            if (neuEmit) {
                int valid = l.validLanes(n4.blk);
                if (membranes != null) {
                    int base = ((n4.blk * p) * l.outH() + n4.y) * l.outW() + n4.x;
                    for (int i = 0; i < valid; i++) {
                        membranes[base + i * plane] = n4.post[i];
                    }
                }
                if (l.mode() == FpgaLayer.Mode.ACCUMULATE || l.mode() == FpgaLayer.Mode.MEMBRANE) {
                    for (int i = 0; i < valid; i++) {
                        readout[n4.blk * p + i] = signed(n4.post[i] & roMask, l.readoutBits());
                    }
                }
            }
            // spike serialiser
            long emitSrc = stall ? pend : (neuEmit ? n4.spk : 0);
            if (emitSrc != 0) {
                int lane = Long.numberOfTrailingZeros(emitSrc);
                int blk = stall ? pendBlk : n4.blk;
                int y = stall ? pendY : n4.y;
                int x = stall ? pendX : n4.x;
                int c = blk * p + lane;
                if (next != null) {
                    next.write(c, y, x, 1);
                }
                if (l.recurrent()) {
                    writeOwn(c);
                }
                if (l.mode() == FpgaLayer.Mode.COUNT) {
                    readout[c] = signed((readout[c] + 1) & roMask, l.readoutBits());
                }
                if (spikeCount == spikeNeuron.length) {
                    spikeNeuron = Arrays.copyOf(spikeNeuron, spikeCount * 2);
                    spikeCycle = Arrays.copyOf(spikeCycle, spikeCount * 2);
                }
                spikeNeuron[spikeCount] = (c * l.outH() + y) * l.outW() + x;
                spikeCycle[spikeCount++] = now;
            }
            boolean mRe = s1V || neuRead;
            int mRa = s1V ? s1A : n1A;
            int eventValue = deV;

            // ---- registers (from the values above)
            if (deLoad) {
                deOwn = qOwn;
                deC = qC;
                deY = qY;
                deX = qX;
                deV = qV;
            }
            if (evRe) {
                qOwn = evOwn[evRa];
                qC = evC[evRa];
                qY = evY[evRa];
                qX = evX[evRa];
                qV = evV[evRa];
            }
            if (mRe) {
                // read before this cycle's write lands: the old word, or the forwarded one
                boolean hit = mWe && mWa == mRa;
                System.arraycopy(mem, mRa * p, memQ, 0, p);
                if (hit) {
                    System.arraycopy(wd, 0, fwdD, 0, p);
                }
                fwdV = hit;
            }
            if (mWe) {
                System.arraycopy(wd, 0, mem, mWa * p, p);
            }
            if (vmem != null) {
                // the membrane memory: read by n1, written by n5 (never the same word)
                if (neuRead) {
                    System.arraycopy(vmem, n1A * p, vmemQ, 0, p);
                }
                if (neuWrite) {
                    System.arraycopy(n5.vword, 0, vmem, n5.a * p, p);
                }
            }
            if (s1V) {
                wQ = s1Wa;
            }
            if (neuRead) {
                bQ = n1Blk;
            }
            s2V = s1V;
            if (s1V) {
                s2A = s1A;
                s2Mask = s1Mask;
                s2Val = s1Val;
            }
            s1V = walk;
            if (walk) {
                s1A = walkMa;
                s1Wa = wRa;
                s1Mask = walkMask & lanesAll;
                s1Val = eventValue;
            }
            if (stall) {
                pend = emitSrc & (emitSrc - 1);
            } else {
                if (n4.v) {
                    pend = emitSrc & (emitSrc - 1);
                    pendBlk = n4.blk;
                    pendY = n4.y;
                    pendX = n4.x;
                }
                // the neuron pipeline moves one stage
                Slot free = n5;
                n5 = n4;
                n4 = n3;
                n3 = spare;
                spare = free;
                n3.v = n2V;
                n3.a = n2A;
                n3.blk = n2Blk;
                n3.y = n2Y;
                n3.x = n2X;
                n2V = n1V;
                if (n1V) {
                    n2A = n1A;
                    n2Blk = n1Blk;
                    n2Y = n1Y;
                    n2X = n1X;
                }
                n1V = neuIssue;
                if (neuIssue) {
                    n1A = nI;
                    n1Blk = nBlk;
                    n1Y = nY;
                    n1X = nX;
                }
            }
            switch (state) {
                case IDLE -> {
                    if (start) {
                        evI = 0;
                        wFirst = true;
                        wBlk = 0;
                        nI = 0;
                        nBlk = 0;
                        nY = 0;
                        nX = 0;
                        state = WALK;
                    }
                }
                case WALK -> {
                    if (!deValid) {
                        if (evN == 0) {
                            state = NEU;
                        } else {
                            deValid = true;
                        }
                    } else if (lastWord) {
                        wFirst = true;
                        wBlk = 0;
                        if (moreEvents) {
                            evI++;
                        } else {
                            state = NEU;
                            deValid = false;
                            if (l.recurrent()) {
                                evN = 0; // the buffer now takes this step's own spikes, for the next step
                            }
                        }
                    } else {
                        wFirst = false;
                        if (l.kind() == FpgaLayer.Kind.CONV) {
                            wBlk = wBlk == l.blocks() - 1 ? 0 : wBlk + 1;
                            wKy = nextKy;
                            wKx = nextKx;
                        } else {
                            wBlk++;
                        }
                    }
                }
                default -> { // NEU
                    if (!stall) {
                        if (neuIssue) {
                            nI++;
                            if (nBlk != l.blocks() - 1) {
                                nBlk++;
                            } else {
                                nBlk = 0;
                                if (nX != l.outW() - 1) {
                                    nX++;
                                } else {
                                    nX = 0;
                                    nY++;
                                }
                            }
                        }
                        if (done) {
                            state = IDLE;
                            if (!l.recurrent()) {
                                evN = 0;
                            }
                        }
                    }
                }
            }
            return done;
        }

        /**
         * The end-of-step update of the word read into n2, into {@code out}: {@code h = clamp(mem +
         * bias)} (with a synaptic current, {@code c = clamp_C(mem + bias)}, {@code h = clamp(vmem + c)}),
         * fire, reset, and the leaked values the write-back stores.
         */
        private void update(long[] cur, Slot out) {
            long[] b = bias == null || fault == Fault.BIAS_DROPPED ? null : bias[bQ];
            long[] th = theta == null ? null : theta[bQ];
            int valid = l.validLanes(n2Blk);
            long spk = 0;
            for (int i = 0; i < p; i++) {
                long h0 = acc(cur[i] + (b == null ? 0 : b[i]));
                long decayed = 0;
                if (vmem != null) {
                    // the step's current: alpha(c[t-1]) + I, brought to C bits once; it then charges the membrane
                    long c = current(h0);
                    decayed = acc(l.synapticLeak().apply(c));
                    h0 = acc(vmemQ[i] + c);
                }
                long v;
                if (l.mode().spiking()) {
                    long h = membrane(h0);
                    boolean fire = fault == Fault.STRICT_THRESHOLD ? h > th[i] : h >= th[i];
                    if (fire && i < valid) {
                        spk |= 1L << i;
                    }
                    v = fire ? (l.resetZero() != (fault == Fault.RESET_SWAPPED) ? 0 : acc(h - th[i])) : h;
                } else {
                    v = h0;
                }
                out.post[i] = v;
                if (vmem != null) {
                    // the current memory takes alpha(c), the membrane memory leak(v)
                    out.vword[i] = acc(l.leak().apply(v));
                    out.word[i] = decayed;
                } else {
                    out.word[i] = acc(l.leak().apply(v));
                }
            }
            out.spk = spk;
        }

        int nextKy;
        int nextKx;
        boolean qOwn;

        /** A word in one of the neuron pipeline's stages n3..n5: where it goes, its spikes, its post-reset and leaked values. */
        static final class Slot {
            boolean v;
            int a;
            int blk;
            int y;
            int x;
            long spk;
            final long[] post;
            final long[] word;
            final long[] vword;

            Slot(int p) {
                post = new long[p];
                word = new long[p];
                vword = new long[p];
            }
        }

        long blockMask(int blk) {
            int valid = l.validLanes(blk);
            return valid == 64 ? -1L : (1L << valid) - 1;
        }

        /** Bit k set when kernel offset k puts input coordinate y inside the output (pool: bit 0 when inside). */
        static int tapMask(FpgaLayer l, int y, int outDim) {
            int m = 0;
            for (int k = 0; k < l.kernel(); k++) {
                if (l.tapValid(y, k, outDim)) {
                    m |= 1 << k;
                }
            }
            return m;
        }

        static int lowest(int m) {
            return m == 0 ? 0 : Integer.numberOfTrailingZeros(m);
        }

        /** The step's sum saturated or wrapped to M bits. */
        long membrane(long h0) {
            int m = l.membraneBits();
            if (l.accBits() <= m) {
                return h0;
            }
            if (l.wrap()) {
                return (h0 << (64 - m)) >> (64 - m);
            }
            long max = (1L << (m - 1)) - 1;
            long min = -(1L << (m - 1));
            return Math.max(min, Math.min(max, h0));
        }

        /** The step's synaptic current saturated or wrapped to C bits. */
        long current(long c0) {
            int c = l.currentBits();
            if (l.accBits() <= c) {
                return c0;
            }
            if (l.wrap()) {
                return (c0 << (64 - c)) >> (64 - c);
            }
            return Math.max(-(1L << (c - 1)), Math.min((1L << (c - 1)) - 1, c0));
        }

        static long signed(long v, int bits) {
            return bits >= 64 ? v : (v << (64 - bits)) >> (64 - bits);
        }
    }
}

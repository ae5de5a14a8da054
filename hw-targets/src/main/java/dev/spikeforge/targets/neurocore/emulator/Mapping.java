package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.ir.Timing;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A checked mapping folder (schema {@code spikeforge.mapping/1}, docs/targets.md, "Mapping files"): the
 * numerics, the layers, the cores with their synapse images, and the routes. Built only by
 * {@link MappingFiles#read}, which has checked every index against every size, so the emulator
 * indexes without further checks. Arrays are shared, not copied: treat them as read-only.
 *
 * @param dir         the folder read
 * @param model       the model's name
 * @param target      the timing and energy figures of the target spec embedded in mapping.json
 * @param timesteps   T
 * @param inputRoutes where the host sends each non-zero input value
 */
public record Mapping(Path dir, String model, Figures target, int timesteps, Numerics numerics, Input input,
                      List<Layer> layers, List<Core> cores, List<Route> inputRoutes) {

    public Mapping {
        layers = List.copyOf(layers);
        cores = List.copyOf(cores);
        inputRoutes = List.copyOf(inputRoutes);
    }

    /** The last layer, whose output is the prediction. */
    public Layer readout() {
        return layers.get(layers.size() - 1);
    }

    /** The chip's cores in use: distinct mesh positions (several cores share one under pack_layers). */
    public int physicalCores() {
        return (int) cores.stream().mapToLong(c -> ((long) c.x() << 32) | c.y()).distinct().count();
    }

    /**
     * The figures of the target spec the timing and energy model uses (snake_case in the JSON).
     *
     * @param maxSpikesPerCorePerStep 0 = no limit
     * @param meshWidth               0 when the spec does not say
     * @param meshHeight              0 when the spec does not say
     * @param timing                  when a layer's spikes reach the next layer (docs/semantics.md section 2.7)
     * @param inputCyclesPerSpike     cycles the host link needs per input spike; 0 = not modelled
     * @param serialCores             core_schedule "serial": under pipelined timing a step takes the sum of
     *                                the cores' work, not the busiest core's
     * @param packLayers              pack_layers: cores of consecutive layers before the readout may share a
     *                                mesh position (one physical core)
     */
    public record Figures(String name, double clockMhz, int cyclesPerSynapticOp, int cyclesPerNeuronUpdate,
                          int cyclesPerHop, int barrierCycles, double synapticOpPj, double neuronUpdatePj,
                          double spikeHopPj, double staticMw, int maxSpikesPerCorePerStep, int meshWidth,
                          int meshHeight, Timing timing, int inputCyclesPerSpike, boolean serialCores,
                          boolean packLayers) {

        /** Seconds that {@code cycles} take at the clock. */
        public double seconds(long cycles) {
            return cycles / (clockMhz * 1e6);
        }
    }

    /**
     * The integer numerics of docs/semantics.md section 4, with the named differences of
     * section 4.12.
     *
     * @param wrap             overflow "wrap" (else "saturate")
     * @param shiftTowardZero  shift_rounding "toward_zero" (else "floor")
     * @param greaterThan      threshold_compare "&gt;": fire on h &gt; stored threshold, theta_q = stored + 1
     * @param currentBits      current_bits: the synaptic current's width, 0 when no layer has one
     * @param decayMinLsb      decay_min_lsb: a leak removes at least 1 LSB from a positive state
     */
    public record Numerics(int weightBits, int membraneBits, boolean wrap, boolean shiftTowardZero,
                           boolean greaterThan, int currentBits, boolean decayMinLsb) {

        /** Numerics whose leaks have no minimum decay. */
        public Numerics(int weightBits, int membraneBits, boolean wrap, boolean shiftTowardZero,
                        boolean greaterThan, int currentBits) {
            this(weightBits, membraneBits, wrap, shiftTowardZero, greaterThan, currentBits, false);
        }

        /** The largest weight magnitude, 2^(B-1) - 1. */
        public int weightLimit() {
            return (1 << (weightBits - 1)) - 1;
        }

        /** Once per step, on the whole sum: saturate to, or wrap into, M signed bits. */
        public long clamp(long h) {
            return clampTo(h, membraneBits);
        }

        /** Once per step, the synaptic current: saturate to, or wrap into, current_bits signed bits. */
        public long clampCurrent(long c) {
            return clampTo(c, currentBits);
        }

        private long clampTo(long x, int bits) {
            if (wrap) {
                int drop = 64 - bits;
                return (x << drop) >> drop;
            }
            long max = (1L << (bits - 1)) - 1;
            return Math.max(-max - 1, Math.min(max, x));
        }

        /** {@code v >> k}, rounded as {@code shift_rounding} says. */
        public long shiftRight(long v, int k) {
            return shiftTowardZero && v < 0 ? -((-v) >> k) : v >> k;
        }
    }

    /** @param valueLimit the largest input magnitude: 1 for spikes, 255 for {@code direct} */
    public record Input(int[] shape, int size, String encoding, int valueLimit) {
    }

    /** A layer's role; the keyword is the JSON string. */
    public enum Role {
        SPIKING, READOUT_ACCUMULATE, READOUT_MEMBRANE, READOUT_COUNT;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Fires and resets (spiking layers and count readouts). */
        public boolean fires() {
            return this == SPIKING || this == READOUT_COUNT;
        }
    }

    /**
     * One layer, in execution order.
     *
     * @param threshold per scale channel, as stored (minus 1 for "&gt;"); null for non-spiking readouts
     * @param bias      per feature, or null
     * @param resetZero reset "zero" (else "subtract")
     * @param synapticDecay the decay of the synaptic current kept between steps (CUBA), or null when
     *                  the step's current goes straight into the membrane
     * @param cores     the ids of the cores holding its neurons
     */
    public record Layer(int index, String name, String node, Role role, int[] shape, int size, int channels,
                        int features, long[] threshold, long[] bias, boolean resetZero, Leak leak,
                        Leak synapticDecay, List<SynapsePath> synapses, int[] cores) {

        public Layer {
            synapses = List.copyOf(synapses);
        }

        /** The scale channel of neuron n: its threshold and avgpool/identity weight. */
        public int channelOf(int n) {
            return n / (size / channels);
        }

        /** The bias entry of neuron n. */
        public int featureOf(int n) {
            return n / (size / features);
        }

        public long biasOf(int n) {
            return bias == null ? 0 : bias[featureOf(n)];
        }

        /** Height and width of a [C, H, W] layer; 1 and L for [C, L]; 1 and 1 for [N]. */
        public int height() {
            return shape.length == 3 ? shape[1] : 1;
        }

        public int width() {
            return shape.length == 3 ? shape[2] : shape.length == 2 ? shape[1] : 1;
        }

        /** Whether one of its synapses reads the layer's own spikes of the previous step. */
        public boolean recurrent() {
            return synapses.stream().anyMatch(s -> s instanceof Recurrent);
        }
    }

    /** The leak applied to the previous step's membrane: {@code h = leak(v) + I}. */
    public record Leak(Form form, int k, long m, int fractionBits) {

        public enum Form { SHIFT, MULTIPLIER, NONE }

        public long apply(long v, Numerics num) {
            long d = switch (form) {
                case SHIFT -> v - num.shiftRight(v, k);
                case MULTIPLIER -> num.shiftRight(v * m, fractionBits);
                case NONE -> v;
            };
            // decay_min_lsb (Xylo): a positive state the leak would leave unchanged loses 1 LSB
            return num.decayMinLsb() && form != Form.NONE && v > 0 && d == v ? v - 1 : d;
        }
    }

    /** The geometry of one synapse path into a layer; its weights are rows in the cores' images. */
    public sealed interface SynapsePath {

        /** A layer index, or -1 for the network input. */
        int source();

        int[] inShape();

        /** The JSON kind. */
        String kind();

        /** How many rows the path has (filters, output units, or scale channels). */
        int rows(Layer target);

        /** int16 values per row. */
        int rowLength();

        /** The row that neuron n of {@code target} reads. */
        int rowOf(Layer target, int n);
    }

    /** Row f = w[f][c][ky][kx], order c, ky, kx. */
    public record Conv(int source, int[] inShape, int filters, int kernel, int stride, int padding)
            implements SynapsePath {
        public String kind() {
            return "conv";
        }

        public int rows(Layer target) {
            return filters;
        }

        public int rowLength() {
            return inShape[0] * kernel * kernel;
        }

        public int rowOf(Layer target, int n) {
            return n / (target.height() * target.width());
        }
    }

    /** Row o = w[o][*]. */
    public record Dense(int source, int[] inShape, int inFeatures, int outFeatures) implements SynapsePath {
        public String kind() {
            return "dense";
        }

        public int rows(Layer target) {
            return outFeatures;
        }

        public int rowLength() {
            return inFeatures;
        }

        public int rowOf(Layer target, int n) {
            return n;
        }
    }

    /** Kernel K = stride; one weight per scale channel. */
    public record AvgPool(int source, int[] inShape, int kernel) implements SynapsePath {
        public String kind() {
            return "avgpool";
        }

        public int rows(Layer target) {
            return target.channels();
        }

        public int rowLength() {
            return 1;
        }

        public int rowOf(Layer target, int n) {
            return target.channelOf(n);
        }
    }

    /** One weight per scale channel, neuron n reads input n. */
    public record Identity(int source, int[] inShape) implements SynapsePath {
        public String kind() {
            return "identity";
        }

        public int rows(Layer target) {
            return target.channels();
        }

        public int rowLength() {
            return 1;
        }

        public int rowOf(Layer target, int n) {
            return target.channelOf(n);
        }
    }

    /**
     * The layer's own spikes of the previous step (delay 1; none at the first step). Full: row o =
     * w[o][*] over all units; diagonal: row o = w[o], neuron o reads its own spike only.
     */
    public record Recurrent(int source, int[] inShape, int units, boolean diagonal) implements SynapsePath {
        public String kind() {
            return diagonal ? "recurrent_diagonal" : "recurrent";
        }

        public int rows(Layer target) {
            return units;
        }

        public int rowLength() {
            return diagonal ? 1 : units;
        }

        public int rowOf(Layer target, int n) {
            return n;
        }
    }

    /** 1-D convolution on [C, L]: row f = w[f][c][k], order c, k. */
    public record Conv1d(int source, int[] inShape, int filters, int kernel, int stride, int padding)
            implements SynapsePath {
        public String kind() {
            return "conv1d";
        }

        public int rows(Layer target) {
            return filters;
        }

        public int rowLength() {
            return inShape[0] * kernel;
        }

        public int rowOf(Layer target, int n) {
            return n / target.width();
        }
    }

    /**
     * Max pooling, kernel K = stride, on [C, H, W] (K x K windows) or [C, L] (windows of K): weight
     * 1 per input spike of the window, one stored word (row 0), which must be 1.
     */
    public record MaxPool(int source, int[] inShape, int kernel) implements SynapsePath {
        public String kind() {
            return "maxpool";
        }

        public int rows(Layer target) {
            return 1;
        }

        public int rowLength() {
            return 1;
        }

        public int rowOf(Layer target, int n) {
            return 0;
        }
    }

    /**
     * One core.
     *
     * @param neurons half-open flat index ranges {@code [from, to)} of its layer, ascending and disjoint
     * @param image   the synapse image, int16 values in file order
     */
    public record Core(int id, int x, int y, int layer, int[][] neurons, String synapseFile, List<Segment> segments,
                       int axons, List<Route> routes, short[] image) {

        public Core {
            segments = List.copyOf(segments);
            routes = List.copyOf(routes);
        }

        /** How many neurons the core holds. */
        public int neuronCount() {
            int n = 0;
            for (int[] r : neurons) {
                n += r[1] - r[0];
            }
            return n;
        }
    }

    /** Rows of one synapse path stored in a core's image, starting at int16 index {@code offset}. */
    public record Segment(int synapse, int[] rows, int rowLength, int offset) {
    }

    /** Packets to core {@code toCore} for every source index in {@code sources} (half-open ranges). */
    public record Route(int toCore, int hops, int[][] sources) {

        public boolean contains(int index) {
            for (int[] r : sources) {
                if (index >= r[0] && index < r[1]) {
                    return true;
                }
            }
            return false;
        }
    }
}

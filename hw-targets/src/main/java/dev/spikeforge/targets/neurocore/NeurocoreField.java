package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.DeploySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The figure fields of schema {@code spikeforge.target.neurocore/1}, in file order: their JSON
 * name (the record component in snake_case), kind, allowed range, unit and meaning. Reading,
 * validation, JSON output and {@code spikeforge targets} all walk this one list, so a field is
 * described once. {@code schema}, {@code name}, {@code description} and {@code sources} are not
 * figures and are handled by {@link NeurocoreSpecReader} itself.
 */
public enum NeurocoreField {

    MESH_WIDTH("mesh_width", Kind.INT, 1, 4096, "cores", "cores along x of the 2-D mesh", NeurocoreSpec::meshWidth),
    MESH_HEIGHT("mesh_height", Kind.INT, 1, 4096, "cores", "cores along y of the mesh", NeurocoreSpec::meshHeight),
    CORES("cores", Kind.INT, 1, Limits.COUNT, "cores", "usable cores, at most mesh_width * mesh_height",
            NeurocoreSpec::cores),
    NEURONS_PER_CORE("neurons_per_core", Kind.INT, 1, Limits.COUNT, "neurons",
            "neurons (compartments) one core updates", NeurocoreSpec::neuronsPerCore),
    AXONS_PER_CORE("axons_per_core", Kind.INT, 1, Limits.COUNT, "inputs",
            "distinct input lines (source neurons) one core can receive", NeurocoreSpec::axonsPerCore),
    FAN_IN_PER_NEURON("fan_in_per_neuron", Kind.INT, 0, Limits.COUNT, "synapses",
            "synapses into one neuron; 0 = limited by synapse memory only", NeurocoreSpec::fanInPerNeuron),
    SYNAPSE_MEMORY_BITS_PER_CORE("synapse_memory_bits_per_core", Kind.INT, 1, 1L << 40, "bits",
            "bits of synaptic weight memory per core", NeurocoreSpec::synapseMemoryBitsPerCore),
    MAX_SPIKES_PER_CORE_PER_STEP("max_spikes_per_core_per_step", Kind.INT, 0, Limits.COUNT, "spikes",
            "spikes one core can send in one step; 0 = no limit", NeurocoreSpec::maxSpikesPerCorePerStep),
    MIN_WEIGHT_BITS("min_weight_bits", Kind.INT, 1, 16, "bits",
            "narrowest signed weight the core takes; min = max for a fixed-width weight store",
            NeurocoreSpec::minWeightBits),
    MAX_WEIGHT_BITS("max_weight_bits", Kind.INT, 1, 16, "bits", "widest signed weight the core stores",
            NeurocoreSpec::maxWeightBits),
    MEMBRANE_BITS("membrane_bits", Kind.INT, 4, 64, "bits", "signed membrane register width",
            NeurocoreSpec::membraneBits),
    OVERFLOW("overflow", Kind.CHOICE, "saturate", "wrap", "", "what the membrane does past its range",
            s -> s.overflow().keyword()),
    LEAK_FORMS("leak_forms", Kind.LEAK_SET, "", "leak forms the core implements (docs/semantics.md section 4.5)",
            s -> LeakForms.ordered(s.leakForms())),
    SHIFT_ROUNDING("shift_rounding", Kind.CHOICE, "floor", "toward_zero", "",
            "how right shifts round: floor (toward minus infinity) or toward zero",
            s -> s.shiftTowardZero() ? "toward_zero" : "floor"),
    DECAY_MIN_LSB("decay_min_lsb", Kind.BOOLEAN, "",
            "a leak removes at least 1 LSB from a positive state (v - 1 where it would leave v unchanged)",
            NeurocoreSpec::decayMinLsb, false),
    THRESHOLD_BITS("threshold_bits", Kind.INT, 1, 63, "bits",
            "unsigned threshold register width, at most membrane_bits - 1", NeurocoreSpec::thresholdBits),
    THRESHOLD_COMPARE("threshold_compare", Kind.CHOICE, ">=", ">", "",
            "fire on h >= threshold, or on h > threshold (the compiler then stores theta_q - 1)",
            s -> s.thresholdGreaterThan() ? ">" : ">="),
    GRADED_INPUT("graded_input", Kind.BOOLEAN, "", "accepts multi-bit (direct) input values, not only spikes",
            NeurocoreSpec::gradedInput),
    BIAS_BITS("bias_bits", Kind.INT, 0, 64, "bits", "signed bias register width, at most membrane_bits; 0 = no bias",
            NeurocoreSpec::biasBits),
    SYNAPTIC_CURRENT_BITS("synaptic_current_bits", Kind.INT, 0, 64, "bits",
            "signed synaptic current register width (CUBA neurons); 0 = no synaptic current",
            NeurocoreSpec::synapticCurrentBits, 0),
    SYNAPTIC_LEAK_FORMS("synaptic_leak_forms", Kind.LEAK_SET_OR_EMPTY, "",
            "decay forms of the synaptic current; [] when synaptic_current_bits is 0",
            s -> LeakForms.ordered(s.synapticLeakForms()), List.of()),
    RECURRENT_SYNAPSES("recurrent_synapses", Kind.BOOLEAN, "",
            "a core can take its own layer's spikes of the previous step (recurrent layers)",
            NeurocoreSpec::recurrentSynapses, false),
    CONV1D("conv1d", Kind.BOOLEAN, "", "1-D convolutions (C x L) map onto the chip", NeurocoreSpec::conv1d, false),
    MAX_POOL("max_pool", Kind.BOOLEAN, "", "max pooling maps onto the chip (threshold-1 neurons reset to zero)",
            NeurocoreSpec::maxPool, false),
    INPUT_CHANNELS("input_channels", Kind.INT, 0, Limits.COUNT, "inputs",
            "input lines the chip takes from outside (sensor or host): the model input's values; 0 = no limit",
            NeurocoreSpec::inputChannels, 0),
    OUTPUT_CHANNELS("output_channels", Kind.INT, 0, Limits.COUNT, "neurons",
            "output neurons the host can read: the readout's classes; 0 = no limit", NeurocoreSpec::outputChannels, 0),
    RESET_MODES("reset_modes", Kind.RESET_SET, "",
            "what a neuron's membrane can do after a spike: \"zero\" (set to 0), \"subtract\" (minus the threshold)",
            s -> ResetModes.ordered(s.resetModes()), ResetModes.NAMES),
    NEURONS_PER_CHIP("neurons_per_chip", Kind.INT, 0, Limits.COUNT, "neurons",
            "neurons of the whole chip (the readout's own when output_channels is 0); 0 = cores x neurons_per_core",
            NeurocoreSpec::neuronsPerChip, 0),
    FAN_OUT_PER_NEURON("fan_out_per_neuron", Kind.INT, 0, Limits.COUNT, "cores",
            "cores one neuron's spike can be sent to; 0 = no limit", NeurocoreSpec::fanOutPerNeuron, 0),
    OUTPUT_AXONS_PER_CORE("output_axons_per_core", Kind.INT, 0, Limits.COUNT, "axons",
            "output axons of one core: (neuron, destination core) pairs; 0 = no limit",
            NeurocoreSpec::outputAxonsPerCore, 0),
    DESTINATIONS_PER_CORE("destinations_per_core", Kind.INT, 0, Limits.COUNT, "cores",
            "other cores one core can send spikes to (its destination table); 0 = no limit",
            NeurocoreSpec::destinationsPerCore, 0),
    ROUTING_TABLE_ENTRIES("routing_table_entries", Kind.INT, 0, Limits.COUNT, "entries",
            "entries of the chip's multicast routing table, one per sending core; 0 = no limit",
            NeurocoreSpec::routingTableEntries, 0),
    AXON_TYPES("axon_types", Kind.INT, 0, 64, "types",
            "distinct weights one neuron can give its synapses (one per axon type); 0 = any weight per synapse",
            NeurocoreSpec::axonTypes, 0),
    CONV_WEIGHT_SHARING("conv_weight_sharing", Kind.BOOLEAN, "",
            "a core stores a convolution's kernel once per filter (true) or one weight per synapse (false)",
            NeurocoreSpec::convWeightSharing, true),
    SPLIT_LAYERS("split_layers", Kind.BOOLEAN, "", "a layer may be cut over several cores",
            NeurocoreSpec::splitLayers, true),
    PACK_LAYERS("pack_layers", Kind.BOOLEAN, "",
            "consecutive layers other than the readout share a core while its neurons, inputs and synapse memory"
                    + " hold them (one population, as Xylo's hidden neurons); false = every layer has cores of its own",
            NeurocoreSpec::packLayers, false),
    CLOCK_MHZ("clock_mhz", Kind.REAL_POSITIVE, 0, 100_000, "MHz", "core clock (cycles below are of this clock)",
            NeurocoreSpec::clockMhz),
    CYCLES_PER_SYNAPTIC_OP("cycles_per_synaptic_op", Kind.INT, 1, Integer.MAX_VALUE, "cycles",
            "cycles per synaptic operation (one weight added to one neuron)", NeurocoreSpec::cyclesPerSynapticOp),
    CYCLES_PER_NEURON_UPDATE("cycles_per_neuron_update", Kind.INT, 1, Integer.MAX_VALUE, "cycles",
            "cycles per neuron update (leak, fire, reset)", NeurocoreSpec::cyclesPerNeuronUpdate),
    CYCLES_PER_HOP("cycles_per_hop", Kind.INT, 0, Integer.MAX_VALUE, "cycles",
            "cycles for one spike packet to cross one mesh hop", NeurocoreSpec::cyclesPerHop),
    BARRIER_CYCLES("barrier_cycles", Kind.INT, 0, Integer.MAX_VALUE, "cycles",
            "cycles of the end-of-step barrier", NeurocoreSpec::barrierCycles),
    TIMING("timing", Kind.CHOICE, 0, 0, List.of("sequential", "pipelined"), "",
            "when a layer's spikes reach the next layer: sequential (the same step, layers one after another) or"
                    + " pipelined (the next step, every core at once)", s -> s.timing().keyword(), "sequential"),
    CORE_SCHEDULE("core_schedule", Kind.CHOICE, 0, 0, List.of("parallel", "serial"), "",
            "how the cores share a pipelined step: parallel (every core works at once; the step takes the busiest"
                    + " core's work) or serial (one processor runs the cores one after another; the sum of their work)",
            s -> s.serialCores() ? "serial" : "parallel", "parallel"),
    INPUT_CYCLES_PER_SPIKE("input_cycles_per_spike", Kind.INT, 0, Integer.MAX_VALUE, "cycles",
            "cycles the host link needs to deliver one input spike to the chip; 0 = not modelled",
            NeurocoreSpec::inputCyclesPerSpike, 0),
    SYNAPTIC_OP_PJ("synaptic_op_pj", Kind.REAL, 0, 1e9, "pJ", "energy of one synaptic operation",
            NeurocoreSpec::synapticOpPj),
    NEURON_UPDATE_PJ("neuron_update_pj", Kind.REAL, 0, 1e9, "pJ", "energy of one neuron update",
            NeurocoreSpec::neuronUpdatePj),
    SPIKE_HOP_PJ("spike_hop_pj", Kind.REAL, 0, 1e9, "pJ", "energy of one spike packet crossing one mesh hop",
            NeurocoreSpec::spikeHopPj),
    STATIC_MW("static_mw", Kind.REAL, 0, 1e9, "mW", "static power of the whole chip", NeurocoreSpec::staticMw);

    /** How a field is written in JSON. */
    public enum Kind {
        /** A whole number (int or long) in [min, max]. */
        INT,
        /** A finite number in [min, max]. */
        REAL,
        /** A finite number in (min, max]. */
        REAL_POSITIVE,
        /** true or false. */
        BOOLEAN,
        /** One of two strings. */
        CHOICE,
        /** A non-empty array of distinct leak form names. */
        LEAK_SET,
        /** An array of distinct leak form names, possibly empty. */
        LEAK_SET_OR_EMPTY,
        /** A non-empty array of distinct reset mode names. */
        RESET_SET
    }

    private final String json;
    private final Kind kind;
    private final double min;
    private final double max;
    private final List<String> choices;
    private final String unit;
    private final String meaning;
    private final Function<NeurocoreSpec, Object> value;
    /** The value a user's spec file may leave out (null: required); presets always give it. */
    private final Object absent;

    NeurocoreField(String json, Kind kind, double min, double max, String unit, String meaning,
                   Function<NeurocoreSpec, Object> value) {
        this(json, kind, min, max, List.of(), unit, meaning, value, null);
    }

    NeurocoreField(String json, Kind kind, double min, double max, String unit, String meaning,
                   Function<NeurocoreSpec, Object> value, Object absent) {
        this(json, kind, min, max, List.of(), unit, meaning, value, absent);
    }

    NeurocoreField(String json, Kind kind, String unit, String meaning, Function<NeurocoreSpec, Object> value,
                   Object absent) {
        this(json, kind, 0, 0, List.of(), unit, meaning, value, absent);
    }

    NeurocoreField(String json, Kind kind, String first, String second, String unit, String meaning,
                   Function<NeurocoreSpec, Object> value) {
        this(json, kind, 0, 0, List.of(first, second), unit, meaning, value, null);
    }

    NeurocoreField(String json, Kind kind, String unit, String meaning, Function<NeurocoreSpec, Object> value) {
        this(json, kind, 0, 0, List.of(), unit, meaning, value, null);
    }

    NeurocoreField(String json, Kind kind, double min, double max, List<String> choices, String unit,
                   String meaning, Function<NeurocoreSpec, Object> value, Object absent) {
        this.json = json;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.unit = unit;
        this.meaning = meaning;
        this.value = value;
        this.absent = absent;
    }

    /**
     * What a user's spec file that leaves this field out gets: the capability fields added with
     * temporal networks (synaptic current, recurrence, conv1d, max pooling) default to "the chip has
     * none", and the limits added with the chips' real design rules (reset modes to split layers) to
     * what spikeforge assumed before them (both resets, no limit, shared kernels, split layers), so
     * spec files written before them still read and judge alike; null for a required field.
     */
    Object absentValue() {
        return absent;
    }

    /** Upper bounds shared by several fields. */
    private static final class Limits {
        /** Counts of neurons, inputs, spikes: 2^24, far above any chip, low enough to multiply safely. */
        static final long COUNT = 1L << 24;
    }

    /** The JSON field name. */
    public String json() {
        return json;
    }

    public Kind kind() {
        return kind;
    }

    /** The allowed values as the user reads them: {@code 1..4096}, {@code "saturate" or "wrap"}. */
    public String allowed() {
        return switch (kind) {
            case INT -> (long) min + ".." + (long) max;
            case REAL -> "a number from " + plain(min) + " to " + plain(max);
            case REAL_POSITIVE -> "a number above " + plain(min) + ", at most " + plain(max);
            case BOOLEAN -> "true or false";
            case CHOICE -> "\"" + choices.get(0) + "\" or \"" + choices.get(1) + "\"";
            case LEAK_SET -> "a non-empty array of distinct names from " + LeakForms.quotedList();
            case LEAK_SET_OR_EMPTY -> "an array (possibly empty) of distinct names from " + LeakForms.quotedList();
            case RESET_SET -> "a non-empty array of distinct names from " + ResetModes.quotedList();
        };
    }

    long minLong() {
        return (long) min;
    }

    long maxLong() {
        return (long) max;
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }

    List<String> choices() {
        return choices;
    }

    /** Whether the field is a number (every number of a preset must name its source). */
    public boolean numeric() {
        return kind == Kind.INT || kind == Kind.REAL || kind == Kind.REAL_POSITIVE;
    }

    public String unit() {
        return unit;
    }

    public String meaning() {
        return meaning;
    }

    /**
     * The field's value in {@code spec}, as it is written in JSON: Integer, Long, Double, Boolean,
     * String, or a List of leak form names in canonical order.
     */
    public Object valueOf(NeurocoreSpec spec) {
        return value.apply(spec);
    }

    /** The value as text: numbers plainly, choices bare, leak forms comma-separated. */
    public String display(NeurocoreSpec spec) {
        Object v = valueOf(spec);
        if (v instanceof Double d) {
            return plain(d);
        }
        if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                return "(none)";
            }
            return String.join(", ", list.stream().map(Object::toString).toList());
        }
        return String.valueOf(v);
    }

    public static Optional<NeurocoreField> byJson(String name) {
        return Arrays.stream(values()).filter(f -> f.json.equals(name)).findFirst();
    }

    public static List<String> jsonNames() {
        return Arrays.stream(values()).map(NeurocoreField::json).toList();
    }

    /** 23.6, 1000, 0.42: no trailing ".0", no exponent for the values specs hold. */
    static String plain(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** The leak form names of the schema, in a fixed order. */
    static final class LeakForms {
        static final List<String> NAMES = List.of("shift", "multiplier", "none");

        private LeakForms() {
        }

        static List<String> ordered(java.util.Collection<String> forms) {
            return NAMES.stream().filter(forms::contains).toList();
        }

        static String quotedList() {
            return String.join(", ", NAMES.stream().map(n -> "\"" + n + "\"").toList());
        }
    }

    /** The reset mode names of the schema, in a fixed order: the {@code reset} keywords of the language. */
    static final class ResetModes {
        static final List<String> NAMES = List.of("zero", "subtract");

        private ResetModes() {
        }

        static List<String> ordered(java.util.Collection<String> modes) {
            return NAMES.stream().filter(modes::contains).toList();
        }

        static String quotedList() {
            return String.join(", ", NAMES.stream().map(n -> "\"" + n + "\"").toList());
        }
    }

    /** The compiler's overflow constant for a JSON choice. */
    static DeploySpec.Overflow overflowOf(String choice) {
        return DeploySpec.Overflow.valueOf(choice.toUpperCase(java.util.Locale.ROOT));
    }
}

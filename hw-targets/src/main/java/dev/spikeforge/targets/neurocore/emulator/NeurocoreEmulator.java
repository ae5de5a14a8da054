package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.util.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;





/**
 * Runs a mapping folder core by core with the integer rules of docs/semantics.md section 4
 * (docs/targets.md, "Mapping files", "Integer rules the emulator applies"), moving every spike as packets
 * along the cores' routing tables only: a spike that no route sends to a core never reaches it.
 *
 * <p>Per step t: the host sends each non-zero input value along {@code input_routes}; then, layer
 * by layer, each core of the layer adds the weights of the packets it received (its own image's
 * rows, its own neurons only) to its neurons' bias; then each core of the layer updates its
 * neurons (a CUBA layer first decays, adds and clamps its synaptic current; then leak, clamp,
 * fire, reset) and sends each spike along its routes to cores of later layers, and, for a
 * recurrent layer, to the layer's own cores, where the packet waits for the next step's synaptic
 * phase (delay 1: the layer reads its spikes of step t-1).
 *
 * <p>Timing (docs/targets.md, "Timing and energy model"): a step costs, for each layer in order,
 * the slowest core's synaptic phase (its synaptic ops x cycles_per_synaptic_op) + the slowest
 * core's neuron phase (its neurons x cycles_per_neuron_update) + the longest route of the packets
 * delivered to the layer's cores in that step (host input packets included; hops x cycles_per_hop),
 * then barrier_cycles. Energy: synaptic ops, neuron updates and hops times their figures, plus
 * static_mw over the inference's cycles at the clock.
 *
 * <p>Immutable and thread-safe: every run has its own state.
 */
public final class NeurocoreEmulator {

    private final Mapping mapping;
    private final CoreProgram[] programs;
    /** Per input index, the indices into {@code input_routes} whose sources hold it. */
    private final int[][] inputRoutesOf;

    public NeurocoreEmulator(Mapping mapping) {
        this.mapping = mapping;
        this.programs = new CoreProgram[mapping.cores().size()];
        for (int c = 0; c < programs.length; c++) {
            programs[c] = new CoreProgram(mapping, mapping.cores().get(c));
        }
        int n = mapping.input().size();
        List<List<Integer>> routes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            routes.add(new ArrayList<>());
        }
        for (int r = 0; r < mapping.inputRoutes().size(); r++) {
            for (int[] range : mapping.inputRoutes().get(r).sources()) {
                for (int i = range[0]; i < range[1]; i++) {
                    routes.get(i).add(r);
                }
            }
        }
        inputRoutesOf = new int[n][];
        for (int i = 0; i < n; i++) {
            inputRoutesOf[i] = routes.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    public Mapping mapping() {
        return mapping;
    }

    /**
     * Runs one sample.
     *
     * @param input  T * N input values, step-major ({@code input[(t - 1) * N + i]}): spikes -1/0/1,
     *               or 0..255 for {@code direct}
     * @param record keep every membrane and spike of every layer at every step
     */
    public EmulatedSample run(int[] input, boolean record) {
        return new EmulatorState(mapping, programs, inputRoutesOf).run(input, record);
    }

    /** Runs independent samples on {@code threads} threads, without recording; results in input order. */
    public List<EmulatedSample> run(int[][] inputs, int threads) {
        return run(inputs, threads, false);
    }

    /** Runs independent samples on {@code threads} threads; results in input order. */
    public List<EmulatedSample> run(int[][] inputs, int threads, boolean record) {
        return Parallel.map(inputs, threads, "spikeforge-emulate", () -> new EmulatorState(mapping, programs, inputRoutesOf),
                (s, in) -> s.run(in, record));
    }

    /** Packets waiting at one core: (source layer or -1, source index, value). */
    static final class Inbox {
        int[] source = new int[64];
        int[] index = new int[64];
        int[] value = new int[64];
        int count;

        void add(int src, int idx, int val) {
            if (count == source.length) {
                source = Arrays.copyOf(source, 2 * count);
                index = Arrays.copyOf(index, 2 * count);
                value = Arrays.copyOf(value, 2 * count);
            }
            source[count] = src;
            index[count] = idx;
            value[count++] = val;
        }
    }
}

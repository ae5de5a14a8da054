package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.FigureTable.Column;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.compiler.target.Waveforms;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import dev.spikeforge.targets.neurocore.emulator.Vcd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A mapping folder read back: the emulated chip runs it core by core, with the chip's timing and energy model. */
final class NeurocoreDeployed implements DeployedTarget {

    private final Mapping mapping;

    NeurocoreDeployed(Mapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public String family() {
        return NeurocoreFamily.NAME;
    }

    @Override
    public String name() {
        return mapping.target().name();
    }

    @Override
    public Path folder() {
        return mapping.dir();
    }

    @Override
    public String model() {
        return mapping.model();
    }

    @Override
    public Input input() {
        return new Input(mapping.input().size(), mapping.timesteps(), mapping.input().encoding());
    }

    @Override
    public TargetEmulator emulator() {
        return new Emulator(new NeurocoreEmulator(mapping));
    }

    @Override
    public Optional<Waveforms> waveforms() {
        NeurocoreEmulator emulator = new NeurocoreEmulator(mapping);
        return Optional.of(new Waveforms() {
            @Override
            public void check(String neurons) {
                Vcd.Probe.parse(neurons, mapping);
            }

            @Override
            public String write(int[] input, String neurons, boolean cycles, Path vcd, String comment) throws IOException {
                List<Vcd.Probe> probes = Vcd.Probe.parse(neurons, mapping);
                EmulatedSample recorded = emulator.run(input, true);
                Vcd.write(vcd, mapping, recorded, probes, cycles ? Vcd.TimeAxis.CYCLES : Vcd.TimeAxis.STEPS,
                        comment + ", predicted " + recorded.prediction());
                return "wrote " + vcd + ": " + probes.size() + " neurons, 1 time unit = 1 " + (cycles ? "clock cycle" : "step");
            }
        });
    }

    /** The emulator with the counters of every sample it ran (records dropped: they are large). */
    private final class Emulator implements TargetEmulator {
        private final NeurocoreEmulator emulator;
        private final List<EmulatedSample> done = new ArrayList<>();
        private long nanos;

        Emulator(NeurocoreEmulator emulator) {
            this.emulator = emulator;
        }

        @Override
        public List<TargetSample> run(int[][] inputs, int threads, boolean record) {
            long start = System.nanoTime();
            List<EmulatedSample> out = emulator.run(inputs, threads, record);
            nanos += System.nanoTime() - start;
            out.forEach(s -> done.add(s.counters()));
            return List.copyOf(out);
        }

        @Override
        public TargetFigures figures() {
            return NeurocoreDeployed.figures(mapping, done, nanos / 1e9);
        }

        /** The counters of every sample in order (the energy is summed per sample, in order), without the spikes per core and step. */
        @Override
        public Tally tally() {
            List<EmulatedSample> kept = new ArrayList<>(done.size());
            for (EmulatedSample s : done) {
                kept.add(new EmulatedSample(s.readout(), s.prediction(), s.synapticOps(), s.neuronUpdates(), s.packets(),
                        s.inputPackets(), s.hops(), null, s.stepCycles(), s.layerCycles(), s.busyCycles(), s.spikeLimit(),
                        s.energy(), null, null));
            }
            return new Tally(mapping.model(), mapping.cores().size(), mapping.layers().size(), kept, nanos);
        }

        @Override
        public void absorb(java.io.Serializable tally) {
            if (!(tally instanceof Tally t) || !t.model().equals(mapping.model()) || t.cores() != mapping.cores().size()
                    || t.layers() != mapping.layers().size()) {
                throw new IllegalArgumentException("not the tally of an emulator of this folder (" + mapping.dir() + ": model "
                        + mapping.model() + ", " + mapping.cores().size() + " cores)");
            }
            done.addAll(t.samples());
            nanos += t.nanos();
        }
    }

    /** What an emulator's figures are computed from, to merge with another's (TargetEmulator#tally). */
    private record Tally(String model, int cores, int layers, List<EmulatedSample> samples, long nanos)
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    static TargetFigures figures(Mapping m, List<EmulatedSample> samples, double seconds) {
        EmulationSummary s = EmulationSummary.of(m, samples);
        long min = samples.stream().mapToLong(EmulatedSample::cycles).min().orElse(0);
        EmulatedSample.Energy e = s.meanEnergy();
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("synaptic", e.synapticJ());
        parts.put("neuron", e.neuronJ());
        parts.put("routing", e.routingJ());
        parts.put("static", e.staticJ());
        Map<String, Double> perLayer = new LinkedHashMap<>();
        List<List<Object>> rows = new ArrayList<>();
        for (EmulationSummary.LayerLoad l : s.layers()) {
            perLayer.put(l.name(), l.meanComputeJ());
            rows.add(List.of(l.name(), l.cores(), l.slowestCore(), 100 * l.slowestUtilisation(), 100 * l.meanUtilisation(),
                    l.meanCycles(), l.meanSynapticOps(), l.meanNeuronUpdates(), l.meanComputeJ()));
        }
        FigureTable layers = new FigureTable(List.of(Column.name("layer", "layer"), Column.number("cores", "cores", "%d"),
                Column.number("slowest_core", "slowest core", "%d"),
                Column.number("slowest_core_utilisation_percent", "its utilisation %", "%.1f"),
                Column.number("mean_utilisation_percent", "mean utilisation %", "%.1f"),
                Column.number("cycles_per_inference", "cycles/inference", "%.1f"),
                Column.number("synaptic_ops_per_inference", "synaptic ops", "%.4g"),
                Column.number("neuron_updates_per_inference", "neuron updates", "%.4g"),
                Column.number("synaptic_and_neuron_energy_estimate_j", "synaptic+neuron J", "%.3g")), rows);
        List<TargetFigures.Counter> counters = List.of(
                new TargetFigures.Counter("synaptic_ops_per_inference", "synaptic ops", s.meanSynapticOps()),
                new TargetFigures.Counter("neuron_updates_per_inference", "neuron updates", s.meanNeuronUpdates()),
                new TargetFigures.Counter("packets_per_inference", "packets", s.meanPackets()),
                new TargetFigures.Counter("spike_hops_per_inference", "spike hops", s.meanHops()));
        return new TargetFigures(s.samples(), m.physicalCores() + " cores", s.meanCycles(), min, s.maxCycles(),
                s.meanStepCycles(), s.maxStepCycles(), new TargetFigures.Clock(m.target().clockMhz(), false),
                new TargetFigures.Energy(parts, perLayer), counters, layers, List.of(timing(m), spikeLimit(s.spikeLimit())),
                seconds);
    }

    /** How the cycles above were counted (docs/targets.md, "Timing"). */
    static String timing(Mapping m) {
        Mapping.Figures f = m.target();
        String host = f.inputCyclesPerSpike() == 0 ? "the host link not modelled"
                : "the host link at " + f.inputCyclesPerSpike() + " cycles per input spike";
        if (f.timing() == Timing.PIPELINED && f.serialCores()) {
            return "timing: pipelined (a spike reaches the next layer at the next step), the cores run one after another"
                    + " (core_schedule serial); a step is the sum of the cores' work, then the longest route or the busiest"
                    + " mesh link, then the barrier; " + host;
        }
        return f.timing() == Timing.PIPELINED
                ? "timing: pipelined (every core at once, a spike reaches the next layer at the next step); a step is the"
                        + " busiest core's work, then the longest route or the busiest mesh link, then the barrier; " + host
                : "timing: sequential (the layers of a step one after another); a step is the sum over layers of the"
                        + " slowest core's synaptic and neuron work and the longest route into the layer, then the barrier";
    }

    private static String spikeLimit(EmulationSummary.SpikeLimitTotals lim) {
        if (lim.limit() == 0) {
            return "spike limit: none (max_spikes_per_core_per_step = 0)";
        }
        if (lim.violations() == 0) {
            return String.format(Locale.ROOT, "spike limit: %d per core per step, never exceeded", lim.limit());
        }
        return String.format(Locale.ROOT, "spike limit: %d per core per step, EXCEEDED %d times in %d samples; worst: core %d"
                + " sent %d spikes in step %d of sample %d (too many spikes: the chip would drop or delay them)",
                lim.limit(), lim.violations(), lim.samples(), lim.worstCore(), lim.worstSpikes(), lim.worstStep(),
                lim.worstSample());
    }
}

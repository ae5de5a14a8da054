package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.FigureTable.Column;
import dev.spikeforge.compiler.target.HardwareSynthesis;
import dev.spikeforge.compiler.target.RtlSimulation;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.compiler.target.ToolException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An fpga folder read back: its cycle-stepped emulator, the RTL simulation of its Verilog against
 * that emulator, and its synthesis with yosys.
 */
final class FpgaDeployed implements DeployedTarget {

    /**
     * The clock latency is stated at while the folder's design has no timing result: {@code synth}
     * records nextpnr-ice40's Fmax in the folder, and {@link FpgaTiming} takes that instead (xc7
     * designs, which no open place and route here times, keep this assumption).
     */
    static final double ASSUMED_CLOCK_MHZ = 100;

    private final Path folder;
    private final FpgaDesign design;

    FpgaDeployed(Path folder, FpgaDesign design) {
        this.folder = folder;
        this.design = design;
    }

    @Override
    public String family() {
        return FpgaFamily.NAME;
    }

    @Override
    public String name() {
        return design.options().describe();
    }

    @Override
    public Path folder() {
        return folder;
    }

    @Override
    public String model() {
        return design.model();
    }

    @Override
    public Input input() {
        int[] s = design.inputShape();
        return new Input((long) s[0] * s[1] * s[2], design.timesteps(), design.encoding());
    }

    @Override
    public TargetEmulator emulator() {
        return new Emulator();
    }

    @Override
    public List<String> rtlTools() {
        return List.of("verilator", "iverilog");
    }

    @Override
    public Optional<RtlSimulation> rtl(String tool) {
        RtlSimulator.Tool t;
        try {
            t = RtlSimulator.Tool.parse(tool);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new Rtl(t));
    }

    @Override
    public Optional<HardwareSynthesis> synthesis() {
        return Optional.of(new Synth());
    }

    @Override
    public String noWaveforms() {
        return "an fpga folder's waveforms come from its RTL simulation: spikeforge rtl-sim DIR --model MODEL --vcd FILE";
    }

    /** One sample of the emulator (or of the RTL), with its spikes as 0/1 per neuron. */
    private final class Sample implements TargetSample {
        final FpgaEmulator.Sample s;
        /** The emulator that ran it, which counts the RTL's agreement with the prediction. */
        final Emulator owner;
        /** Each engine's cycles in every step predicted from the integer reference's spikes, once {@link Emulator#predictCycles} ran. */
        long[][] predicted;

        Sample(FpgaEmulator.Sample s, Emulator owner) {
            this.s = s;
            this.owner = owner;
        }

        @Override
        public long[] readout() {
            return s.readout();
        }

        @Override
        public int prediction() {
            return TargetSample.argmax(s.readout());
        }

        @Override
        public long cycles() {
            return s.cycles();
        }

        @Override
        public byte[][][] spikes() {
            if (s.membranes() == null) {
                return null;
            }
            byte[][][] out = new byte[design.layers().size()][design.timesteps()][];
            for (int l = 0; l < out.length; l++) {
                for (int t = 0; t < design.timesteps(); t++) {
                    out[l][t] = new byte[design.layers().get(l).outputSize()];
                    for (int n : s.spikeNeurons()[l][t]) {
                        out[l][t][n]++;
                    }
                }
            }
            return out;
        }

        @Override
        public long[][][] membranes() {
            return s.membranes();
        }
    }

    /**
     * The emulator's figures treat every sample it ran, in the order run (over all calls, and over
     * absorbed tallies after its own), as one stream: each call's samples are placed in a stream of
     * their own, but the figures compose the engines' cycles of all of them again
     * ({@link Schedule#compose}), so how a run is cut into calls does not change them.
     */
    private final class Emulator implements TargetEmulator {
        private final List<long[][]> layerCycles = new ArrayList<>();
        /** Per predicted sample, in the order predicted: each engine's predicted cycles, {@code [layer][step]}. */
        private final List<long[][]> predicted = new ArrayList<>();
        private long predictedEqual;
        /** The first sample (counted from this emulator's first) whose cycles differ from the prediction, and where. */
        private long differenceSample = -1;
        private String difference;
        private long rtlPredicted;
        private long rtlPredictedEqual;
        private long[] spikes = new long[design.layers().size()];
        private long nanos;

        @Override
        public List<TargetSample> run(int[][] inputs, int threads, boolean record) {
            long start = System.nanoTime();
            List<FpgaEmulator.Sample> out = FpgaEmulator.run(design, inputs, threads, record);
            nanos += System.nanoTime() - start;
            List<TargetSample> samples = new ArrayList<>(out.size());
            for (FpgaEmulator.Sample s : out) {
                layerCycles.add(s.layerCycles());
                for (int l = 0; l < spikes.length; l++) {
                    spikes[l] += s.spikes(l);
                }
                samples.add(new Sample(s, this));
            }
            return samples;
        }

        /**
         * Each engine's cycles in every step, predicted by {@link CycleFormula#predict} from the sample's input and
         * the integer reference's spikes alone, against the cycles the emulator's registers took.
         */
        @Override
        public void predictCycles(int[][] inputs, List<TargetSample> emulated, List<byte[][][]> referenceSpikes) {
            for (int i = 0; i < inputs.length; i++) {
                Sample got = (Sample) emulated.get(i);
                long[][] want = CycleFormula.predict(design, inputs[i], referenceSpikes.get(i));
                got.predicted = want;
                predicted.add(want);
                String diff = layerDifference(want, got.s.layerCycles(), "the emulator");
                if (diff == null) {
                    predictedEqual++;
                } else if (difference == null) {
                    differenceSample = layerCycles.size() - emulated.size() + i;
                    difference = diff;
                }
            }
        }

        void rtlCompared(boolean equal) {
            rtlPredicted++;
            rtlPredictedEqual += equal ? 1 : 0;
        }

        private TargetFigures.CycleModel cycleModel() {
            long worstWave = CycleFormula.worstWave(design);
            long worstInference = CycleFormula.worstInference(design);
            // the predicted samples as one stream, composed as the emulator's are
            long[] waves = Schedule.compose(predicted.toArray(new long[0][][]));
            long sum = 0;
            for (int s = 0; s < predicted.size(); s++) {
                for (long w : Schedule.share(waves, s, design.timesteps())) {
                    sum += w;
                }
            }
            double mean = sum / (double) Math.max(1, predicted.size());
            return new TargetFigures.CycleModel(CycleFormula.TEXT + "; " + Schedule.TEXT, predicted.size(), predictedEqual,
                    difference == null ? null : "sample " + differenceSample + ", " + difference, mean,
                    rtlPredicted, rtlPredictedEqual, worstWave, worstInference, CycleFormula.worstNote(design));
        }

        @Override
        public TargetFigures figures() {
            int n = layerCycles.size();
            int steps = design.timesteps();
            int layerCount = design.layers().size();
            long[] waves = Schedule.compose(layerCycles.toArray(new long[0][][]));
            long total = 0;
            long min = Long.MAX_VALUE;
            long max = 0;
            long latency = 0;
            long maxWave = 0;
            long[] engineCycles = new long[layerCount];
            for (int s = 0; s < n; s++) {
                long share = 0;
                for (long w : Schedule.share(waves, s, steps)) {
                    share += w;
                    maxWave = Math.max(maxWave, w);
                }
                total += share;
                min = Math.min(min, share);
                max = Math.max(max, share);
                latency += Schedule.latency(waves, s, steps, layerCount);
                for (int l = 0; l < layerCount; l++) {
                    for (long c : layerCycles.get(s)[l]) {
                        engineCycles[l] += c;
                    }
                }
            }
            double d = Math.max(1, n);
            List<List<Object>> rows = new ArrayList<>();
            double all = 0;
            for (FpgaLayer l : design.layers()) {
                Double perInference = l.mode().spiking() ? spikes[l.index()] / d : null;
                all += perInference == null ? 0 : perInference;
                rows.add(java.util.Arrays.asList(l.name(), l.kind().name().toLowerCase(Locale.ROOT), perInference,
                        engineCycles[l.index()] / d, total == 0 ? 0.0 : 100.0 * engineCycles[l.index()] / total));
            }
            FigureTable layers = new FigureTable(List.of(Column.name("layer", "layer"), Column.name("kind", "kind"),
                    Column.number("spikes_per_inference", "spikes per inference", "%.1f"),
                    Column.number("engine_cycles_per_inference", "engine cycles per inference", "%.0f"),
                    Column.number("engine_busy_percent", "busy %", "%.1f")), rows);
            FpgaTiming.Lookup timing = FpgaTiming.read(folder, design);
            List<String> notes = new ArrayList<>();
            if (n > 0) {
                double share = total / d;
                notes.add(String.format(Locale.ROOT, "stream: %.4g inferences/s (a sample's share %.0f cycles); latency %.0f"
                        + " cycles = %.4g us from a sample's first input to its readout, at %s MHz (%s)",
                        timing.clock().mhz() * 1e6 / Math.max(1e-9, share), share, latency / d,
                        1e6 * timing.clock().seconds(latency / d),
                        new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", timing.clock().mhz())).stripTrailingZeros()
                                .toPlainString(),
                        timing.clock().assumed() ? "assumed" : timing.clock().basis()));
            }
            notes.addAll(List.of(
                    "cycles per inference: each sample's share of one stream of all the samples, whose layers and samples"
                            + " overlap (docs/targets.md, \"Schedule\"), so inferences/s is the stream's throughput;"
                            + " latency_cycles (latency_seconds at the clock): from a sample's first input to its"
                            + " readout; cycles per step: per wave",
                    "energy: not modelled for fpga designs (no honest per-operation figures; docs/targets.md,"
                            + " \"Energy (fpga)\": give a vendor power tool synth's resources, the clock and each engine's"
                            + " busy %, its memories' and DSPs' enable rate, or rtl-sim --vcd's toggles)"));
            if (timing.note() != null) {
                notes.add(timing.note());
            } else if (timing.clock().assumed()) {
                notes.add(design.options().family().equals("ice40") ? "clock: assumed, the design has not been placed and"
                        + " routed; spikeforge synth " + folder + " measures its Fmax with nextpnr-ice40, which these figures then use"
                        : design.options().family().equals("xc7") ? "clock: assumed; spikeforge synth " + folder
                        + " estimates an Fmax (no open place and route times xc7 designs here), which these figures then use"
                        : "clock: assumed; no open place and route times " + design.options().family() + " designs here");
            }
            return new TargetFigures(n, "", total / d, n == 0 ? 0 : min, max, n == 0 ? 0 : total / ((double) n * steps),
                    maxWave, timing.clock(), null,
                    List.of(new TargetFigures.Counter("spikes_per_inference", "spikes", all),
                            new TargetFigures.Counter("latency_cycles", "latency cycles", latency / d),
                            new TargetFigures.Counter("latency_seconds", "latency seconds at the clock",
                                    timing.clock().seconds(latency / d))), layers, notes, nanos / 1e9, cycleModel());
        }

        /** Integers only: every sample's engine cycles in order, from which the figures are composed exactly. */
        @Override
        public Tally tally() {
            return new Tally(design.model(), layerCycles.toArray(new long[0][][]), spikes.clone(), nanos,
                    predicted.toArray(new long[0][][]), predictedEqual, differenceSample, difference);
        }

        @Override
        public void absorb(java.io.Serializable tally) {
            if (!(tally instanceof Tally t) || !t.model().equals(design.model()) || t.spikes().length != spikes.length) {
                throw new IllegalArgumentException("not the tally of an emulator of this folder (" + folder + ": model "
                        + design.model() + ", " + spikes.length + " layers)");
            }
            if (difference == null && t.difference() != null) {
                // the shard counts its samples from its first; this emulator had run the ones before it
                differenceSample = layerCycles.size() + t.differenceSample();
                difference = t.difference();
            }
            layerCycles.addAll(List.of(t.layerCycles()));
            for (int l = 0; l < spikes.length; l++) {
                spikes[l] += t.spikes()[l];
            }
            nanos += t.nanos();
            predicted.addAll(List.of(t.predicted()));
            predictedEqual += t.predictedEqual();
        }
    }

    /** The first engine and step whose predicted cycles differ from {@code got}'s ({@code [layer][step]}), in words, or null. */
    String layerDifference(long[][] predicted, long[][] got, String who) {
        for (int l = 0; l < predicted.length; l++) {
            for (int t = 0; t < predicted[l].length; t++) {
                if (predicted[l][t] != got[l][t]) {
                    return "layer " + design.layers().get(l).name() + ", step " + (t + 1) + ": predicted " + predicted[l][t]
                            + " cycles from the integer model's spikes, " + who + " took " + got[l][t];
                }
            }
        }
        return null;
    }

    /** The first wave (by the step that entered it) whose predicted cycles differ from {@code got}'s, in words, or null. */
    static String stepDifference(long[] predicted, long[] got, String who) {
        for (int t = 0; t < predicted.length; t++) {
            if (t >= got.length || predicted[t] != got[t]) {
                return "the wave of step " + (t + 1) + ": predicted " + predicted[t] + " cycles from the integer model's spikes, "
                        + who + " took " + (t < got.length ? String.valueOf(got[t]) : "none");
            }
        }
        return null;
    }

    /** What an emulator's figures are computed from, to merge with another's (TargetEmulator#tally). */
    private record Tally(String model, long[][][] layerCycles, long[] spikes, long nanos, long[][][] predicted,
                         long predictedEqual, long differenceSample, String difference) implements java.io.Serializable {
        private static final long serialVersionUID = 2L;
    }

    private final class Rtl implements RtlSimulation {
        private final RtlSimulator.Tool tool;

        Rtl(RtlSimulator.Tool tool) {
            this.tool = tool;
        }

        @Override
        public String tool() {
            return tool.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean available() {
            return RtlSimulator.available(tool);
        }

        @Override
        public String install() {
            return "apt-get install -y " + tool.debianPackage;
        }

        @Override
        public RtlRun run(int[][] inputs, List<TargetSample> emulated, Path vcd, boolean trace)
                throws ToolException, IOException {
            RtlSimulator.Result got;
            try {
                got = RtlSimulator.run(folder, design, inputs, tool, vcd, trace);
            } catch (RtlSimulator.RtlSimException e) {
                throw new ToolException(e.getMessage());
            }
            // the simulation ran the inputs as one stream: the emulator's samples, however they were run, placed so too
            List<FpgaEmulator.Sample> stream = FpgaEmulator.stream(design,
                    emulated.stream().map(t -> ((Sample) t).s).toList());
            int steps = design.timesteps();
            int layerCount = design.layers().size();
            long[] predictedWaves = null;
            if (emulated.stream().allMatch(t -> ((Sample) t).predicted != null)) {
                predictedWaves = Schedule.compose(emulated.stream().map(t -> ((Sample) t).predicted).toArray(long[][][]::new));
            }
            List<String> differences = new ArrayList<>();
            int[] predictions = new int[got.samples().size()];
            for (int i = 0; i < predictions.length; i++) {
                FpgaEmulator.Sample rtl = got.samples().get(i);
                predictions[i] = TargetSample.argmax(rtl.readout());
                FpgaEmulator.Sample want = stream.get(i);
                String diff = trace ? RtlSimulator.firstDifference(design, i, want, rtl, "emulator", tool())
                        : java.util.Arrays.equals(want.readout(), rtl.readout()) && want.cycles() == rtl.cycles()
                                && want.latency() == rtl.latency() ? null
                        : "sample " + i + ": readout or cycles differ (" + tool() + " without trace)";
                if (predictedWaves != null) {
                    // the RTL's measured waves against the waves composed from the integer model's spikes, directly
                    String off = stepDifference(Schedule.share(predictedWaves, i, steps), rtl.stepCycles(), tool());
                    long latency = Schedule.latency(predictedWaves, i, steps, layerCount);
                    if (off == null && latency != rtl.latency()) {
                        off = "latency: predicted " + latency + " cycles from the integer model's spikes, " + tool() + " took "
                                + rtl.latency();
                    }
                    ((Sample) emulated.get(i)).owner.rtlCompared(off == null);
                    if (diff == null && off != null) {
                        diff = "sample " + i + ", " + off;
                    }
                }
                differences.add(diff);
            }
            return new RtlRun(tool(), differences, predictions, got.cycles(), got.buildSeconds(), got.runSeconds());
        }
    }

    private final class Synth implements HardwareSynthesis {
        @Override
        public List<String> devices() {
            return FpgaDevices.names();
        }

        @Override
        public Report run(String device, boolean placeAndRoute) throws ToolException, IOException {
            Synthesis.Report r;
            try {
                r = Synthesis.run(folder, design, device, placeAndRoute);
            } catch (RtlSimulator.RtlSimException e) {
                throw new ToolException(e.getMessage());
            }
            List<Resources> modules = r.perModule().stream().map(FpgaDeployed::resources).toList();
            FpgaDevices.Device dev = r.device();
            List<String> notes = new ArrayList<>(List.of("per-module rows include each engine's trace ports and the top's"
                    + " trace multiplexers; the total is the flattened design without them. BRAMs in 36 kbit (xc7) or"
                    + " 4 kbit (ice40) blocks"));
            if (r.retryNote() != null) {
                notes.add(r.retryNote());
            }
            if (r.nextpnrNote() != null && Double.isNaN(r.fmaxMhz())) {
                notes.add((r.family().equals("xc7") ? "" : "nextpnr-ice40: ") + r.nextpnrNote());
            }
            if (r.estimate() != null) {
                notes.add("timing estimate: " + r.estimate().describe() + "; the estimate doubles the logic for routing,"
                        + " which on 7-series is often more than half of a routed path: treat it as optimistic");
            }
            return new Report(design.top(), "yosys " + r.family(), modules, resources(r.total()),
                    dev == null ? null : new Device(dev.name(), dev.luts(), dev.flipFlops(), dev.brams(), dev.dsps(), dev.source()),
                    r.fits(), r.overLimits(), r.fmaxMhz(), r.estimate() != null && !Double.isNaN(r.fmaxMhz()), r.fmaxBasis(),
                    notes, r.log(), r.seconds());
        }
    }

    private static HardwareSynthesis.Resources resources(Synthesis.Resources m) {
        return new HardwareSynthesis.Resources(m.name(), m.luts(), m.flipFlops(), m.brams(), m.dsps(), m.carries(), m.lutRam(),
                m.cells());
    }
}

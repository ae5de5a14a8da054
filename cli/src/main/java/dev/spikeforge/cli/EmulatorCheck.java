package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.targets.fpga.FpgaDesign;
import dev.spikeforge.targets.fpga.FpgaEmulator;
import dev.spikeforge.targets.fpga.FpgaFolder;
import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.fpga.RtlSimulator;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SEMANTICS.md section 5, comparison 1: the emulator, running only the compiled folder, against
 * the integer reference, sample by sample: every spike and membrane of every neuron at every step,
 * and the readout. Any difference is a bug; the first one is named with both values.
 */
final class EmulatorCheck {

    /** The first difference of one sample: where, and both values. */
    record Mismatch(int sample, int step, String layer, int neuron, String what, long emulator, long reference) {
        @Override
        public String toString() {
            return "sample " + sample + ", step " + step + ", layer '" + layer + "', neuron " + neuron + ": " + what
                    + " emulator " + emulator + ", integer reference " + reference;
        }
    }

    /**
     * Per sample, null when it matched exactly, else its first difference. {@code summary} is the
     * neurocore emulator's (null for fpga), {@code fpga} the fpga emulator's and RTL simulation's (null
     * for neurocore).
     */
    record Result(String target, Path folder, List<Mismatch> perSample, EmulationSummary summary, double seconds,
                  FpgaStats fpga) {
        long exact() {
            return perSample.stream().filter(m -> m == null).count();
        }

        Mismatch first() {
            return perSample.stream().filter(m -> m != null).findFirst().orElse(null);
        }
    }

    /**
     * What the fpga emulator and (with --rtl) the RTL simulation measured.
     *
     * @param rtlPerSample per sample, null when the RTL equalled the emulator exactly, else the first difference;
     *                     null when no RTL simulation ran
     */
    record FpgaStats(double meanCycles, long minCycles, long maxCycles, double emulatorCyclesPerSecond,
                     RtlSimulator.Tool rtlTool, List<String> rtlPerSample, double rtlCyclesPerSecond, double rtlBuildSeconds) {
        long rtlExact() {
            return rtlPerSample == null ? 0 : rtlPerSample.stream().filter(m -> m == null).count();
        }

        String rtlFirst() {
            return rtlPerSample == null ? null : rtlPerSample.stream().filter(m -> m != null).findFirst().orElse(null);
        }
    }

    /** The RTL simulation to add to an fpga check: which simulator, and where to keep waveforms (or null). */
    record Rtl(RtlSimulator.Tool tool, Path vcd) {
    }

    private EmulatorCheck() {
    }

    /**
     * Compiles {@code request} for {@code q} into {@code outDir}, reads the folder back and runs
     * both models on the first {@code samples} test samples; {@code inputs} gives the integer inputs of
     * samples [from, from + count).
     */
    static Result run(QuantizedNetwork q, DeploySpec.TargetRequest request, Path modelDir, int samples,
                      java.util.function.BiFunction<Integer, Integer, int[][]> inputs, int threads, Path outDir, Rtl rtl)
            throws TargetException, FileProblemException, MappingFileException, RtlSimulator.RtlSimException, IOException {
        TargetFamily family = TargetFamily.named(request.family());
        if (family == null) {
            throw new TargetException("target " + request.family() + " is not available in this version", List.of());
        }
        family.compile(q, request, outDir, modelDir, null);
        Path folder = outDir.resolve(family.folderName(request));
        if (family.family().equals("fpga")) {
            return runFpga(q, folder, samples, inputs, threads, rtl);
        }
        Mapping mapping = MappingFiles.read(folder);
        NeurocoreEmulator emulator = new NeurocoreEmulator(mapping);
        IntegerSimulator reference = new IntegerSimulator(q);
        int[] all = new int[q.layers().size()];
        for (int l = 0; l < all.length; l++) {
            all[l] = l;
        }
        long start = System.nanoTime();
        List<Mismatch> perSample = new ArrayList<>();
        List<EmulatedSample> emulated = new ArrayList<>();
        int chunk = Math.max(1, threads * 4);
        for (int from = 0; from < samples; from += chunk) {
            int[][] part = inputs.apply(from, Math.min(chunk, samples - from));
            List<EmulatedSample> e = emulator.run(part, threads, true);
            List<SampleResult> r = reference.run(part, threads, new IntegerSimulator.Recording(
                    IntegerSimulator.Detail.FULL, all));
            for (int i = 0; i < part.length; i++) {
                perSample.add(compare(from + i, q, e.get(i), r.get(i)));
                EmulatedSample s = e.get(i);
                // keep the counters, drop the records: they are large and compared already
                emulated.add(new EmulatedSample(s.readout(), s.prediction(), s.synapticOps(), s.neuronUpdates(),
                        s.packets(), s.inputPackets(), s.hops(), s.spikesSent(), s.stepCycles(), s.layerCycles(),
                        s.busyCycles(), s.spikeLimit(), s.energy(), null, null));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(mapping.target().name(), folder, perSample, EmulationSummary.of(mapping, emulated), seconds, null);
    }

    /** The fpga folder on its emulator against the integer reference, and optionally the RTL against the emulator. */
    private static Result runFpga(QuantizedNetwork q, Path folder, int samples,
                                  java.util.function.BiFunction<Integer, Integer, int[][]> inputs, int threads, Rtl rtl)
            throws FpgaFolderException, RtlSimulator.RtlSimException, IOException {
        FpgaDesign design = FpgaFolder.read(folder);
        IntegerSimulator reference = new IntegerSimulator(q);
        int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
        List<Mismatch> perSample = new ArrayList<>();
        List<FpgaEmulator.Sample> kept = rtl == null ? null : new ArrayList<>();
        List<int[]> keptInputs = rtl == null ? null : new ArrayList<>();
        long cycles = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        double emulatorSeconds = 0;
        long start = System.nanoTime();
        int chunk = Math.max(1, threads * 4);
        for (int from = 0; from < samples; from += chunk) {
            int[][] part = inputs.apply(from, Math.min(chunk, samples - from));
            long e0 = System.nanoTime();
            List<FpgaEmulator.Sample> e = FpgaEmulator.run(design, part, threads, true);
            emulatorSeconds += (System.nanoTime() - e0) / 1e9;
            List<SampleResult> r = reference.run(part, threads, new IntegerSimulator.Recording(
                    IntegerSimulator.Detail.FULL, all));
            for (int i = 0; i < part.length; i++) {
                FpgaEmulator.Sample s = e.get(i);
                perSample.add(compareFpga(from + i, q, s, r.get(i)));
                cycles += s.cycles();
                min = Math.min(min, s.cycles());
                max = Math.max(max, s.cycles());
                if (kept != null) {
                    kept.add(s);
                    keptInputs.add(part[i]);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> rtlPerSample = null;
        double rtlRate = 0;
        double rtlBuild = 0;
        if (rtl != null) {
            RtlSimulator.Result got = RtlSimulator.run(folder, design, keptInputs.toArray(new int[0][]), rtl.tool(), rtl.vcd());
            rtlPerSample = new ArrayList<>();
            for (int i = 0; i < kept.size(); i++) {
                rtlPerSample.add(RtlSimulator.firstDifference(design, List.of(kept.get(i)), List.of(got.samples().get(i)),
                        "emulator", rtl.tool().name().toLowerCase(java.util.Locale.ROOT)));
            }
            rtlRate = got.cycles() / Math.max(1e-9, got.runSeconds());
            rtlBuild = got.buildSeconds();
        }
        FpgaStats stats = new FpgaStats(cycles / (double) Math.max(1, samples), samples == 0 ? 0 : min, max,
                cycles / Math.max(1e-9, emulatorSeconds) / Math.max(1, threads), rtl == null ? null : rtl.tool(),
                rtlPerSample, rtlRate, rtlBuild);
        return new Result(design.options().describe(), folder, perSample, null, seconds, stats);
    }

    /** SEMANTICS.md section 5, comparison 1, for the fpga emulator (its spikes, in emission order, as 0/1 per neuron). */
    static Mismatch compareFpga(int sample, QuantizedNetwork q, FpgaEmulator.Sample e, SampleResult r) {
        byte[][][] spikes = new byte[q.layers().size()][q.timesteps()][];
        for (int l = 0; l < spikes.length; l++) {
            for (int t = 0; t < q.timesteps(); t++) {
                spikes[l][t] = new byte[q.layers().get(l).size()];
                for (int n : e.spikeNeurons()[l][t]) {
                    spikes[l][t][n]++;
                }
            }
        }
        return compare(sample, q, spikes, e.membranes(), e.readout(), r);
    }

    static Mismatch compare(int sample, QuantizedNetwork q, EmulatedSample e, SampleResult r) {
        return compare(sample, q, e.spikes(), e.membranes(), e.readout(), r);
    }

    /** The first difference between an emulator's record ({@code [layer][step][neuron]}) and the integer reference's. */
    static Mismatch compare(int sample, QuantizedNetwork q, byte[][][] spikes, long[][][] membranes, long[] readout,
                            SampleResult r) {
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                String name = q.layers().get(l).layer();
                long[] em = membranes[l][t];
                long[] rm = r.membraneRecord()[l][t];
                byte[] es = spikes[l][t];
                byte[] rs = r.spikeRecord()[l][t];
                for (int n = 0; n < rm.length; n++) {
                    if (es[n] != rs[n]) {
                        return new Mismatch(sample, t + 1, name, n, "spike", es[n], rs[n]);
                    }
                    if (em[n] != rm[n]) {
                        return new Mismatch(sample, t + 1, name, n, "membrane", em[n], rm[n]);
                    }
                }
            }
        }
        for (int c = 0; c < r.readout().length; c++) {
            if (readout[c] != r.readout()[c]) {
                return new Mismatch(sample, q.timesteps(), q.readout().layer(), c, "readout", readout[c], r.readout()[c]);
            }
        }
        return null;
    }
}

package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.EmulationSummary;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
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

    /** Per sample, null when it matched exactly, else its first difference. */
    record Result(String target, Path folder, List<Mismatch> perSample, EmulationSummary summary, double seconds) {
        long exact() {
            return perSample.stream().filter(m -> m == null).count();
        }

        Mismatch first() {
            return perSample.stream().filter(m -> m != null).findFirst().orElse(null);
        }
    }

    private EmulatorCheck() {
    }

    /**
     * Compiles {@code request} for {@code q} into {@code outDir}, reads the folder back and runs
     * both models on the first {@code samples} test samples; {@code inputs} gives the integer inputs of
     * samples [from, from + count).
     */
    static Result run(QuantizedNetwork q, DeploySpec.TargetRequest request, Path modelDir, int samples,
                      java.util.function.BiFunction<Integer, Integer, int[][]> inputs, int threads, Path outDir)
            throws TargetException, MappingFileException {
        TargetFamily family = TargetFamily.named(request.family());
        if (family == null) {
            throw new TargetException("target " + request.family() + " is not available in this version", List.of());
        }
        family.compile(q, request, outDir, modelDir, null);
        Path folder = outDir.resolve(family.folderName(request));
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
        return new Result(mapping.target().name(), folder, perSample, EmulationSummary.of(mapping, emulated), seconds);
    }

    static Mismatch compare(int sample, QuantizedNetwork q, EmulatedSample e, SampleResult r) {
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                String name = q.layers().get(l).layer();
                long[] em = e.membranes()[l][t];
                long[] rm = r.membraneRecord()[l][t];
                byte[] es = e.spikes()[l][t];
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
            if (e.readout()[c] != r.readout()[c]) {
                return new Mismatch(sample, q.timesteps(), q.readout().layer(), c, "readout", e.readout()[c],
                        r.readout()[c]);
            }
        }
        return null;
    }
}

package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.QuantizedModelFiles;
import dev.spikeforge.runtime.integer.SampleResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The compile stage: the integer model's files, and every target's folder from its own quantisation. */
final class Compiling {

    private Compiling() {
    }

    static Compiled compile(Pipeline p, Trained trained, QuantSettings settings, List<Target> targets, CompileSettings cs)
            throws PipelineException {
        Quantised base = p.quantise(trained, settings, null);
        List<Path> written = List.of();
        if (cs.writeIntegerModel()) {
            try {
                written = QuantizedModelFiles.write(base.network(), cs.out());
            } catch (IOException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, cs.out() + ": cannot write the output: "
                        + IoProblems.reason(e) + "; check that the folder is writable and the disk is not full");
            } catch (CheckpointException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
            }
        }
        List<String> notes = new ArrayList<>();
        double[] rates = targets.isEmpty() ? null : rates(p, trained.model(), base.network(), cs.rateSamples(), notes);
        List<Compiled.Build> builds = new ArrayList<>();
        List<Diagnostic> broken = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Target t : targets) {
            Quantised q = p.quantise(trained, settings, t);
            try {
                var folder = t.compile(q.network(), cs.out(), rates);
                p.listener().compiled(t.name(), folder.folder());
                builds.add(new Compiled.Build(t, q, folder));
            } catch (TargetException e) {
                broken.addAll(e.diagnostics());
                if (e.diagnostics().isEmpty()) {
                    failed.add(e.getMessage());
                }
            }
        }
        if (!broken.isEmpty()) {
            throw PipelineException.diagnostics(trained.model().source(), broken, String.join("; ", failed));
        }
        if (!failed.isEmpty()) {
            throw PipelineException.of(PipelineException.Kind.CHECK_FAILED, String.join("; ", failed));
        }
        return new Compiled(trained, settings, base, cs.out(), written, builds, notes);
    }

    /**
     * Spikes per neuron per step of each layer of the integer model on the first training samples
     * (evaluation spikes of the run seed): what placement weighs traffic by; null when not measured.
     */
    private static double[] rates(Pipeline p, LoadedModel model, QuantizedNetwork q, int samples, List<String> notes) {
        if (samples == 0 || model.network().train().isEmpty()) {
            return null;
        }
        DatasetSplits data;
        try {
            data = p.dataset(model, samples);
        } catch (PipelineException e) {
            notes.add("no firing rates for placement (" + e.getMessage() + "); every neuron counts once");
            return null;
        }
        int count = Math.min(samples, data.train().count());
        int[][] ints = InputSpikes.integer(model, data.train(), 0, count);
        long[] spikes = new long[q.layers().size()];
        for (SampleResult r : new IntegerSimulator(q).run(ints, p.threads(), IntegerSimulator.Recording.none())) {
            for (int l = 0; l < spikes.length; l++) {
                spikes[l] += r.spikes()[l];
            }
        }
        double[] rates = new double[spikes.length];
        for (int l = 0; l < rates.length; l++) {
            rates[l] = spikes[l] / ((double) count * q.timesteps() * q.layers().get(l).size());
        }
        notes.add(String.format(Locale.ROOT, "firing rates of the integer model on %d training samples weigh placement", count));
        return rates;
    }
}

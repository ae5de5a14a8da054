package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.io.OutputFolder;
import dev.spikeforge.compiler.io.OutputLock;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.CompiledTarget;
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

/**
 * The compile stage: the integer model's files, and every target's folder from its own quantisation,
 * all written as one output folder ({@link OutputFolder}): built whole, swapped in whole, locked
 * against a second writer.
 */
final class Compiling {

    private Compiling() {
    }

    static Compiled compile(Pipeline p, Trained trained, QuantSettings settings, List<Target> targets, CompileSettings cs)
            throws PipelineException {
        Quantised base = p.quantise(trained, settings, null);
        List<String> notes = new ArrayList<>();
        List<Path> staged = new ArrayList<>();
        List<Compiled.Build> builds = new ArrayList<>();
        Path[] stage = new Path[1];
        try {
            // the integer model and every target folder are built in one staging folder and swapped
            // in whole: a kill at any moment leaves the old complete folder or the new complete one;
            // a targets-only compile (verify, profile) keeps the rest of the folder as it was
            OutputFolder.write(cs.out(), !cs.writeIntegerModel(), dir -> {
                stage[0] = dir;
                if (cs.writeIntegerModel()) {
                    try {
                        staged.addAll(QuantizedModelFiles.write(base.network(), dir));
                    } catch (CheckpointException e) {
                        throw PipelineException.of(PipelineException.Kind.INPUT, cs.out() + ": cannot write the output: "
                                + e.problem() + "; " + HELP);
                    }
                }
                compileTargets(p, trained, settings, targets, cs, base, dir, notes, builds);
            });
        } catch (OutputLock.Busy | OutputFolder.NotOurs e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, cs.out() + ": cannot write the output: "
                    + IoProblems.reason(e) + "; " + HELP);
        }
        List<Path> written = staged.stream().map(f -> moved(f, stage[0], cs.out())).toList();
        List<Compiled.Build> done = new ArrayList<>();
        for (Compiled.Build b : builds) {
            CompiledTarget f = b.folder();
            Path folder = moved(f.folder(), stage[0], cs.out());
            p.listener().compiled(b.target().name(), folder);
            String from = stage[0].toString();
            String to = cs.out().toString();
            List<String> report = f.report().stream().map(l -> l.replace(from, to)).toList();
            done.add(new Compiled.Build(b.target(), b.quantised(), new CompiledTarget(f.target(), folder, report)));
        }
        return new Compiled(trained, settings, base, cs.out(), written, done, notes);
    }

    private static final String HELP = "check that the folder is writable and the disk is not full; an earlier output"
            + " there is unchanged";

    /** Where {@code p}, written under the staging folder, is after the swap (as the user named the output). */
    private static Path moved(Path p, Path staging, Path out) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(staging) ? out.resolve(staging.relativize(abs)) : p;
    }

    private static void compileTargets(Pipeline p, Trained trained, QuantSettings settings, List<Target> targets,
                                       CompileSettings cs, Quantised base, Path dir, List<String> notes,
                                       List<Compiled.Build> builds) throws PipelineException, IOException {
        double[] rates = targets.isEmpty() ? null : rates(p, trained.model(), base.network(), cs.rateSamples(), notes);
        List<Diagnostic> broken = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Target t : targets) {
            Quantised q = p.quantise(trained, settings, t);
            try {
                builds.add(new Compiled.Build(t, q, t.compile(q.network(), dir, rates)));
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

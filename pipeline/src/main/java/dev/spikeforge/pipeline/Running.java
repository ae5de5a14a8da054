package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.io.OutputFolder;
import dev.spikeforge.compiler.io.OutputLock;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.HardwareSynthesis;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.pipeline.report.ProfileHtml;
import dev.spikeforge.pipeline.report.ProfileReport;
import dev.spikeforge.pipeline.report.Units;
import dev.spikeforge.pipeline.report.VerifyReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The whole job in one process: check, train (or take a checkpoint), compile for every target,
 * verify (float vs integer, each emulator vs its integer model, each RTL vs its emulator) and
 * profile in one pass over the samples, each stage once; synthesis runs beside them, since it is an
 * external tool's work on a folder that no later stage changes.
 */
final class Running {

    private Running() {
    }

    static RunResult run(Pipeline p, LoadedModel model, RunSettings s) throws PipelineException {
        Path dir = s.out() != null ? s.out() : Path.of("build", model.name());
        // the build folder is built in place under its lock (a second run is refused at once) and
        // commits at the end: a kill at any moment leaves the previous complete build folder or
        // the new one; what else the folder holds (a NIR check's files, a checkpoint given with
        // --checkpoint) is kept
        Set<String> replaced = new HashSet<>(List.of("compiled", "report", "verify.json", "verify.xml", "profile.json",
                "summary.txt"));
        if (s.checkpoint() == null) {
            replaced.add(model.name() + ".npz");
        }
        RunResult[] result = new RunResult[1];
        try {
            OutputFolder.writeInPlace(dir, replaced, d -> result[0] = run(p, model, s, dir));
        } catch (OutputLock.Busy | OutputFolder.NotOurs e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, dir + ": cannot write the build folder: "
                    + IoProblems.reason(e) + "; check that the folder is writable and the disk is not full; an earlier"
                    + " build folder there is unchanged");
        }
        return result[0];
    }

    private static RunResult run(Pipeline p, LoadedModel model, RunSettings s, Path dir) throws PipelineException {
        int total = s.checkpoint() == null ? 5 : 4;
        int[] k = {0};
        java.util.function.Consumer<String> stage = what -> p.listener().stage("[" + ++k[0] + "/" + total + "] " + what);
        stage.accept("check " + model.file());
        List<Target> targets = p.targets(model, List.of());
        Trained trained;
        if (s.checkpoint() == null) {
            // a model that cannot fit its targets is refused before training, not after it
            List<Diagnostic> rules = p.earlyDesignRules(model);
            if (rules.stream().anyMatch(Diagnostic::isError)) {
                throw PipelineException.diagnostics(model.source(), rules, "a deploy target's design rules fail");
            }
            Path ckpt = dir.resolve(model.name() + ".npz");
            stage.accept("train -> " + ckpt);
            trained = p.train(model, TrainSettings.DEFAULTS.to(ckpt).limit(s.trainLimit()));
        } else {
            trained = p.checkpoint(model, s.checkpoint());
        }
        Path compiledDir = dir.resolve("compiled");
        stage.accept("compile -> " + compiledDir);
        Compiled compiled = p.compile(trained, QuantSettings.DEPLOY, targets, CompileSettings.to(compiledDir));
        ExecutorService background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "spikeforge-synth");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult.Synthesised>> synth = new ArrayList<>();
            if (s.synth()) {
                for (Compiled.Build b : compiled.targets()) {
                    DeployedTarget d = Proving.read(b);
                    if (d.synthesis().isPresent()) {
                        synth.add(background.submit(() -> synthesise(d)));
                    }
                }
            }
            stage.accept("verify and profile on " + s.samples() + " test samples"
                    + (targets.isEmpty() ? "" : ", " + targets.size() + " target(s)"));
            VerifySettings v = VerifySettings.samples(s.samples()).withTolerances(s.tolerances())
                    .withRtl(s.rtlSamples() > 0 ? s.rtlTool() : null, s.rtlSamples(), false, null);
            Profile profile = p.profile(compiled, v, ProfileSettings.samples(s.samples()).withPlots(0, List.of()));
            stage.accept("report -> " + dir);
            Path report = write(dir, profile);
            List<RunResult.Synthesised> done = new ArrayList<>();
            for (Future<RunResult.Synthesised> f : synth) {
                done.add(join(f));
            }
            RunResult result = new RunResult(trained, compiled, profile, done, dir, report);
            try {
                AtomicFiles.writeString(dir.resolve("summary.txt"), dev.spikeforge.pipeline.report.RunSummary.text(result));
            } catch (IOException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, dir.resolve("summary.txt") + ": cannot write the"
                        + " summary: " + IoProblems.reason(e));
            }
            return result;
        } finally {
            background.shutdownNow();
        }
    }

    private static RunResult.Synthesised synthesise(DeployedTarget d) {
        try {
            HardwareSynthesis.Report r = Folders.synthesise(d, null, true);
            return new RunResult.Synthesised(d.name(), d.folder(), r, null);
        } catch (PipelineException e) {
            return new RunResult.Synthesised(d.name(), d.folder(), null, e.getMessage());
        }
    }

    static RunResult.Synthesised join(Future<RunResult.Synthesised> f) throws PipelineException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PipelineException.of(PipelineException.Kind.INPUT, "interrupted while synthesis ran");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err; // out of memory or stack on the synthesis thread: reported as on this one
            }
            throw new IllegalStateException("synthesis failed unexpectedly", e.getCause());
        }
    }

    /** verify.json, verify.xml (JUnit), profile.json and report/ (the HTML report with its plots). */
    private static Path write(Path dir, Profile profile) throws PipelineException {
        Verification v = profile.verification();
        try {
            AtomicFiles.writeString(dir.resolve("verify.json"), Units.json(VerifyReport.json(v)) + "\n");
            AtomicFiles.writeString(dir.resolve("verify.xml"), VerifyReport.junit(v));
            AtomicFiles.writeString(dir.resolve("profile.json"), Units.json(ProfileReport.json(profile)) + "\n");
            return ProfileHtml.write(dir.resolve("report"), profile, true).page();
        } catch (FileProblemException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, dir + ": cannot write the results: "
                    + IoProblems.reason(e) + "; check that the folder is writable and the disk is not full");
        }
    }
}

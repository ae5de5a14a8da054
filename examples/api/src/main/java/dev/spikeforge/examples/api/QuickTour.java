package dev.spikeforge.examples.api;

import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.PipelineListener;
import dev.spikeforge.pipeline.Profile;
import dev.spikeforge.pipeline.ProfileSettings;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.TrainSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.report.ProfileReport;
import dev.spikeforge.pipeline.report.Units;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The whole path from a program: load a model, train it briefly, compile it for a chip and an
 * FPGA, verify, profile, and read the results as values.
 *
 * <pre>java ... dev.spikeforge.examples.api.QuickTour examples/models/quick.snn build/api [train samples] [test samples]</pre>
 */
public final class QuickTour {

    private QuickTour() {
    }

    /** What the tour found, as values a caller can check. */
    public record Outcome(double floatAccuracy, double integerAccuracy, double agreement, List<String> targets,
                          List<Long> exact, List<Double> cyclesPerInference, boolean passed) {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "examples/models/quick.snn");
        Path out = Path.of(args.length > 1 ? args[1] : "build/api");
        int train = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int test = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        try {
            Outcome o = run(model, out, train, test, new PipelineListener() {
                @Override
                public void warning(String message) {
                    System.err.println("warning: " + message);
                }
            });
            System.out.println(o);
        } catch (PipelineException e) {
            // a user's mistake (a wrong model, a missing dataset): its message says what and where
            System.err.println(e.getMessage());
            e.diagnostics().forEach(d -> System.err.println("  " + d));
            System.exit(1);
        }
    }

    public static Outcome run(Path modelFile, Path out, int trainSamples, int testSamples, PipelineListener listener)
            throws PipelineException {
        Pipeline p = Pipeline.builder().listener(listener).build();

        // 1. the model, parsed and checked once; its train block names the dataset
        LoadedModel model = p.load(modelFile);

        // 2. a short training run on the first samples; the checkpoint is written after the epoch
        Trained trained = p.train(model, new TrainSettings(1, out.resolve(model.name() + ".npz"), null, trainSamples));

        // 3. two targets, written as in a deploy block; each is quantised with its own numerics
        List<Target> targets = p.targets(model, List.of("neurocore(preset = loihi_like)", "fpga(lanes = 8, family = xc7)"));
        Compiled compiled = p.compile(trained, QuantSettings.DEPLOY, targets, CompileSettings.to(out.resolve("compiled")));

        // 4. verify and profile in one pass: float vs integer, and every emulator vs its integer model
        Profile profile = p.profile(compiled, VerifySettings.samples(testSamples), ProfileSettings.samples(testSamples));
        Verification v = profile.verification();

        // 5. the results are values; the reports render the same values as text, JSON or HTML
        System.out.println(String.join("\n", ProfileReport.text(profile)));
        for (Profile.TargetProfile t : profile.targets()) {
            System.out.printf(Locale.ROOT, "%s: %d/%d exact, %.0f cycles, %s%n", t.target(), t.exact(), t.samples(),
                    t.figures().meanCycles(), t.figures().energy() == null ? "energy not modelled"
                            : Units.joules(t.figures().energy().total()));
        }
        return new Outcome(v.comparison().floatAccuracy(), v.comparison().integerAccuracy(), v.comparison().agreement(),
                profile.targets().stream().map(Profile.TargetProfile::target).toList(),
                profile.targets().stream().map(Profile.TargetProfile::exact).toList(),
                profile.targets().stream().map(t -> t.figures().meanCycles()).toList(),
                v.failures().isEmpty());
    }
}

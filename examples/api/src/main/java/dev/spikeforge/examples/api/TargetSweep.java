package dev.spikeforge.examples.api;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.PipelineListener;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small sweep driver: one trained checkpoint, several weight widths, every preset chip; per
 * point the agreement with the float model, whether each emulator is exact, and the chip's
 * cycles and energy. One session: the model is parsed once and each set of formats quantised once.
 *
 * <pre>java ... dev.spikeforge.examples.api.TargetSweep MODEL.snn CHECKPOINT.npz OUT [test samples]</pre>
 */
public final class TargetSweep {

    private TargetSweep() {
    }

    /** One point of the sweep. */
    public record Point(int weightBits, String target, double agreement, long exact, int samples, double cycles,
                        double energyJ) {
    }

    public static void main(String[] args) throws Exception {
        int test = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        List<Point> points = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), List.of(8, 6, 4),
                List.of("loihi_like", "truenorth_like", "spinnaker2_like"), test, PipelineListener.NONE);
        System.out.println("bits  target            agreement  exact      cycles/inf  energy/inf (J)");
        for (Point pt : points) {
            System.out.printf(Locale.ROOT, "%4d  %-16s  %8.2f%%  %4d/%-4d  %10.0f  %.3g%n", pt.weightBits(), pt.target(),
                    100 * pt.agreement(), pt.exact(), pt.samples(), pt.cycles(), pt.energyJ());
        }
    }

    public static List<Point> run(Path modelFile, Path checkpoint, Path out, List<Integer> bits, List<String> targets,
                                  int testSamples, PipelineListener listener) throws PipelineException {
        Pipeline p = Pipeline.builder().listener(listener).build();
        LoadedModel model = p.load(modelFile);
        Trained trained = p.checkpoint(model, checkpoint);
        List<Point> points = new ArrayList<>();
        for (int b : bits) {
            QuantSettings q = new QuantSettings(b, DeploySpec.Granularity.PER_CHANNEL);
            Compiled c = p.compile(trained, q, p.targets(model, targets),
                    CompileSettings.targetsOnly(out.resolve("int" + b)));
            Verification v = p.verify(c, VerifySettings.samples(testSamples));
            for (Verification.TargetProof t : v.targets()) {
                points.add(new Point(b, t.target(), v.comparison().agreement(), t.exact(), t.perSample().size(),
                        t.figures().meanCycles(), t.figures().energy() == null ? Double.NaN : t.figures().energy().total()));
            }
        }
        return points;
    }
}

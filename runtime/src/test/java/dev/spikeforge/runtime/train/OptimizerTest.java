package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.TrainSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Update rules against values worked out by hand (PyTorch's conventions). */
class OptimizerTest {

    @Test
    void sgdWithMomentumAndWeightDecay() {
        Optimizer o = new Optimizer(new TrainSpec.Sgd(0.1, 0.9, 0.5));
        double[] w = {1.0};
        // step 1: g' = 0.2 + 0.5 = 0.7, buf = 0.7, w = 1 - 0.07 = 0.93
        o.step(Map.of("w", w), Map.of("w", new double[] {0.2}), 0.1);
        assertArrayEquals(new double[] {0.93}, w, 1e-15);
        // step 2: g' = 0.2 + 0.465 = 0.665, buf = 0.63 + 0.665 = 1.295, w = 0.93 - 0.1295 = 0.8005
        o.step(Map.of("w", w), Map.of("w", new double[] {0.2}), 0.1);
        assertArrayEquals(new double[] {0.8005}, w, 1e-15);
    }

    @Test
    void adamFirstStepMovesByLearningRate() {
        Optimizer o = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0));
        double[] w = {1.0, -2.0};
        // bias correction makes the first step lr * g / (|g| + eps) = lr * sign(g)
        o.step(Map.of("w", w), Map.of("w", new double[] {3.0, -0.5}), 0.01);
        assertArrayEquals(new double[] {1.0 - 0.01 * 3 / (3 + 1e-8), -2.0 + 0.01 * 0.5 / (0.5 + 1e-8)}, w, 1e-15);
    }

    @Test
    void stateRoundTripsSoAResumedRunContinuesTheSame() {
        Optimizer a = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0.1));
        double[] wa = {0.5, 0.25};
        a.step(Map.of("w", wa), Map.of("w", new double[] {0.3, -0.1}), 0.01);
        Optimizer b = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0.1));
        b.restore(a.state(), a.steps());
        double[] wb = wa.clone();
        a.step(Map.of("w", wa), Map.of("w", new double[] {0.2, 0.2}), 0.01);
        b.step(Map.of("w", wb), Map.of("w", new double[] {0.2, 0.2}), 0.01);
        assertArrayEquals(wa, wb, 0);
    }

    @Test
    void schedules() {
        TrainSpec step = spec(new TrainSpec.StepSchedule(List.of(5, 8), 0.1));
        assertEquals(0.05, Optimizer.learningRate(step, 5, 10), 1e-15);
        assertEquals(0.005, Optimizer.learningRate(step, 6, 10), 1e-15);
        assertEquals(0.0005, Optimizer.learningRate(step, 9, 10), 1e-15);
        TrainSpec cos = spec(new TrainSpec.CosineSchedule());
        assertEquals(0.05, Optimizer.learningRate(cos, 1, 10), 1e-15);
        assertEquals(0.025, Optimizer.learningRate(cos, 6, 10), 1e-15);
        assertEquals(0.05, Optimizer.learningRate(spec(new TrainSpec.ConstantSchedule()), 7, 10), 0);
    }

    private static TrainSpec spec(TrainSpec.Schedule s) {
        return new TrainSpec(Origin.NONE, new TrainSpec.SpikeBp(), new TrainSpec.NamedDataset("mnist"), 10, 64,
                new TrainSpec.Sgd(0.05, 0.9, 0), s, TrainSpec.Loss.MSE, TrainSpec.MseTargets.ONE_HOT, 7, 0);
    }
}

package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void stateRoundTripsSoAResumedRunContinuesTheSame() throws Exception {
        Optimizer a = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0.1));
        double[] wa = {0.5, 0.25};
        a.step(Map.of("w", wa), Map.of("w", new double[] {0.3, -0.1}), 0.01);
        Optimizer b = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0.1));
        b.restore(a.state(), a.steps(), Map.of("w", 2));
        double[] wb = wa.clone();
        a.step(Map.of("w", wa), Map.of("w", new double[] {0.2, 0.2}), 0.01);
        b.step(Map.of("w", wb), Map.of("w", new double[] {0.2, 0.2}), 0.01);
        assertArrayEquals(wa, wb, 0);
    }

    /** Incomplete, unknown or mis-sized state is refused, and the optimiser is left as it was. */
    @Test
    void restoreRefusesStateThatIsNotExactlyItsOwn() throws Exception {
        Optimizer a = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0));
        a.step(Map.of("w", new double[] {1, 2}, "b", new double[] {3}),
                Map.of("w", new double[] {0.1, 0.2}, "b", new double[] {0.3}), 0.01);
        Map<String, Integer> sizes = Map.of("w", 2, "b", 1);
        Optimizer b = new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0));

        Map<String, double[]> missing = new java.util.LinkedHashMap<>(a.state());
        missing.remove("optimizer.second.w");
        Optimizer.StateMismatch e = assertThrows(Optimizer.StateMismatch.class, () -> b.restore(missing, 1, sizes));
        assertEquals("optimizer.second.w", e.array());
        assertEquals("is missing: Adam's second moment of 'w' after 1 steps; without it the run would restart it "
                + "from zero", e.getMessage());
        assertEquals(0, b.steps(), "nothing restored");
        assertTrue(b.state().isEmpty());

        Map<String, double[]> unknown = new java.util.LinkedHashMap<>(a.state());
        unknown.put("optimizer.second.v", new double[2]);
        e = assertThrows(Optimizer.StateMismatch.class, () -> b.restore(unknown, 1, sizes));
        assertEquals("is state of parameter 'v', which the model does not have", e.getMessage());
        unknown.remove("optimizer.second.v");
        unknown.put("optimizer.third.w", new double[2]);
        e = assertThrows(Optimizer.StateMismatch.class, () -> b.restore(unknown, 1, sizes));
        assertEquals("optimizer.third.w", e.array());
        assertTrue(e.getMessage().startsWith("is not optimiser state spikeforge writes"), e.getMessage());

        Map<String, double[]> shortened = new java.util.LinkedHashMap<>(a.state());
        shortened.put("optimizer.first.w", new double[1]);
        e = assertThrows(Optimizer.StateMismatch.class, () -> b.restore(shortened, 1, sizes));
        assertEquals("has 1 values, but parameter 'w' has 2", e.getMessage());

        e = assertThrows(Optimizer.StateMismatch.class, () -> b.restore(a.state(), 0, sizes));
        assertEquals("is optimiser state, but the checkpoint records no optimiser step", e.getMessage());

        Optimizer sgd = new Optimizer(new TrainSpec.Sgd(0.1, 0.9, 0));
        e = assertThrows(Optimizer.StateMismatch.class, () -> sgd.restore(a.state(), 1, sizes));
        assertEquals("is Adam's second moment, but the model trains with sgd", e.getMessage());

        b.restore(a.state(), 1, sizes);
        assertEquals(1, b.steps());
        assertEquals(a.state().keySet(), b.state().keySet());
        new Optimizer(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0)).restore(Map.of(), 0, sizes);
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

    /**
     * QAT epochs: a tenth of lr, constant under constant and step schedules (whatever the float
     * epochs ended at), and under cosine annealed batch by batch over all QAT epochs, from lr / 10
     * at the first batch to near 0 at the last: 2 epochs of 4 batches, k = 0..7 of K = 8.
     */
    @Test
    void qatEpochsStartAtATenthAndACosineScheduleAnnealsThemBatchByBatch() {
        TrainSpec step = spec(new TrainSpec.StepSchedule(List.of(5, 8), 0.1));
        TrainSpec constant = spec(new TrainSpec.ConstantSchedule());
        TrainSpec cos = spec(new TrainSpec.CosineSchedule());
        for (int e = 0; e < 2; e++) {
            for (int b = 0; b < 4; b++) {
                assertEquals(0.005, Optimizer.qatLearningRate(step, e, 2, b, 4), 1e-15);
                assertEquals(0.005, Optimizer.qatLearningRate(constant, e, 2, b, 4), 1e-15);
                double k = e * 4 + b;
                assertEquals(0.0025 * (1 + Math.cos(Math.PI * k / 8)), Optimizer.qatLearningRate(cos, e, 2, b, 4), 1e-15);
            }
        }
        assertEquals(0.005, Optimizer.qatLearningRate(cos, 0, 2, 0, 4), 1e-15);
        assertEquals(0.0025, Optimizer.qatLearningRate(cos, 1, 2, 0, 4), 1e-15); // half way: the second epoch's start
        double last = Optimizer.qatLearningRate(cos, 1, 2, 3, 4);
        assertTrue(last > 0 && last < 0.005 * 0.04, "the last batch's rate " + last);
        assertEquals(0.005, Optimizer.qatLearningRate(cos, 0, 1, 0, 100), 1e-15);
        assertTrue(Optimizer.qatLearningRate(cos, 0, 1, 99, 100) < 0.005 * 0.001);
    }

    private static TrainSpec spec(TrainSpec.Schedule s) {
        return new TrainSpec(Origin.NONE, new TrainSpec.SpikeBp(), new TrainSpec.NamedDataset("mnist"), 10, 64,
                new TrainSpec.Sgd(0.05, 0.9, 0), s, TrainSpec.Loss.MSE, TrainSpec.MseTargets.ONE_HOT, 7, 0);
    }
}

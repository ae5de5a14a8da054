package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.TrainSpec;
import org.junit.jupiter.api.Test;

/** The losses and their gradients on hand-computed cases (docs/semantics.md section 7.2). */
class LossTest {

    private static final TrainSpec.MseTargets RATES = new TrainSpec.MseTargets(0.8, 0.2);

    @Test
    void mseOnACountReadoutComparesFiringRatesWithTheTargets() {
        // counts 2 and 1 of T = 4 are rates 0.5 and 0.25; targets 0.8 (true class 0) and 0.2
        Loss.Result r = Loss.of(TrainSpec.Loss.MSE, RATES, ReadoutMode.COUNT, new double[] {2, 1}, new int[] {0}, 2, 4);
        assertEquals(0.5 * (0.3 * 0.3 + 0.05 * 0.05), r.value(), 1e-15);
        // dL/dcount = (rate - target) / T
        assertArrayEquals(new double[] {-0.3 / 4, 0.05 / 4}, r.gradient(), 1e-15);
    }

    @Test
    void mseOnAnAccumulateReadoutIsAveragedOverTheBatch() {
        double[] out = {0.9, 0.3, 0.1, 0.5};
        Loss.Result r = Loss.of(TrainSpec.Loss.MSE, RATES, ReadoutMode.ACCUMULATE, out, new int[] {0, 1}, 2, 25);
        assertEquals((0.5 * (0.01 + 0.01) + 0.5 * (0.01 + 0.09)) / 2, r.value(), 1e-15);
        assertArrayEquals(new double[] {0.1 / 2, 0.1 / 2, -0.1 / 2, -0.3 / 2}, r.gradient(), 1e-15);
    }

    @Test
    void defaultMseTargetIsOneHot() {
        Loss.Result r = Loss.of(TrainSpec.Loss.MSE, TrainSpec.MseTargets.ONE_HOT, ReadoutMode.ACCUMULATE,
                new double[] {0.9, 0.3}, new int[] {0}, 2, 25);
        assertEquals(0.5 * (0.01 + 0.09), r.value(), 1e-15);
        assertArrayEquals(new double[] {-0.1, 0.3}, r.gradient(), 1e-15);
    }

    @Test
    void crossEntropyIgnoresTheMseTargets() {
        double[] out = {2, 1};
        Loss.Result a = Loss.of(TrainSpec.Loss.CROSS_ENTROPY, RATES, ReadoutMode.COUNT, out, new int[] {1}, 2, 4);
        Loss.Result b = Loss.of(TrainSpec.Loss.CROSS_ENTROPY, TrainSpec.MseTargets.ONE_HOT, ReadoutMode.COUNT, out,
                new int[] {1}, 2, 4);
        double p1 = Math.exp(1) / (Math.exp(2) + Math.exp(1));
        assertEquals(-Math.log(p1), a.value(), 1e-15);
        assertArrayEquals(new double[] {1 - p1, p1 - 1}, a.gradient(), 1e-15);
        assertArrayEquals(b.gradient(), a.gradient(), 0);
    }
}

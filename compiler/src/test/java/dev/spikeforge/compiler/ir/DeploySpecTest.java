package dev.spikeforge.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.quant.Leaks;
import dev.spikeforge.compiler.quant.QuantLeak;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float model's hardware-aware decay factors (docs/semantics.md section 2.4). */
class DeploySpecTest {

    /**
     * Under {@code multiplier(F)} the float model's beta is exactly the quantiser's m / 2^F, half-way
     * cases included (beta 2^F = j + 0.5 rounds up, away from zero), on 20,000 random betas and
     * every F from 1 to 24.
     */
    @Test
    void multiplierBetaIsWhatTheQuantiserStores() {
        SplittableRandom rnd = new SplittableRandom(24);
        int represented = 0;
        for (int i = 0; i < 20_000; i++) {
            int f = 1 + rnd.nextInt(24);
            double one = Math.scalb(1.0, f);
            double beta = i % 4 == 0 ? (1 + rnd.nextInt((int) Math.min(one - 1, 1 << 20)) + 0.5) / one : rnd.nextDouble();
            QuantLeak q = Leaks.represent(beta, new DeploySpec.MultiplierLeak(f));
            double got = DeploySpec.betaOfMultiplier(beta, f);
            if (q instanceof QuantLeak.Multiplier m) {
                assertEquals(m.m() / one, got, 0.0, "beta " + beta + ", F " + f);
                represented++;
            } else {
                assertEquals(beta, got, 0.0, "beta " + beta + " cannot be stored in F = " + f + ": the verifier refuses it");
            }
        }
        assertTrue(represented > 15_000, "most betas are representable: " + represented);
        assertEquals(0.875, DeploySpec.betaOfMultiplier(0.875, 12), 0.0, "a dyadic beta is unchanged");
        assertEquals(4055 / 4096.0, DeploySpec.betaOfMultiplier(0.99, 12), 0.0, "0.99 x 4096 = 4055.04 -> 4055");
    }
}

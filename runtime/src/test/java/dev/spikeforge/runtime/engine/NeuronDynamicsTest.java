package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

/** The branch-free firing rule is the comparison h >= theta of SEMANTICS.md section 2. */
class NeuronDynamicsTest {

    @Property(tries = 5000)
    void firingFromTheSignBitIsTheComparison(@ForAll double h,
                                             @ForAll @DoubleRange(min = 0, minIncluded = false, max = 1e300) double theta) {
        if (Double.isNaN(h)) {
            return;
        }
        assertEquals(h >= theta ? 1.0 : 0.0, NeuronDynamics.fires(h, theta), "h=" + h + " theta=" + theta);
    }

    @Example
    void atAndAroundTheThreshold() {
        double[] thetas = {1.0, 0.75, Double.MIN_VALUE, 3e-300, 0.1 + 0.2};
        for (double theta : thetas) {
            double[] hs = {theta, Math.nextUp(theta), Math.nextDown(theta), 0.0, -0.0, -theta,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE};
            for (double h : hs) {
                assertEquals(h >= theta ? 1.0 : 0.0, NeuronDynamics.fires(h, theta), "h=" + h + " theta=" + theta);
            }
        }
    }
}

package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The branch-free firing rule is the comparison h >= theta of docs/semantics.md section 2.1; spike
 * counts are exact.
 */
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

    @Example
    void spikeCountsStayExactBeyondFloatPrecision() {
        // ND4J's float sum returns 2^24 for these 2^24 + 5 ones
        int n = (1 << 24) + 5;
        assertEquals(n, FloatModel.spikeCount(Nd4j.ones(DataType.FLOAT, n)));
    }

    @Property(tries = 50)
    void spikeCountsCountTheOnes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300_000) int n,
                                 @ForAll boolean doubles) {
        SplittableRandom r = new SplittableRandom(seed);
        double rate = r.nextDouble();
        double[] v = new double[n];
        long ones = 0;
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() < rate ? 1 : 0;
            ones += (long) v[i];
        }
        assertEquals(ones, FloatModel.spikeCount(Nd4j.createFromArray(v).castTo(doubles ? DataType.DOUBLE : DataType.FLOAT)));
    }
}

package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.integer.RandomNetworks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worst case of {@link CycleFormula#worstLayer}, {@link CycleFormula#worstWave},
 * {@link CycleFormula#worstInference} and {@link CycleFormula#worstLatency}, from the design alone:
 * it is the cycle formula at its extreme (every source event, every neuron firing) on random
 * designs of every layer kind, and a stream of all-ones inputs into a network whose every neuron
 * fires every step reaches it exactly on the emulator.
 */
class FpgaCycleBoundTest {

    /**
     * On 200 random chain designs (conv, pool, dense; every readout) and 200 temporal ones (CUBA,
     * full and diagonal recurrence), the prediction of an all-ones input with every spiking neuron
     * firing in every step is each engine's worst case (step 1 without recurrent events, later
     * steps with all), and the worst wave is the slowest of them plus the swap cycle.
     */
    @Test
    void theWorstCaseIsThePredictionOfEveryEventAndEverySpike() {
        int designs = 0;
        for (long seed = 1; seed <= 400; seed++) {
            RandomNetworks.InputKind kind = RandomNetworks.InputKind.values()[(int) (seed % 3)];
            int steps = 2 + (int) (seed % 3);
            FpgaDesign d;
            if (seed <= 200) {
                FpgaCases.Planned p = FpgaCases.plan(seed, steps, kind, 1 << (seed % 5));
                d = p == null ? null : p.d();
            } else {
                TemporalCases.Case c = TemporalCases.generate(seed, steps, kind, 1 << (seed % 5));
                d = c == null ? null : c.d();
            }
            if (d == null) {
                continue;
            }
            designs++;
            long[][] got = CycleFormula.predict(d, allOnes(d), allSpikes(d));
            long slowest = 0;
            for (int l = 0; l < got.length; l++) {
                for (int t = 0; t < got[l].length; t++) {
                    assertEquals(CycleFormula.worstLayer(d, l, t > 0), got[l][t], "design " + d.layers() + ", layer " + l);
                    slowest = Math.max(slowest, got[l][t]);
                }
            }
            assertEquals(Schedule.SWAP + slowest, CycleFormula.worstWave(d));
        }
        assertTrue(designs >= 250, designs + " of 400 seeds planned");
    }

    /**
     * A CUBA layer of 5 with full recurrence, a CUBA layer of 4 with diagonal recurrence and a
     * membrane readout of 3, on 2 lanes (blocks of 2, 2 and 1 lanes: stalls in every full word):
     * every weight positive and every threshold 1, so that an all-ones input fires every neuron in
     * every step. The emulator, equal to the integer model, takes exactly the worst wave in every
     * wave where every engine works at its worst, and never more.
     */
    @Test
    void anAllOnesInputReachesTheWorstCase() {
        QuantizedNetwork q = allFiring(4);
        FpgaDesign d = FpgaDesign.plan(q, new FpgaOptions(2, "generic", "auto", ""));
        int[] input = allOnes(d);
        FpgaEmulator.Sample got = new FpgaEmulator(d).run(input, true);
        assertNull(FpgaCases.compare(q, input, got));
        for (int l = 0; l < 2; l++) {
            for (int t = 0; t < q.timesteps(); t++) {
                assertEquals(d.layers().get(l).outputSize(), got.spikeNeurons()[l][t].length, "layer " + l + " step " + t);
            }
        }
        assertTrue(CycleFormula.worstLayer(d, 0, true) > CycleFormula.worstLayer(d, 0, false), "the recurrent events count after step 1");
        // a stream of three: once every engine works (the waves of steps 2.. of the second sample), every wave is the worst
        List<FpgaEmulator.Sample> stream = FpgaEmulator.run(d, new int[][] {input, input, input}, 1, false);
        FpgaEmulator.Sample middle = stream.get(1);
        for (int t = 1; t < q.timesteps(); t++) {
            assertEquals(CycleFormula.worstWave(d), middle.stepCycles()[t], "step " + (t + 1));
        }
        for (FpgaEmulator.Sample s : stream) {
            assertTrue(s.cycles() <= CycleFormula.worstInference(d));
            assertTrue(s.latency() <= CycleFormula.worstLatency(d));
        }
        assertEquals(CycleFormula.worstWave(d) * q.timesteps(), CycleFormula.worstInference(d));
    }

    static QuantizedNetwork allFiring(int steps) {
        QuantizedNetwork.Numerics num = new QuantizedNetwork.Numerics(6, DeploySpec.Granularity.PER_LAYER, 10,
                DeploySpec.Overflow.SATURATE, false, 8);
        List<QuantLayer> layers = new ArrayList<>();
        layers.add(TemporalCases.temporal("h1", List.of(new Synapse.Dense("h1", -1, Shape.flat(6), 6, 5, filled(30, 10)),
                new Synapse.Recurrent("h1", 0, Shape.flat(5), 5, false, filled(25, 1))), 5, null, new long[] {1}, Reset.ZERO,
                new QuantLeak.Shift(3), new QuantLeak.Shift(2), null, num));
        layers.add(TemporalCases.temporal("h2", List.of(new Synapse.Dense("h2", 0, Shape.flat(5), 5, 4, filled(20, 10)),
                new Synapse.Recurrent("h2", 1, Shape.flat(4), 4, true, filled(4, 1))), 4, null, new long[] {1}, Reset.ZERO,
                new QuantLeak.Multiplier(7, 3), new QuantLeak.Multiplier(3, 2), null, num));
        layers.add(TemporalCases.temporal("out", List.of(new Synapse.Dense("out", 1, Shape.flat(4), 4, 3, filled(12, 3))), 3,
                null, null, null, new QuantLeak.Shift(4), new QuantLeak.Shift(1), ReadoutMode.MEMBRANE, num));
        QuantLayer ro = layers.get(2);
        return new QuantizedNetwork("allfire", steps, Encoding.POISSON, Shape.flat(6), 1, layers, num,
                65 - Long.numberOfLeadingZeros(steps * ro.maxCurrent()));
    }

    private static int[] filled(int n, int v) {
        int[] w = new int[n];
        Arrays.fill(w, v);
        return w;
    }

    /** Every input position 1 in every step. */
    static int[] allOnes(FpgaDesign d) {
        int[] in = new int[d.timesteps() * d.inputShape()[0] * d.inputShape()[1] * d.inputShape()[2]];
        Arrays.fill(in, 1);
        return in;
    }

    /** Every neuron of every spiking layer firing in every step; none in a non-spiking readout. */
    static byte[][][] allSpikes(FpgaDesign d) {
        byte[][][] s = new byte[d.layers().size()][d.timesteps()][];
        for (int l = 0; l < s.length; l++) {
            FpgaLayer fl = d.layers().get(l);
            for (int t = 0; t < d.timesteps(); t++) {
                s[l][t] = new byte[fl.outputSize()];
                if (fl.mode().spiking()) {
                    Arrays.fill(s[l][t], (byte) 1);
                }
            }
        }
        return s;
    }
}

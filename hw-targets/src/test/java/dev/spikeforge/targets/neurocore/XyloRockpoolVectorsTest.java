package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spikeforge's xylo_like arithmetic against SynSense Rockpool's Xylo bit-shift decay, on the
 * vectors that {@code scripts/peer-rockpool-xylo.sh} made by running Rockpool's own
 * {@code bitshift()} (docs/devices/xylo-overview.ipynb; committed under {@code peers/rockpool},
 * Rockpool itself is not needed here).
 *
 * <p>First the decay alone: for every dash 1..15 and every value of the script's table, the
 * integer model's leak ({@code QuantizedNetwork.Numerics.leak}) and the emulator's
 * ({@code Mapping.Leak.apply}) with xylo_like's numerics must give what Rockpool's function gave,
 * except at 0, where the function gives -1 and xylo_like keeps 0 (docs/targets.md says why).
 *
 * <p>Then whole layers: each case is one layer of 8 neurons fed 16 spike inputs for 48 steps, in
 * xylo_like's numerics (16-bit saturating current and membrane, floor shifts, the minimum 1-LSB
 * decay): weights W &lt;&lt; weight_shift_in (and W_rec &lt;&lt; weight_shift_rec for recurrent
 * cases), the shift leak dash_mem, the current's shift leak dash_syn (CUBA cases), biases (LIF
 * cases), threshold {@code >=} and reset by subtraction. Every spike, current and membrane after
 * reset of every step must equal the vectors, in the integer model and in the xylo_like emulator
 * (mapped, written as mapping files, read back). Two changes to the preset, as LavaLifVectorsTest
 * makes for loihi_like: its 8-bit weight store is widened to 16 bits (Xylo holds 8-bit weights
 * and applies the weight shift after the sum; spikeforge has no weight shift, so the shifted
 * weights are stored), and its 16-bit registers to 32 bits (the design rule that a core's partial
 * sums fit beside the state, M + G bits); the emulator still clamps at the network's 16 bits.
 */
class XyloRockpoolVectorsTest {

    @TempDir
    Path tmp;

    private static JsonNode vectors() throws Exception {
        try (InputStream in = XyloRockpoolVectorsTest.class.getResourceAsStream("/peers/rockpool/xylo.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static QuantizedNetwork.Numerics xyloNumerics(int currentBits) throws Exception {
        NeurocoreSpec xylo = NeurocoreSpecs.preset("xylo_like");
        return new QuantizedNetwork.Numerics(16, DeploySpec.Granularity.PER_LAYER, xylo.membraneBits(),
                xylo.overflow(), xylo.shiftTowardZero(), currentBits, xylo.decayMinLsb());
    }

    @Test
    void theDecayEqualsRockpoolsBitshiftOnEveryNonZeroValue() throws Exception {
        JsonNode table = vectors().get("bitshift_table");
        NeurocoreSpec xylo = NeurocoreSpecs.preset("xylo_like");
        assertTrue(xylo.decayMinLsb(), "xylo_like declares decay_min_lsb");
        QuantizedNetwork.Numerics num = xyloNumerics(16);
        Mapping.Numerics emu = new Mapping.Numerics(16, 16, false, xylo.shiftTowardZero(), false, 16, xylo.decayMinLsb());
        int compared = 0;
        int minLsb = 0;
        for (int di = 0; di < table.get("dash").size(); di++) {
            int dash = table.get("dash").get(di).asInt();
            QuantLeak leak = new QuantLeak.Shift(dash);
            Mapping.Leak emuLeak = new Mapping.Leak(Mapping.Leak.Form.SHIFT, dash, 0, 0);
            for (int vi = 0; vi < table.get("values").size(); vi++) {
                long v = table.get("values").get(vi).asLong();
                long rockpool = table.get("bitshift").get(di).get(vi).asLong();
                if (v == 0) {
                    assertEquals(-1, rockpool, "Rockpool's bitshift(0, " + dash + ")");
                    assertEquals(0, num.leak(leak, 0), "xylo_like keeps a zero state at zero");
                    assertEquals(0, emuLeak.apply(0, emu), "xylo_like emulator keeps a zero state at zero");
                    continue;
                }
                String at = "bitshift(" + v + ", " + dash + ")";
                assertEquals(rockpool, num.leak(leak, v), at + ": integer model");
                assertEquals(rockpool, emuLeak.apply(v, emu), at + ": xylo_like emulator");
                compared++;
                minLsb += v > 0 && (v >> dash) == 0 ? 1 : 0;
            }
        }
        System.out.printf(Locale.ROOT, "Rockpool bitshift(): %d (value, dash) pairs equal, %d of them where the"
                + " minimum 1 LSB decides%n", compared, minLsb);
        assertTrue(compared >= 1500 && minLsb >= 200, "the table covers too little: " + compared + ", " + minLsb);
    }

    @Test
    void integerModelAndEmulatorEqualTheRockpoolVectors() throws Exception {
        JsonNode doc = vectors();
        assertEquals(16, doc.get("state_bits").asInt());
        int steps = doc.get("steps").asInt();
        int inputs = doc.get("inputs").asInt();
        int neurons = doc.get("neurons").asInt();
        int cases = 0;
        int cuba = 0;
        int recurrent = 0;
        long spikes = 0;
        long compared = 0;
        long saturated = 0;
        long negative = 0;
        long currents = 0;
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            int dashMem = c.get("dash_mem").asInt();
            boolean current = !c.get("dash_syn").isNull();
            boolean rec = !c.get("weights_rec").isNull();
            int shiftIn = c.get("weight_shift_in").asInt();
            long threshold = c.get("threshold").asLong();
            long[] bias = new long[neurons];
            boolean anyBias = false;
            for (int n = 0; n < neurons; n++) {
                bias[n] = c.get("bias").get(n).asLong();
                anyBias |= bias[n] != 0;
            }
            assertTrue(!(current && anyBias), name + ": a bias with a synaptic current is outside the shared domain");
            int[] w = new int[neurons * inputs];
            for (int n = 0; n < neurons; n++) {
                for (int i = 0; i < inputs; i++) {
                    w[n * inputs + i] = c.get("weights_in").get(n).get(i).asInt() << shiftIn;
                }
            }
            List<Synapse> syn = new ArrayList<>();
            syn.add(new Synapse.Dense("h", -1, Shape.flat(inputs), inputs, neurons, w));
            if (rec) {
                int shiftRec = c.get("weight_shift_rec").asInt();
                int[] wr = new int[neurons * neurons];
                for (int n = 0; n < neurons; n++) {
                    for (int j = 0; j < neurons; j++) {
                        wr[n * neurons + j] = c.get("weights_rec").get(n).get(j).asInt() << shiftRec;
                    }
                }
                syn.add(new Synapse.Recurrent("h", 0, Shape.flat(neurons), neurons, false, wr));
            }
            cuba += current ? 1 : 0;
            recurrent += rec ? 1 : 0;
            QuantLeak synaptic = current ? new QuantLeak.Shift(c.get("dash_syn").asInt()) : null;
            TemporalNets.Builder b = new TemporalNets.Builder(Shape.flat(inputs), 16);
            int h = b.add("h", null, Shape.flat(neurons), 1, syn, anyBias ? bias : null, new long[] {threshold},
                    Reset.SUBTRACT, new QuantLeak.Shift(dashMem), synaptic);
            b.add("out", ReadoutMode.ACCUMULATE, Shape.flat(2), 1, List.of(new Synapse.Dense("out", h,
                    Shape.flat(neurons), neurons, 2, new int[2 * neurons])), null, null, null, new QuantLeak.Shift(1), null);
            QuantizedNetwork q = b.build(name, steps, xyloNumerics(16));
            int[] input = new int[steps * inputs];
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < inputs; i++) {
                    input[t * inputs + i] = c.get("input").get(t).get(i).asInt();
                }
            }
            SampleResult r = new IntegerSimulator(q).run(input, h);
            QuantizedNetwork.Numerics num = q.numerics();
            QuantLeak memLeak = new QuantLeak.Shift(dashMem);
            NeurocoreSpec spec = TestSpecs.with(NeurocoreSpecs.preset("xylo_like"), "maxWeightBits", 16,
                    "membraneBits", 32, "synapticCurrentBits", 32);
            List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
            assertTrue(rules.stream().allMatch(DesignRules.Result::passed), name + ": " + rules.stream()
                    .filter(x -> !x.passed()).map(x -> x.rule() + " " + x.violations()).toList());
            Path dir = tmp.resolve(name);
            MappingWriter.write(NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null), rules, dir);
            EmulatedSample e = new NeurocoreEmulator(MappingFiles.read(dir)).run(input, true);
            for (int t = 0; t < steps; t++) {
                for (int n = 0; n < neurons; n++) {
                    long v = c.get("v").get(t).get(n).asLong();
                    int s = c.get("s").get(t).get(n).asInt();
                    assertTrue(s <= 1, name + " step " + t + ": " + s + " spikes in one step (spikeforge emits one)");
                    String at = String.format(Locale.ROOT, "%s (dash_mem %d, dash_syn %s, threshold %d) step %d neuron %d",
                            name, dashMem, c.get("dash_syn").asText(), threshold, t, n);
                    assertEquals(s, r.spikeRecord()[h][t][n], at + ": spike");
                    assertEquals(v, r.membraneRecord()[h][t][n], at + ": membrane after reset");
                    assertEquals(s, e.spikes()[h][t][n], at + ": spike (xylo_like emulator)");
                    assertEquals(v, e.membranes()[h][t][n], at + ": membrane after reset (xylo_like emulator)");
                    if (current) {
                        // neither engine records its current: it is what the membrane took this step,
                        // c = h - leak(v[t-1]) with h = v + s theta, wherever h was not clamped
                        long cur = c.get("c").get(t).get(n).asLong();
                        long hInt = r.membraneRecord()[h][t][n] + r.spikeRecord()[h][t][n] * threshold;
                        long hEmu = e.membranes()[h][t][n] + e.spikes()[h][t][n] * threshold;
                        long prevInt = t == 0 ? 0 : r.membraneRecord()[h][t - 1][n];
                        long prevEmu = t == 0 ? 0 : e.membranes()[h][t - 1][n];
                        if (hInt > -(1 << 15) && hInt < (1 << 15) - 1) {
                            assertEquals(cur, hInt - num.leak(memLeak, prevInt), at + ": synaptic current");
                            assertEquals(cur, hEmu - num.leak(memLeak, prevEmu), at + ": synaptic current (xylo_like emulator)");
                            currents++;
                        }
                        saturated += Math.abs(cur) >= (1 << 15) - 1 ? 1 : 0;
                        negative += cur < 0 ? 1 : 0;
                    }
                    saturated += v == -(1 << 15) ? 1 : 0;
                    negative += v < 0 ? 1 : 0;
                    spikes += s;
                    compared++;
                }
            }
            cases++;
        }
        System.out.printf(Locale.ROOT, "Rockpool Xylo bitshift (%s): %d cases (%d CUBA, %d recurrent), %d steps x %d"
                        + " neurons, %d (step, neuron) pairs, %d spikes, %d currents, %d negative and %d saturated"
                        + " states: integer model and xylo_like emulator all equal%n", doc.get("rockpool_commit").asText(),
                cases, cuba, recurrent, steps, neurons, compared, spikes, currents, negative, saturated);
        assertTrue(cases >= 60 && cuba >= 30 && recurrent >= 15 && currents >= 5000 && spikes >= 500 && negative >= 2000 && saturated >= 20,
                "the vectors cover too little: " + cases + " cases, " + cuba + " CUBA, " + spikes + " spikes, "
                        + negative + " negative, " + saturated + " saturated");
        JsonNode counts = doc.get("counts");
        assertTrue(counts.get("min_lsb_decays").asLong() >= 2000, "too few decays where the minimum 1 LSB decides");
    }
}

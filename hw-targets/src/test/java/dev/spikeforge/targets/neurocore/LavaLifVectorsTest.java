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
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import java.nio.file.Path;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spikeforge's integer neuron arithmetic against Lava's bit-accurate LIF (lava-nc/lava,
 * {@code PyLifModelBitAcc}), on the vectors that {@code scripts/peer-lava-lif.sh} made by running
 * Lava's own model file (committed under {@code peers/lava}; Lava itself is not needed here).
 *
 * <p>Each case is one layer of Lava LIF neurons fed W x[t]. It is written here as a spikeforge
 * integer layer in Loihi's register units, the translation docs/targets.md gives: weights 2^6 W
 * (Lava's act_shift), threshold (vth 2^6) + 1 with spikeforge's {@code >=} (Lava fires on
 * v > vth 2^6), bias mant 2^exp, the membrane leak multiplier(4096 - dv, 12) (none for dv = 0), the
 * current's multiplier(4096 - (du + 1), 12) (Lava's ds_offset of 1; du = 4095 is no current, a LIF),
 * reset to zero, shifts rounding toward zero, a 24-bit membrane and current. Every spike and every
 * membrane after reset of every step must equal Lava's. The cases stay where the two arithmetics
 * are the same by construction, and the test checks that they do: no bias where a current
 * decays (Lava adds the bias to v, spikeforge to the current), no current beyond 24 bits (Lava
 * wraps it, spikeforge saturates), no membrane at -2^23 (Lava clips at -2^23 + 1).
 *
 * <p>The same layer is then mapped onto loihi_like cores, written as mapping files, read back and
 * run by the neurocore emulator, which must give the same spikes and membranes. One change to the
 * preset: its 24-bit membrane and current registers are widened to 32 bits, because the design
 * rules that a core's partial sums fit beside the state (M + G bits) cannot hold for 24-bit state in
 * 24-bit registers; the emulator still clamps the membrane and current at the network's 24 bits.
 */
class LavaLifVectorsTest {

    @TempDir
    Path tmp;

    @Test
    void integerModelAndEmulatorEqualLavasBitAccurateLif() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/peers/lava/lif.json")) {
            doc = new ObjectMapper().readTree(in);
        }
        assertEquals(6, doc.get("act_shift").asInt());
        assertEquals(6, doc.get("vth_shift").asInt());
        assertEquals(1, doc.get("ds_offset").asInt());
        int steps = doc.get("steps").asInt();
        int inputs = doc.get("inputs").asInt();
        int neurons = doc.get("neurons").asInt();
        int cases = 0;
        int cuba = 0;
        long spikes = 0;
        long compared = 0;
        long leakyMembranes = 0;
        for (JsonNode c : doc.get("cases")) {
            int du = c.get("du").asInt();
            int dv = c.get("dv").asInt();
            long vth = c.get("vth").asLong();
            long[] bias = new long[neurons];
            boolean anyBias = false;
            for (int n = 0; n < neurons; n++) {
                bias[n] = c.get("bias_mant").get(n).asLong() << c.get("bias_exp").get(n).asInt();
                anyBias |= bias[n] != 0;
            }
            int[] w = new int[neurons * inputs];
            for (int n = 0; n < neurons; n++) {
                for (int i = 0; i < inputs; i++) {
                    w[n * inputs + i] = c.get("weights").get(n).get(i).asInt() << 6;
                }
            }
            boolean current = du != 4095;
            assertTrue(!(current && anyBias), c.get("name") + ": a bias with a decaying current is outside the shared domain");
            cuba += current ? 1 : 0;
            QuantLeak leak = dv == 0 ? new QuantLeak.None() : new QuantLeak.Multiplier(4096 - dv, 12);
            QuantLeak synaptic = current ? new QuantLeak.Multiplier(4096 - (du + 1), 12) : null;
            TemporalNets.Builder b = new TemporalNets.Builder(Shape.flat(inputs), 24);
            int h = b.add("h", null, Shape.flat(neurons), 1, List.of(new Synapse.Dense("h", -1, Shape.flat(inputs), inputs,
                    neurons, w)), anyBias ? bias : null, new long[] {(vth << 6) + 1}, Reset.ZERO, leak, synaptic);
            b.add("out", ReadoutMode.ACCUMULATE, Shape.flat(2), 1, List.of(new Synapse.Dense("out", h, Shape.flat(neurons),
                    neurons, 2, new int[2 * neurons])), null, null, null, new QuantLeak.None(), null);
            QuantizedNetwork q = b.build(c.get("name").asText(), steps, new QuantizedNetwork.Numerics(9,
                    DeploySpec.Granularity.PER_LAYER, 24, DeploySpec.Overflow.SATURATE, true, 24));
            int[] input = new int[steps * inputs];
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < inputs; i++) {
                    input[t * inputs + i] = c.get("input").get(t).get(i).asInt();
                }
            }
            SampleResult r = new IntegerSimulator(q).run(input, h);
            NeurocoreSpec spec = TestSpecs.with(NeurocoreSpecs.preset("loihi_like"), "membraneBits", 32, "synapticCurrentBits", 32);
            List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
            assertTrue(rules.stream().allMatch(DesignRules.Result::passed), c.get("name") + ": " + rules.stream()
                    .filter(x -> !x.passed()).map(DesignRules.Result::rule).toList());
            Path dir = tmp.resolve(c.get("name").asText());
            MappingWriter.write(NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null), rules, dir);
            EmulatedSample e = new NeurocoreEmulator(MappingFiles.read(dir)).run(input, true);
            for (int t = 0; t < steps; t++) {
                for (int n = 0; n < neurons; n++) {
                    long u = c.get("u").get(t).get(n).asLong();
                    long v = c.get("v").get(t).get(n).asLong();
                    int s = c.get("s").get(t).get(n).asInt();
                    assertTrue(Math.abs(u) < (1L << 23), c.get("name") + " step " + t + ": Lava's current " + u
                            + " is where Lava wraps and spikeforge saturates");
                    assertTrue(v > -(1L << 23) + 1, c.get("name") + " step " + t + ": Lava's membrane " + v
                            + " is at Lava's lower clip");
                    String at = String.format(Locale.ROOT, "%s (du %d, dv %d, vth %d) step %d neuron %d", c.get("name").asText(),
                            du, dv, vth, t, n);
                    assertEquals(s, r.spikeRecord()[h][t][n], at + ": spike");
                    assertEquals(v, r.membraneRecord()[h][t][n], at + ": membrane after reset");
                    assertEquals(s, e.spikes()[h][t][n], at + ": spike (loihi_like emulator)");
                    assertEquals(v, e.membranes()[h][t][n], at + ": membrane after reset (loihi_like emulator)");
                    spikes += s;
                    compared++;
                    leakyMembranes += dv != 0 && v != 0 ? 1 : 0;
                }
            }
            cases++;
        }
        System.out.printf(Locale.ROOT, "Lava PyLifModelBitAcc (%s): %d cases (%d with a decaying current), %d (step, neuron)"
                        + " pairs, %d spikes, %d leaky non-zero membranes: integer model and loihi_like emulator all equal%n", doc.get("lava_commit").asText(), cases,
                cuba, compared, spikes, leakyMembranes);
        assertTrue(cases >= 60 && cuba >= 30 && spikes >= 1000 && leakyMembranes >= 5000,
                "the vectors cover too little: " + cases + " cases, " + cuba + " CUBA, " + spikes + " spikes");
    }
}

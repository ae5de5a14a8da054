package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.RandomNetworks;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.Arrays;
import java.util.Locale;

/** Random chain networks quantised and planned for the FPGA, and the comparison with the integer reference. */
final class FpgaCases {

    private FpgaCases() {
    }

    /** A planned case, or null when the quantiser or a design rule refuses it. */
    record Planned(RandomNetworks.Case c, QuantizedNetwork q, FpgaDesign d) {
    }

    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes) {
        return plan(seed, steps, encoding, lanes, false);
    }

    /** @param nearest the accelerator's {@code leak_rounding = nearest} (docs/semantics.md section 4.12) */
    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes, boolean nearest) {
        RandomNetworks.Case c = RandomNetworks.generate(seed, steps, encoding, true);
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow()).withShiftTowardZero(false)
                .withLeakNearest(nearest);
        Quantizer.Result r = Quantizer.quantize(c.net, c.weights, o);
        if (!r.ok()) {
            return null;
        }
        FpgaOptions fo = new FpgaOptions(lanes, "generic", "auto", "", nearest ? "nearest" : "floor");
        if (!FpgaRules.check(r.network(), fo).isEmpty()) {
            return null;
        }
        return new Planned(c, r.network(), FpgaDesign.plan(r.network(), fo));
    }

    /**
     * The cycle model against cycles per step measured by the emulator or an RTL simulation
     * ({@code who}): the cycles {@link CycleFormula#predict} computes from the input and the integer
     * model's spikes alone are the measured ones in every step, and no step and no inference takes
     * more than the worst case of the design alone. Null when all holds, else the first break.
     */
    static String cycleCheck(FpgaDesign d, QuantizedNetwork q, int[] input, long[] measured, String who) {
        return cycleCheck(d, reference(q, input), input, measured, who);
    }

    /** As above, with the integer model's record of {@code input} already computed. */
    static String cycleCheck(FpgaDesign d, SampleResult ref, int[] input, long[] measured, String who) {
        long[] predicted = CycleFormula.predict(d, input, ref.spikeRecord());
        long total = 0;
        for (int t = 0; t < predicted.length; t++) {
            if (predicted[t] != measured[t]) {
                return "step " + (t + 1) + ": predicted " + predicted[t] + " cycles from the integer model's spikes, " + who
                        + " took " + measured[t];
            }
            long worst = CycleFormula.worstStep(d, t > 0);
            if (measured[t] > worst) {
                return "step " + (t + 1) + ": " + who + " took " + measured[t] + " cycles, over the worst case " + worst;
            }
            total += measured[t];
        }
        if (total > CycleFormula.worstInference(d)) {
            return who + " took " + total + " cycles, over the inference's worst case " + CycleFormula.worstInference(d);
        }
        return null;
    }

    /** The first difference between the FPGA emulator's run of {@code input} and the integer reference's, or null. */
    static String compare(QuantizedNetwork q, int[] input, FpgaEmulator.Sample got) {
        return compare(q, reference(q, input), got);
    }

    /** The integer model's full record (every layer's spikes and membranes) of {@code input}. */
    static SampleResult reference(QuantizedNetwork q, int[] input) {
        int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
        return new IntegerSimulator(q).run(input, all);
    }

    /** The first difference between the FPGA emulator's sample and the integer model's record {@code want}, or null. */
    static String compare(QuantizedNetwork q, SampleResult want, FpgaEmulator.Sample got) {
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                byte[] ws = want.spikeRecord()[l][t];
                byte[] gs = new byte[ws.length];
                for (int n : got.spikeNeurons()[l][t]) {
                    gs[n]++;
                }
                for (int n = 0; n < ws.length; n++) {
                    if (ws[n] != gs[n]) {
                        return String.format(Locale.ROOT, "step %d layer %d neuron %d: spike %d (integer) vs %d (fpga)",
                                t + 1, l, n, ws[n], gs[n]);
                    }
                    long wm = want.membraneRecord()[l][t][n];
                    long gm = got.membranes()[l][t][n];
                    if (wm != gm) {
                        return String.format(Locale.ROOT, "step %d layer %d neuron %d: membrane %d (integer) vs %d (fpga)",
                                t + 1, l, n, wm, gm);
                    }
                }
            }
        }
        if (!Arrays.equals(want.readout(), got.readout())) {
            return "readout " + Arrays.toString(want.readout()) + " (integer) vs " + Arrays.toString(got.readout()) + " (fpga)";
        }
        return null;
    }
}

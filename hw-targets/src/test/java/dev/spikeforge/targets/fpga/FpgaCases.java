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
        return plan(seed, steps, encoding, lanes, nearest ? Rounding.NEAREST : Rounding.FLOOR, RandomNetworks.Limits.DEFAULT);
    }

    /**
     * How the design's leak shifts round. FLOOR and NEAREST are {@code leak_rounding = floor | nearest};
     * TOWARD_ZERO is a network quantised with {@code shift_rounding = toward_zero} planned directly
     * (FpgaTarget never asks for it, docs/targets.md): the only way to reach the RTL's toward-zero
     * branches, tested while they exist.
     */
    enum Rounding {
        FLOOR, NEAREST, TOWARD_ZERO;

        String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A planned case of the generator's {@code limits}, or null when the quantiser or a design rule refuses it. */
    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes, Rounding rounding,
                        RandomNetworks.Limits limits) {
        RandomNetworks.Case c = RandomNetworks.generate(seed, steps, encoding, true, limits);
        boolean nearest = rounding == Rounding.NEAREST;
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow())
                .withShiftTowardZero(rounding == Rounding.TOWARD_ZERO).withLeakNearest(nearest);
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

    /** The first difference between the FPGA emulator and the integer reference, or null. */
    static String compareWithReference(Planned p, FpgaEmulator.Sample got) {
        return compare(p.q(), p.c().input, got);
    }

    /** The first difference between the FPGA emulator's run of {@code input} and the integer reference's, or null. */
    static String compare(QuantizedNetwork q, int[] input, FpgaEmulator.Sample got) {
        int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
        SampleResult want = new IntegerSimulator(q).run(input, all);
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

package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.RandomNetworks;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;

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
        return plan(seed, steps, encoding, lanes, nearest ? Rounding.NEAREST : Rounding.FLOOR, RandomNetworks.Limits.DEFAULT,
                false);
    }

    /**
     * @param mixed each layer its own lanes ({@code lanes = [...]}): layer i gets {@code lanes} shifted
     *              up by 2i + 1 powers of two, wrapping from 64 back to 1, so neighbours differ
     */
    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes, boolean nearest, boolean mixed) {
        return plan(seed, steps, encoding, lanes, nearest ? Rounding.NEAREST : Rounding.FLOOR, RandomNetworks.Limits.DEFAULT,
                mixed);
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

    /**
     * The properties' rounding, drawn uniformly: jqwik's edge cases would otherwise put the first and
     * last modes into the early tries of every run, leaving the three modes with uneven shares (floor
     * about half of 300 tries, toward_zero 62-84) and the coverage minimums close to the draws.
     */
    static final class UniformRounding implements ArbitrarySupplier<Rounding> {
        @Override
        public Arbitrary<Rounding> get() {
            return Arbitraries.of(Rounding.class).withoutEdgeCases();
        }
    }

    /** A planned case of the generator's {@code limits}, or null when the quantiser or a design rule refuses it. */
    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes, Rounding rounding,
                        RandomNetworks.Limits limits) {
        return plan(seed, steps, encoding, lanes, rounding, limits, false);
    }

    /** As above, {@code mixed}: each layer its own lanes (see above). */
    static Planned plan(long seed, int steps, RandomNetworks.InputKind encoding, int lanes, Rounding rounding,
                        RandomNetworks.Limits limits, boolean mixed) {
        RandomNetworks.Case c = RandomNetworks.generate(seed, steps, encoding, true, limits);
        boolean nearest = rounding == Rounding.NEAREST;
        QuantOptions o = QuantOptions.from(c.net.deploy().orElseThrow())
                .withShiftTowardZero(rounding == Rounding.TOWARD_ZERO).withLeakNearest(nearest);
        Quantizer.Result r = Quantizer.quantize(c.net, c.weights, o);
        if (!r.ok()) {
            return null;
        }
        java.util.List<Integer> each = new java.util.ArrayList<>();
        if (mixed) {
            for (int i = 0; i < r.network().layers().size(); i++) {
                each.add(1 << ((Integer.numberOfTrailingZeros(lanes) + 2 * i + 1) % 7));
            }
        }
        int widest = mixed ? each.stream().mapToInt(Integer::intValue).max().orElse(lanes) : lanes;
        FpgaOptions fo = new FpgaOptions(widest, "generic", "auto", "", nearest ? "nearest" : "floor", each);
        if (!FpgaRules.check(r.network(), fo).isEmpty()) {
            return null;
        }
        return new Planned(c, r.network(), FpgaDesign.plan(r.network(), fo));
    }

    /**
     * The cycle model against a stream measured by the emulator or an RTL simulation ({@code who}):
     * each engine's cycles that {@link CycleFormula#predict} computes from the inputs and the integer
     * model's spikes alone, composed into waves by {@link Schedule#compose}, are the measured waves
     * of every sample (and the measured engine cycles where the emulator kept them) and its latency;
     * no wave, share of the stream or latency exceeds the worst case of the design alone. Null when
     * all holds, else the first break.
     */
    static String cycleCheck(FpgaDesign d, QuantizedNetwork q, int[][] inputs, List<FpgaEmulator.Sample> measured, String who) {
        SampleResult[] refs = new SampleResult[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            refs[i] = reference(q, inputs[i]);
        }
        return cycleCheck(d, refs, inputs, measured, who);
    }

    /** As above for one sample run as a stream of its own, with the integer model's record of its input already computed. */
    static String cycleCheck(FpgaDesign d, SampleResult ref, int[] input, FpgaEmulator.Sample measured, String who) {
        return cycleCheck(d, new SampleResult[] {ref}, new int[][] {input}, List.of(measured), who);
    }

    static String cycleCheck(FpgaDesign d, SampleResult[] refs, int[][] inputs, List<FpgaEmulator.Sample> measured, String who) {
        int steps = d.timesteps();
        int layers = d.layers().size();
        long[][][] predicted = new long[inputs.length][][];
        for (int s = 0; s < inputs.length; s++) {
            predicted[s] = CycleFormula.predict(d, inputs[s], refs[s].spikeRecord());
            long[][] engines = measured.get(s).layerCycles();
            for (int l = 0; engines != null && l < layers; l++) {
                for (int t = 0; t < steps; t++) {
                    if (predicted[s][l][t] != engines[l][t]) {
                        return "sample " + s + ", layer " + l + ", step " + (t + 1) + ": predicted " + predicted[s][l][t]
                                + " cycles from the integer model's spikes, " + who + " took " + engines[l][t];
                    }
                }
            }
        }
        long[] waves = Schedule.compose(predicted);
        long worstWave = CycleFormula.worstWave(d);
        for (int s = 0; s < inputs.length; s++) {
            long[] share = Schedule.share(waves, s, steps);
            long[] got = measured.get(s).stepCycles();
            long total = 0;
            for (int t = 0; t < steps; t++) {
                if (share[t] != got[t]) {
                    return "sample " + s + ", the wave of step " + (t + 1) + ": predicted " + share[t]
                            + " cycles from the integer model's spikes, " + who + " took " + got[t];
                }
                if (got[t] > worstWave) {
                    return "sample " + s + ", step " + (t + 1) + ": " + who + " took " + got[t] + " cycles, over the worst wave "
                            + worstWave;
                }
                total += got[t];
            }
            long latency = Schedule.latency(waves, s, steps, layers);
            if (latency != measured.get(s).latency()) {
                return "sample " + s + ": predicted a latency of " + latency + " cycles, " + who + " took "
                        + measured.get(s).latency();
            }
            if (total > CycleFormula.worstInference(d)) {
                return "sample " + s + ": " + who + " took " + total + " cycles, over the inference's worst case "
                        + CycleFormula.worstInference(d);
            }
            if (latency > CycleFormula.worstLatency(d)) {
                return "sample " + s + ": latency " + latency + " cycles, over the worst case " + CycleFormula.worstLatency(d);
            }
        }
        return null;
    }

    /** The first difference between the FPGA emulator and the integer reference, or null. */
    static String compareWithReference(Planned p, FpgaEmulator.Sample got) {
        return compare(p.q(), p.c().input, got);
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

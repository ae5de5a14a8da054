package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.targets.neurocore.NeurocoreSpec;
import dev.spikeforge.targets.neurocore.NeurocoreSpecs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/semantics.md section 5.1, for every preset: random small networks that fit the
 * chip are quantised with its numerics, compiled to a mapping folder, read back, and emulated;
 * every spike and membrane of every neuron at every step, and the readout, equal the integer
 * reference's. Each case uses the chip's leak form, comparison, rounding and overflow.
 */
class NeurocoreEndToEndTest {

    static final int NETWORKS = 6;
    static final int SAMPLES = 8;

    @TempDir
    Path dir;

    static List<String> presets() throws Exception {
        return NeurocoreSpecs.presetNames();
    }

    /**
     * What a random network for a chip takes from it: whether it has a leak-free neuron (for pools
     * and accumulating readouts), the deploy block's leak and formats, and a random neuron `n` of a
     * form the chip implements (threshold, reset and, if it leaks, beta drawn in that order; a reset the
     * chip's neurons cannot do becomes the one they can).
     */
    record ChipModel(boolean stateless, String leak, int weightBits, int membrane, String neuron) {

        static ChipModel of(NeurocoreSpec spec, java.util.function.IntUnaryOperator nextInt) {
            boolean leaky = spec.leakForms().contains("multiplier") || spec.leakForms().contains("shift");
            String leak = spec.leakForms().contains("multiplier") ? "multiplier(12)" : leaky ? "shift" : "none";
            double theta = 0.5 + nextInt.applyAsInt(8) / 8.0;
            String reset = nextInt.applyAsInt(2) == 0 ? "subtract" : "zero";
            if (!spec.resetModes().contains(reset)) { // the chip's own reset (one draw either way)
                reset = spec.resetModes().contains("zero") ? "zero" : "subtract";
            }
            String neuron = leaky ? String.format(Locale.ROOT, "LIF(beta = %s, threshold = %s, reset = %s)",
                    nextInt.applyAsInt(2) == 0 ? "0.875" : "0.75", theta, reset)
                    : String.format(Locale.ROOT, "IF(threshold = %s, reset = %s)", theta, reset);
            return new ChipModel(spec.leakForms().contains("none"), leak, Math.min(8, spec.maxWeightBits()),
                    Math.max(8, Math.min(16, spec.membraneBits() - 6)), neuron);
        }

        /** The deploy block in these formats and the chip's overflow. */
        String deploy(NeurocoreSpec spec, boolean perLayer) {
            return "deploy {\n    weights = int(" + weightBits + ", " + (perLayer ? "per_layer" : "per_channel")
                    + ")\n    membrane = int(" + membrane + ")\n    leak = " + leak + "\n    overflow = "
                    + spec.overflow().keyword() + "\n}\n";
        }
    }

    /** A network the preset can hold, with its formats; random sizes, thresholds and resets. */
    static String model(NeurocoreSpec spec, SplittableRng rng) {
        ChipModel chip = ChipModel.of(spec, rng::nextInt);
        boolean stateless = chip.stateless();
        int filters = 2 + rng.nextInt(3);
        int units = 8 + rng.nextInt(12);
        StringBuilder layers = new StringBuilder();
        if (spec.cores() <= 2) {
            // one hidden layer and the readout
            layers.append("    h = dense(").append(units).append(") -> n\n");
        } else {
            layers.append("    c = conv(").append(filters).append(", kernel = 3, padding = 1) -> n\n");
            if (stateless) {
                layers.append("    p = avgpool(2) -> pool\n");
            }
            layers.append("    h = dense(").append(units).append(") -> n\n");
        }
        String readout = stateless ? "readout(3)" : "readout(3, mode = membrane, beta = 0.75)";
        // a chip with few external inputs (xylo_like's 16) gets a 4 x 4 image
        String input = spec.inputChannels() > 0 && spec.inputChannels() < 64 ? "1x4x4" : "1x8x8";
        String deploy = chip.deploy(spec, rng.nextInt(2) == 0);
        if (spec.axonTypes() > 0) { // few axon types (truenorth_like's 4): weights of -1, 0 and +1
            deploy = deploy.replace("weights = int(" + chip.weightBits() + ",", "weights = int(2,");
        }
        return "model e2e\ninput " + input + "\ntimesteps " + (2 + rng.nextInt(5)) + "\n"
                + "neuron n = " + chip.neuron() + "\nneuron pool = IF(threshold = 0.75"
                + (spec.resetModes().contains("subtract") ? "" : ", reset = zero") + ")\n"
                + "layers {\n" + layers + "    out = " + readout + "\n}\n" + deploy;
    }

    /** SplitMix64 with an int helper. */
    static final class SplittableRng {
        final SplitMix64 r;

        SplittableRng(long seed) {
            r = new SplitMix64(seed);
        }

        int nextInt(int bound) {
            return r.nextInt(bound);
        }

        double nextGaussian() {
            return r.nextGaussian();
        }
    }

    @ParameterizedTest
    @MethodSource("presets")
    void emulatorEqualsTheIntegerReferenceOnRandomNetworks(String preset) throws Exception {
        NeurocoreSpec spec = NeurocoreSpecs.preset(preset);
        int spikes = 0;
        for (int k = 0; k < NETWORKS; k++) {
            SplittableRng rng = new SplittableRng(1000L * preset.hashCode() + k);
            String text = model(spec, rng);
            Compilation c = SnnFrontEnd.compile(new SourceFile("e2e.snn", text));
            assertTrue(c.ok(), text + c.diagnostics());
            Network net = c.network();
            Map<String, float[]> w = new LinkedHashMap<>();
            Parameters.sizes(net).forEach((name, n) -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) (rng.nextGaussian() * 0.6);
                }
                w.put(name, a);
            });
            Pipeline p = Pipeline.builder().threads(2).build();
            LoadedModel m = p.load(dir.resolve("e2e" + k + ".snn"), text);
            Trained trained = new Trained(m, new Parameters(w), dir.resolve("none.npz"), List.of());
            Compiled compiled = p.compile(trained, QuantSettings.DEPLOY, p.targets(m, List.of(preset)),
                    CompileSettings.targetsOnly(dir.resolve("net" + k)));
            Compiled.Build build = compiled.targets().get(0);
            QuantizedNetwork qn = build.quantised().network();
            assertEquals(spec.shiftTowardZero(), qn.numerics().shiftTowardZero(), "the chip's own rounding");
            int steps = qn.timesteps();
            int n = qn.inputSize();
            java.util.function.BiFunction<Integer, Integer, int[][]> inputs = (from, count) -> {
                int[][] in = new int[count][steps * n];
                for (int s = 0; s < count; s++) {
                    SplitMix64 u = SplitMix64.forSample(7, from + s);
                    for (int i = 0; i < steps * n; i++) {
                        in[s][i] = u.nextDouble() < 0.35 ? 1 : 0;
                    }
                }
                return in;
            };
            List<Verification.Mismatch> r = p.proveEmulator(build, inputs.apply(0, SAMPLES));
            assertTrue(r.stream().allMatch(x -> x == null), preset + ", network " + k + ": " + r + "\n" + text);
            assertEquals(SAMPLES, r.size());
            long[] perLayer = new IntegerSimulator(qn).run(inputs.apply(0, 1)[0]).spikes();
            spikes += perLayer[0] > 0 && perLayer[perLayer.length - 2] > 0 ? 1 : 0;
        }
        assertTrue(spikes >= NETWORKS / 2, "only " + spikes + " of " + NETWORKS + " networks spiked in their first and"
                + " last hidden layer: the comparison would mean little");
    }
}

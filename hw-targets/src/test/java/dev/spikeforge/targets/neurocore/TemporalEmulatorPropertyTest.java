package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.targets.neurocore.emulator.EmulatedSample;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random temporal networks (CUBA, full and diagonal recurrence, conv1d, max pooling, each where the
 * preset offers it) cut over several cores, written as mapping files, read back and emulated: every
 * spike and membrane of every layer at every step, the readout and the synaptic op count equal the
 * integer reference ({@link IntegerSimulator}), and the reference's records satisfy a whole-layer
 * reading of the integer rules written here. The presets keep their numerics and capabilities;
 * only neurons per core (and the core count) shrink so that layers split over several cores.
 */
class TemporalEmulatorPropertyTest {

    static final int TRIES = 20;
    static final int SAMPLES = 3;

    @TempDir
    Path tmp;

    /**
     * A preset with small cores, so that a recurrent layer of 8 to 24 units spans 1 to 4 cores (for a chip
     * that packs layers, in half the tries cores of 64 neurons, which several whole layers share); its
     * limits on external inputs and outputs (xylo_like's 16 and 8), on neurons per chip, on routes
     * (truenorth_like's one target per neuron, speck_like's two destinations and one core per layer) and
     * on axon types are lifted, since these networks test the cores' arithmetic and the mapper, not the
     * chip's I/O and routing; the reset modes stay the chip's.
     */
    static NeurocoreSpec shrunk(String preset, SplittableRandom rnd) throws Exception {
        NeurocoreSpec p = NeurocoreSpecs.preset(preset);
        // a chip that packs layers (xylo_like) keeps roomy cores in half the tries, so that whole layers share them
        int neurons = p.packLayers() && rnd.nextBoolean() ? 64 : 6 + rnd.nextInt(6);
        return TestSpecs.with(p, "neuronsPerCore", neurons, "meshWidth", 16, "meshHeight", 16, "cores", 256,
                "inputChannels", 0, "outputChannels", 0, "neuronsPerChip", 0, "fanOutPerNeuron", 0, "outputAxonsPerCore", 0,
                "destinationsPerCore", 0, "routingTableEntries", 0, "axonTypes", 0, "splitLayers", true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"loihi_like", "xylo_like", "truenorth_like", "spinnaker2_like", "speck_like"})
    void emulatorEqualsTheIntegerReference(String preset) throws Exception {
        TreeMap<String, Integer> refused = new TreeMap<>();
        long compared = 0;
        long spikes = 0;
        long crossCoreRecurrent = 0;
        long selfCoreRecurrent = 0;
        long saturations = 0;
        int multiCoreRecurrentLayers = 0;
        int cuba = 0;
        int full = 0;
        int diagonal = 0;
        int conv1d = 0;
        int maxPool = 0;
        int maxPool2d = 0;
        int ran = 0;
        int packed = 0;   // cores that share a mesh position with the core before (pack_layers)
        for (int i = 0; i < TRIES; i++) {
            long seed = preset.hashCode() * 1000L + i;
            SplittableRandom rnd = new SplittableRandom(seed);
            NeurocoreSpec spec = shrunk(preset, rnd);
            TemporalNets.Made made = TemporalNets.random(seed, spec);
            QuantizedNetwork q = made.q();
            List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
            DesignRules.Result bad = rules.stream().filter(r -> !r.passed()).findFirst().orElse(null);
            if (bad != null) {
                refused.merge(bad.rule(), 1, Integer::sum);
                continue;
            }
            ran++;
            cuba += made.cubaLayers();
            full += made.fullRecurrent();
            diagonal += made.diagonalRecurrent();
            conv1d += made.sequence() ? 1 : 0;
            maxPool += made.maxPool() ? 1 : 0;
            maxPool2d += made.maxPool2d() ? 1 : 0;
            NeurocoreMapper.Mapping m = NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null);
            Path dir = tmp.resolve("n" + i);
            MappingWriter.write(m, rules, dir);
            Mapping read = MappingFiles.read(dir);
            packed += read.cores().size() - read.physicalCores();
            NeurocoreEmulator emu = new NeurocoreEmulator(read);
            IntegerSimulator sim = new IntegerSimulator(q);
            int[] all = IntStream.range(0, q.layers().size()).toArray();
            for (int s = 0; s < SAMPLES; s++) {
                int[] input = TemporalNets.input(rnd, q, 0.2 + 0.3 * rnd.nextDouble());
                SampleResult want = sim.run(input, all);
                EmulatedSample got = emu.run(input, true);
                String what = preset + " seed " + seed + " sample " + s;
                compare(q, want, got, what);
                compared++;
                for (int l = 0; l < q.layers().size(); l++) {
                    QuantLayer layer = q.layers().get(l);
                    int cores = read.layers().get(l).cores().length;
                    long early = 0; // spikes of steps 1..T-1, which a recurrent synapse delivers at the next step
                    for (int t = 0; t < q.timesteps(); t++) {
                        int n = 0;
                        for (byte b : want.spikeRecord()[l][t]) {
                            n += b;
                        }
                        spikes += n;
                        early += t < q.timesteps() - 1 ? n : 0;
                    }
                    for (Synapse syn : layer.synapses()) {
                        if (syn instanceof Synapse.Recurrent r) {
                            selfCoreRecurrent += early;
                            crossCoreRecurrent += r.diagonal() ? 0 : early * (cores - 1);
                        }
                    }
                }
                saturations += currentSaturations(q, input, want);
            }
            for (int l = 0; l < q.layers().size(); l++) {
                if (q.layers().get(l).isRecurrent() && read.layers().get(l).cores().length > 1) {
                    multiCoreRecurrentLayers++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d tries, %d mapped and emulated (%d samples), refused %s; layers: %d CUBA,"
                        + " %d full and %d diagonal recurrent (%d over several cores), %d nets with conv1d, %d with"
                        + " 1-D and %d with 2-D maxpool; %d spikes, %d recurrent spikes delivered across cores, %d to their own core,"
                        + " %d current saturations; %d cores sharing a physical core with the layer before%n", preset, TRIES,
                ran, compared, refused, cuba, full, diagonal, multiCoreRecurrentLayers, conv1d, maxPool, maxPool2d, spikes,
                crossCoreRecurrent, selfCoreRecurrent, saturations, packed);
        if (NeurocoreSpecs.preset(preset).packLayers()) {
            assertTrue(packed > 0, preset + " packs layers, but no network shared a core");
        }
        assertTrue(ran >= TRIES * 3 / 4, preset + ": too many networks refused: " + refused);
        assertTrue(spikes > 0, preset + ": no spikes at all");
        NeurocoreSpec spec = NeurocoreSpecs.preset(preset);
        if (spec.recurrentSynapses()) {
            assertTrue(crossCoreRecurrent > 0 && multiCoreRecurrentLayers > 0, preset
                    + ": no recurrent spike crossed cores");
            assertTrue(diagonal > 0 && full > 0, preset + ": both kinds of recurrence");
        }
        if (spec.hasSynapticCurrent()) {
            assertTrue(cuba > 0 && saturations > 0, preset + ": CUBA layers " + cuba + ", saturations " + saturations);
        }
        if (spec.conv1d()) {
            assertTrue(conv1d > 0, preset + ": no conv1d");
        }
        if (spec.maxPool()) {
            assertTrue(maxPool > 0 && maxPool2d > 0, preset + ": maxpool 1-D " + maxPool + ", 2-D " + maxPool2d);
        }
    }

    static void compare(QuantizedNetwork q, SampleResult want, EmulatedSample got, String what) {
        for (int l = 0; l < q.layers().size(); l++) {
            for (int t = 0; t < q.timesteps(); t++) {
                byte[] ws = want.spikeRecord()[l][t];
                long[] wm = want.membraneRecord()[l][t];
                for (int n = 0; n < ws.length; n++) {
                    if (ws[n] != got.spikes()[l][t][n] || wm[n] != got.membranes()[l][t][n]) {
                        fail(String.format(Locale.ROOT, "%s: layer %d (%s), step %d, neuron %d: spike %d membrane %d"
                                        + " (integer reference) vs spike %d membrane %d (emulator)", what, l,
                                q.layers().get(l).layer(), t + 1, n, ws[n], wm[n], got.spikes()[l][t][n],
                                got.membranes()[l][t][n]));
                    }
                }
            }
        }
        assertEquals(Arrays.toString(want.readout()), Arrays.toString(got.readout()), what + ": readout");
        assertEquals(want.prediction(), got.prediction(), what + ": prediction");
        assertEquals(Arrays.stream(want.synapticOps()).sum(), got.totalSynapticOps(), what + ": synaptic ops");
    }

    /**
     * A second, whole-layer reading of the integer rules, written here from docs/semantics.md
     * (sections 4.6, 4.9 to 4.11) independently of both engines: for every layer and step, the current
     * recomputed from the reference's recorded spikes (I = bias + every synapse, the recurrent one
     * reading the previous step, 0 at the first), the synaptic current decayed, added and clamped,
     * then leak, clamp, fire and reset from the recorded membrane of the step before; every spike and
     * membrane must be the recorded one. Returns how often a synaptic current saturated (the clamp
     * changed the value).
     */
    static long currentSaturations(QuantizedNetwork q, int[] input, SampleResult r) {
        long count = 0;
        for (int l = 0; l < q.layers().size(); l++) {
            QuantLayer layer = q.layers().get(l);
            long[] c = new long[layer.size()];
            long[] v = new long[layer.size()];
            for (int t = 0; t < q.timesteps(); t++) {
                long[] cur = current(q, l, t, input, r);
                for (int n = 0; n < c.length; n++) {
                    if (layer.hasSynapticCurrent()) {
                        long raw = q.numerics().leak(layer.synapticLeak(), c[n]) + cur[n];
                        c[n] = q.numerics().clampCurrent(raw);
                        count += c[n] != raw ? 1 : 0;
                        cur[n] = c[n];
                    }
                    byte spike = 0;
                    if (!layer.spiking()) {
                        v[n] = layer.readout() == dev.spikeforge.compiler.ir.ReadoutMode.ACCUMULATE ? v[n] + cur[n]
                                : q.numerics().leak(layer.leak(), v[n]) + cur[n];
                    } else {
                        long h = q.numerics().clampMembrane(q.numerics().leak(layer.leak(), v[n]) + cur[n]);
                        long theta = layer.theta()[layer.channelOf(n)];
                        spike = (byte) (h >= theta ? 1 : 0);
                        v[n] = spike == 0 ? h : layer.reset() == dev.spikeforge.compiler.ir.Reset.ZERO ? 0 : h - theta;
                    }
                    if (spike != r.spikeRecord()[l][t][n] || v[n] != r.membraneRecord()[l][t][n]) {
                        fail(String.format(Locale.ROOT, "whole-layer reading: layer %d (%s), step %d, neuron %d: spike"
                                        + " %d membrane %d, but the integer reference recorded spike %d membrane %d",
                                l, layer.layer(), t + 1, n, spike, v[n], r.spikeRecord()[l][t][n],
                                r.membraneRecord()[l][t][n]));
                    }
                }
            }
        }
        return count;
    }

    private static long[] current(QuantizedNetwork q, int l, int t, int[] input, SampleResult r) {
        QuantLayer layer = q.layers().get(l);
        long[] cur = new long[layer.size()];
        for (int n = 0; n < cur.length; n++) {
            cur[n] = layer.bias() == null ? 0 : layer.bias()[layer.featureOf(n)];
        }
        for (Synapse s : layer.synapses()) {
            int size = (int) s.inShape().size();
            long[] x = new long[size];
            for (int i = 0; i < size; i++) {
                if (s instanceof Synapse.Recurrent) {
                    x[i] = t == 0 ? 0 : r.spikeRecord()[l][t - 1][i];
                } else {
                    // pipelined: the source's spikes of the step before (docs/semantics.md section 2.7)
                    int at = q.timing() == dev.spikeforge.compiler.ir.Timing.PIPELINED ? t - 1 : t;
                    x[i] = s.source() < 0 ? input[t * q.inputSize() + i] : at < 0 ? 0 : r.spikeRecord()[s.source()][at][i];
                }
            }
            if (s instanceof Synapse.Dense d) {
                for (int o = 0; o < d.outFeatures(); o++) {
                    for (int i = 0; i < d.inFeatures(); i++) {
                        cur[o] += d.weights()[o * d.inFeatures() + i] * x[i];
                    }
                }
            } else if (s instanceof Synapse.Recurrent rec) {
                for (int o = 0; o < rec.units(); o++) {
                    if (rec.diagonal()) {
                        cur[o] += rec.weights()[o] * x[o];
                    } else {
                        for (int i = 0; i < rec.units(); i++) {
                            cur[o] += rec.weights()[o * rec.units() + i] * x[i];
                        }
                    }
                }
            } else if (s instanceof Synapse.Conv1d cv) {
                int inL = cv.inShape().length();
                int ch = cv.inShape().channels();
                int outL = layer.shape().length();
                for (int f = 0; f < cv.filters(); f++) {
                    for (int o = 0; o < outL; o++) {
                        for (int c = 0; c < ch; c++) {
                            for (int k = 0; k < cv.kernel(); k++) {
                                int pos = o * cv.stride() - cv.padding() + k;
                                if (pos >= 0 && pos < inL) {
                                    cur[f * outL + o] += cv.weights()[(f * ch + c) * cv.kernel() + k] * x[c * inL + pos];
                                }
                            }
                        }
                    }
                }
            } else if (s instanceof Synapse.Conv cv) {
                int h = cv.inShape().height();
                int w = cv.inShape().width();
                int ch = cv.inShape().channels();
                int oh = layer.shape().height();
                int ow = layer.shape().width();
                int k = cv.kernel();
                for (int f = 0; f < cv.filters(); f++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            for (int c = 0; c < ch; c++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = oy * cv.stride() - cv.padding() + ky;
                                        int ix = ox * cv.stride() - cv.padding() + kx;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            cur[(f * oh + oy) * ow + ox] += cv.weights()[((f * ch + c) * k + ky) * k + kx]
                                                    * x[(c * h + iy) * w + ix];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } else if (s instanceof Synapse.MaxPool mp) {
                int k = mp.kernel();
                Shape ins = mp.inShape();
                if (ins.isSequence()) {
                    int inL = ins.length();
                    int outL = layer.shape().length();
                    for (int c = 0; c < ins.channels(); c++) {
                        for (int o = 0; o < outL; o++) {
                            for (int j = 0; j < k; j++) {
                                cur[c * outL + o] += x[c * inL + o * k + j];
                            }
                        }
                    }
                } else {
                    int h = ins.height();
                    int w = ins.width();
                    int oh = layer.shape().height();
                    int ow = layer.shape().width();
                    for (int c = 0; c < ins.channels(); c++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                for (int i = 0; i < k; i++) {
                                    for (int j = 0; j < k; j++) {
                                        cur[(c * oh + oy) * ow + ox] += x[(c * h + oy * k + i) * w + ox * k + j];
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                throw new IllegalStateException("the whole-layer reading knows dense, recurrent, conv, conv1d and maxpool, not "
                        + s.kind());
            }
        }
        return cur;
    }
}

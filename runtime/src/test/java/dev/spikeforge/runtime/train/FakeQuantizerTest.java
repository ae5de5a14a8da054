package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.engine.IntegerExact;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Quantisation-aware training's forward weights make the float model compute what the integer
 * model computes. With integrate-and-fire neurons (no leak rounding) and weights whose scale is a
 * power of two (so every float sum is exact), the two agree spike for spike.
 */
class FakeQuantizerTest {

    static final String MODEL = """
            model qat_equiv
            input 2x8x8
            timesteps 6
            neuron i = IF(threshold = 1.0, reset = subtract)
            neuron z = IF(threshold = 0.5, reset = zero)
            neuron pool = IF(threshold = 0.75)
            layers {
                c   = conv(3, kernel = 3, padding = 1, bias = true) -> i
                p   = avgpool(2) -> pool
                f   = dense(7) -> z
                out = readout(4)
            }
            deploy {
                weights  = int(8)
                membrane = int(24)
            }
            """;

    @Test
    void fakeQuantisedFloatModelSpikesExactlyLikeTheIntegerModel() {
        Compilation c = SnnFrontEnd.compile(new SourceFile("qat_equiv.snn", MODEL));
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        // weights near k/64.3 with |k| <= 127 and one exactly 127/64.3 per tensor: the scale is
        // 1/64.3, so theta = 1.0 becomes theta_q = 64 (and 0.5 becomes 32), and the forward unit
        // theta/theta_q = 1/64 is a power of two while the scale itself is not
        SplitMix64 rng = new SplitMix64(11);
        Map<String, double[]> master = new LinkedHashMap<>();
        Parameters.sizes(net).forEach((k, n) -> {
            double[] w = new double[n];
            for (int j = 0; j < n; j++) {
                w[j] = (rng.nextInt(255) - 127) / 64.3 + (rng.nextDouble() - 0.5) / 300;
            }
            w[0] = 127 / 64.3;
            master.put(k, w);
        });
        FakeQuantizer fake = new FakeQuantizer(net, QuantOptions.from(net.deploy().get()));
        Map<String, double[]> forward = fake.apply(master);
        Map<String, float[]> floats = new LinkedHashMap<>();
        Map<String, float[]> masterFloats = new LinkedHashMap<>();
        forward.forEach((k, v) -> floats.put(k, toFloat(v)));
        master.forEach((k, v) -> masterFloats.put(k, toFloat(v)));

        QuantizedNetwork q = Quantizer.quantize(net, masterFloats, fake.options()).network();
        // the fake weights quantise back to the same integers
        QuantizedNetwork again = Quantizer.quantize(net, floats, fake.options()).network();
        for (int l = 0; l < q.layers().size(); l++) {
            assertArrayEquals(q.layers().get(l).theta(), again.layers().get(l).theta());
        }

        FloatModel model = new FloatModel(net, new Parameters(floats), DataType.DOUBLE);
        IntegerSimulator sim = new IntegerSimulator(q);
        int samples = 5;
        int n = q.inputSize();
        double[] values = new double[samples * n];
        for (int j = 0; j < values.length; j++) {
            values[j] = rng.nextDouble();
        }
        long[] ids = {0, 1, 2, 3, 4};
        float[] input = new float[net.timesteps() * samples * n];
        InputEncoder.encode(net.input().encoding(), values, n, ids, 3, net.timesteps(), input);
        Set<String> record = new HashSet<>();
        q.layers().forEach(l -> record.add(l.node()));
        ForwardResult fr = model.forward(input, samples, record);
        int[] all = new int[q.layers().size()];
        for (int l = 0; l < all.length; l++) {
            all[l] = l;
        }
        long spikes = 0;
        for (int s = 0; s < samples; s++) {
            int[] in = new int[net.timesteps() * n];
            for (int t = 0; t < net.timesteps(); t++) {
                for (int j = 0; j < n; j++) {
                    in[t * n + j] = (int) input[(t * samples + s) * n + j];
                }
            }
            SampleResult r = sim.run(in, all);
            for (int l = 0; l < all.length - 1; l++) {
                QuantLayer layer = q.layers().get(l);
                float[] acts = fr.recorded().get(layer.node());
                for (int t = 0; t < net.timesteps(); t++) {
                    for (int j = 0; j < layer.size(); j++) {
                        int expected = r.spikeRecord()[l][t][j];
                        float actual = acts[(t * samples + s) * layer.size() + j];
                        assertEquals(expected, actual, 0, "sample " + s + " step " + t + " layer " + layer.layer()
                                + " neuron " + j);
                        spikes += expected;
                    }
                }
            }
            assertEquals(r.prediction(), fr.prediction(s), "prediction of sample " + s);
        }
        assertTrue(spikes > 50, "too few spikes to mean anything: " + spikes);
    }

    @Test
    void weightsReadingDirectInputCarryTheBytesScaleAndQuantiseBack() {
        Compilation c = SnnFrontEnd.compile(new SourceFile("qat_direct.snn", """
                model qat_direct
                input 1x6x6 encode direct
                timesteps 3
                neuron i = IF(threshold = 1.0, reset = subtract)
                layers {
                    c   = conv(2, kernel = 3, bias = true) -> i
                    f   = dense(3) -> i
                    out = readout(2)
                }
                deploy {
                    weights  = int(8, per_channel)
                    membrane = int(24)
                }
                """));
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        SplitMix64 rng = new SplitMix64(5);
        Map<String, double[]> master = new LinkedHashMap<>();
        Parameters.sizes(net).forEach((k, n) -> {
            double[] w = new double[n];
            for (int j = 0; j < n; j++) {
                w[j] = rng.nextDouble() - 0.5;
            }
            master.put(k, w);
        });
        FakeQuantizer fake = new FakeQuantizer(net, QuantOptions.from(net.deploy().get()));
        FakeQuantizer.Quantised fq = fake.quantise(master);
        for (QuantLayer l : fq.network().layers()) {
            for (Synapse syn : l.synapses()) {
                int[] w;
                String node;
                if (syn instanceof Synapse.Conv cv) {
                    w = cv.weights();
                    node = cv.node();
                } else if (syn instanceof Synapse.Dense d) {
                    w = d.weights();
                    node = d.node();
                } else {
                    continue;
                }
                // the integer model reads bytes, the float model byte / 255: 255 on the input's weights only
                double input = syn.source() == -1 ? 255 : 1;
                double[] got = fq.weights().get(node + ".weight");
                int per = w.length / l.features();
                for (int j = 0; j < w.length; j++) {
                    double unit = IntegerExact.unit(l, l.channels() == 1 ? 0 : j / per);
                    assertEquals(w[j] * unit * input, got[j], 0, node + " weight " + j);
                }
            }
        }
        // the forward weights quantise back to the same integers
        Map<String, float[]> floats = new LinkedHashMap<>();
        fq.weights().forEach((k, v) -> floats.put(k, toFloat(v)));
        QuantizedNetwork again = Quantizer.quantize(net, floats, fake.options()).network();
        for (int l = 0; l < again.layers().size(); l++) {
            for (int s = 0; s < again.layers().get(l).synapses().size(); s++) {
                Synapse a = fq.network().layers().get(l).synapses().get(s);
                Synapse b = again.layers().get(l).synapses().get(s);
                if (a instanceof Synapse.Conv x
                        && b instanceof Synapse.Conv y) {
                    assertArrayEquals(x.weights(), y.weights(), "conv weights quantised back");
                } else if (a instanceof Synapse.Dense x
                        && b instanceof Synapse.Dense y) {
                    assertArrayEquals(x.weights(), y.weights(), "dense weights quantised back");
                }
            }
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}

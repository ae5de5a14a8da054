package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.Parameters;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Short training runs on a small synthetic image set (four classes: a horizontal bar, a vertical
 * bar, and the two diagonals of an 8x8 image, at random positions, with pixel noise). Chance is
 * 25%; every method must reach 90% test accuracy within 4 epochs.
 */
class TrainerTest {

    static final int SIZE = 8;

    static ImageDataset bars(int count, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        byte[] pixels = new byte[count * SIZE * SIZE];
        byte[] labels = new byte[count];
        for (int s = 0; s < count; s++) {
            int cls = rng.nextInt(4);
            labels[s] = (byte) cls;
            int pos = 1 + rng.nextInt(SIZE - 2);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean on = cls == 0 ? y == pos : cls == 1 ? x == pos : cls == 2 ? x == y : x == SIZE - 1 - y;
                    int v = on ? 200 + rng.nextInt(56) : rng.nextInt(40);
                    pixels[s * SIZE * SIZE + y * SIZE + x] = (byte) v;
                }
            }
        }
        return new ImageDataset(count, 1, SIZE, SIZE, 4, pixels, labels);
    }

    static Network model(String method, String readout) {
        String text = "model bars\ninput 1x8x8\ntimesteps 8\n"
                + "neuron lif = LIF(beta = 0.875, threshold = 1.0)\nneuron pool = IF(threshold = 0.75)\n"
                + "layers { c = conv(6, kernel = 3, padding = 1) -> lif\n p = avgpool(2) -> pool\n"
                + " h = dense(32) -> lif\n out = " + readout + " }\n"
                + "train { method = " + method + " dataset = mnist epochs = 4 batch = 16"
                + " optimizer = adam(lr = 0.01) seed = 3 }";
        Compilation c = SnnFrontEnd.compile(new SourceFile("bars.snn", text));
        assertTrue(c.ok(), c.diagnostics().toString());
        return c.network();
    }

    static Trainer trainer(Network net) {
        DatasetSplits data = new DatasetSplits(bars(480, 1), bars(200, 2));
        FloatModel model = new FloatModel(net, Parameters.initialise(net, net.train().orElseThrow().seed()));
        return new Trainer(net, net.train().orElseThrow(), data, model, new Optimizer(net.train().orElseThrow().optimizer()));
    }

    static final Trainer.Listener QUIET = new Trainer.Listener() {
        @Override
        public void batch(int epoch, int done, int total, double meanLoss, double accuracy, double samplesPerSecond) {
        }

        @Override
        public void epoch(Trainer.EpochResult result) {
        }
    };

    @TestFactory
    Stream<DynamicTest> everyMethodLearnsTheBars() {
        return Stream.of(
                new String[] {"surrogate(shape = fast_sigmoid, slope = 5)", "readout(4, mode = count) -> lif"},
                new String[] {"surrogate(shape = arctan, slope = 2)", "readout(4)"},
                new String[] {"spike_bp", "readout(4)"},
                new String[] {"asf", "readout(4)"}).map(m -> DynamicTest.dynamicTest(m[0] + " " + m[1], () -> {
                    Trainer t = trainer(model(m[0], m[1]));
                    List<Trainer.EpochResult> r = t.train(1, 4, 4, QUIET);
                    double acc = r.get(r.size() - 1).testAccuracy();
                    assertTrue(acc >= 0.90, m[0] + ": test accuracy " + acc + " after 4 epochs, per epoch "
                            + r.stream().map(e -> String.format("%.3f", e.testAccuracy())).toList());
                }));
    }

    @Test
    void sameSeedSameWeights() {
        Trainer a = trainer(model("spike_bp", "readout(4)"));
        Trainer b = trainer(model("spike_bp", "readout(4)"));
        a.train(1, 1, 4, QUIET);
        b.train(1, 1, 4, QUIET);
        assertArrayEquals(a.model().parameters().weight("c"), b.model().parameters().weight("c"));
    }
}

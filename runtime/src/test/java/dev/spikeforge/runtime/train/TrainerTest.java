package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageAugment;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.Parameters;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        return model(method, readout, "");
    }

    /** As {@link #model(String, String)}, with {@code trainExtra} added to the train block. */
    static Network model(String method, String readout, String trainExtra) {
        String text = "model bars\ninput 1x8x8\ntimesteps 8\n"
                + "neuron lif = LIF(beta = 0.875, threshold = 1.0)\nneuron pool = IF(threshold = 0.75)\n"
                + "layers { c = conv(6, kernel = 3, padding = 1) -> lif\n p = avgpool(2) -> pool\n"
                + " h = dense(32) -> lif\n out = " + readout + " }\n"
                + "train { method = " + method + " dataset = mnist epochs = 4 batch = 16"
                + " optimizer = adam(lr = 0.01) seed = 3 " + trainExtra + " }";
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

    /**
     * QAT epochs under a cosine schedule anneal batch by batch (Optimizer#qatLearningRate): two
     * epochs report lr / 10 and lr / 20 at their first batches (k = 0 and K / 2), and one epoch,
     * from the same weights, ends elsewhere than the same epoch at the constant lr / 10, which its
     * first batch shares. Applying each epoch's first rate to all its batches fails the second part.
     */
    @Test
    void qatEpochsUnderACosineScheduleAnnealBatchByBatch() {
        java.util.function.BiFunction<String, Integer, Trainer> qat = (schedule, epochs) -> {
            Compilation c = SnnFrontEnd.compile(new SourceFile("bars.snn", "model bars\ninput 1x8x8 encode poisson\n"
                    + "timesteps 8\nneuron lif = LIF(beta = 0.875, threshold = 1.0)\n"
                    + "layers { h = dense(16) -> lif\n out = readout(4) }\n"
                    + "train { method = surrogate dataset = mnist epochs = 2 batch = 32 optimizer = sgd(lr = 0.5)"
                    + " schedule = " + schedule + " seed = 3 qat_epochs = " + epochs + " }"));
            assertTrue(c.ok(), c.diagnostics().toString());
            Trainer t = trainer(c.network());
            t.quantisationAware(new FakeQuantizer(c.network(), QuantOptions.from(null)), 0, epochs);
            return t;
        };
        List<Trainer.EpochResult> two = qat.apply("cosine", 2).train(1, 2, 2, QUIET);
        assertEquals(0.05, two.get(0).learningRate(), 1e-12);
        assertEquals(0.025, two.get(1).learningRate(), 1e-12);
        assertEquals(0.05, qat.apply("none", 2).train(1, 2, 2, QUIET).get(1).learningRate(), 1e-12);

        Trainer cosine = qat.apply("cosine", 1);
        Trainer constant = qat.apply("none", 1);
        cosine.train(1, 1, 1, QUIET);
        constant.train(1, 1, 1, QUIET);
        Map<String, double[]> a = cosine.qatMaster();
        Map<String, double[]> b = constant.qatMaster();
        assertTrue(a.containsKey("h.weight"), a.keySet().toString());
        assertFalse(Arrays.equals(a.get("h.weight"), b.get("h.weight")), "annealed and constant QAT epochs ended equal");
    }

    /** A held-out validation set is evaluated after every epoch, with the epoch's weights, and reported. */
    @Test
    void aValidationSplitIsEvaluatedAfterEveryEpoch() {
        Network net = model("spike_bp", "readout(4)");
        DatasetSplits data = new DatasetSplits(bars(480, 1), bars(200, 2)).holdOut(0.25, 3);
        FloatModel model = new FloatModel(net, Parameters.initialise(net, 3));
        Trainer t = new Trainer(net, net.train().orElseThrow(), data, model, new Optimizer(net.train().orElseThrow()
                .optimizer()));
        Trainer.EpochResult r = t.train(1, 1, 4, QUIET).get(0);
        assertTrue(r.validated());
        assertEquals(data.validation().count(), r.validationSamples());
        assertEquals(480, data.train().count() + data.validation().count());
        assertEquals(t.evaluate(data.validation(), 16).accuracy(), r.validationAccuracy());
        assertEquals(r.validationAccuracy(), r.toJson().get("validation_accuracy").asDouble());
        Trainer.EpochResult none = trainer(net).train(1, 1, 4, QUIET).get(0);
        assertFalse(none.validated());
        assertTrue(Double.isNaN(none.validationAccuracy()));
        assertFalse(none.toJson().has("validation_accuracy"));
    }

    /**
     * {@code augment} changes each training image by its draw before encoding, and nothing else:
     * an epoch with {@code augment = [shift(1), hflip]} ends with the same weights, bit for bit, as an
     * epoch without it on a training set made of those drawn images; and the test images are read
     * as they are, so both report the same test accuracy.
     */
    @Test
    void augmentTrainsOnTheDrawnImagesAndTestsOnTheImages() {
        Network plain = model("surrogate(shape = fast_sigmoid, slope = 5)", "readout(4)");
        Network augmented = model("surrogate(shape = fast_sigmoid, slope = 5)", "readout(4)",
                "augment = [shift(1), hflip]");
        TrainSpec.Augment spec = augmented.train().orElseThrow().augment();
        assertEquals(new TrainSpec.Augment(1, true), spec);

        ImageDataset train = bars(480, 1);
        ImageDataset test = bars(200, 2);
        byte[] drawn = drawn(new ImageAugment(spec, 3).epoch(1), train);
        ImageDataset pre = new ImageDataset(train.count(), 1, SIZE, SIZE, 4, drawn, labelsOf(train));

        Trainer a = new Trainer(augmented, augmented.train().orElseThrow(), new DatasetSplits(train, test),
                new FloatModel(augmented, Parameters.initialise(augmented, 3)), new Optimizer(augmented.train().orElseThrow()
                .optimizer()));
        Trainer b = new Trainer(plain, plain.train().orElseThrow(), new DatasetSplits(pre, test),
                new FloatModel(plain, Parameters.initialise(plain, 3)), new Optimizer(plain.train().orElseThrow().optimizer()));
        Trainer none = trainer(plain);
        Trainer.EpochResult ra = a.train(1, 1, 4, QUIET).get(0);
        Trainer.EpochResult rb = b.train(1, 1, 4, QUIET).get(0);
        none.train(1, 1, 4, QUIET);
        assertArrayEquals(b.model().parameters().weight("h"), a.model().parameters().weight("h"));
        assertEquals(rb.trainLoss(), ra.trainLoss());
        assertEquals(rb.testAccuracy(), ra.testAccuracy());
        assertFalse(Arrays.equals(none.model().parameters().weight("h"), a.model().parameters().weight("h")),
                "augment changed nothing");
    }

    /**
     * With {@code encode events} on a C x H x W input, augment moves every bin of a recording by the
     * sample's one draw: an augmented epoch equals a plain epoch on recordings made of the draws.
     */
    @Test
    void augmentMovesEveryBinOfAnEventRecordingAlike() {
        String text = "model ev\ninput 1x8x8 encode events(bins = 4)\ntimesteps 4\n"
                + "neuron lif = LIF(beta = 0.875, threshold = 1.0)\n"
                + "layers { h = dense(32) -> lif\n out = readout(4) }\n"
                + "train { dataset = events(\"d\") epochs = 1 batch = 16 optimizer = adam(lr = 0.01) seed = 3 ";
        Network plain = SnnFrontEnd.compile(new SourceFile("ev.snn", text + "}")).network();
        Network augmented = SnnFrontEnd.compile(new SourceFile("ev.snn", text + "augment = [shift(1), hflip] }")).network();
        assertTrue(plain != null && augmented != null);
        ImageDataset train = recordings(bars(320, 1));
        ImageDataset test = recordings(bars(100, 2));
        ImageAugment.Epoch first = ImageAugment.ofEventFrames(augmented.train().orElseThrow().augment(), 3, 1, SIZE, SIZE)
                .epoch(1);
        byte[] drawn = drawn(first, train);
        ImageDataset pre = new ImageDataset(train.count(), 1, 4, SIZE * SIZE, 4, drawn, labelsOf(train));
        Trainer a = new Trainer(augmented, augmented.train().orElseThrow(), new DatasetSplits(train, test),
                new FloatModel(augmented, Parameters.initialise(augmented, 3)),
                new Optimizer(augmented.train().orElseThrow().optimizer()));
        Trainer b = new Trainer(plain, plain.train().orElseThrow(), new DatasetSplits(pre, test),
                new FloatModel(plain, Parameters.initialise(plain, 3)), new Optimizer(plain.train().orElseThrow().optimizer()));
        Trainer.EpochResult ra = a.train(1, 1, 1, QUIET).get(0);
        Trainer.EpochResult rb = b.train(1, 1, 1, QUIET).get(0);
        assertArrayEquals(b.model().parameters().weight("h"), a.model().parameters().weight("h"));
        assertEquals(rb.testAccuracy(), ra.testAccuracy());
    }

    /** Event recordings of images: 4 bins, an event (count 1) wherever the pixel is over 128 in bins 0 and 2. */
    private static ImageDataset recordings(ImageDataset images) {
        int n = SIZE * SIZE;
        byte[] counts = new byte[images.count() * 4 * n];
        for (int s = 0; s < images.count(); s++) {
            for (int i = 0; i < n; i++) {
                if (images.pixel(s, i) > 128) {
                    counts[s * 4 * n + i] = 1;
                    counts[s * 4 * n + 2 * n + i] = 1;
                }
            }
        }
        return new ImageDataset(images.count(), 1, 4, n, 4, counts, labelsOf(images));
    }

    /** Every sample of {@code set} as {@code epoch} presents it, one after another; the draws must move something. */
    private static byte[] drawn(ImageAugment.Epoch epoch, ImageDataset set) {
        byte[] drawn = new byte[set.count() * set.sampleSize()];
        int[] values = new int[set.sampleSize()];
        int moved = 0;
        for (int s = 0; s < set.count(); s++) {
            epoch.pixels(set, s, values);
            for (int i = 0; i < values.length; i++) {
                drawn[s * values.length + i] = (byte) values[i];
                moved += values[i] != set.pixel(s, i) ? 1 : 0;
            }
        }
        assertTrue(moved > set.count() * 8, "the draws changed " + moved + " values");
        return drawn;
    }

    private static byte[] labelsOf(ImageDataset set) {
        byte[] labels = new byte[set.count()];
        for (int s = 0; s < labels.length; s++) {
            labels[s] = (byte) set.label(s);
        }
        return labels;
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

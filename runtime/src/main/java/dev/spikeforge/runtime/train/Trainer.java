package dev.spikeforge.runtime.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageAugment;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.data.Shuffler;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.encode.SplitMix64;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.ForwardResult;
import dev.spikeforge.runtime.engine.IntegerExact;
import dev.spikeforge.runtime.engine.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training loop: per epoch a seeded shuffle, mini-batches encoded to spikes on the host
 * (docs/semantics.md section 3), one {@link TrainingStep} and one optimiser update per batch, then
 * an evaluation on the test split. Everything random comes from the run seed, so the same seed and
 * thread count give the same weights.
 *
 * <p>Seeds: training spikes of epoch e use run seed {@code forPurpose(seed, PURPOSE_TRAIN_SPIKES, e)};
 * evaluation spikes use the run seed itself, so every engine sees the same test spikes; dropout of
 * iteration i of epoch e uses {@code forPurpose(seed, PURPOSE_DROPOUT_ITERATION, e * 2^32 + i)}; the
 * train block's {@code augment} draws for training sample s of epoch e come from
 * {@code forPurpose(seed, ImageAugment.PURPOSE_AUGMENT, e * 2^32 + s)} ({@link ImageAugment}).
 */
public final class Trainer {

    static final long PURPOSE_TRAIN_SPIKES = 0x7A1E;
    static final long PURPOSE_DROPOUT_ITERATION = 0xD0;

    /** Reports progress; called on the training thread. */
    public interface Listener {
        void batch(int epoch, int done, int total, double meanLoss, double accuracy, double samplesPerSecond);

        void epoch(EpochResult result);
    }

    /**
     * @param validationAccuracy accuracy on the validation samples held out of the training set
     *                           (the train block's {@code validation}), NaN without them
     * @param validationSamples  how many there are, 0 without them
     */
    public record EpochResult(int epoch, double learningRate, double trainLoss, double trainAccuracy,
                              double testAccuracy, double seconds, double samplesPerSecond, double validationAccuracy,
                              int validationSamples) {

        /** Whether the epoch was evaluated on validation samples. */
        public boolean validated() {
            return validationSamples > 0;
        }

        /** The JSON form used by checkpoints' metrics and by {@code train --json}. */
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("epoch", epoch);
            o.put("learning_rate", learningRate);
            o.put("train_loss", trainLoss);
            o.put("train_accuracy", trainAccuracy);
            o.put("test_accuracy", testAccuracy);
            o.put("seconds", seconds);
            o.put("samples_per_second", samplesPerSecond);
            if (validated()) {
                o.put("validation_accuracy", validationAccuracy);
                o.put("validation_samples", validationSamples);
            }
            return o;
        }
    }

    private final Network net;
    private final TrainSpec spec;
    private final DatasetSplits data;
    private final FloatModel model;
    private final TrainingStep step;
    private final Optimizer optimizer;

    public Trainer(Network net, TrainSpec spec, DatasetSplits data, FloatModel model, Optimizer optimizer) {
        this.net = net;
        this.spec = spec;
        this.data = data;
        this.model = model;
        this.step = new TrainingStep(model, spec);
        this.optimizer = optimizer;
    }

    public FloatModel model() {
        return model;
    }

    private FakeQuantizer qat;
    private int floatEpochs;
    private int qatEpochs;
    private Map<String, double[]> master;

    /**
     * Quantisation-aware fine-tuning: epochs after {@code floatEpochs} run forward with
     * {@link FakeQuantizer} weights and the integer model's neuron arithmetic
     * ({@link IntegerExact}, docs/semantics.md section 4.13), at {@link Optimizer#qatLearningRate}
     * (a tenth of the optimiser's learning rate, annealed to 0 under a cosine schedule), and
     * the optimiser updates float master weights (straight-through). After such an epoch the model
     * holds the fake-quantised weights and runs integer-exact, so its evaluation is the integer
     * model's decisions, and checkpoints hold what the integers do.
     */
    public void quantisationAware(FakeQuantizer fake, int floatEpochs, int qatEpochs) {
        if (qatEpochs < 1) {
            throw new IllegalArgumentException("quantisation-aware training needs at least 1 epoch, got " + qatEpochs);
        }
        this.qat = fake;
        this.floatEpochs = floatEpochs;
        this.qatEpochs = qatEpochs;
    }

    /** The float master weights of quantisation-aware training, or an empty map outside it. */
    public Map<String, double[]> qatMaster() {
        Map<String, double[]> m = new java.util.LinkedHashMap<>();
        if (master != null) {
            master.forEach((k, v) -> m.put(k, v.clone()));
        }
        return m;
    }

    /** Continues quantisation-aware training from a checkpoint's master weights. */
    public void restoreQatMaster(Map<String, double[]> weights) {
        master = weights.isEmpty() ? null : new java.util.LinkedHashMap<>(weights);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Trains epochs {@code from}..{@code to} (1-based, inclusive) of a run of {@code total} epochs. */
    public List<EpochResult> train(int from, int to, int total, Listener listener) {
        List<EpochResult> results = new ArrayList<>();
        for (int epoch = from; epoch <= to; epoch++) {
            results.add(epoch(epoch, total, listener));
        }
        return results;
    }

    private EpochResult epoch(int epoch, int total, Listener listener) {
        ImageDataset train = data.train();
        int[] order = Shuffler.permutation(spec.seed(), epoch, train.count());
        boolean fake = qat != null && epoch > floatEpochs;
        int batches = (order.length + spec.batch() - 1) / spec.batch();
        double lr = fake ? Optimizer.qatLearningRate(spec, epoch - floatEpochs - 1, qatEpochs, 0, batches)
                : Optimizer.learningRate(spec, epoch, total);
        if (fake) {
            if (master == null) {
                master = step.weights();
            }
            integerExact(qat.quantise(master));
        }
        long runSeed = SplitMix64.forPurpose(spec.seed(), PURPOSE_TRAIN_SPIKES, epoch).nextLong();
        ImageAugment.Epoch moved = spec.augment().none() ? null : augment().epoch(epoch);
        long start = System.nanoTime();
        double lossSum = 0;
        int correct = 0;
        int seen = 0;
        int iteration = 0;
        for (int from = 0; from < order.length; from += spec.batch()) {
            int batch = Math.min(spec.batch(), order.length - from);
            int[] idx = new int[batch];
            System.arraycopy(order, from, idx, 0, batch);
            int[] labels = labels(train, idx);
            long dropoutSeed = SplitMix64.forPurpose(spec.seed(), PURPOSE_DROPOUT_ITERATION,
                    ((long) epoch << 32) + iteration).nextLong();
            TrainingStep.Outcome o = step.run(inputLength(train, batch),
                    rows -> InputEncoder.encode(net, train, idx, runSeed, rows, moved), batch, labels, dropoutSeed);
            double batchLr = fake ? Optimizer.qatLearningRate(spec, epoch - floatEpochs - 1, qatEpochs, iteration, batches)
                    : lr;
            String bad = nonFinite(o);
            if (bad != null) {
                throw new Diverged(epoch, iteration + 1, from, batch, batchLr, bad);
            }
            Map<String, double[]> w = fake ? master : step.weights();
            optimizer.step(w, o.gradients(), batchLr);
            if (fake) {
                integerExact(qat.quantise(master));
            } else {
                step.setWeights(w);
            }
            lossSum += o.loss() * batch;
            correct += o.correct();
            seen += batch;
            iteration++;
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.batch(epoch, seen, order.length, lossSum / seen, (double) correct / seen, seen / seconds);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double test = evaluate(data.test(), spec.batch()).accuracy();
        ImageDataset validation = data.validation();
        double validationAccuracy = validation == null ? Double.NaN : evaluate(validation, spec.batch()).accuracy();
        EpochResult r = new EpochResult(epoch, lr, lossSum / seen, (double) correct / seen, test, seconds, seen / seconds,
                validationAccuracy, validation == null ? 0 : validation.count());
        listener.epoch(r);
        return r;
    }

    /** The model's weights become {@code q}'s and its neurons run in the arithmetic of q's integer model. */
    private void integerExact(FakeQuantizer.Quantised q) {
        step.setWeights(q.weights());
        model.integerExact(IntegerExact.of(q.network()));
    }

    /**
     * The run has diverged: a batch's loss or a gradient is NaN or infinite. Thrown before the
     * optimiser applies that batch, so the model still holds the weights of the batch before.
     */
    public static final class Diverged extends RuntimeException {
        Diverged(int epoch, int batchNumber, int firstSample, int batch, double lr, String what) {
            super(String.format(java.util.Locale.ROOT, "%s in epoch %d, batch %d (samples %d to %d of the shuffled"
                    + " order), at learning rate %.6g", what, epoch, batchNumber, firstSample + 1, firstSample + batch, lr));
        }
    }

    /** What is not finite in a batch's outcome (the loss, else the first such gradient), or null. */
    static String nonFinite(TrainingStep.Outcome o) {
        if (!Double.isFinite(o.loss())) {
            return "the loss is " + o.loss();
        }
        for (Map.Entry<String, double[]> e : o.gradients().entrySet()) {
            for (double g : e.getValue()) {
                if (!Double.isFinite(g)) {
                    return "the gradient of " + e.getKey() + " is " + g;
                }
            }
        }
        return null;
    }

    /** Accuracy and spike counts of the float model on a dataset, with the run's evaluation spikes. */
    public Evaluation evaluate(ImageDataset set, int batchSize) {
        int correct = 0;
        Map<String, Long> spikes = new java.util.LinkedHashMap<>();
        for (int from = 0; from < set.count(); from += batchSize) {
            int batch = Math.min(batchSize, set.count() - from);
            int[] idx = new int[batch];
            for (int i = 0; i < batch; i++) {
                idx[i] = from + i;
            }
            ForwardResult r = model.forward(inputLength(set, batch),
                    rows -> InputEncoder.encode(net, set, idx, spec.seed(), rows), batch, Set.of());
            int[] labels = labels(set, idx);
            for (int b = 0; b < batch; b++) {
                if (r.prediction(b) == labels[b]) {
                    correct++;
                }
            }
            r.spikes().forEach((k, v) -> spikes.merge(k, v, Long::sum));
        }
        return new Evaluation(set.count(), (double) correct / Math.max(1, set.count()), spikes);
    }

    /** Test-set accuracy and the total spikes of each spiking layer over the set. */
    public record Evaluation(int samples, double accuracy, Map<String, Long> spikes) {
    }

    /**
     * The train block's {@code augment} for this network: on images, or with {@code encode events}
     * on a C x H x W input, on every bin of a recording alike (the verifier refuses other inputs).
     */
    private ImageAugment augment() {
        Shape in = net.input().shape();
        if (net.input().encoding().kind() == Encoding.Kind.EVENTS) {
            return ImageAugment.ofEventFrames(spec.augment(), spec.seed(), in.channels(), in.height(), in.width());
        }
        return new ImageAugment(spec.augment(), spec.seed());
    }

    /** T * batch * input size: the input values of a batch (a sample, unless encode rows spreads it over the steps). */
    private int inputLength(ImageDataset set, int batch) {
        return InputEncoder.length(net, set, batch);
    }

    private static int[] labels(ImageDataset set, int[] idx) {
        int[] l = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = set.label(idx[i]);
        }
        return l;
    }
}

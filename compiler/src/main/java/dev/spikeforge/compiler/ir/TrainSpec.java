package dev.spikeforge.compiler.ir;

import java.util.List;

/**
 * The {@code train} block, with every default filled in (docs/language.md lists them).
 *
 * @param targets   the mse loss's target values for the true class and the other classes
 *                  ({@link MseTargets#ONE_HOT} for cross_entropy, which has none)
 * @param qatEpochs epochs of quantisation-aware fine-tuning after float training (0 = none)
 * @param validation the share of the training samples held out of training and evaluated after
 *                   every epoch (0 = none; docs/language.md, {@code validation})
 * @param augment    the random changes made to each training image before it is encoded
 *                   ({@link Augment#NONE} for none; docs/language.md, {@code augment})
 */
public record TrainSpec(Origin origin, Method method, DatasetRef dataset, int epochs, int batch,
                        Optimizer optimizer, Schedule schedule, Loss loss, MseTargets targets, long seed,
                        int qatEpochs, double validation, Augment augment) {

    /** A train block without augmentation. */
    public TrainSpec(Origin origin, Method method, DatasetRef dataset, int epochs, int batch, Optimizer optimizer,
                     Schedule schedule, Loss loss, MseTargets targets, long seed, int qatEpochs, double validation) {
        this(origin, method, dataset, epochs, batch, optimizer, schedule, loss, targets, seed, qatEpochs, validation,
                Augment.NONE);
    }

    /** A train block without a validation split or augmentation. */
    public TrainSpec(Origin origin, Method method, DatasetRef dataset, int epochs, int batch, Optimizer optimizer,
                     Schedule schedule, Loss loss, MseTargets targets, long seed, int qatEpochs) {
        this(origin, method, dataset, epochs, batch, optimizer, schedule, loss, targets, seed, qatEpochs, 0);
    }

    public TrainSpec {
        if (loss != Loss.MSE && !targets.oneHot()) {
            throw new IllegalArgumentException(loss.keyword() + " has no targets; only mse does");
        }
    }

    /**
     * What {@code loss = mse(correct = C, incorrect = I)} pulls the readout value towards: C for the
     * sample's class and I for every other class. For a count readout the value is the firing
     * rate, spike count / T (snnTorch's mse_count_loss with correct_rate and incorrect_rate).
     */
    public record MseTargets(double correct, double incorrect) {
        /** The default: a one-hot target. */
        public static final MseTargets ONE_HOT = new MseTargets(1, 0);

        /** True for plain {@code mse} and for every loss other than mse. */
        public boolean oneHot() {
            return equals(ONE_HOT);
        }
    }

    /**
     * {@code augment = [shift(P), hflip]}: each training image, before encoding, moved by a whole
     * number of pixels drawn from -P..P along each of its two axes (the uncovered pixels 0) and,
     * with {@code hflip}, mirrored left to right with probability 1/2; test and validation images
     * are never changed.
     *
     * @param shift the largest move in pixels (0 = none)
     * @param hflip whether images are mirrored
     */
    public record Augment(int shift, boolean hflip) {
        public static final Augment NONE = new Augment(0, false);

        public boolean none() {
            return shift == 0 && !hflip;
        }

        /** The setting's text form: {@code shift(2)}, {@code hflip} or {@code [shift(2), hflip]}. */
        @Override
        public String toString() {
            List<String> parts = new java.util.ArrayList<>();
            if (shift != 0) {
                parts.add("shift(" + shift + ")");
            }
            if (hflip) {
                parts.add("hflip");
            }
            return parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
        }
    }

    /** How gradients flow through spikes. */
    public sealed interface Method {
        String keyword();
    }

    public enum SurrogateShape implements Keyword {
        FAST_SIGMOID,
        ARCTAN,
        SIGMOID;
    }

    /** BPTT with a surrogate derivative of the Heaviside (seed 000). */
    public record Surrogate(SurrogateShape shape, double slope) implements Method {
        @Override
        public String keyword() {
            return "surrogate";
        }
    }

    /** Lee et al. 2020 spike-based backpropagation (seed 003). */
    public record SpikeBp() implements Method {
        @Override
        public String keyword() {
            return "spike_bp";
        }
    }

    /** Accumulated Spiking Flow (seed 002). */
    public record Asf() implements Method {
        @Override
        public String keyword() {
            return "asf";
        }
    }

    public sealed interface DatasetRef {
        String keyword();
    }

    /** A dataset spikeforge knows by name (fashion_mnist, mnist): found in the system's data folders. */
    public record NamedDataset(String keyword) implements DatasetRef {
    }

    /** IDX files (the MNIST format) in a folder. */
    public record IdxDataset(String path) implements DatasetRef {
        @Override
        public String keyword() {
            return "idx";
        }
    }

    /** The CIFAR-10 binary format in a folder. */
    public record Cifar10Dataset(String path) implements DatasetRef {
        @Override
        public String keyword() {
            return "cifar10";
        }
    }

    /**
     * Sound clips in class folders ({@code DIR/train/CLASS/*.wav}, {@code DIR/test/CLASS/*.wav}),
     * each mixed down to mono, resampled to {@code rate} and cut or zero-padded at its end to
     * {@code seconds}, then made into input by {@code frontend}.
     *
     * @param classes the class folders in label order; empty for every folder of train/ in name order
     */
    public record AudioDataset(String path, int rate, double seconds, java.util.List<String> classes,
                               Frontend frontend) implements DatasetRef {
        public AudioDataset {
            classes = java.util.List.copyOf(classes);
        }

        @Override
        public String keyword() {
            return "audio";
        }

        /** Samples per clip: round_half_away(rate * seconds). */
        public int samples() {
            return samples(rate, seconds);
        }

        /** round_half_away(rate * seconds): the samples of {@code seconds} of audio at {@code rate} Hz. */
        public static int samples(int rate, double seconds) {
            return Math.toIntExact(dev.spikeforge.compiler.quant.Rounding.halfAway(rate * seconds));
        }

        /** The input shape the front end makes of a clip. */
        public Shape inputShape() {
            return frontend.shape(samples(), rate);
        }

        /** The time steps of a clip for a front end that makes events (filterbank), else 0. */
        public int eventSteps() {
            return frontend instanceof Frontend.Filterbank f ? f.steps(samples(), rate) : 0;
        }
    }

    /**
     * Event-camera (or event-cochlea) recordings as Tonic stores them, one .npy per recording in
     * class folders ({@code DIR/train/CLASS/*.npy}, {@code DIR/test/CLASS/*.npy}), binned into the
     * model's time steps by {@code encode events(bins = T)}.
     */
    public record EventDataset(String path, java.util.List<String> classes) implements DatasetRef {
        public EventDataset {
            classes = java.util.List.copyOf(classes);
        }

        @Override
        public String keyword() {
            return "events";
        }
    }

    public sealed interface Optimizer {
        double lr();
    }

    public record Sgd(double lr, double momentum, double weightDecay) implements Optimizer {
    }

    public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {
    }

    public sealed interface Schedule {
    }

    public record ConstantSchedule() implements Schedule {
    }

    /** Multiply the learning rate by gamma at each milestone epoch. */
    public record StepSchedule(List<Integer> milestones, double gamma) implements Schedule {
        public StepSchedule {
            milestones = List.copyOf(milestones);
        }
    }

    /** Cosine annealing from lr to 0 over all epochs. */
    public record CosineSchedule() implements Schedule {
    }

    /** The loss on the readout values; mse takes {@link MseTargets}. */
    public enum Loss implements Keyword {
        MSE,
        CROSS_ENTROPY;
    }
}

package dev.spikeforge.compiler.ir;

import java.util.List;

/**
 * The {@code train} block, with every default filled in (docs/language.md lists them).
 *
 * @param qatEpochs epochs of quantisation-aware fine-tuning after float training (0 = none)
 */
public record TrainSpec(Origin origin, Method method, DatasetRef dataset, int epochs, int batch,
                        Optimizer optimizer, Schedule schedule, Loss loss, long seed, int qatEpochs) {

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

    public enum Loss implements Keyword {
        MSE,
        CROSS_ENTROPY;
    }
}

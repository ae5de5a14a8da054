package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.Parameters;
import dev.spikeforge.runtime.engine.IntegerExact;
import dev.spikeforge.runtime.train.FakeQuantizer;
import dev.spikeforge.runtime.train.QatFormats;
import dev.spikeforge.runtime.train.Optimizer;
import dev.spikeforge.runtime.train.Trainer;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.io.OutputLock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training stage: the train block's method, optimiser and epochs (then its QAT epochs), a
 * checkpoint after every epoch, and {@code resume} continuing an interrupted run to the same weights.
 */
final class Training {

    private Training() {
    }

    static Trained train(LoadedModel model, DatasetSplits data, TrainSettings s, String version, PipelineListener listener)
            throws PipelineException {
        Network net = model.network();
        TrainSpec train = model.train();
        data = validation(model, data, listener);
        augment(model, listener);
        int floatEpochs = s.epochs() != null ? s.epochs() : train.epochs();
        if (floatEpochs < 1) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "the number of epochs must be at least 1, got " + floatEpochs);
        }
        // before anything is allocated: the batch as the trainer will cut it to the training set
        Memory.beforeTraining(model, Math.max(1, Math.min(train.batch(), data.train().count())), listener);
        int total = floatEpochs + train.qatEpochs();
        Path target = s.out() != null ? s.out() : Path.of("build", net.name(), net.name() + ".npz");
        // one writer per checkpoint for the whole run, refused at once; taking the lock removes the
        // temporary files a killed run left beside the checkpoint
        try (OutputLock lock = Locks.take(target)) {
            return train(model, data, s, version, listener, net, train, floatEpochs, total, target);
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, target + ": cannot release the lock "
                    + OutputLock.lockFile(target) + ": " + IoProblems.reason(e));
        }
    }

    private static Trained train(LoadedModel model, DatasetSplits data, TrainSettings s, String version,
                                 PipelineListener listener, Network net, TrainSpec train, int floatEpochs, int total,
                                 Path target) throws PipelineException {
        Parameters params = Parameters.initialise(net, train.seed());
        Optimizer optimizer = new Optimizer(train.optimizer());
        int done = 0;
        Map<String, double[]> qatMaster = Map.of();
        if (s.resume() != null) {
            TrainingCheckpoint c = read(s.resume(), net);
            params = c.parameters();
            done = c.epochsDone();
            try {
                qatMaster = c.restore(s.resume(), net, train, floatEpochs, optimizer);
            } catch (CheckpointException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
            }
        }
        Trainer trainer = new Trainer(net, train, data, new FloatModel(net, params), optimizer);
        QuantOptions deploy = QuantOptions.from(net.deploy().orElse(null));
        if (train.qatEpochs() > 0) {
            trainer.quantisationAware(new FakeQuantizer(net, deploy), floatEpochs, train.qatEpochs());
            trainer.restoreQatMaster(qatMaster);
        }
        QatFormats exact = null;
        List<Trainer.EpochResult> results = new ArrayList<>();
        // a run resumed into its own checkpoint continues its best file; into another file, starts one
        boolean inPlace = s.resume() != null
                && s.resume().toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize());
        Best best = Best.start(target, inPlace, train.qatEpochs() > 0 ? floatEpochs + 1 : 1);
        for (int epoch = done + 1; epoch <= total; epoch++) {
            String label = String.format(Locale.ROOT, "%s %d/%d", epoch > floatEpochs ? "qat epoch" : "epoch", epoch, total);
            Trainer.EpochResult r = epoch(model, trainer, epoch, floatEpochs, label, data, results.isEmpty() ? s.resume()
                    : target, listener);
            results.add(r);
            exact = epoch > floatEpochs ? QatFormats.of(deploy) : null;
            try {
                TrainingCheckpoint c = new TrainingCheckpoint(model.source().text(), net.name(), epoch, total,
                        trainer.model().parameters(), state(optimizer, trainer), optimizer.steps(), train.seed(), results,
                        version, exact);
                c.write(target, net);
                best.offer(r, c, net);
            } catch (CheckpointException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
            }
        }
        best.report(listener);
        if (done >= total) {
            // nothing left to train (a resumed finished run): the checkpoint says what its weights are
            exact = read(s.resume(), net).integerExact();
        }
        return new Trained(model, trainer.model().parameters(), target, results, exact, best.file());
    }

    /**
     * Quantisation-aware fine-tuning of {@code from}'s weights for {@code qatEpochs} epochs with the
     * formats {@code options}, as the train block's QAT epochs run after its float epochs (the same
     * epoch numbers, so the same shuffles and learning rate), starting from a fresh optimiser.
     * {@code from}'s weights stay as they are. With {@code out}, a checkpoint after every epoch (its
     * run: the train block's float epochs, then these QAT epochs); without, none.
     */
    static Trained fineTune(Trained from, DatasetSplits data, QuantOptions options, int qatEpochs, Path out,
                            String version, PipelineListener listener) throws PipelineException {
        if (qatEpochs < 1) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "the number of QAT epochs must be at least 1, got "
                    + qatEpochs);
        }
        LoadedModel model = from.model();
        data = validation(model, data, listener);
        augment(model, listener);
        Memory.beforeTraining(model, Math.max(1, Math.min(model.train().batch(), data.train().count())), listener);
        if (out == null) {
            return fineTuned(from, data, options, qatEpochs, null, version, listener);
        }
        try (OutputLock lock = Locks.take(out)) {
            return fineTuned(from, data, options, qatEpochs, out, version, listener);
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, out + ": cannot release the lock "
                    + OutputLock.lockFile(out) + ": " + IoProblems.reason(e));
        }
    }

    private static Trained fineTuned(Trained from, DatasetSplits data, QuantOptions options, int qatEpochs, Path out,
                                     String version, PipelineListener listener) throws PipelineException {
        LoadedModel model = from.model();
        Network net = model.network();
        TrainSpec train = model.train();
        Map<String, float[]> copy = new LinkedHashMap<>();
        from.parameters().tensors().forEach((k, v) -> copy.put(k, v.clone()));
        Optimizer optimizer = new Optimizer(train.optimizer());
        Trainer trainer = new Trainer(net, train, data, new FloatModel(net, new Parameters(copy)), optimizer);
        int floatEpochs = train.epochs();
        int total = floatEpochs + qatEpochs;
        trainer.quantisationAware(new FakeQuantizer(net, options), floatEpochs, qatEpochs);
        List<Trainer.EpochResult> results = new ArrayList<>();
        Best best = out == null ? Best.NONE : Best.start(out, false, floatEpochs + 1);
        for (int epoch = floatEpochs + 1; epoch <= total; epoch++) {
            String label = String.format(Locale.ROOT, "qat epoch %d/%d", epoch - floatEpochs, qatEpochs);
            Trainer.EpochResult r = epoch(model, trainer, epoch, floatEpochs, label, data, results.isEmpty() ? null : out,
                    listener);
            results.add(r);
            if (out != null) {
                try {
                    TrainingCheckpoint c = new TrainingCheckpoint(model.source().text(), net.name(), epoch, total,
                            trainer.model().parameters(), state(optimizer, trainer), optimizer.steps(), train.seed(),
                            results, version, QatFormats.of(options));
                    c.write(out, net);
                    best.offer(r, c, net);
                } catch (CheckpointException e) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
                }
            }
        }
        best.report(listener);
        return new Trained(model, trainer.model().parameters(), out, results, QatFormats.of(options), best.file());
    }

    private static Trainer.EpochResult epoch(LoadedModel model, Trainer trainer, int epoch, int floatEpochs, String label,
                                             DatasetSplits data, Path last, PipelineListener listener)
            throws PipelineException {
        try {
            return trainer.train(epoch, epoch, floatEpochs, new Trainer.Listener() {
                @Override
                public void batch(int ep, int n, int of, double loss, double acc, double perSecond) {
                    listener.trainingBatch(label, n, of, loss, acc, perSecond);
                }

                @Override
                public void epoch(Trainer.EpochResult result) {
                    listener.trainingEpoch(label, result, data.test().count());
                }
            }).get(0);
        } catch (Trainer.Diverged e) {
            String kept = last == null ? "no checkpoint was written"
                    : last + " holds the run after epoch " + (epoch - 1) + " (--resume continues from it)";
            throw PipelineException.located(PipelineException.Kind.CHECK_FAILED, model.file() + ": error: training diverged: "
                    + e.getMessage() + "; " + kept + "; lower the optimizer's lr in the train block and train again");
        } catch (IntegerExact.Unsupported | IntegerExact.OffGrid e) {
            throw PipelineException.located(PipelineException.Kind.CHECK_FAILED, model.file() + ": error: " + e.getMessage()
                    + "; set qat_epochs = 0");
        } catch (FakeQuantizer.QuantisationFailed e) {
            throw PipelineException.located(PipelineException.Kind.CHECK_FAILED, model.file() + ": error: quantisation-aware"
                    + " training cannot quantise the weights: " + e.getMessage()
                    + "; change the deploy block's formats or set qat_epochs = 0");
        }
    }

    /** Says what the train block's {@code augment} does to the training images, when it has one. */
    static void augment(LoadedModel model, PipelineListener listener) throws PipelineException {
        TrainSpec.Augment a = model.train().augment();
        if (a.none()) {
            return;
        }
        String move = a.shift() > 0 ? "moved by -" + a.shift() + ".." + a.shift() + " pixels down and across" : "";
        String mirror = a.hflip() ? "mirrored left to right half the time" : "";
        boolean events = model.network().input().encoding().kind() == Encoding.Kind.EVENTS;
        listener.stage("augment = " + a + ": each training " + (events ? "recording (all its bins alike) " : "image ")
                + mirror + (a.shift() > 0 && a.hflip() ? ", then " : "") + move + ", drawn anew every epoch; test and"
                + " validation " + (events ? "recordings" : "images") + " as they are");
    }

    /**
     * The train block's {@code validation} share of the training samples held out of training
     * (whole groups where the dataset has them, {@link DatasetSplits#holdOut}), the same samples
     * for every run of the file: chosen by its seed.
     */
    static DatasetSplits validation(LoadedModel model, DatasetSplits data, PipelineListener listener)
            throws PipelineException {
        TrainSpec train = model.train();
        if (train.validation() <= 0) {
            return data;
        }
        try {
            DatasetSplits split = data.holdOut(train.validation(), train.seed());
            String how = ", the same share of each class";
            if (data.trainGroups() != null) {
                long all = Arrays.stream(data.trainGroups()).distinct().count();
                long kept = Arrays.stream(split.trainGroups()).distinct().count();
                how = ", all the clips of " + (all - kept) + " of " + all + " speakers (file name up to its last '_')";
            }
            listener.stage(String.format(Locale.ROOT, "validation: %d of %d training samples held out%s",
                    split.validation().count(), data.train().count(), how));
            return split;
        } catch (IllegalArgumentException e) {
            SourcePos at = train.origin().of("validation");
            throw PipelineException.located(PipelineException.Kind.USAGE, model.file() + ":" + at.line() + ":"
                    + at.column() + ": error: " + e.getMessage() + "; choose a validation share that leaves samples on"
                    + " both sides, or train on more samples");
        }
    }

    /**
     * The checkpoint of the epoch with the highest validation accuracy, {@code NAME-best.npz} beside
     * the run's {@code NAME.npz}: among the epochs from {@code first} on (the QAT epochs when the run
     * has them: their weights are the deployed model's), the earliest of equal ones. A fresh run
     * removes the file a run before it left; a run resumed into its own checkpoint keeps it and
     * replaces it only with a better epoch (its accuracy is read from the file's last metrics).
     */
    static final class Best {
        static final Best NONE = new Best(null, Integer.MAX_VALUE);

        private final Path file;
        private final int first;
        private double accuracy = Double.NEGATIVE_INFINITY;
        private int epoch;
        private boolean written;

        private Best(Path file, int first) {
            this.file = file;
            this.first = first;
        }

        static Best start(Path target, boolean resumed, int first) throws PipelineException {
            Best b = new Best(path(target), first);
            try {
                if (!resumed) {
                    Files.deleteIfExists(b.file);
                } else if (Files.exists(b.file)) {
                    JsonNode metrics = CheckpointReader.read(b.file).manifest().path("metrics");
                    JsonNode last = metrics.path(metrics.size() - 1);
                    if (last.has("validation_accuracy")) {
                        b.accuracy = last.get("validation_accuracy").asDouble();
                        b.epoch = last.path("epoch").asInt();
                        b.written = true;
                    }
                }
            } catch (IOException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, b.file + ": cannot remove the best epoch's"
                        + " checkpoint of an earlier run: " + IoProblems.reason(e));
            } catch (CheckpointException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine() + " (the best epoch's checkpoint of"
                        + " the run being resumed; remove it to start its record afresh)");
            }
            return b;
        }

        /** {@code NAME-best.npz} for {@code NAME.npz}. */
        static Path path(Path target) {
            String name = target.getFileName().toString();
            String stem = name.endsWith(".npz") ? name.substring(0, name.length() - 4) : name;
            return target.resolveSibling(stem + "-best.npz");
        }

        /** Writes {@code c}, the checkpoint after {@code r}'s epoch, as the best one when it is. */
        void offer(Trainer.EpochResult r, TrainingCheckpoint c, Network net) throws CheckpointException {
            if (takes(r)) {
                c.write(file, net);
                took(r);
            }
        }

        /** Whether {@code r}'s epoch is validated, a candidate and better than the best so far. */
        boolean takes(Trainer.EpochResult r) {
            return file != null && r.validated() && r.epoch() >= first && r.validationAccuracy() > accuracy;
        }

        void took(Trainer.EpochResult r) {
            accuracy = r.validationAccuracy();
            epoch = r.epoch();
            written = true;
        }

        void report(PipelineListener listener) {
            if (written) {
                listener.stage(String.format(Locale.ROOT, "best validation accuracy %.2f%% at epoch %d: %s",
                        100 * accuracy, epoch, file));
            }
        }

        /** The best epoch's checkpoint, or null when no epoch was validated. */
        Path file() {
            return written ? file : null;
        }
    }

    private static Map<String, double[]> state(Optimizer optimizer, Trainer trainer) {
        Map<String, double[]> s = new LinkedHashMap<>(optimizer.state());
        trainer.qatMaster().forEach((k, v) -> s.put(TrainingCheckpoint.QAT_MASTER + k, v));
        return s;
    }

    /** A checkpoint of {@code net}, or an INPUT failure naming the file and what is wrong. */
    static TrainingCheckpoint read(Path file, Network net) throws PipelineException {
        try {
            return TrainingCheckpoint.read(file, net);
        } catch (CheckpointException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.oneLine());
        }
    }
}

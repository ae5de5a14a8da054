package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.runtime.train.FakeQuantizer;
import dev.spikeforge.runtime.train.Optimizer;
import dev.spikeforge.runtime.train.Trainer;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge train MODEL}: train with the model's train block; a checkpoint after every epoch. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Train a model with the method, dataset and optimiser of its train block.",
                "Writes a checkpoint (.npz) after every epoch; --resume continues from one."},
        footer = {"", "Exit codes: 0 trained, 1 invalid model, 2 usage error, 3 unreadable model, dataset or checkpoint."})
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--epochs", paramLabel = "N", description = "Train N epochs instead of the train block's.")
    Integer epochs;

    @Mixin
    DataOptions data;

    @Option(names = "--out", paramLabel = "FILE", description = "Checkpoint to write (default build/MODEL/MODEL.npz).")
    Path out;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue the run saved in this checkpoint.")
    Path resume;

    @Option(names = "--json", description = "Print the per-epoch results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunSetup.Prepared p = RunSetup.prepare("train", modelFile, data, err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        ModelFiles.Loaded loaded = p.loaded();
        Network net = p.network();
        TrainSpec train = p.train();
        int floatEpochs = epochs != null ? epochs : train.epochs();
        if (floatEpochs < 1) {
            err.println("spikeforge train: --epochs takes a number of at least 1");
            return ExitCodes.USAGE;
        }
        int total = floatEpochs + train.qatEpochs();
        Path target = out != null ? out : Path.of("build", net.name(), net.name() + ".npz");
        dev.spikeforge.runtime.engine.Parameters params = dev.spikeforge.runtime.engine.Parameters.initialise(net, train.seed());
        Optimizer optimizer = new Optimizer(train.optimizer());
        int done = 0;
        java.util.Map<String, double[]> qatMaster = java.util.Map.of();
        if (resume != null) {
            try {
                TrainingCheckpoint c = TrainingCheckpoint.read(resume, net);
                params = c.parameters();
                optimizer.restore(c.optimizerState(), c.optimizerSteps());
                done = c.epochsDone();
                qatMaster = new java.util.LinkedHashMap<>();
                for (var e : c.optimizerState().entrySet()) {
                    if (e.getKey().startsWith(TrainingCheckpoint.QAT_MASTER)) {
                        qatMaster.put(e.getKey().substring(TrainingCheckpoint.QAT_MASTER.length()), e.getValue());
                    }
                }
            } catch (CheckpointException e) {
                err.println("spikeforge train: error: " + e.oneLine());
                return ExitCodes.INPUT_ERROR;
            }
        }
        Trainer trainer = new Trainer(net, train, p.data(), new FloatModel(net, params), optimizer);
        if (train.qatEpochs() > 0) {
            trainer.quantisationAware(new FakeQuantizer(net, QuantOptions.from(net.deploy().orElse(null))), floatEpochs);
            trainer.restoreQatMaster(qatMaster);
        }
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        List<Trainer.EpochResult> results = new ArrayList<>();
        for (int epoch = done + 1; epoch <= total; epoch++) {
            final int e = epoch;
            final String label = epoch > floatEpochs ? "qat epoch" : "epoch";
            Trainer.EpochResult r;
            try {
                r = trainer.train(epoch, epoch, floatEpochs, new Trainer.Listener() {
                    @Override
                    public void batch(int ep, int n, int of, double loss, double acc, double perSecond) {
                        progress.update(String.format(Locale.ROOT, "%s %d/%d", label, e, total), n, of,
                                String.format(Locale.ROOT, "loss %.4f  acc %5.1f%%  %.0f samples/s", loss, 100 * acc,
                                        perSecond), perSecond);
                    }

                    @Override
                    public void epoch(Trainer.EpochResult result) {
                        err.printf(Locale.ROOT, "%s %d/%d: test accuracy %.2f%% (%d samples), %.1f s%n", label,
                                result.epoch(), total, 100 * result.testAccuracy(), p.data().test().count(), result.seconds());
                        err.flush();
                    }
                }).get(0);
            } catch (Trainer.Diverged ex) {
                Path last = !results.isEmpty() ? target : resume;
                String kept = last == null ? "no checkpoint was written"
                        : last + " holds the run after epoch " + (epoch - 1) + " (--resume continues from it)";
                err.println(modelFile + ": error: training diverged: " + ex.getMessage() + "; " + kept
                        + "; lower the optimizer's lr in the train block and train again");
                return ExitCodes.CHECK_FAILED;
            } catch (FakeQuantizer.QuantisationFailed ex) {
                err.println(modelFile + ": error: quantisation-aware training cannot quantise the weights: "
                        + ex.getMessage() + "; change the deploy block's formats or set qat_epochs = 0");
                return ExitCodes.CHECK_FAILED;
            }
            results.add(r);
            try {
                new TrainingCheckpoint(loaded.compilation().source().text(), net.name(), epoch, total,
                        trainer.model().parameters(), state(optimizer, trainer), optimizer.steps(), train.seed(), results,
                        "spikeforge " + VersionProvider.version()).write(target, net);
            } catch (CheckpointException ex) {
                err.println("spikeforge train: error: " + ex.oneLine());
                return ExitCodes.INPUT_ERROR;
            }
        }
        report(stdout, net, target, results);
        return ExitCodes.OK;
    }

    private static java.util.Map<String, double[]> state(Optimizer optimizer, Trainer trainer) {
        java.util.Map<String, double[]> s = new java.util.LinkedHashMap<>(optimizer.state());
        trainer.qatMaster().forEach((k, v) -> s.put(TrainingCheckpoint.QAT_MASTER + k, v));
        return s;
    }

    private void report(PrintWriter out, Network net, Path target, List<Trainer.EpochResult> results) throws Exception {
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", "spikeforge.train/1");
            doc.put("model", net.name());
            doc.put("checkpoint", target.toString());
            ArrayNode rows = doc.putArray("epochs");
            for (Trainer.EpochResult r : results) {
                rows.add(r.toJson());
            }
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.println("epoch  learning rate  train loss  train acc  test acc  samples/s  seconds");
            for (Trainer.EpochResult r : results) {
                out.printf(Locale.ROOT, "%5d  %13.6g  %10.4f  %8.2f%%  %7.2f%%  %9.0f  %7.1f%n", r.epoch(), r.learningRate(),
                        r.trainLoss(), 100 * r.trainAccuracy(), 100 * r.testAccuracy(), r.samplesPerSecond(), r.seconds());
            }
            out.println("checkpoint: " + target);
        }
        out.flush();
    }
}

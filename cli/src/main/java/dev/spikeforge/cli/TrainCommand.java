package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.TrainSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.runtime.train.Trainer;
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
                "Writes a checkpoint (.npz) after every epoch; --resume continues from one.",
                "--fine-tune C instead runs --qat-epochs N epochs of quantisation-aware training from",
                "the checkpoint C with the deploy formats (or --bits, --per-layer, --per-channel)."},
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

    @Option(names = "--fine-tune", paramLabel = "C", description = {"Fine-tune the weights of checkpoint C with",
            "quantisation-aware training (default --out: build/MODEL/MODEL-qat.npz)."})
    Path fineTune;

    @Option(names = "--qat-epochs", paramLabel = "N", description = "With --fine-tune: QAT epochs (default 1).")
    Integer qatEpochs;

    @Mixin
    FormatOptionsMixin formats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (data.problem() != null) {
            return Cli.usage(spec, data.problem());
        }
        if (epochs != null && epochs < 1) {
            return Cli.usage(spec, "--epochs takes a number of at least 1");
        }
        if (formats.problem() != null) {
            return Cli.usage(spec, formats.problem());
        }
        if (fineTune == null && (qatEpochs != null || formats.given())) {
            return Cli.usage(spec, (qatEpochs != null ? "--qat-epochs" : "--bits, --per-layer and --per-channel")
                    + " go with --fine-tune C (the train block's own QAT uses qat_epochs and the deploy formats)");
        }
        if (fineTune != null && (resume != null || epochs != null)) {
            return Cli.usage(spec, "--fine-tune starts from its checkpoint and runs only QAT epochs; it excludes "
                    + (resume != null ? "--resume" : "--epochs (give --qat-epochs N)"));
        }
        if (qatEpochs != null && qatEpochs < 1) {
            return Cli.usage(spec, "--qat-epochs takes a number of at least 1, got " + qatEpochs);
        }
        try {
            Pipeline p = Cli.pipeline(spec, data);
            LoadedModel model = p.load(modelFile);
            Trained t;
            if (fineTune != null) {
                Path to = out != null ? out : Path.of("build", model.name(), model.name() + "-qat.npz");
                t = p.fineTune(p.checkpoint(model, fineTune), formats.settings(), qatEpochs == null ? 1 : qatEpochs, to);
            } else {
                t = p.train(model, new TrainSettings(epochs, out, resume, null));
            }
            Cli.print(spec, json ? List.of(dev.spikeforge.pipeline.report.Units.json(json(t))) : text(t));
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }

    private static List<String> text(Trained t) {
        List<String> out = new ArrayList<>();
        boolean validated = t.epochs().stream().anyMatch(Trainer.EpochResult::validated);
        out.add("epoch  learning rate  train loss  train acc  test acc" + (validated ? "  valid acc" : "")
                + "  samples/s  seconds");
        for (Trainer.EpochResult r : t.epochs()) {
            String valid = validated ? String.format(Locale.ROOT, "  %8.2f%%", 100 * r.validationAccuracy()) : "";
            out.add(String.format(Locale.ROOT, "%5d  %13.6g  %10.4f  %8.2f%%  %7.2f%%%s  %9.0f  %7.1f", r.epoch(),
                    r.learningRate(), r.trainLoss(), 100 * r.trainAccuracy(), 100 * r.testAccuracy(), valid,
                    r.samplesPerSecond(), r.seconds()));
        }
        out.add("checkpoint: " + t.checkpoint());
        if (t.best() != null) {
            out.add("best validation epoch's checkpoint: " + t.best());
        }
        return out;
    }

    private static ObjectNode json(Trained t) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.train/1");
        doc.put("model", t.model().name());
        doc.put("checkpoint", t.checkpoint().toString());
        if (t.best() != null) {
            doc.put("best_checkpoint", t.best().toString());
        }
        ArrayNode rows = doc.putArray("epochs");
        for (Trainer.EpochResult r : t.epochs()) {
            rows.add(r.toJson());
        }
        return doc;
    }
}

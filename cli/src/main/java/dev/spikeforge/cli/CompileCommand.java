package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.target.CompiledTarget;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge compile MODEL --checkpoint C}: quantise to integers and write the model files, the report and every target's folder. */
@Command(name = "compile",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Quantise a trained model to the integer formats of its deploy block (or the options)",
                "and write the integer model (model.json + model.npz), the quantisation report",
                "(quantization.txt, quantization.json) and one folder per deploy target."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, a format that cannot represent it or a target design rule broken,",
                "2 usage error,",
                "3 unreadable model or checkpoint, or a folder that cannot be written."})
final class CompileCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Mixin
    QuantOptionsMixin quant;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: NAME-compiled, NAME the model's name).")
    Path out;

    @Option(names = "--json", description = "Print the quantisation report as JSON on standard output.")
    boolean json;

    @Option(names = "--target", paramLabel = "SPEC", description = {"Compile for this target instead of the deploy block's:",
            "a target as in a deploy block without the word target, or a preset or spec file",
            "(spikeforge targets lists them). Repeatable."})
    List<String> targets;

    @Option(names = "--no-targets", description = "Write only the integer model, not the deploy block's targets.")
    boolean noTargets;

    @Option(names = "--rate-samples", paramLabel = "N", defaultValue = "256", description = {"Training samples the",
            "integer model runs to measure firing rates, which placement weighs spike traffic by",
            "(0: count every neuron once; default: ${DEFAULT-VALUE})."})
    int rateSamples;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (rateSamples < 0) {
            return Cli.usage(spec, "--rate-samples takes a number of at least 0, got " + rateSamples);
        }
        if (quant.problem() != null) {
            return Cli.usage(spec, quant.problem());
        }
        try {
            Pipeline p = Cli.pipeline(spec, DataOptions.of(dataDir, null));
            LoadedModel model = p.load(modelFile);
            var trained = p.checkpoint(model, quant.checkpoint);
            Path folder = out != null ? out : Path.of(model.name() + "-compiled");
            Compiled c = p.compile(trained, quant.settings(), noTargets ? List.of() : p.targets(model, targets),
                    new CompileSettings(folder, true, rateSamples));
            List<String> lines = new ArrayList<>(c.notes());
            for (CompiledTarget t : c.targets().stream().map(Compiled.Build::folder).toList()) {
                lines.addAll(t.report());
            }
            if (json) {
                ObjectNode doc = QuantReport.json(c.model().network());
                ArrayNode files = doc.putArray("files");
                c.modelFiles().forEach(f -> files.add(f.toString()));
                ArrayNode ts = doc.putArray("targets");
                lines.forEach(ts::add);
                Cli.print(spec, doc);
            } else {
                List<String> text = new ArrayList<>(QuantReport.text(c.model().network()).lines().toList());
                text.add("wrote " + c.modelFiles().size() + " files to " + folder + ": " + String.join(", ",
                        c.modelFiles().stream().map(f -> f.getFileName().toString()).toList()));
                text.addAll(lines);
                Cli.print(spec, text);
            }
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}

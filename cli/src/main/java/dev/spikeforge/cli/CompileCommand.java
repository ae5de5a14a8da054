package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.quant.QuantReport;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.integer.QuantizedModelFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge compile MODEL --checkpoint C}: quantise to integers and write the model files and report. */
@Command(name = "compile",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Quantise a trained model to the integer formats of its deploy block (or the options)",
                "and write the integer model (model.json + model.npz) and the quantisation report",
                "(quantization.txt, quantization.json) to a folder."},
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
            "a neurocore preset (spikeforge targets lists them) or a spec file (.json). Repeatable."})
    List<String> targetOverrides;

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
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rateSamples < 0) {
            err.println("spikeforge compile: --rate-samples takes a number of at least 0, got " + rateSamples);
            return ExitCodes.USAGE;
        }
        QuantOptionsMixin.Quantised q = quant.quantise("compile", modelFile, err);
        if (q.exitCode() != ExitCodes.OK) {
            return q.exitCode();
        }
        QuantizedNetwork net = q.result().network();
        Path folder = out != null ? out : Path.of(net.name() + "-compiled");
        List<Path> written;
        try {
            written = QuantizedModelFiles.write(net, folder);
        } catch (IOException e) {
            err.println("spikeforge compile: error: " + folder + ": cannot write the output: " + ModelFiles.readError(e)
                    + "; check that the folder is writable and the disk is not full");
            return ExitCodes.INPUT_ERROR;
        } catch (CheckpointException e) {
            err.println("spikeforge compile: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        int exit = ExitCodes.OK;
        List<String> targetLines = new java.util.ArrayList<>();
        if (!noTargets && !Targets.requests(q.loaded().network(), targetOverrides).isEmpty()) {
            double[] rates = null;
            var trainSpec = q.loaded().network().train();
            if (rateSamples > 0 && trainSpec.isPresent()) {
                try {
                    var data = RunSetup.dataset(trainSpec.get(), dataDir, modelFile, rateSamples, q.loaded().network());
                    rates = Targets.firingRates(q.loaded().network(), net, data.train(), rateSamples,
                            trainSpec.get().seed(), Runtime.getRuntime().availableProcessors());
                    targetLines.add(String.format(java.util.Locale.ROOT, "firing rates of the integer model on %d training"
                            + " samples weigh placement", Math.min(rateSamples, data.train().count())));
                } catch (dev.spikeforge.runtime.data.DatasetException e) {
                    targetLines.add("no firing rates for placement (" + e.getMessage() + "); every neuron counts once");
                }
            }
            exit = Targets.compileAll(q.loaded(), quant.options(q.loaded().network()), q.checkpoint().parameters().tensors(),
                    targetOverrides, folder, rates, targetLines, err);
        }
        if (json) {
            ObjectNode doc = QuantReport.json(net);
            ArrayNode files = doc.putArray("files");
            written.forEach(p -> files.add(p.toString()));
            ArrayNode targets = doc.putArray("targets");
            targetLines.forEach(targets::add);
            stdout.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            stdout.print(QuantReport.text(net));
            stdout.println("wrote " + written.size() + " files to " + folder + ": "
                    + String.join(", ", written.stream().map(p -> p.getFileName().toString()).toList()));
            targetLines.forEach(stdout::println);
        }
        stdout.flush();
        err.flush();
        return exit;
    }
}

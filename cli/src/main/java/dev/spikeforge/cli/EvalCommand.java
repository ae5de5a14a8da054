package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge eval MODEL --checkpoint FILE}: test accuracy, spike counts and firing rates of the float model. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Evaluate a trained model on its dataset's test split: accuracy, and spikes and",
                "firing rate of every spiking layer."},
        footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable model, dataset or checkpoint."})
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Trained weights (.npz).")
    Path checkpoint;

    @Mixin
    DataOptions data;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (data.problem() != null) {
            return Cli.usage(spec, data.problem());
        }
        try {
            Pipeline p = Cli.pipeline(spec, data);
            LoadedModel model = p.load(modelFile);
            Trainer.Evaluation e = p.evaluate(p.checkpoint(model, checkpoint));
            ObjectNode doc = json(model.network(), e);
            if (json) {
                Cli.print(spec, doc);
                return ExitCodes.OK;
            }
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "model %s, %d test samples, T = %d: accuracy %.2f%%", model.name(), e.samples(),
                    model.network().timesteps(), 100 * e.accuracy()));
            out.add("layer     neurons  spikes/sample  firing rate (spikes per neuron per step)");
            doc.get("layers").fields().forEachRemaining(f -> out.add(String.format(Locale.ROOT, "%-8s %8d  %13.1f  %.4f",
                    f.getKey(), f.getValue().get("neurons").asLong(), f.getValue().get("spikes_per_sample").asDouble(),
                    f.getValue().get("firing_rate").asDouble())));
            Cli.print(spec, out);
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }

    private static ObjectNode json(Network net, Trainer.Evaluation e) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.eval/1");
        doc.put("model", net.name());
        doc.put("samples", e.samples());
        doc.put("accuracy", e.accuracy());
        ObjectNode layers = doc.putObject("layers");
        for (Map.Entry<String, Long> s : e.spikes().entrySet()) {
            Node n = net.node(s.getKey());
            ObjectNode l = layers.putObject(n.layer());
            l.put("node", n.name());
            l.put("neurons", n.shape().size());
            l.put("spikes", s.getValue());
            l.put("spikes_per_sample", s.getValue() / (double) e.samples());
            l.put("firing_rate", s.getValue() / ((double) e.samples() * net.timesteps() * n.shape().size()));
        }
        return doc;
    }
}

package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.train.Optimizer;
import dev.spikeforge.runtime.train.Trainer;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunSetup.Prepared p = RunSetup.prepare("eval", modelFile, data, err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        Network net = p.network();
        TrainSpec train = p.train();
        TrainingCheckpoint c;
        try {
            c = TrainingCheckpoint.read(checkpoint, net);
        } catch (CheckpointException e) {
            err.println("spikeforge eval: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        Trainer trainer = new Trainer(net, train, p.data(), new FloatModel(net, c.parameters()),
                new Optimizer(train.optimizer()));
        Trainer.Evaluation e = trainer.evaluate(p.data().test(), train.batch());
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", "spikeforge.eval/1");
        doc.put("model", net.name());
        doc.put("samples", e.samples());
        doc.put("accuracy", e.accuracy());
        ObjectNode layers = doc.putObject("layers");
        for (Map.Entry<String, Long> s : e.spikes().entrySet()) {
            Node n = net.node(s.getKey());
            double rate = s.getValue() / ((double) e.samples() * net.timesteps() * n.shape().size());
            ObjectNode l = layers.putObject(n.layer());
            l.put("node", n.name());
            l.put("neurons", n.shape().size());
            l.put("spikes", s.getValue());
            l.put("spikes_per_sample", s.getValue() / (double) e.samples());
            l.put("firing_rate", rate);
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "model %s, %d test samples, T = %d: accuracy %.2f%%%n", net.name(), e.samples(),
                    net.timesteps(), 100 * e.accuracy());
            out.println("layer     neurons  spikes/sample  firing rate (spikes per neuron per step)");
            layers.fields().forEachRemaining(f -> out.printf(Locale.ROOT, "%-8s %8d  %13.1f  %.4f%n", f.getKey(),
                    f.getValue().get("neurons").asLong(), f.getValue().get("spikes_per_sample").asDouble(),
                    f.getValue().get("firing_rate").asDouble()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}

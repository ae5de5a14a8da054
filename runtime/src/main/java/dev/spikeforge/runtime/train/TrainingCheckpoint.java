package dev.spikeforge.runtime.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.DType;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.engine.Parameters;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's checkpoint: every weight and bias as a float32 array in its natural shape
 * ({@code c1.weight} is filters x in_channels x k x k, as numpy sees it), the optimiser buffers as
 * float64 ({@code optimizer.first.c1.weight}, ...; during quantisation-aware training also the
 * float master weights {@code qat.master.c1.weight}), and a manifest with the model source, the
 * epochs done, the optimiser's step count, the per-epoch metrics, the seed and the engine version.
 */
public record TrainingCheckpoint(String modelSource, String modelName, int epochsDone, int epochsTotal,
                                 Parameters parameters, Map<String, double[]> optimizerState, long optimizerSteps,
                                 long seed, List<Trainer.EpochResult> metrics, String engineVersion) {

    /** Prefix of the float master weights of quantisation-aware training, kept with the optimiser state. */
    public static final String QAT_MASTER = "qat.master.";

    public void write(Path file, Network net) throws CheckpointException {
        Checkpoint.Builder b = Checkpoint.builder();
        for (Map.Entry<String, float[]> e : parameters.tensors().entrySet()) {
            b.put(e.getKey(), NdArray.of(e.getValue(), shapeOf(net, e.getKey(), e.getValue().length)));
        }
        optimizerState.forEach((k, v) -> b.put(k, NdArray.ofDoubles(v, v.length)));
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode m = f.objectNode();
        m.put("model", modelName);
        m.put("model_source", modelSource);
        m.put("epochs_done", epochsDone);
        m.put("epochs_total", epochsTotal);
        m.put("optimizer_steps", optimizerSteps);
        m.put("seed", seed);
        m.put("engine", engineVersion);
        ArrayNode ms = m.putArray("metrics");
        for (Trainer.EpochResult r : metrics) {
            ms.add(r.toJson());
        }
        CheckpointWriter.write(file, b.manifest(m).build());
    }

    /**
     * Reads a checkpoint and checks that it holds every parameter of {@code net} in the right
     * size. A checkpoint of another model is an error naming the first missing or mis-sized array.
     */
    public static TrainingCheckpoint read(Path file, Network net) throws CheckpointException {
        Checkpoint c = CheckpointReader.read(file);
        ObjectNode m = c.manifest();
        String writtenFor = m.path("model").asText("");
        if (!writtenFor.isEmpty() && !writtenFor.equals(net.name())) {
            throw new CheckpointException(file, "was written for model '" + writtenFor + "', not '" + net.name() + "'",
                    "pass the checkpoint of this model, or train it: spikeforge train MODEL");
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : Parameters.sizes(net).entrySet()) {
            NdArray a = c.array(e.getKey()).orElseThrow(() -> new CheckpointException(file,
                    "has no array '" + e.getKey() + "', which model '" + net.name() + "' needs",
                    "use a checkpoint trained from this model, or train it: spikeforge train MODEL"));
            if (a.dtype() != DType.FLOAT32 || a.size() != e.getValue()) {
                throw new CheckpointException(file, "array '" + e.getKey() + "' has " + a.size() + " " + a.dtype()
                        + " values, model '" + net.name() + "' needs " + e.getValue() + " float32",
                        "the model file changed since this checkpoint was written; train again");
            }
            tensors.put(e.getKey(), a.floats());
        }
        Map<String, double[]> state = new LinkedHashMap<>();
        for (String name : c.names()) {
            if (name.startsWith("optimizer.") || name.startsWith(QAT_MASTER)) {
                state.put(name, c.array(name).orElseThrow().doubles());
            }
        }
        return new TrainingCheckpoint(m.path("model_source").asText(""), m.path("model").asText(""),
                m.path("epochs_done").asInt(0), m.path("epochs_total").asInt(0), new Parameters(tensors), state,
                m.path("optimizer_steps").asLong(0), m.path("seed").asLong(0), List.of(),
                m.path("engine").asText(""));
    }

    private static int[] shapeOf(Network net, String key, int length) {
        String node = key.substring(0, key.lastIndexOf('.'));
        Node n = net.node(node);
        if (key.endsWith(".weight") && n instanceof Conv2dNode c) {
            return new int[] {c.filters(), c.inChannels(), c.kernel(), c.kernel()};
        } else if (key.endsWith(".weight")) {
            int out = n.shape().isKnown() ? (int) n.shape().size() : 1;
            return new int[] {out, length / out};
        }
        return new int[] {length};
    }
}

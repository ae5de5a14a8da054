package dev.spikeforge.runtime.train;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.DType;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.engine.Parameters;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's checkpoint: every weight and bias as a float32 array in its natural shape
 * ({@code c1.weight} is filters x in_channels x k x k, as numpy sees it; a recurrent dense layer's
 * {@code h1.recurrent} is units x units, or units when diagonal), the optimiser buffers as
 * float64 ({@code optimizer.first.c1.weight}, ...; during quantisation-aware training also the
 * float master weights {@code qat.master.c1.weight}), and a manifest with the model source, the
 * epochs done, the optimiser's step count, the per-epoch metrics, the seed and the engine version;
 * after quantisation-aware epochs also their formats ({@link QatFormats}), which make its float
 * model integer-exact.
 *
 * @param integerExact the formats of the quantisation-aware epochs that made these weights, or null
 *                     when they are a float model's
 */
public record TrainingCheckpoint(String modelSource, String modelName, int epochsDone, int epochsTotal,
                                 Parameters parameters, Map<String, double[]> optimizerState, long optimizerSteps,
                                 long seed, List<Trainer.EpochResult> metrics, String engineVersion,
                                 QatFormats integerExact) {

    /** The checkpoint of a float model (no quantisation-aware epochs yet). */
    public TrainingCheckpoint(String modelSource, String modelName, int epochsDone, int epochsTotal,
                              Parameters parameters, Map<String, double[]> optimizerState, long optimizerSteps,
                              long seed, List<Trainer.EpochResult> metrics, String engineVersion) {
        this(modelSource, modelName, epochsDone, epochsTotal, parameters, optimizerState, optimizerSteps, seed, metrics,
                engineVersion, null);
    }

    /** Manifest key of {@link #integerExact}. */
    static final String INTEGER_EXACT = "integer_exact";

    /** Prefix of the float master weights of quantisation-aware training, kept with the optimiser state. */
    public static final String QAT_MASTER = "qat.master.";

    public void write(Path file, Network net) throws CheckpointException {
        CheckpointWriter.write(file, archive(net));
    }

    /** The archive this checkpoint is written as: parameters in their layer shapes, optimiser state, manifest. */
    public Checkpoint archive(Network net) {
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
        if (integerExact != null) {
            ObjectNode q = m.putObject(INTEGER_EXACT);
            q.put("weight_bits", integerExact.weightBits());
            q.put("granularity", integerExact.granularityKeyword());
        }
        ArrayNode ms = m.putArray("metrics");
        for (Trainer.EpochResult r : metrics) {
            ms.add(r.toJson());
        }
        return b.manifest(m).build();
    }

    /**
     * Reads a checkpoint and checks every array in it against {@code net}: each parameter is
     * present as float32 in its natural shape, and every other array is optimiser state or QAT
     * master weights of one of the model's parameters, float64 of the parameter's length. A
     * checkpoint of another model, or with an array nothing would use, is an error naming the
     * first such array; completeness of the optimiser state is checked by {@link #restore}.
     */
    public static TrainingCheckpoint read(Path file, Network net) throws CheckpointException {
        Checkpoint c = CheckpointReader.read(file);
        ObjectNode m = c.manifest();
        String writtenFor = m.path("model").asText("");
        if (!writtenFor.isEmpty() && !writtenFor.equals(net.name())) {
            throw new CheckpointException(file, "was written for model '" + writtenFor + "', not '" + net.name() + "'",
                    "pass the checkpoint of this model, or train it: spikeforge train MODEL");
        }
        Map<String, Integer> sizes = Parameters.sizes(net);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : sizes.entrySet()) {
            NdArray a = c.array(e.getKey()).orElseThrow(() -> new CheckpointException(file,
                    "has no array '" + e.getKey() + "', which model '" + net.name() + "' needs",
                    "use a checkpoint trained from this model, or train it: spikeforge train MODEL"));
            int[] shape = shapeOf(net, e.getKey(), e.getValue());
            if (a.dtype() != DType.FLOAT32 || !Arrays.equals(a.shape(), shape)) {
                throw new CheckpointException(file, "array '" + e.getKey() + "' is " + a.dtype().numpyName() + " "
                        + NdArray.shapeString(a.shape()) + ", model '" + net.name() + "' needs float32 "
                        + NdArray.shapeString(shape), CHANGED);
            }
            tensors.put(e.getKey(), a.floats());
        }
        Map<String, double[]> state = new LinkedHashMap<>();
        for (String name : c.names()) {
            if (sizes.containsKey(name)) {
                continue;
            }
            String parameter = stateOf(name);
            if (parameter == null || !sizes.containsKey(parameter)) {
                throw new CheckpointException(file, "array '" + name + "' is " + (parameter == null
                        ? "neither a parameter of model '" + net.name() + "' nor optimiser state ("
                        + Optimizer.FIRST + "NAME, " + Optimizer.SECOND + "NAME, " + QAT_MASTER + "NAME)"
                        : "state of parameter '" + parameter + "', which model '" + net.name() + "' does not have"),
                        "the checkpoint was written for another version of the model or edited; use a checkpoint of "
                        + "this model, or train it: spikeforge train MODEL");
            }
            NdArray a = c.array(name).orElseThrow();
            int n = sizes.get(parameter);
            if (a.dtype() != DType.FLOAT64 || !Arrays.equals(a.shape(), new int[] {n})) {
                throw new CheckpointException(file, "array '" + name + "' is " + a.dtype().numpyName() + " "
                        + NdArray.shapeString(a.shape()) + ", but the state of '" + parameter + "' is float64 ("
                        + n + ",)", CHANGED);
            }
            state.put(name, a.doubles());
        }
        long steps = m.path("optimizer_steps").asLong(0);
        int epochsDone = m.path("epochs_done").asInt(0);
        if (steps < 0 || epochsDone < 0) {
            throw new CheckpointException(file, "manifest.json records " + (steps < 0 ? "optimizer_steps = " + steps
                    : "epochs_done = " + epochsDone) + ", not a count", "the manifest was edited or damaged; use an "
                    + "earlier checkpoint");
        }
        return new TrainingCheckpoint(m.path("model_source").asText(""), m.path("model").asText(""),
                epochsDone, m.path("epochs_total").asInt(0), new Parameters(tensors), state,
                steps, m.path("seed").asLong(0), List.of(), m.path("engine").asText(""), integerExact(file, m));
    }

    /** The manifest's {@code integer_exact} formats, null when it has none, or an error naming what is wrong. */
    private static QatFormats integerExact(Path file, ObjectNode m) throws CheckpointException {
        if (!m.has(INTEGER_EXACT)) {
            return null;
        }
        var q = m.get(INTEGER_EXACT);
        int bits = q.path("weight_bits").asInt(0);
        var g = QatFormats.granularity(q.path("granularity").asText(""));
        if (!q.path("weight_bits").isInt() || bits < 2 || bits > 16 || g == null) {
            throw new CheckpointException(file, "manifest.json records " + INTEGER_EXACT + " = " + q + ", not {\"weight_bits\":"
                    + " 2 to 16, \"granularity\": \"per_layer\" or \"per_channel\"}", "the manifest was edited or damaged;"
                    + " use an earlier checkpoint");
        }
        return new QatFormats(bits, g);
    }

    private static final String CHANGED = "the model file changed since this checkpoint was written; train again";

    /** The parameter whose state {@code name} is ({@code optimizer.first.c1.weight}: c1.weight), or null. */
    private static String stateOf(String name) {
        for (String prefix : new String[] {Optimizer.FIRST, Optimizer.SECOND, QAT_MASTER}) {
            if (name.startsWith(prefix)) {
                return name.substring(prefix.length());
            }
        }
        return null;
    }

    /**
     * Continues a run from this checkpoint ({@code train --resume}): restores {@code optimizer}
     * after checking that the state is exactly what it holds after the recorded steps, and
     * returns the QAT master weights (keyed by parameter), which must be present for every
     * parameter once quantisation-aware epochs have begun and absent before. Nothing is reset or
     * carried over silently: a missing, unexpected or mis-sized array is one error naming the
     * checkpoint, the array, what is wrong and the fix.
     *
     * @param file        the checkpoint's path, for messages
     * @param floatEpochs the float epochs of this run; QAT epochs follow them
     */
    public Map<String, double[]> restore(Path file, Network net, TrainSpec train, int floatEpochs, Optimizer optimizer)
            throws CheckpointException {
        Map<String, Integer> sizes = Parameters.sizes(net);
        Map<String, double[]> optimizerOnly = new LinkedHashMap<>();
        Map<String, double[]> master = new LinkedHashMap<>();
        optimizerState.forEach((k, v) -> {
            if (k.startsWith(QAT_MASTER)) {
                master.put(k.substring(QAT_MASTER.length()), v);
            } else {
                optimizerOnly.put(k, v);
            }
        });
        try {
            optimizer.restore(optimizerOnly, optimizerSteps, sizes);
        } catch (Optimizer.StateMismatch e) {
            String what = e.array() == null ? "" : "optimiser state '" + e.array() + "' ";
            throw new CheckpointException(file, what + e.getMessage() + " (optimizer_steps = " + optimizerSteps
                    + ", optimizer = "
                    + (train.optimizer() instanceof TrainSpec.Adam ? "adam" : "sgd") + ")",
                    "resume from a complete checkpoint of this run written with the same optimizer (an earlier one), "
                    + "or train again without --resume");
        }
        boolean inQat = train.qatEpochs() > 0 && epochsDone > floatEpochs;
        for (String k : master.keySet()) {
            if (!inQat) {
                throw new CheckpointException(file, "array '" + QAT_MASTER + k + "' holds quantisation-aware master "
                        + "weights, but after " + epochsDone + " epochs this run (" + floatEpochs + " float epochs, "
                        + train.qatEpochs() + " QAT epochs) has not begun quantisation-aware training",
                        "resume with the --epochs and train block the checkpoint was written with, or train again "
                        + "without --resume");
            }
        }
        if (inQat) {
            for (String k : sizes.keySet()) {
                if (!master.containsKey(k)) {
                    throw new CheckpointException(file, "array '" + QAT_MASTER + k + "' is missing: epoch " + epochsDone
                            + " is a quantisation-aware epoch, whose float master weights the run continues from; "
                            + "without them it would restart from the quantised weights",
                            "resume from a complete checkpoint of this run (an earlier one), or train again without "
                            + "--resume");
                }
            }
        }
        return master;
    }

    private static int[] shapeOf(Network net, String key, int length) {
        String node = key.substring(0, key.lastIndexOf('.'));
        Node n = net.node(node);
        if (key.endsWith(".weight") && n instanceof Conv2dNode c) {
            return new int[] {c.filters(), c.inChannels(), c.kernel(), c.kernel()};
        } else if (key.endsWith(".weight") && n instanceof Conv1dNode c) {
            return new int[] {c.filters(), c.inChannels(), c.kernel()};
        } else if (key.endsWith(Parameters.RECURRENT) && n instanceof DenseNode d && d.recurrent() == Recurrence.FULL) {
            return new int[] {d.units(), d.units()};
        } else if (key.endsWith(".weight")) {
            int out = n.shape().isKnown() ? (int) n.shape().size() : 1;
            return new int[] {out, length / out};
        }
        return new int[] {length};
    }
}

package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.DatasetLocator;
import dev.spikeforge.runtime.data.DatasetSplits;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.nd4j.linalg.factory.Nd4j;

/** What the training and evaluation commands share: a valid model with a train block, threads, its dataset. */
final class RunSetup {

    /** A model ready to train or evaluate, or the exit code that says why not (message printed). */
    record Prepared(ModelFiles.Loaded loaded, DatasetSplits data, int exitCode) {
        Network network() {
            return loaded.network();
        }

        TrainSpec train() {
            return loaded.network().train().orElseThrow();
        }
    }

    private RunSetup() {
    }

    static Prepared prepare(String command, Path modelFile, DataOptions options, PrintWriter err) {
        ModelFiles.Loaded loaded = ModelFiles.load(modelFile, err);
        if (!loaded.ok()) {
            return new Prepared(loaded, null, loaded.exitCode());
        }
        Network net = loaded.network();
        if (net.train().isEmpty()) {
            err.println(modelFile + ": error: model '" + net.name() + "' has no train block naming its dataset; add for"
                    + " example train { dataset = fashion_mnist }");
            return new Prepared(loaded, null, ExitCodes.INPUT_ERROR);
        }
        if ((options.limit != null && options.limit < 1) || (options.threads != null && options.threads < 1)) {
            err.println("spikeforge " + command + ": --limit and --threads take a number of at least 1");
            return new Prepared(loaded, null, ExitCodes.USAGE);
        }
        apply(options.threads);
        try {
            return new Prepared(loaded, dataset(net.train().get(), options.dataDir, modelFile, options.limit, net),
                    ExitCodes.OK);
        } catch (DatasetException e) {
            err.println("spikeforge " + command + ": error: " + e.getMessage());
            return new Prepared(loaded, null, ExitCodes.INPUT_ERROR);
        }
    }


    static void apply(Integer threads) {
        if (threads != null) {
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
        }
    }

    /** The model's dataset, limited, and checked against the model's input size. */
    static DatasetSplits dataset(TrainSpec train, Path dataDir, Path modelFile, Integer limit, Network net)
            throws DatasetException {
        DatasetLocator locator = new DatasetLocator();
        DatasetSplits data = locator.load(train.dataset(), dataDir, modelFile);
        if (limit != null) {
            data = data.limit(Math.min(limit, data.train().count()), Math.min(limit, data.test().count()));
        }
        long need = net.input().shape().size();
        if (data.train().sampleSize() != need) {
            throw new DatasetException(locator.folder(train.dataset(), dataDir, modelFile),
                    "its samples are " + data.train().sampleShape() + " but model '" + net.name() + "' takes input "
                            + net.input().shape(),
                    "change the model's input statement to input " + data.train().sampleShape());
        }
        return data;
    }
}

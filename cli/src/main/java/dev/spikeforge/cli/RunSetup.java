package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.DatasetLocator;
import dev.spikeforge.runtime.data.DatasetSplits;
import java.nio.file.Path;
import org.nd4j.linalg.factory.Nd4j;

/** What the training and evaluation commands share: threads, and the dataset that fits the model. */
final class RunSetup {

    private RunSetup() {
    }

    /** One line: the file, what is wrong, and the fix. */
    static String oneLine(dev.spikeforge.runtime.checkpoint.CheckpointException e) {
        return e.file() + ": " + e.problem() + (e.help() == null ? "" : "; " + e.help());
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

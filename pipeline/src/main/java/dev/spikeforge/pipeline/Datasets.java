package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.DatasetLocator;
import dev.spikeforge.runtime.data.DatasetSplits;
import java.nio.file.Path;

/** A model's dataset (its train block's), checked against the model's input. */
final class Datasets {

    private Datasets() {
    }

    static DatasetSplits load(LoadedModel model, Path dataDir) throws PipelineException {
        TrainSpec train = model.train();
        Network net = model.network();
        try {
            DatasetLocator locator = new DatasetLocator();
            DatasetSplits data = locator.load(train.dataset(), dataDir, model.file(), net.input().shape(), net.timesteps());
            long need = net.input().shape().size();
            if (net.input().encoding().kind() == Encoding.Kind.EVENTS) {
                Shape binned = data.train().sampleShape();
                if (binned.dim(1) != net.timesteps() || binned.dim(2) != need) {
                    throw new DatasetException(locator.folder(train.dataset(), dataDir, model.file()),
                            "its samples are " + binned.dim(1) + " steps of " + binned.dim(2) + " event inputs, but model '"
                                    + net.name() + "' reads " + net.timesteps() + " steps (timesteps) of " + need
                                    + " inputs (input)", "use timesteps " + binned.dim(1) + " and input " + binned.dim(2)
                                    + " encode events(bins = " + binned.dim(1) + ")");
                }
                return data;
            }
            if (net.input().encoding().kind() == Encoding.Kind.ROWS) {
                Shape image = data.train().sampleShape();
                int height = image.dim(1);
                int width = image.dim(2);
                if (image.dim(0) != 1) {
                    throw new DatasetException(locator.folder(train.dataset(), dataDir, model.file()),
                            "its images are " + image + ", " + image.dim(0) + " channels, but encode rows feeds the rows"
                                    + " of a one-channel image", "use another encoding, for example input " + image
                                    + " encode direct");
                }
                int levels = Math.max(1, net.input().encoding().levels());
                if (height != net.timesteps() || (long) width * levels != need) {
                    String enc = net.input().encoding().toString();
                    throw new DatasetException(locator.folder(train.dataset(), dataDir, model.file()),
                            "its images are " + image + ", " + height + " rows of " + width + " values, but model '"
                                    + net.name() + "' reads " + net.timesteps() + " rows (timesteps) of " + need
                                    + " values (input) with encode " + enc
                                    + (levels > 1 ? " (" + levels + " spike inputs per pixel)" : ""),
                            "use timesteps " + height + " and input " + (long) width * levels + " encode " + enc);
                }
                return data;
            }
            if (data.train().sampleSize() != need) {
                throw new DatasetException(locator.folder(train.dataset(), dataDir, model.file()),
                        "its samples are " + data.train().sampleShape() + " but model '" + net.name() + "' takes input "
                                + net.input().shape(),
                        "change the model's input statement to input " + data.train().sampleShape());
            }
            return data;
        } catch (DatasetException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }
}

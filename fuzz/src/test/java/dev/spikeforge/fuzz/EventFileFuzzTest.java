package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.EventBinning;
import dev.spikeforge.runtime.data.EventFile;

/**
 * Event recordings (Tonic's .npy structured arrays): EventFile, then the binning a model's input
 * applies, may only fail with a DatasetException.
 */
class EventFileFuzzTest {

    private static final EventBinning BINNING = new EventBinning(Shape.chw(2, 34, 34), 10);

    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("events", data, () -> BINNING.bin(EventFile.read(Fuzzing.inputFile("rec.npy", data))),
                DatasetException.class);
    }
}

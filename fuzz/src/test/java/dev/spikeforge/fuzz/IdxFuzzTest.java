package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.IdxReader;

/** IDX dataset files, plain or gzip: IdxReader may only fail with a DatasetException. */
class IdxFuzzTest {

    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("idx", data, () -> IdxReader.read(Fuzzing.inputFile("images-idx3-ubyte", data)), DatasetException.class);
    }
}

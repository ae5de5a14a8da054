package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;

/** {@code .npz} checkpoints: CheckpointReader may only fail with a CheckpointException. */
class CheckpointFuzzTest {

    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("npz", data, () -> CheckpointReader.read(Fuzzing.inputFile("checkpoint.npz", data)),
                CheckpointException.class);
    }
}

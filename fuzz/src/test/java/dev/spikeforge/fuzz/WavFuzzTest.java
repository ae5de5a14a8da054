package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.runtime.audio.WavReader;
import dev.spikeforge.runtime.data.DatasetException;

/** WAV files of audio datasets: WavReader may only fail with a DatasetException. */
class WavFuzzTest {

    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("wav", data, () -> WavReader.read(Fuzzing.inputFile("clip.wav", data)), DatasetException.class);
    }
}

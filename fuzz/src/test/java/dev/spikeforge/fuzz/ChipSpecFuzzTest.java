package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.targets.neurocore.NeurocoreSpecs;
import dev.spikeforge.targets.neurocore.TargetSpecException;

/** Neurocore chip spec files (JSON): NeurocoreSpecs.load (NeurocoreSpecReader) may only fail with a TargetSpecException. */
class ChipSpecFuzzTest {

    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("chip-spec", data, () -> NeurocoreSpecs.load(Fuzzing.inputFile("chip.json", data)),
                TargetSpecException.class);
    }
}

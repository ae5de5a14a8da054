package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;

/**
 * Compiled neurocore mapping folders (mapping.json, the cores' synapse files, report.json), one file
 * changed per input (see {@link FolderFuzzing}): TargetFamily.read may only fail with a
 * MappingFileException.
 */
class NeurocoreFolderFuzzTest {

    private static final FolderFuzzing FOLDER = FolderFuzzing.of("neurocore", "neurocore-loihi_like", "mapping.json");

    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("neurocore-folder", data, () -> FOLDER.read(data), MappingFileException.class);
    }
}

package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.targets.fpga.FpgaFolderException;

/**
 * Compiled FPGA folders (fpga.json, memory images, RTL, test bench), one file changed per input
 * (see {@link FolderFuzzing}): TargetFamily.read may only fail with an FpgaFolderException.
 */
class FpgaFolderFuzzTest {

    private static final FolderFuzzing FOLDER = FolderFuzzing.of("fpga", "fpga-xc7-p8", "fpga.json");

    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("fpga-folder", data, () -> FOLDER.read(data), FpgaFolderException.class);
    }
}

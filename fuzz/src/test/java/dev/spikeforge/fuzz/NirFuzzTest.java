package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.compiler.nir.NirFile;
import dev.spikeforge.compiler.nir.NirFormatException;
import dev.spikeforge.compiler.nir.NirImport;
import dev.spikeforge.compiler.nir.NirStore;
import java.nio.file.Path;

/**
 * NIR files (HDF5) as {@code nir import} reads them: the store reads the file by its path, then the
 * graph is converted to a model. Both may only fail with a NirFormatException.
 */
class NirFuzzTest {

    private static final NirStore STORE = NirStore.standard();

    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("nir", data, () -> {
            Path file = Fuzzing.inputFile("model.nir", data);
            NirFile nir = STORE.read(file);
            NirImport.convert(file, nir, NirImport.Options.DEFAULTS);
        }, NirFormatException.class);
    }
}

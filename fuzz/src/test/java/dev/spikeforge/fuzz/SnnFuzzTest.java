package dev.spikeforge.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;

/**
 * {@code .snn} model files as {@code spikeforge check} reads them: the file is read, lexed, parsed,
 * built and verified (SnnFrontEnd.compile) and the deploy targets' design rules that need no
 * weights run on it (Pipeline.check). A bad file may only give diagnostics or a PipelineException.
 * The dictionary gives the mutator the language's words, so it writes models rather than noise.
 */
class SnnFuzzTest {

    private static final Pipeline PIPELINE = Pipeline.builder().threads(1).build();

    @DictionaryFile(resourcePath = "snn.dict")
    @FuzzTest
    void fuzz(byte[] data) throws Throwable {
        Fuzzing.expect("snn", data, () -> PIPELINE.check(Fuzzing.inputFile("model.snn", data)), PipelineException.class);
    }
}

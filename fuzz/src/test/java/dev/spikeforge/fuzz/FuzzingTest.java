package dev.spikeforge.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The harness itself: what counts as a finding, and that folder inputs reach past the checksums. */
class FuzzingTest {

    private static final byte[] INPUT = {1, 2, 3};

    @Test
    void theDocumentedTypeWithAMessagePasses() {
        assertDoesNotThrow(() -> Fuzzing.expect("test", INPUT, () -> {
            throw new IllegalStateException("a clear message");
        }, IllegalStateException.class));
    }

    @Test
    void anyOtherThrowableIsRethrownAsTheFinding() {
        RuntimeException npe = new NullPointerException("boom");
        Throwable thrown = assertThrows(NullPointerException.class, () -> Fuzzing.expect("test", INPUT, () -> {
            throw npe;
        }, IllegalStateException.class));
        assertSame(npe, thrown);
        assertThrows(StackOverflowError.class, () -> Fuzzing.expect("test", INPUT, () -> {
            throw new StackOverflowError();
        }, IllegalStateException.class));
    }

    @Test
    void theDocumentedTypeWithoutAMessageIsAFinding() {
        assertThrows(AssertionError.class, () -> Fuzzing.expect("test", INPUT, () -> {
            throw new IllegalStateException(" ");
        }, IllegalStateException.class));
    }

    @Test
    void aResealedFpgaFileGetsPastTheChecksum() throws Exception {
        FolderFuzzing folder = FolderFuzzing.of("fpga", "fpga-xc7-p8", "fpga.json");
        int index = folder.files().indexOf("mem/tiny_l1_w.hex");
        byte[] garbage = "zz not hex\n".getBytes(StandardCharsets.UTF_8);

        FpgaFolderException plain = assertThrows(FpgaFolderException.class, () -> folder.read(input(index, false, garbage)));
        assertTrue(plain.getMessage().contains("SHA-256"), plain.getMessage());
        FpgaFolderException resealed = assertThrows(FpgaFolderException.class, () -> folder.read(input(index, true, garbage)));
        assertFalse(resealed.getMessage().contains("SHA-256"), resealed.getMessage());
        // the working copy is restored after each input
        assertDoesNotThrow(() -> folder.read(new byte[0]));
    }

    @Test
    void aResealedNeurocoreFileGetsPastTheChecksum() throws Exception {
        FolderFuzzing folder = FolderFuzzing.of("neurocore", "neurocore-loihi_like", "mapping.json");
        int index = folder.files().indexOf("cores/core-0001.syn");
        byte[] garbage = new byte[7];
        Arrays.fill(garbage, (byte) 0xff);

        MappingFileException plain = assertThrows(MappingFileException.class, () -> folder.read(input(index, false, garbage)));
        assertTrue(plain.getMessage().contains("mapping.json says"), plain.getMessage());
        MappingFileException resealed = assertThrows(MappingFileException.class, () -> folder.read(input(index, true, garbage)));
        assertFalse(resealed.getMessage().contains("mapping.json says"), resealed.getMessage());
        assertDoesNotThrow(() -> folder.read(new byte[0]));
    }

    private static byte[] input(int index, boolean reseal, byte[] content) {
        byte[] in = new byte[content.length + 1];
        in[0] = (byte) (index | (reseal ? 0x80 : 0));
        System.arraycopy(content, 0, in, 1, content.length);
        return in;
    }
}

package dev.spikeforge.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.neurocore.emulator.MappingFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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

    @Test
    void aSplicingInputReplacesPartOfTheFile() {
        byte[] file = "abcdefgh".getBytes(StandardCharsets.UTF_8);
        // offset 2, replace 3 bytes ("cde") with "XY"
        byte[] data = {0x40, 0, 2, 3, 'X', 'Y'};
        assertEquals("abXYfgh", new String(FolderFuzzing.spliced(file, data), StandardCharsets.UTF_8));
        // offset past the end wraps (modulo length + 1), a count past the end is cut, no payload deletes
        assertEquals("abcdefgh", new String(FolderFuzzing.spliced(file, new byte[] {0x40, 0, 8, 9}), StandardCharsets.UTF_8));
        assertEquals("ab", new String(FolderFuzzing.spliced(file, new byte[] {0x40, 0, 2, (byte) 0xff}), StandardCharsets.UTF_8));
        assertEquals("abcdefgh", new String(FolderFuzzing.spliced(file, new byte[] {0x40}), StandardCharsets.UTF_8));
    }

    @Test
    void aSplicedDescriptionReachesTheField() throws Exception {
        FolderFuzzing folder = FolderFuzzing.of("fpga", "fpga-xc7-p8", "fpga.json");
        int index = folder.files().indexOf("fpga.json");
        String json = new String(Files.readAllBytes(folderFile("fpga-xc7-p8/fpga.json")), StandardCharsets.UTF_8);
        int at = json.indexOf("\"schema\"");
        byte[] data = {(byte) (index | 0x40), (byte) (at >> 8), (byte) at, 8, '"', 's', 'c', 'h', 'e', 'm', 'X', '"'};
        FpgaFolderException e = assertThrows(FpgaFolderException.class, () -> folder.read(data));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    private static Path folderFile(String rel) throws Exception {
        return Paths.get(FuzzingTest.class.getResource("folders/" + rel).toURI());
    }

    private static byte[] input(int index, boolean reseal, byte[] content) {
        byte[] in = new byte[content.length + 1];
        in[0] = (byte) (index | (reseal ? 0x80 : 0));
        System.arraycopy(content, 0, in, 1, content.length);
        return in;
    }
}

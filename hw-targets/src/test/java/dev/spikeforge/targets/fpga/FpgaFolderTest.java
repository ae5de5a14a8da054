package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.io.Checksums;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.targets.neurocore.MappingGoldenTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged fpga folder is refused with one message naming the file and the field or line, never run. */
class FpgaFolderTest {

    @TempDir
    Path dir;
    Path folder;

    @BeforeEach
    void written() throws Exception {
        QuantizedNetwork q = MappingGoldenTest.quantised("quick", false);
        folder = dir.resolve("fpga");
        FpgaFolder.write(FpgaDesign.plan(q, new FpgaOptions(8, "xc7", "auto", "")), folder, VerilogGenerator.Fault.NONE);
        FpgaFolder.read(folder); // the untouched folder reads
    }

    private String fails() {
        FpgaFolderException e = assertThrows(FpgaFolderException.class, () -> FpgaFolder.read(folder));
        return e.getMessage();
    }

    /** Replaces text in fpga.json. */
    private void edit(String from, String to) throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        assertTrue(s.contains(from), from);
        Files.writeString(json, s.replaceFirst(java.util.regex.Pattern.quote(from), to));
    }

    @Test
    void aMissingFolderIsNotAnFpgaFolder() {
        folder = dir.resolve("nothing");
        assertTrue(fails().contains("fpga.json: file: missing"), fails());
    }

    @Test
    void brokenJsonIsNamed() throws Exception {
        Files.writeString(folder.resolve("fpga.json"), "{ \"schema\": ");
        assertTrue(fails().contains("fpga.json: file: not valid JSON"), fails());
    }

    @Test
    void anotherSchemaIsRefused() throws Exception {
        edit("spikeforge.fpga/1", "spikeforge.fpga/9");
        assertTrue(fails().contains("schema: is 'spikeforge.fpga/9', this version reads spikeforge.fpga/1"), fails());
    }

    @Test
    void aChangedFileFailsItsChecksum() throws Exception {
        Path v = folder.resolve("rtl/quick_l1.v");
        Files.writeString(v, Files.readString(v).replace("S_IDLE", "S_IDLX"));
        assertTrue(fails().contains("quick_l1.v: file: its SHA-256 differs from fpga.json's"), fails());
    }

    @Test
    void aMissingMemoryFileIsNamed() throws Exception {
        Files.delete(folder.resolve("mem/quick_l2_w.hex"));
        assertTrue(fails().contains("quick_l2_w.hex: file: listed in fpga.json but cannot be read"), fails());
    }

    @Test
    void aShortMemoryImageIsNamedEvenWithAMatchingChecksum() throws Exception {
        Path hex = folder.resolve("mem/quick_l3_w.hex");
        String old = Files.readString(hex);
        String shorter = old.substring(0, old.lastIndexOf('\n', old.length() - 2) + 1);
        Files.writeString(hex, shorter);
        edit(Checksums.sha256(old.getBytes()), Checksums.sha256(shorter.getBytes()));
        assertTrue(fails().contains("quick_l3_w.hex: line 128: has 127 words, fpga.json says 128"), fails());
    }

    @Test
    void aBadHexDigitIsNamedWithItsLine() throws Exception {
        Path hex = folder.resolve("mem/quick_l3_w.hex");
        String old = Files.readString(hex);
        String bad = "g" + old.substring(1);
        Files.writeString(hex, bad);
        edit(Checksums.sha256(old.getBytes()), Checksums.sha256(bad.getBytes()));
        assertTrue(fails().contains("quick_l3_w.hex: line 1: is not a"), fails());
    }

    @Test
    void fieldsOutOfRangeAreNamed() throws Exception {
        edit("\"lanes\" : 8", "\"lanes\" : 6");
        assertTrue(fails().contains("parameters.lanes: is 6, not a power of two"), fails());
    }

    @Test
    void blocksThatDoNotMatchTheLanesAreNamed() throws Exception {
        edit("\"blocks\" : 1", "\"blocks\" : 2");
        assertTrue(fails().contains("layers[0].blocks: is 2, but 8 channels in 8 lanes make 1"), fails());
    }

    @Test
    void aMissingFieldIsNamed() throws Exception {
        edit("\"weight_bits\" : 8,", "");
        assertTrue(fails().contains("layers[0].weight_bits: is missing"), fails());
    }
}

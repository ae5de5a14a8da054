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
        Files.writeString(json, s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
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

    // ---- fields against the layer sizes and each other (a folder is never trusted) -------------

    @Test
    void anEventDepthSmallerThanTheSourceIsRefused() throws Exception {
        edit("\"event_depth\" : 784", "\"event_depth\" : 100");
        assertTrue(fails().contains("layers[0].event_depth: is 100, but the source of 1 x 28 x 28 holds 784 events"), fails());
    }

    @Test
    void eventFieldsNarrowerThanTheSourceAreRefused() throws Exception {
        edit("\"event_fields\" : [ 1, 5, 5 ]", "\"event_fields\" : [ 1, 2, 5 ]");
        assertTrue(fails().contains("layers[0].event_fields[1]: is 2, but 28 rows need 5 bits"), fails());
    }

    @Test
    void anOutputShapeTheKernelDoesNotMakeIsRefused() throws Exception {
        edit("\"out_shape\" : [ 8, 24, 24 ]", "\"out_shape\" : [ 8, 23, 24 ]");
        assertTrue(fails().contains("layers[0].out_shape: is [8, 23, 24], but a 5 x 5 conv (stride 1, padding 0) of 1 x 28 x 28 makes [8, 24, 24]"),
                fails());
    }

    @Test
    void aValueWidthTheEncodingDoesNotGiveIsRefused() throws Exception {
        edit("\"value_bits\" : 0,\n    \"membrane_bits\"", "\"value_bits\" : 9,\n    \"membrane_bits\"");
        assertTrue(fails().contains("layers[0].value_bits: is 9, but poisson input events carry 0"), fails());
    }

    @Test
    void anAccumulatorNarrowerThanTheMembraneIsRefused() throws Exception {
        edit("\"acc_bits\" : 17", "\"acc_bits\" : 8");
        assertTrue(fails().contains("layers[0].acc_bits: is 8, but"), fails());
    }

    @Test
    void aMemoryEntryThatDisagreesWithTheLayerIsRefused() throws Exception {
        edit("\"depth\" : 576", "\"depth\" : 57");
        assertTrue(fails().contains("layers[0].memories.membranes.depth: is 57, but"), fails());
    }

    @Test
    void aModuleNameOtherThanTheTopsIsRefused() throws Exception {
        edit("\"module\" : \"quick_l0\"", "\"module\" : \"../../x\"");
        assertTrue(fails().contains("layers[0].module: is '../../x', but"), fails());
    }

    @Test
    void aTopThatIsNotAVerilogNameIsRefused() throws Exception {
        edit("\"top\" : \"quick_top\"", "\"top\" : \"a\\u0000b_top\"");
        assertTrue(fails().contains("top: is 'a\\u0000b_top', not a Verilog name ending in _top"), fails());
    }

    @Test
    void anInputLargerThanTheLimitIsRefusedWithoutOverflow() throws Exception {
        edit("\"shape\" : [ 1, 28, 28 ]", "\"shape\" : [ 1, 65536, 65536 ]");
        edit("\"in_shape\" : [ 1, 28, 28 ]", "\"in_shape\" : [ 1, 65536, 65536 ]");
        assertTrue(fails().contains("holds 4294967296 values, over the limit of " + FpgaFolder.MAX_LAYER_SIZE), fails());
    }

    // ---- paths from fpga.json ---------------------------------------------------------------------

    @Test
    void aNulInAFileNameIsRefused() throws Exception {
        edit("\"mem/quick_l0_w.hex\" : \"", "\"mem/quick\\u0000l0_w.hex\" : \"");
        assertTrue(fails().contains("files: 'mem/quick\\u0000l0_w.hex' is not a plain file name inside the folder"), fails());
    }

    @Test
    void aLoneSurrogateInAFileNameIsRefused() throws Exception {
        edit("\"tb/tb.v\" : \"", "\"tb/\\ud800.v\" : \"");
        assertTrue(fails().contains("files: 'tb/\\ud800.v' is not a plain file name inside the folder"), fails());
    }

    @Test
    void aPathOutsideTheFolderIsRefused() throws Exception {
        edit("\"tb/tb.v\" : \"", "\"../../../etc/passwd\" : \"");
        assertTrue(fails().contains("files: '../../../etc/passwd' is not a plain file name inside the folder"), fails());
    }

    @Test
    void anAbsolutePathIsRefused() throws Exception {
        edit("\"tb/tb.v\" : \"", "\"/etc/passwd\" : \"");
        assertTrue(fails().contains("files: '/etc/passwd' is not a plain file name inside the folder"), fails());
    }

    @Test
    void aMemoryImageLeftOutOfTheChecksumsIsRefused() throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        String line = s.lines().filter(x -> x.contains("\"mem/quick_l0_w.hex\" : ")).findFirst().orElseThrow();
        Files.writeString(json, s.replace(line + "\n", ""));
        assertTrue(fails().contains("files: does not list mem/quick_l0_w.hex"), fails());
    }

    // ---- every file through the input gate --------------------------------------------------------

    @Test
    void anFpgaJsonThatIsAFolderIsNamed() throws Exception {
        Files.delete(folder.resolve("fpga.json"));
        Files.createDirectory(folder.resolve("fpga.json"));
        assertTrue(fails().contains("fpga.json: file: the fpga.json is a folder, not a file"), fails());
    }

    @Test
    void aMemoryImageFarLargerThanTheLayerNeedsIsRefusedUnread() throws Exception {
        Path hex = folder.resolve("mem/quick_l0_w.hex");
        Files.write(hex, new byte[4 << 20]);
        assertTrue(fails().contains("quick_l0_w.hex: file: the memory image is 4.0 MiB, over the limit of"), fails());
    }

    // ---- checksums: one changed byte in every kind of file --------------------------------------

    @Test
    void oneChangedByteInAnyListedFileIsRefusedWithItsName() throws Exception {
        for (String name : new String[] {"mem/quick_l0_w.hex", "mem/quick_l0_t.hex", "rtl/quick_l0.v", "rtl/quick_top.v",
                "tb/tb.v", "tb/main.cpp", "rtl/quick_axis.v", "tb/axis_main.cpp"}) {
            Path f = folder.resolve(name);
            byte[] old = Files.readAllBytes(f);
            byte[] changed = old.clone();
            changed[changed.length / 2] ^= 1;
            Files.write(f, changed);
            String m = fails();
            assertTrue(m.contains(f.getFileName() + ": file: its SHA-256 differs from fpga.json's"), name + ": " + m);
            Files.write(f, old);
        }
        FpgaFolder.read(folder);
    }
}

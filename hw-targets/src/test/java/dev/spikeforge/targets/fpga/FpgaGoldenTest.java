package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.targets.neurocore.MappingGoldenTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated Verilog (every engine, the top, the Icarus test bench, the Verilator main) and
 * fpga.json (with the checksum of every memory image) of two examples, against golden files, with
 * weights drawn from a fixed seed; writing twice gives the same bytes; the folder reads back.
 */
class FpgaGoldenTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"quick, 8, xc7", "mlp, 4, generic"})
    void generatedFolderEqualsGolden(String name, int lanes, String family) throws Exception {
        QuantizedNetwork q = MappingGoldenTest.quantised(name, false);
        FpgaOptions o = new FpgaOptions(lanes, family, "auto", "");
        assertTrue(FpgaRules.check(q, o).isEmpty(), FpgaRules.check(q, o).toString());
        FpgaDesign d = FpgaDesign.plan(q, o);
        FpgaFolder.write(d, dir.resolve("a"), VerilogGenerator.Fault.NONE);
        FpgaFolder.write(d, dir.resolve("b"), VerilogGenerator.Fault.NONE);
        Path golden = Golden.projectRoot().resolve("examples/golden/fpga/" + name);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = dir.resolve("a").relativize(f).toString();
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("b").resolve(rel)), rel);
            if (!rel.startsWith("mem/")) { // memory images are pinned by their checksums in fpga.json
                Golden.assertMatches(golden.resolve(rel), Files.readString(f));
            }
        }
        FpgaDesign back = FpgaFolder.read(dir.resolve("a"));
        assertEquals(d.layers(), back.layers());
        for (int i = 0; i < d.layers().size(); i++) {
            assertArrayEquals(d.images().get(i).weights(), back.images().get(i).weights());
        }
    }

    /**
     * A small temporal model (issue 23): CUBA layers, one with a full recurrent matrix and one
     * diagonal, and a CUBA membrane readout, in 4 lanes; the engines, top, benches and fpga.json
     * against golden files, and the folder reads back to the same layers and weight images (the
     * recurrent matrix after the input's).
     */
    @org.junit.jupiter.api.Test
    void temporalFolderEqualsGolden() throws Exception {
        QuantizedNetwork q = TemporalCases.golden();
        FpgaOptions o = new FpgaOptions(4, "generic", "auto", "");
        assertTrue(FpgaRules.check(q, o).isEmpty(), FpgaRules.check(q, o).toString());
        FpgaDesign d = FpgaDesign.plan(q, o);
        FpgaFolder.write(d, dir.resolve("t"), VerilogGenerator.Fault.NONE);
        Path golden = Golden.projectRoot().resolve("examples/golden/fpga/temporal");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir.resolve("t"))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = dir.resolve("t").relativize(f).toString();
            if (!rel.startsWith("mem/")) {
                Golden.assertMatches(golden.resolve(rel), Files.readString(f));
            }
        }
        FpgaDesign back = FpgaFolder.read(dir.resolve("t"));
        assertEquals(d.layers(), back.layers());
        for (int i = 0; i < d.layers().size(); i++) {
            assertArrayEquals(d.images().get(i).weights(), back.images().get(i).weights());
        }
    }
}

package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.runtime.integer.RandomNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clock a folder's latency is stated at (issue 28): the timing record synth writes for the
 * folder's own device is taken, labelled with how it was had; a record of another device, of an
 * earlier design of the folder, or one that cannot be read leaves the assumption, the last two
 * with a note that says why.
 */
class FpgaTimingTest {

    @TempDir
    Path dir;

    private FpgaDesign design() {
        for (long seed = 1; seed < 200; seed++) {
            FpgaCases.Planned p = FpgaCases.plan(seed, 2, RandomNetworks.InputKind.POISSON, 4);
            FpgaOptions o = new FpgaOptions(4, "ice40", "auto", "hx8k");
            if (p != null && FpgaRules.check(p.q(), o).isEmpty()) {
                return FpgaDesign.plan(p.q(), o);
            }
        }
        throw new AssertionError("no random network fits hx8k");
    }

    @Test
    void theRecordOfTheFolderOwnDeviceIsTheClockAndAnyOtherLeavesTheAssumption() throws Exception {
        FpgaDesign d = design();
        Path folder = dir.resolve("fpga");
        FpgaFolder.write(d, folder, VerilogGenerator.Fault.NONE);

        FpgaTiming.Lookup none = FpgaTiming.read(folder, d);
        assertTrue(none.clock().assumed());
        assertEquals(FpgaDeployed.ASSUMED_CLOCK_MHZ, none.clock().mhz());
        assertNull(none.note());

        FpgaTiming.write(folder, "ice40", "up5k", 40.5, FpgaTiming.Method.NEXTPNR);
        assertTrue(FpgaTiming.read(folder, d).clock().assumed(), "a record of another device is not this design's clock");

        FpgaTiming.write(folder, "ice40", "hx8k", 69.07, FpgaTiming.Method.NEXTPNR);
        FpgaTiming.Lookup measured = FpgaTiming.read(folder, d);
        assertFalse(measured.clock().assumed());
        assertEquals(69.07, measured.clock().mhz());
        assertEquals("Fmax measured by nextpnr-ice40 place and route on hx8k", measured.clock().basis());
        assertNull(measured.note());

        FpgaTiming.write(folder, "ice40", "hx8k", 71.5, FpgaTiming.Method.ESTIMATE);
        FpgaTiming.Lookup estimated = FpgaTiming.read(folder, d);
        assertFalse(estimated.clock().assumed());
        assertEquals(71.5, estimated.clock().mhz());
        assertTrue(estimated.clock().basis().startsWith("Fmax ESTIMATED for hx8k, not measured"), estimated.clock().basis());
        FpgaTiming.write(folder, "ice40", "hx8k", 69.07, FpgaTiming.Method.NEXTPNR);

        Path record = FpgaTiming.file(folder, "ice40", "hx8k");
        String text = Files.readString(record);
        Files.writeString(record, text.replaceAll("\"fpga_json_sha256\" : \"[0-9a-f]+\"", "\"fpga_json_sha256\" : \"00\""));
        FpgaTiming.Lookup stale = FpgaTiming.read(folder, d);
        assertTrue(stale.clock().assumed());
        assertTrue(stale.note().contains("timed an earlier design"), stale.note());

        Files.writeString(record, "{ not json");
        FpgaTiming.Lookup broken = FpgaTiming.read(folder, d);
        assertTrue(broken.clock().assumed());
        assertTrue(broken.note().contains("cannot be read"), broken.note());

        Files.writeString(record, text.replace("\"nextpnr\"", "\"guess\""));
        FpgaTiming.Lookup unknown = FpgaTiming.read(folder, d);
        assertTrue(unknown.clock().assumed());
        assertTrue(unknown.note().contains("is not a timing record of hx8k"), unknown.note());
    }
}

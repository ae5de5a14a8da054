package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The xc7 timing estimate (issue 28) read from yosys sta's report: the report in the resources is
 * the one Debian's yosys 0.23 wrote for the quick example on xc7a35t.
 */
class XilinxTimingEstimateTest {

    /** The shape of yosys's cells_sim.v where it states setup times. */
    private static final String LIBRARY = """
            module FDRE (output reg Q, input C, CE, D, R);
              specify
                $setup(D , posedge C &&& CE && !IS_C_INVERTED , /*-46*/ 0); // Negative times not currently supported
                $setup(CE, posedge C &&& !IS_C_INVERTED, 109);
                $setup(R , posedge C &&& !IS_C_INVERTED, 404);
              endspecify
            endmodule
            module RAM32M (output [1:0] DOA, input [1:0] DIB, input WCLK, WE);
              specify
                $setup(DIB[0], posedge WCLK &&& !IS_WCLK_INVERTED && WE, 461);
                $setup(DIB[1], posedge WCLK &&& !IS_WCLK_INVERTED && WE, 455);
                $setup(WE, posedge WCLK &&& !IS_WCLK_INVERTED, 654);
              endspecify
            endmodule
            module RAM32M16 (input [1:0] DIB);
              specify
                $setup(DIB[0], posedge WCLK, 9999);
              endspecify
            endmodule
            """;

    private static String report() throws Exception {
        try (InputStream in = XilinxTimingEstimateTest.class.getResourceAsStream("/fpga/quick-xc7-sta.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theLongestPathItsEndsAndTheSetupOfItsEndCell() throws Exception {
        XilinxTimingEstimate e = XilinxTimingEstimate.parse(report(), LIBRARY);
        assertNotNull(e);
        assertEquals(5459, e.arrivalPs());
        assertEquals("core.u_l2.mem.0.8 (RAM32M.DIB)", e.endpoint());
        assertEquals("core.u_l2.wmem.0.4 (RAMB18E1.CLKARDCLK->DOADO)", e.startpoint(), "the first cell after the clock tree");
        assertEquals(461, e.setupPs(), "the larger of DIB's two bits, not RAM32M16's or WE's");
        assertEquals(5920, e.logicPs());
        assertEquals(1e6 / 5920, e.logicBoundMhz(), 1e-9);
        assertEquals(1e6 / (2 * 5920.0), e.fmaxMhz(), 1e-9);
    }

    @Test
    void setupTimesOfFlipFlopsAndCellsTheLibraryDoesNotTime() {
        assertEquals(0, XilinxTimingEstimate.setupPs(LIBRARY, "FDRE", "D"), "the commented negative setup is read as its 0");
        assertEquals(109, XilinxTimingEstimate.setupPs(LIBRARY, "FDRE", "CE"));
        assertEquals(404, XilinxTimingEstimate.setupPs(LIBRARY, "FDRE", "R"));
        assertEquals(0, XilinxTimingEstimate.setupPs(LIBRARY, "DSP48E1", "A"), "a cell the library does not describe");
        assertEquals(0, XilinxTimingEstimate.setupPs(LIBRARY, "FDRE", "Q"), "an output");
    }

    @Test
    void withoutTheLibraryTheEstimateIsTheArrivalAlone() throws Exception {
        XilinxTimingEstimate e = XilinxTimingEstimate.parse(report(), null);
        assertEquals(0, e.setupPs());
        assertEquals(5459, e.logicPs());
    }

    @Test
    void aReportWithoutAPathGivesNoEstimate() {
        assertNull(XilinxTimingEstimate.parse("", LIBRARY));
        assertNull(XilinxTimingEstimate.parse("10. Executing STA pass (static timing analysis).\nNo timing paths found.\n", LIBRARY));
        assertNull(XilinxTimingEstimate.parse("Latest arrival time in 'top' is 0:\n", LIBRARY));
    }
}

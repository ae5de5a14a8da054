package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantLeak;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporal fields of fpga.json (recurrence, current width, synaptic leak) are checked when a
 * folder is read, each bad value refused with one message naming the field; and the design rules
 * refuse what the engines do not have (conv1d, 1-D pooling) with a fix.
 */
class FpgaTemporalFolderTest {

    @TempDir
    Path dir;
    Path folder;

    @BeforeEach
    void written() throws Exception {
        folder = dir.resolve("fpga");
        FpgaFolder.write(FpgaDesign.plan(TemporalCases.golden(), new FpgaOptions(4, "generic", "auto", "")), folder,
                VerilogGenerator.Fault.NONE);
        FpgaFolder.read(folder);
    }

    private String fails() {
        return assertThrows(FpgaFolderException.class, () -> FpgaFolder.read(folder)).getMessage();
    }

    private void edit(String from, String to) throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        assertTrue(s.contains(from), from);
        Files.writeString(json, s.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }

    @Test
    void anUnknownRecurrenceIsNamed() throws Exception {
        edit("\"recurrence\" : \"full\"", "\"recurrence\" : \"sideways\"");
        assertTrue(fails().contains("layers[0].recurrence: is 'sideways', not one of none, full, diagonal"), fails());
    }

    @Test
    void recurrenceOnTheNonSpikingReadoutIsRefused() throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        int last = s.lastIndexOf("\"recurrence\" : \"none\"");
        Files.writeString(json, s.substring(0, last) + "\"recurrence\" : \"full\"" + s.substring(last + 21));
        assertTrue(fails().contains("layers[2].recurrence: is 'full' on a dense membrane layer; only a spiking dense layer"
                + " feeds its own spikes back"), fails());
    }

    @Test
    void droppingTheRecurrenceLeavesAnEventBufferThatDisagrees() throws Exception {
        edit("\"recurrence\" : \"full\"", "\"recurrence\" : \"none\"");
        assertTrue(fails().contains("layers[0].event_depth: is 11, but the source of 6 x 1 x 1 holds 6 events"), fails());
    }

    @Test
    void anEventDepthWithoutTheRecurrentUnitsIsRefused() throws Exception {
        edit("\"event_depth\" : 11", "\"event_depth\" : 6");
        assertTrue(fails().contains("layers[0].event_depth: is 6, but the source of 6 x 1 x 1 and the 5 recurrent units"
                + " hold 11 events"), fails());
    }

    @Test
    void aOneBitCurrentIsRefused() throws Exception {
        edit("\"current_bits\" : 8", "\"current_bits\" : 1");
        assertTrue(fails().contains("layers[0].current_bits: is 1; a signed current has 0 (none) or at least 2 bits"), fails());
    }

    @Test
    void aSynapticLeakWithoutACurrentIsRefused() throws Exception {
        edit("\"current_bits\" : 8", "\"current_bits\" : 0");
        assertTrue(fails().contains("layers[0].synaptic_leak: is there but current_bits is 0 (no synaptic current)"), fails());
    }

    @Test
    void aCurrentWiderThanTheAccumulatorIsRefused() throws Exception {
        edit("\"current_bits\" : 8", "\"current_bits\" : 30");
        assertTrue(fails().matches("(?s).*layers\\[0\\]\\.acc_bits: is \\d+, but the membrane plus a 30-bit synaptic current"
                + " needs 31.*"), fails());
    }

    @Test
    void aSynapticLeakRoundingOtherThanTheAcceleratorsIsRefused() throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        int at = s.indexOf("\"synaptic_leak\"");
        int tz = s.indexOf("\"toward_zero\" : false", at);
        Files.writeString(json, s.substring(0, tz) + "\"toward_zero\" : true" + s.substring(tz + 21));
        assertTrue(fails().contains("layers[0].synaptic_leak.toward_zero: is true but numerics.shift_rounding is 'floor'"), fails());
    }

    @Test
    void aBadSynapticLeakKindIsNamed() throws Exception {
        Path json = folder.resolve("fpga.json");
        String s = Files.readString(json);
        int at = s.indexOf("\"synaptic_leak\"");
        int kind = s.indexOf("\"kind\" : \"shift\"", at);
        Files.writeString(json, s.substring(0, kind) + "\"kind\" : \"exp\"" + s.substring(kind + "\"kind\" : \"shift\"".length()));
        assertTrue(fails().contains("layers[0].synaptic_leak.kind: is 'exp', not none, shift or multiplier"), fails());
    }

    // ---- design rules ------------------------------------------------------------------------------

    private static QuantLayer layer(String name, Shape shape, Synapse s, long[] theta, Reset reset, ReadoutMode mode) {
        return new QuantLayer(name, name, null, mode, shape, 1, List.of(s), null, theta, reset, new QuantLeak.None(),
                new double[] {1}, 1, 1, 64, 2, new QuantLayer.Stats(0, 0, 1));
    }

    private static QuantizedNetwork net(Shape in, QuantLayer first) {
        QuantLayer out = layer("out", Shape.flat(2), new Synapse.Dense("out", 0, first.shape(), Math.toIntExact(first.shape().size()),
                2, new int[Math.toIntExact(2 * first.shape().size())]), new long[] {1}, Reset.ZERO, ReadoutMode.COUNT);
        return new QuantizedNetwork("seq", 3, dev.spikeforge.compiler.ir.Encoding.POISSON, in, 1, List.of(first, out),
                new QuantizedNetwork.Numerics(6, dev.spikeforge.compiler.ir.DeploySpec.Granularity.PER_LAYER, 10,
                        dev.spikeforge.compiler.ir.DeploySpec.Overflow.SATURATE, false), 3);
    }

    @Test
    void conv1dIsRefusedWithAFix() {
        Shape in = Shape.cl(2, 8);
        QuantLayer c = layer("c1", Shape.cl(3, 6), new Synapse.Conv1d("c1", -1, in, 3, 3, 1, 0, new int[18]),
                new long[] {1}, Reset.ZERO, null);
        List<FpgaRules.Violation> v = FpgaRules.check(net(in, c), new FpgaOptions(4, "generic", "auto", ""));
        assertEquals(1, v.size(), v.toString());
        assertEquals(FpgaRules.CHAIN, v.get(0).rule());
        assertEquals("c1", v.get(0).layer());
        assertTrue(v.get(0).problem().startsWith("conv1d is not in the FPGA engines"), v.toString());
        assertTrue(v.get(0).fix().contains("target loihi_like"), v.toString());
    }

    @Test
    void aOneDimensionalMaxpoolIsRefusedWithAFix() {
        Shape in = Shape.cl(2, 8);
        QuantLayer p = layer("p1", Shape.cl(2, 4), new Synapse.MaxPool(-1, in, 2), new long[] {1}, Reset.ZERO, null);
        List<FpgaRules.Violation> v = FpgaRules.check(net(in, p), new FpgaOptions(4, "generic", "auto", ""));
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).problem().startsWith("a 1-D maxpool is not in the FPGA engines"), v.toString());
    }

    @Test
    void aTwoDimensionalMaxpoolRunsOnThePoolEngine() {
        Shape in = Shape.chw(2, 4, 4);
        QuantLayer p = layer("p1", Shape.chw(2, 2, 2), new Synapse.MaxPool(-1, in, 2), new long[] {1}, Reset.ZERO, null);
        QuantizedNetwork q = net(in, p);
        FpgaOptions o = new FpgaOptions(4, "generic", "auto", "");
        assertEquals(List.of(), FpgaRules.check(q, o));
        FpgaDesign d = FpgaDesign.plan(q, o);
        assertEquals(FpgaLayer.Kind.POOL, d.layers().get(0).kind());
        assertEquals(1, d.images().get(0).weights()[0][0]);
        assertEquals(1, d.images().get(0).weights()[0][1]);
    }
}

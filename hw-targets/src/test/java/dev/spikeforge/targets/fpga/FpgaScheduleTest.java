package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schedule's composition (docs/targets.md, "Schedule") on a stream worked by hand, and the
 * {@code lanes = [...]} option: parsed, refused with the place and the fix, and checked against
 * the layer count. Milliseconds: no design is simulated.
 */
class FpgaScheduleTest {

    /**
     * Two samples of two steps through three engines: 2 x 2 + 3 - 1 = 6 waves, each one swap cycle
     * plus its slowest engine; latency and share as the formulas say.
     */
    @Test
    void wavesLatencyAndShareComposeAsDocumented() {
        long[][][] c = {
            {{10, 11}, {20, 21}, {30, 31}},
            {{12, 13}, {22, 23}, {32, 33}},
        };
        long[] waves = Schedule.compose(c);
        // wave 0: l0 s0t0 = 10; 1: l0 s0t1, l1 s0t0 = 20; 2: l0 s1t0, l1 s0t1, l2 s0t0 = 30;
        // 3: l0 s1t1, l1 s1t0, l2 s0t1 = 31; 4: l1 s1t1, l2 s1t0 = 32; 5: l2 s1t1 = 33
        assertArrayEquals(new long[] {11, 21, 31, 32, 33, 34}, waves);
        assertEquals(11 + 21 + 31 + 32, Schedule.latency(waves, 0, 2, 3));
        assertEquals(31 + 32 + 33 + 34, Schedule.latency(waves, 1, 2, 3));
        assertArrayEquals(new long[] {31, 32}, Schedule.share(waves, 1, 2));
        // engine 2 starts sample 1's step 1 in wave 5: after waves 2, 3, 4 and the swap cycle
        assertEquals(31 + 32 + 33 + 1, Schedule.engineStart(waves, 1, 2, 2, 1));
        assertEquals(0, Schedule.compose(new long[0][][]).length);
    }

    /**
     * Samples emulated in two calls (two streams), placed again as one, equal the same samples
     * emulated as one stream: what the RTL comparison relies on when a run was cut into batches.
     */
    @Test
    void samplesRunInPartsPlaceIntoTheOneStream() {
        FpgaCases.Planned p = null;
        for (long seed = 1; p == null; seed++) {
            p = FpgaCases.plan(seed, 3, dev.spikeforge.runtime.integer.RandomNetworks.InputKind.POISSON, 4);
        }
        int[][] inputs = FpgaRtlPropertyTest.inputs(p, 4, 5);
        List<FpgaEmulator.Sample> whole = FpgaEmulator.run(p.d(), inputs, 1, true);
        List<FpgaEmulator.Sample> parts = new ArrayList<>(FpgaEmulator.run(p.d(), java.util.Arrays.copyOfRange(inputs, 0, 1), 1, true));
        parts.addAll(FpgaEmulator.run(p.d(), java.util.Arrays.copyOfRange(inputs, 1, 4), 1, true));
        List<FpgaEmulator.Sample> placed = FpgaEmulator.stream(p.d(), parts);
        assertEquals(null, RtlSimulator.firstDifference(p.d(), whole, placed, "one stream", "placed"));
        for (int s = 0; s < inputs.length; s++) {
            assertEquals(whole.get(s).latency(), placed.get(s).latency());
        }
    }

    @Test
    void lanesTakesOneValueOrOnePerLayer() {
        List<String> problems = new ArrayList<>();
        FpgaOptions o = FpgaOptions.from(request(list(16, 4, 64)), problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of(16, 4, 64), o.layerLanes());
        assertEquals(64, o.lanes());
        assertEquals(4, o.lanesOf(1));
        assertEquals(84, o.totalLanes(3));
        assertEquals("fpga(lanes = [16, 4, 64], family = generic)", o.describe());
        FpgaOptions one = FpgaOptions.from(request(num(8)), problems);
        assertEquals(List.of(), problems);
        assertEquals(24, one.totalLanes(3));
        assertEquals("fpga(lanes = 8, family = generic)", one.describe());
    }

    @Test
    void aBadLaneInTheListIsNamedWithTheFix() {
        List<String> problems = new ArrayList<>();
        FpgaOptions.from(request(list(16, 3)), problems);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("lanes[1] must be a power of two from 1 to 64, got the number 3; write lanes = [16, 4, ...]"),
                problems.get(0));
    }

    @Test
    void aListOfTheWrongLengthIsADesignRuleViolation() {
        FpgaOptions o = new FpgaOptions(8, "generic", "auto", "", "floor", List.of(4, 8));
        List<FpgaRules.Violation> v = FpgaRules.check(TemporalCases.golden(), o);
        assertEquals(1, v.size(), v.toString());
        assertEquals(FpgaRules.LANES, v.get(0).rule());
        assertEquals("lanes = [4, 8] gives 2 lane counts for 3 layers", v.get(0).problem());
        assertTrue(v.get(0).fix().startsWith("one power of two per layer, in layer order ("), v.get(0).fix());
    }

    private static DeploySpec.TargetRequest request(Value lanes) {
        return new DeploySpec.TargetRequest("fpga", Origin.NONE, List.of(new Value.Arg("lanes", SourcePos.NONE, lanes)));
    }

    private static Value num(int v) {
        return new Value.Num(v, true, String.valueOf(v), SourcePos.NONE);
    }

    private static Value list(int... v) {
        List<Value> items = new ArrayList<>();
        for (int x : v) {
            items.add(num(x));
        }
        return new Value.ListOf(items, SourcePos.NONE);
    }
}

package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.runtime.integer.RandomNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The AXI4-Stream wrapper (issue 28) and the guard of the top's host port, under Verilator on one
 * small random design of several layers: a bursty source and a stalling sink give every sample's
 * class and readouts as the emulator does, with the bench's AXI checks on every cycle; a wrapper
 * that does not hold its beat under a stall is caught; writes and steps made while the design is
 * busy, and an event beyond the input's size, are refused with in_err and change nothing.
 */
class AxisStreamTest {

    private static Path dir;
    private static Path folder;
    private static FpgaDesign d;
    private static int[][] inputs;
    private static List<FpgaEmulator.Sample> want;

    @BeforeAll
    static void design() throws Exception {
        FpgaCases.Planned p = null;
        long seed = 3;
        // a chain of at least two layers with a few classes, so that the argmax and the layer hand-over are exercised
        for (; seed < 400; seed++) {
            p = FpgaCases.plan(seed, 3, RandomNetworks.InputKind.POISSON, 4);
            if (p != null && p.d().layers().size() >= 2 && p.d().last().outC() >= 3) {
                break;
            }
        }
        assertTrue(seed < 400, "no random design of two layers and three classes in 400 seeds");
        d = p.d();
        dir = Files.createTempDirectory("spikeforge-axis");
        folder = dir.resolve("fpga");
        FpgaFolder.write(d, folder, VerilogGenerator.Fault.NONE);
        d = FpgaFolder.read(folder);
        int[][] random = FpgaRtlPropertyTest.inputs(p, 7, seed);
        // one more sample whose first step has an event on every input (the input's size, the guard's limit)
        inputs = Arrays.copyOf(random, random.length + 1);
        int[] full = new int[random[0].length];
        Arrays.fill(full, 0, d.layers().get(0).inputSize(), 1);
        inputs[random.length] = full;
        want = FpgaRtlPropertyTest.emulate(d, inputs);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null) {
            AtomicFiles.deleteTree(dir);
        }
    }

    /** The argmax of a readout as the emulator's predictions take it: the lowest class on a tie. */
    private static int argmax(long[] r) {
        int best = 0;
        for (int i = 1; i < r.length; i++) {
            if (r[i] > r[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void theWrapperLintsCleanAndGivesTheEmulatorsClassesUnderGapsAndStalls() throws Exception {
        assertEquals("", FpgaRtlPropertyTest.lint(folder, AxisGenerator.moduleName(d)));
        int ties = 0;
        for (FpgaEmulator.Sample s : want) {
            long max = Arrays.stream(s.readout()).max().orElseThrow();
            ties += Arrays.stream(s.readout()).filter(x -> x == max).count() > 1 ? 1 : 0;
        }
        // no gaps and no stalls, then three seeds of gaps and stalls, the last with the sink stalled most of the time
        int[][] settings = {{0, 0, 1}, {40, 40, 1}, {30, 60, 2}, {70, 85, 3}};
        long[] cycles = new long[settings.length];
        for (int k = 0; k < settings.length; k++) {
            RtlSimulator.AxisResult got = RtlSimulator.runAxis(folder, d, inputs, settings[k][2], settings[k][0], settings[k][1]);
            cycles[k] = got.cycles();
            for (int s = 0; s < inputs.length; s++) {
                String at = "gap " + settings[k][0] + "%, stall " + settings[k][1] + "%, seed " + settings[k][2] + ", sample " + s;
                assertArrayEquals(want.get(s).readout(), got.readouts()[s], at + ": readout");
                assertEquals(argmax(want.get(s).readout()), got.classes()[s], at + ": class");
            }
        }
        // with no gap and no stall: the clear pulse, the clear walk of the largest memory and its idle cycle once;
        // one cycle per event beat; the stream's waves (a marker's cycle is its wave's first; the drain waves follow
        // the last marker, when the source has no beat left), composed by Schedule from the emulator's cycles of
        // every engine in every step; per sample the argmax (classes + 1) and the packet (classes + 2)
        // (docs/targets.md, "AXI4-Stream wrapper")
        int words = d.layers().stream().mapToInt(FpgaLayer::memoryWords).max().orElseThrow();
        int classes = d.last().outC();
        long[][][] layerCycles = new long[inputs.length][][];
        long expected = words + 2;
        for (int s = 0; s < inputs.length; s++) {
            layerCycles[s] = want.get(s).layerCycles();
            expected += 2L * classes + 3;
            for (int i = 0; i < inputs[s].length; i++) {
                expected += inputs[s][i] != 0 ? 1 : 0;
            }
        }
        expected += Arrays.stream(Schedule.compose(layerCycles)).sum();
        assertEquals(expected, cycles[0], "cycles with no gap and no stall");
        assertTrue(cycles[3] > cycles[0], "stalls and gaps took no cycles: " + Arrays.toString(cycles));
        assertTrue(ties > 0, "no sample with a tie in its readout, so the tie rule went unchecked");
    }

    /** The output register loads its next beat although the sink stalls: the bench's hold check stops it. */
    @Test
    void aWrapperThatDropsItsBeatUnderAStallIsCaught() throws Exception {
        Path bad = dir.resolve("bad");
        copy(folder, bad);
        Files.writeString(bad.resolve("rtl/" + AxisGenerator.moduleName(d) + ".v"),
                new AxisGenerator(d, AxisGenerator.Fault.NO_HOLD_UNDER_STALL).verilog());
        assertEquals("", FpgaRtlPropertyTest.lint(bad, AxisGenerator.moduleName(d)), "the faulty wrapper must lint clean: only its handshake differs");
        RtlSimulator.RtlSimException e = assertThrows(RtlSimulator.RtlSimException.class,
                () -> RtlSimulator.runAxis(bad, d, inputs, 1, 40, 40));
        assertTrue(e.getMessage().contains("changed or was dropped while the sink stalled"), e.getMessage());
    }

    /**
     * The Verilator main's +misuse mode writes an event every third cycle of every step and a
     * second step pulse while the design is busy, and one event more than the input's size after
     * the full step: every one is refused (in_err in every sample), and spikes, membranes, cycles
     * and readouts are the emulator's.
     */
    @Test
    void theHostGuardRefusesWritesAndStepsWhileBusy() throws Exception {
        RtlSimulator.Result plain = RtlSimulator.run(folder, d, inputs, RtlSimulator.Tool.VERILATOR, null);
        assertNull(RtlSimulator.firstDifference(d, want, plain.samples(), "emulator", "verilator"));
        Path work = folder.resolve("sim-verilator");
        Process pr = new ProcessBuilder(work.resolve("obj/sim").toString(), "+misuse").directory(work.toFile())
                .redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, pr.exitValue(), out);
        List<String> errs = new ArrayList<>();
        for (int s = 0; s < inputs.length; s++) {
            errs.add("in_err " + s + " 1");
        }
        assertEquals(errs, out.lines().filter(l -> l.startsWith("in_err")).toList(), out);
        List<FpgaEmulator.Sample> got = RtlSimulator.parseTrace(work.resolve("trace.txt"), d, inputs.length);
        String diff = RtlSimulator.firstDifference(d, want, got, "emulator", "verilator +misuse");
        assertNull(diff, diff);
    }

    /**
     * A stuck design (issue 28, item 6): step_done never rises (0, or X under Icarus, as a fault in the
     * control logic gives). Each bench's watchdog stops it within its limit, and RtlSimulator's error
     * is the bench's FATAL line, in seconds rather than at its 24 h timeout.
     */
    @Test
    void aDesignThatNeverFinishesAWaveStopsAtTheWatchdog() throws Exception {
        String done = "assign step_done = run && !go && (&(fin | done | ~act));";
        Path top = folder.resolve("rtl/" + d.top() + ".v");
        assertTrue(Files.readString(top).contains(done), "the top no longer has the step_done line this test breaks");
        String wave = "FATAL: watchdog: wave 0 ran " + Watchdog.waveLimit(d) + " cycles without step_done";
        for (String stuck : new String[] {"1'b0", "1'bx"}) {
            Path bad = dir.resolve("stuck-" + (stuck.endsWith("x") ? "x" : "0"));
            copy(folder, bad);
            Path badTop = bad.resolve("rtl/" + d.top() + ".v");
            Files.writeString(badTop, Files.readString(badTop).replace(done, "assign step_done = " + stuck + ";"));
            long t0 = System.nanoTime();
            RtlSimulator.RtlSimException e = assertThrows(RtlSimulator.RtlSimException.class,
                    () -> RtlSimulator.run(bad, d, inputs, RtlSimulator.Tool.ICARUS, null));
            assertTrue(e.getMessage().startsWith("the test bench stopped: " + wave), e.getMessage());
            if (stuck.equals("1'b0")) {
                e = assertThrows(RtlSimulator.RtlSimException.class,
                        () -> RtlSimulator.run(bad, d, inputs, RtlSimulator.Tool.VERILATOR, null));
                assertTrue(e.getMessage().startsWith("the test bench stopped: " + wave), e.getMessage());
                e = assertThrows(RtlSimulator.RtlSimException.class, () -> RtlSimulator.runAxis(bad, d, inputs, 1, 40, 40));
                assertTrue(e.getMessage().contains("FATAL: watchdog: the wrapper moved no beat for "
                        + new AxisGenerator(d, AxisGenerator.Fault.NONE).watchdog() + " cycles"), e.getMessage());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 120, "the stuck design took " + seconds + " s to fail");
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.filter(f -> !f.toString().contains("/sim-")).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}

package dev.spikeforge.targets.neurocore.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VCD dump: a well-formed header, and values that read back to the recorded membranes and spikes. */
class VcdTest {

    @TempDir
    Path tmp;

    @Test
    void theDumpReadsBackToTheRecordedNeurons() throws Exception {
        Random rnd = new Random(2);
        TestNet net = NeurocoreEmulatorTest.denseNet("greater_wrap_toward_zero", rnd);
        Mapping m = MappingFiles.read(new MappingFolder(net).core(0, 1, 0, new int[] {0, 3})
                .core(0, 0, 1, new int[] {3, 5}).core(1, 1, 1, new int[] {0, 3}).write(tmp.resolve("m")));
        EmulatedSample s = new NeurocoreEmulator(m).run(net.randomInput(rnd, 0.7), true);
        List<Vcd.Probe> probes = Vcd.Probe.parse("h:4, out:1,0:0", m);
        assertEquals(List.of(new Vcd.Probe(0, 4), new Vcd.Probe(1, 1), new Vcd.Probe(0, 0)), probes);
        Path file = tmp.resolve("trace.vcd");
        Vcd.write(file, m, s, probes, Vcd.TimeAxis.STEPS, "sample 0");
        String vcd = Files.readString(file);
        assertTrue(vcd.contains("$timescale 1 ns $end"));
        assertTrue(vcd.contains("$var wire 6 \" n4_membrane [5:0] $end"), vcd);
        assertTrue(vcd.contains("$var wire 64 $ n1_membrane [63:0] $end"), vcd);
        assertTrue(vcd.contains("$enddefinitions $end"));
        // replay the value changes: at time t - 1 the values of step t
        Map<String, String> now = new HashMap<>();
        long time = -1;
        int checked = 0;
        boolean body = false;
        for (String line : vcd.split("\n")) {
            if (line.equals("$enddefinitions $end")) {
                body = true;
                continue;
            }
            if (!body || line.startsWith("$")) {
                continue;
            }
            if (line.startsWith("#")) {
                if (time >= 0) {
                    checked += check(now, s, (int) time);
                }
                time = Long.parseLong(line.substring(1));
            } else if (line.startsWith("b")) {
                String[] parts = line.split(" ");
                now.put(parts[1], parts[0].substring(1));
            } else {
                now.put(line.substring(1), line.substring(0, 1));
            }
        }
        assertEquals(net.timesteps, time, "the dump ends at T");
        assertEquals(net.timesteps, checked);
    }

    private static int check(Map<String, String> now, EmulatedSample s, int t) {
        assertEquals(t + 1, Integer.parseInt(now.get("!"), 2), "step");
        assertEquals(s.membranes()[0][t][4], signed(now.get("\""), 6), "h:4 at step " + (t + 1));
        assertEquals(s.spikes()[0][t][4], Integer.parseInt(now.get("#")));
        assertEquals(s.membranes()[1][t][1], signed(now.get("$"), 64), "out:1 at step " + (t + 1));
        assertEquals(s.membranes()[0][t][0], signed(now.get("&"), 6));
        assertEquals(s.spikes()[0][t][0], Integer.parseInt(now.get("'")));
        return 1;
    }

    private static long signed(String bits, int width) {
        long v = Long.parseUnsignedLong(bits, 2);
        return width == 64 ? v : (v << (64 - width)) >> (64 - width);
    }

    @Test
    void cyclesMakeEachStepAsWideAsTheTimingModelSays() throws Exception {
        TestNet net = NeurocoreEmulatorTest.handNet();
        MappingFolder f = new MappingFolder(net).core(0, 1, 0, new int[] {0, 1}).core(0, 0, 1, new int[] {1, 2})
                .core(1, 1, 1, new int[] {0, 1});
        NeurocoreEmulatorTest.handFigures(f);
        Mapping m = MappingFiles.read(f.write(tmp.resolve("hand")));
        EmulatedSample s = new NeurocoreEmulator(m).run(new int[] {1, 0, 1, 1}, true);
        String vcd = Vcd.render(m, s, Vcd.Probe.parse("h:0", m), Vcd.TimeAxis.CYCLES, null);
        assertTrue(vcd.contains("\n#0\n"));
        assertTrue(vcd.contains("\n#27\n"));
        assertTrue(vcd.endsWith("\n#58\n"), vcd);
        assertTrue(vcd.contains("1 time unit = 1 clock cycle at 100.0 MHz"));
    }

    @Test
    void badProbesSayWhatExists() throws Exception {
        TestNet net = NeurocoreEmulatorTest.handNet();
        Mapping m = MappingFiles.read(new MappingFolder(net).core(0, 1, 0, new int[] {0, 2})
                .core(1, 1, 1, new int[] {0, 1}).write(tmp.resolve("p")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Vcd.Probe.parse("x:0", m)).getMessage()
                .contains("the layers are h, out"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Vcd.Probe.parse("h:2", m)).getMessage()
                .contains("neurons 0 to 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Vcd.Probe.parse("h", m)).getMessage()
                .contains("LAYER:INDEX"));
    }
}

package dev.spikeforge.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid file's format and every way it can be wrong: one message naming file, field, value and fix. */
class SweepGridTest {

    @TempDir
    Path dir;

    static final Path FILE = Path.of("g.json");

    static String error(String json) {
        SweepException e = assertThrows(SweepException.class, () -> SweepGrid.parse(FILE, json));
        assertEquals(SweepException.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("g.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theCrossProductInAFixedOrder() throws Exception {
        SweepGrid g = SweepGrid.parse(FILE, """
                {"checkpoint": "c.npz", "samples": 200,
                 "grid": {"bits": [4, 6, 8], "granularity": ["per_layer", "per_channel"], "qat_epochs": [0]},
                 "targets": ["loihi_like", "fpga(family = xc7, lanes = 8)"]}
                """);
        assertEquals(200, g.samples());
        assertEquals(FILE.toAbsolutePath().getParent().resolve("c.npz"), g.checkpoint());
        assertEquals(List.of("loihi_like", "fpga(family = xc7, lanes = 8)"), g.targets());
        List<SweepGrid.Point> p = g.points();
        assertEquals(6, p.size());
        assertEquals(new SweepGrid.Point(4, "per_layer", 0), p.get(0));
        assertEquals(new SweepGrid.Point(4, "per_channel", 0), p.get(1));
        assertEquals(new SweepGrid.Point(8, "per_channel", 0), p.get(5));
        // a dimension left out keeps the deploy block's value: one point
        assertEquals(List.of(new SweepGrid.Point(null, null, 0)), SweepGrid.parse(FILE, "{\"grid\": {}}").points());
    }

    @Test
    void mistakesNameTheFieldTheValueWhatIsAllowedAndAFix() {
        String m = error("{\"grid\": {\"bits\": [4, 1]}}");
        assertTrue(m.contains("\"grid.bits\"") && m.contains("value 1") && m.contains("2 to 16") && m.contains("e.g."), m);
        m = error("{\"grid\": {\"granularity\": [\"per_tensor\"]}}");
        assertTrue(m.contains("\"grid.granularity\"") && m.contains("\"per_tensor\"") && m.contains("per_layer, per_channel"), m);
        m = error("{\"grid\": {\"bitz\": [4]}}");
        assertTrue(m.contains("unknown field \"grid.bitz\"") && m.contains("did you mean \"bits\"") && m.contains("allowed:"), m);
        m = error("{\"grid\": {}, \"target\": [\"loihi_like\"]}");
        assertTrue(m.contains("unknown field \"target\"") && m.contains("did you mean \"targets\""), m);
        m = error("{\"grid\": {\"qat_epochs\": [0, 101]}}");
        assertTrue(m.contains("\"grid.qat_epochs\"") && m.contains("value 101") && m.contains("from 0 to 100"), m);
        m = error("{\"synth\": \"yes\", \"grid\": {}}");
        assertTrue(m.contains("\"synth\"") && m.contains("true or false") && m.contains("\"yes\""), m);
        m = error("{\"samples\": 0, \"grid\": {}}");
        assertTrue(m.contains("\"samples\"") && m.contains("at least 1") && m.contains("got 0"), m);
        m = error("{\"grid\": {\"bits\": []}}");
        assertTrue(m.contains("non-empty list"), m);
        m = error("{\"grid\": {\"bits\": 8}}");
        assertTrue(m.contains("non-empty list") && m.contains("got 8"), m);
        m = error("{\"grid\": {\"bits\": [8, 8]}}");
        assertTrue(m.contains("lists 8 twice"), m);
        m = error("{\"grid\": {}, \"targets\": [3]}");
        assertTrue(m.contains("\"targets\"") && m.contains("spikeforge targets"), m);
        m = error("{\"samples\": 10}");
        assertTrue(m.contains("missing field \"grid\""), m);
        m = error("[1, 2]");
        assertTrue(m.contains("one JSON object") && m.contains("a list"), m);
        m = error("{\"grid\": {\"bits\": [4,]}");
        assertTrue(m.startsWith("g.json:1:") && m.contains("not valid JSON"), m);
        m = error("{\"grid\": {}, \"grid\": {}}");
        assertTrue(m.contains("not valid JSON") && m.contains("grid"), m);
    }

    @Test
    void theCommandPrintsOneLineAndExitsNonZeroWithoutAStackTrace() throws Exception {
        Path model = dir.resolve("m.snn");
        Files.writeString(model, SweepTest.MODEL);
        Path grid = dir.resolve("bad.json");
        Files.writeString(grid, "{\"grid\": {\"granularity\": [\"per_neuron\"]}}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SweepMain.run(new String[] {model.toString(), "--grid", grid.toString()}, ps(out), ps(err));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(SweepException.USAGE, code, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("spikeforge sweep: error: " + grid + ": field \"grid.granularity\""), e);
        assertFalse(e.contains("Exception") || e.contains("\tat "), e);

        err.reset();
        code = SweepMain.run(new String[] {model.toString(), "--grid", dir.resolve("none.json").toString()}, ps(out), ps(err));
        assertEquals(SweepException.INPUT, code);
        assertEquals("spikeforge sweep: error: " + dir.resolve("none.json") + ": no such grid file\n",
                err.toString(StandardCharsets.UTF_8));

        Files.writeString(grid, "{\"grid\": {\"bits\": [4]}}");
        err.reset();
        code = SweepMain.run(new String[] {model.toString(), "--grid", grid.toString()}, ps(out), ps(err));
        assertEquals(SweepException.USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no checkpoint: give --checkpoint C or \"checkpoint\" in"),
                err.toString(StandardCharsets.UTF_8));

        err.reset();
        code = SweepMain.run(new String[] {model.toString(), "--grid", grid.toString(), "--samples", "0"}, ps(out), ps(err));
        assertEquals(SweepException.USAGE, code);

        err.reset();
        code = SweepMain.run(new String[] {model.toString(), "--grid", grid.toString(), "--master", "bogus://x"}, ps(out),
                ps(err));
        assertEquals(SweepException.USAGE, code);
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count(), err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--master bogus://x is not a Spark master URL"));
        for (String m : new String[] {"local", "local[*]", "local[4]", "local[2,3]", "spark://10.0.0.1:7077", "yarn",
            "k8s://https://h:443"}) {
            assertTrue(SweepMain.MASTER.matcher(m).matches(), m);
        }

        err.reset();
        code = SweepMain.run(new String[] {model.toString()}, ps(out), ps(err));
        assertEquals(SweepException.USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--grid"), err.toString(StandardCharsets.UTF_8));
    }

    private static PrintStream ps(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }
}

package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    private static final NdArray W = NdArray.of(new float[] {1, 2}, 2);

    @Test
    void acceptsTheNamesTrainersUse() {
        for (String name : List.of("c1.weight", "f1.bias", "optimizer.adam.m.c1.weight", "arr_0", "out-1:gain",
                "ν.threshold", "manifest", "manifest.json.npy.x", ".hidden")) {
            assertTrue(ArrayNames.problem(name).isEmpty(), name);
        }
    }

    @Test
    void refusesNamesThatAreNotPlainEntryNames() {
        assertEquals("an array name is empty", problem(""));
        assertTrue(problem("c1/weight").contains("contains a '/' or '\\'"), problem("c1/weight"));
        assertTrue(problem("c1\\weight").contains("contains a '/' or '\\'"));
        assertTrue(problem("..").contains("contains '..'"));
        assertTrue(problem("a..b").contains("contains '..'"));
        assertEquals("array name 'a?b' contains a control character (code 10)", problem("a\nb"));
        assertEquals("array name 'manifest.json' clashes with the manifest: numpy would list both as 'manifest.json'",
                problem("manifest.json"));
        assertTrue(problem("w.npy").contains("ends in '.npy'"));
        assertTrue(problem("x".repeat(252)).contains("is 256 bytes as an entry name"), problem("x".repeat(252)));
        assertTrue(ArrayNames.problem("x".repeat(251)).isEmpty());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.builder().put("a/b", W).build());
        assertTrue(e.getMessage().startsWith("array name 'a/b' contains"), e.getMessage());
        Map<String, NdArray> map = new LinkedHashMap<>();
        map.put("manifest.json", W);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.of(map, null));
    }

    private static String problem(String name) {
        return ArrayNames.problem(name).orElseThrow();
    }

    @Test
    void theManifestGetsTheFormatFirstAndKeepsTheTrainersFieldsInOrder() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("epoch", 3);
        m.put("source", "model lenet5\n");
        m.putObject("metrics").put("accuracy", 0.5);
        Checkpoint c = Checkpoint.builder().put("w", W).manifest(m).build();
        assertEquals(List.of("format", "epoch", "source", "metrics"), fieldNames(c.manifest()));
        assertEquals(Checkpoint.FORMAT, c.manifest().get("format").textValue());
        assertEquals(List.of("format"), fieldNames(Checkpoint.builder().build().manifest()));

        m.put("format", Checkpoint.FORMAT);
        assertEquals(c, Checkpoint.builder().put("w", W).manifest(m).build());
        m.put("format", "other/2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.of(Map.of(), m));
        assertTrue(e.getMessage().startsWith("manifest \"format\" is \"other/2\""), e.getMessage());
    }

    private static List<String> fieldNames(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void isImmutable() {
        ObjectNode m = JsonNodeFactory.instance.objectNode().put("epoch", 1);
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        arrays.put("w", W);
        Checkpoint c = Checkpoint.of(arrays, m);
        m.put("epoch", 2);
        arrays.put("v", W);
        c.manifest().put("epoch", 3);
        assertEquals(1, c.manifest().get("epoch").intValue());
        assertEquals(List.of("w"), c.names());
        assertThrows(UnsupportedOperationException.class, () -> c.arrays().put("x", W));
    }

    /** The manifest is held as JSON reads it back, so that a written checkpoint reads back equal. */
    @Test
    void theManifestIsHeldInItsJsonForm() {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("step", 5L);
        m.put("lr", 0.1f);
        m.put("loss", Double.NaN);
        ObjectNode held = Checkpoint.builder().manifest(m).build().manifest();
        assertTrue(held.get("step").isInt());
        assertTrue(held.get("lr").isDouble());
        assertEquals("NaN", held.get("loss").textValue());
    }

    @Test
    void equalityCoversArraysTheirOrderAndTheManifest() {
        NdArray v = NdArray.ofInts(new int[] {1}, 1);
        Checkpoint wv = Checkpoint.builder().put("w", W).put("v", v).build();
        assertEquals(wv, Checkpoint.builder().put("w", W).put("v", v).build());
        assertEquals(wv.hashCode(), Checkpoint.builder().put("w", W).put("v", v).build().hashCode());
        assertNotEquals(wv, Checkpoint.builder().put("v", v).put("w", W).build());
        assertNotEquals(wv, Checkpoint.builder().put("w", W).put("v", v)
                .manifest(JsonNodeFactory.instance.objectNode().put("epoch", 1)).build());
        assertEquals("checkpoint(2 arrays, w float32 (2,), v int32 (1,))", wv.toString());
        assertEquals(W, wv.array("w").orElseThrow());
        assertTrue(wv.array("x").isEmpty());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.builder().put("w", W).put("w", W));
        assertEquals("array 'w' is added twice", twice.getMessage());
    }
}

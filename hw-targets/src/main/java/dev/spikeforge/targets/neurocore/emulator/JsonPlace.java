package dev.spikeforge.targets.neurocore.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON value together with its place in the file ({@code cores[3].segments[0]}), so that every
 * missing field or wrong type becomes a {@link MappingFileException} naming that place.
 */
final class JsonPlace {

    private final Path file;
    private final JsonNode node;
    private final String path;

    JsonPlace(Path file, JsonNode node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    String path() {
        return path;
    }

    JsonNode node() {
        return node;
    }

    String child(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    MappingFileException error(String problem) {
        return new MappingFileException(file, path.isEmpty() ? null : path, problem, MappingFileException.RECOMPILE);
    }

    MappingFileException error(String field, String problem) {
        return new MappingFileException(file, child(field), problem, MappingFileException.RECOMPILE);
    }

    boolean has(String field) {
        return node.has(field);
    }

    /** A field that must be present and not null. */
    JsonPlace get(String field) throws MappingFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new MappingFileException(file, path.isEmpty() ? null : path,
                    "missing field '" + field + "'", MappingFileException.RECOMPILE);
        }
        return new JsonPlace(file, v, child(field));
    }

    JsonPlace object(String field) throws MappingFileException {
        JsonPlace p = get(field);
        if (!p.node.isObject()) {
            throw p.error("expected an object, found " + describe(p.node));
        }
        return p;
    }

    String string(String field) throws MappingFileException {
        JsonPlace p = get(field);
        if (!p.node.isTextual()) {
            throw p.error("expected a string, found " + describe(p.node));
        }
        return p.node.textValue();
    }

    boolean bool(String field) throws MappingFileException {
        JsonPlace p = get(field);
        if (!p.node.isBoolean()) {
            throw p.error("expected true or false, found " + describe(p.node));
        }
        return p.node.booleanValue();
    }

    int integer(String field) throws MappingFileException {
        return get(field).asInt();
    }

    long longValue(String field) throws MappingFileException {
        return get(field).asLong();
    }

    double number(String field) throws MappingFileException {
        JsonPlace p = get(field);
        if (!p.node.isNumber()) {
            throw p.error("expected a number, found " + describe(p.node));
        }
        return p.node.doubleValue();
    }

    int asInt() throws MappingFileException {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw error("expected an integer, found " + describe(node));
        }
        return node.intValue();
    }

    long asLong() throws MappingFileException {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw error("expected a 64-bit integer, found " + describe(node));
        }
        return node.longValue();
    }

    List<JsonPlace> list(String field) throws MappingFileException {
        return get(field).elements();
    }

    List<JsonPlace> elements() throws MappingFileException {
        if (!node.isArray()) {
            throw error("expected an array, found " + describe(node));
        }
        List<JsonPlace> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(new JsonPlace(file, node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    int[] ints(String field) throws MappingFileException {
        List<JsonPlace> l = list(field);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i).asInt();
        }
        return out;
    }

    long[] longs(String field) throws MappingFileException {
        List<JsonPlace> l = list(field);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i).asLong();
        }
        return out;
    }

    /** An array of half-open ranges {@code [[from, to], ...]}. */
    int[][] ranges(String field) throws MappingFileException {
        List<JsonPlace> l = list(field);
        int[][] out = new int[l.size()][];
        for (int i = 0; i < out.length; i++) {
            List<JsonPlace> pair = l.get(i).elements();
            if (pair.size() != 2) {
                throw l.get(i).error("expected a range [from, to], found " + describe(l.get(i).node));
            }
            out[i] = new int[] {pair.get(0).asInt(), pair.get(1).asInt()};
        }
        return out;
    }

    private static String describe(JsonNode n) {
        String text = n.toString();
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}

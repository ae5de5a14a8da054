package dev.spikeforge.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A sweep's grid file (docs/language.md, "Sweep grids"): the values of each dimension, whose cross
 * product is the sweep's points, the targets every point is compiled for, and optionally the
 * checkpoint and the number of verification samples. Every mistake is one {@link SweepException}
 * naming the file, the field, the value, what is allowed and how to fix it.
 *
 * <pre>
 * {"checkpoint": "quick.npz", "samples": 200,
 *  "grid": {"bits": [4, 6, 8], "granularity": ["per_layer", "per_channel"], "qat_epochs": [0, 1]},
 *  "targets": ["loihi_like", "fpga(family = xc7, lanes = 8)"]}
 * </pre>
 *
 * @param checkpoint the checkpoint named in the file, resolved against the file's folder (null: none)
 * @param samples    the verification samples named in the file (null: none)
 * @param bits       weight bits per point (empty: the deploy block's)
 * @param granularity {@code per_layer} / {@code per_channel} per point (empty: the deploy block's)
 * @param qatEpochs  quantisation-aware fine-tuning epochs per point, from the checkpoint (0: none; empty: [0])
 * @param targets    the targets every point is compiled for (empty: the deploy block's)
 * @param synth      synthesise each point's hardware designs (the fpga family's) for their resources
 */
public record SweepGrid(Path file, Path checkpoint, Integer samples, List<Integer> bits, List<String> granularity,
                        List<Integer> qatEpochs, List<String> targets, boolean synth) {

    static final List<String> TOP_FIELDS = List.of("checkpoint", "samples", "grid", "targets", "synth");
    static final List<String> GRID_FIELDS = List.of("bits", "granularity", "qat_epochs");
    static final List<String> GRANULARITIES = List.of("per_layer", "per_channel");
    static final int MAX_POINTS = 10_000;
    static final int MAX_QAT_EPOCHS = 100;

    public SweepGrid {
        bits = List.copyOf(bits);
        granularity = List.copyOf(granularity);
        qatEpochs = List.copyOf(qatEpochs);
        targets = List.copyOf(targets);
    }

    /** One point of the cross product: null fields keep the deploy block's value. */
    public record Point(Integer bits, String granularity, int qatEpochs) {
    }

    /** The cross product in a fixed order: bits, then granularity, then QAT epochs (the last varies fastest). */
    public List<Point> points() {
        List<Integer> b = bits.isEmpty() ? nullList() : bits;
        List<String> g = granularity.isEmpty() ? nullList() : granularity;
        List<Integer> q = qatEpochs.isEmpty() ? List.of(0) : qatEpochs;
        List<Point> out = new ArrayList<>();
        for (Integer bb : b) {
            for (String gg : g) {
                for (Integer qq : q) {
                    out.add(new Point(bb, gg, qq));
                }
            }
        }
        return out;
    }

    private static <T> List<T> nullList() {
        List<T> l = new ArrayList<>();
        l.add(null);
        return l;
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Reads and validates a grid file. */
    public static SweepGrid read(Path file) throws SweepException {
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw new SweepException(SweepException.INPUT, file + ": is a folder, not a grid file; pass a JSON grid"
                        + " file (docs/language.md, \"Sweep grids\")");
            }
            if (Files.size(file) > 1 << 20) {
                throw new SweepException(SweepException.INPUT, file + ": " + Files.size(file) + " bytes is too large for"
                        + " a grid file (at most 1 MiB)");
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SweepException(SweepException.INPUT, file + ": no such grid file");
        } catch (IOException e) {
            throw new SweepException(SweepException.INPUT, file + ": cannot read the grid file: " + e.getMessage());
        }
        return parse(file, text);
    }

    static SweepGrid parse(Path file, String text) throws SweepException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
            throw usage(file + where + ": not valid JSON: " + e.getOriginalMessage()
                    + "; a grid file is one JSON object (docs/language.md, \"Sweep grids\")");
        }
        if (root == null || !root.isObject()) {
            throw usage(file + ": a grid file is one JSON object, e.g. {\"grid\": {\"bits\": [4, 8]}, \"targets\":"
                    + " [\"loihi_like\"]}; got " + (root == null ? "nothing" : kind(root)));
        }
        unknownFields(file, "", root, TOP_FIELDS);
        Path checkpoint = null;
        JsonNode c = root.get("checkpoint");
        if (c != null) {
            if (!c.isTextual() || c.asText().isBlank()) {
                throw usage(file + ": field \"checkpoint\" must be a file name (a string, relative to the grid file's"
                        + " folder), got " + show(c) + "; e.g. \"checkpoint\": \"quick.npz\"");
            }
            Path p = Path.of(c.asText());
            Path dir = file.toAbsolutePath().getParent();
            checkpoint = p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
        }
        Integer samples = null;
        JsonNode s = root.get("samples");
        if (s != null) {
            if (!s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 1) {
                throw usage(file + ": field \"samples\" must be a whole number of at least 1 (test samples each point"
                        + " verifies on), got " + show(s) + "; e.g. \"samples\": 200");
            }
            samples = s.asInt();
        }
        boolean synth = false;
        JsonNode sy = root.get("synth");
        if (sy != null) {
            if (!sy.isBoolean()) {
                throw usage(file + ": field \"synth\" must be true or false (synthesise each point's hardware designs"
                        + " for LUTs, BRAM and DSPs), got " + show(sy) + "; e.g. \"synth\": true");
            }
            synth = sy.asBoolean();
        }
        List<Integer> bits = List.of();
        List<String> granularity = List.of();
        List<Integer> qat = List.of();
        JsonNode grid = root.get("grid");
        if (grid == null) {
            throw usage(file + ": missing field \"grid\": the dimensions whose cross product is the sweep, e.g."
                    + " \"grid\": {\"bits\": [4, 6, 8], \"granularity\": [\"per_layer\", \"per_channel\"]}");
        }
        if (!grid.isObject()) {
            throw usage(file + ": field \"grid\" must be an object of dimensions (" + String.join(", ", GRID_FIELDS)
                    + "), got " + show(grid) + "; e.g. \"grid\": {\"bits\": [4, 8]}");
        }
        unknownFields(file, "grid.", grid, GRID_FIELDS);
        if (grid.has("bits")) {
            bits = ints(file, "grid.bits", grid.get("bits"), 2, 16, "weight bits from 2 to 16", "[4, 6, 8]");
        }
        if (grid.has("granularity")) {
            granularity = new ArrayList<>();
            for (JsonNode v : values(file, "grid.granularity", grid.get("granularity"), "[\"per_layer\", \"per_channel\"]")) {
                if (!v.isTextual() || !GRANULARITIES.contains(v.asText())) {
                    throw usage(file + ": field \"grid.granularity\" has the value " + show(v) + "; allowed: "
                            + String.join(", ", GRANULARITIES) + "; e.g. \"granularity\": [\"per_layer\", \"per_channel\"]");
                }
                granularity.add(v.asText());
            }
            distinct(file, "grid.granularity", granularity);
        }
        if (grid.has("qat_epochs")) {
            qat = ints(file, "grid.qat_epochs", grid.get("qat_epochs"), 0, MAX_QAT_EPOCHS, "epochs from 0 to "
                    + MAX_QAT_EPOCHS, "[0, 1]");
        }
        List<String> targets = new ArrayList<>();
        JsonNode t = root.get("targets");
        if (t != null) {
            for (JsonNode v : values(file, "targets", t, "[\"loihi_like\", \"fpga(family = xc7, lanes = 8)\"]")) {
                if (!v.isTextual() || v.asText().isBlank()) {
                    throw usage(file + ": field \"targets\" has the value " + show(v) + "; allowed: a target as"
                            + " --target takes it (a preset such as \"loihi_like\", or \"fpga(lanes = 8)\"); spikeforge"
                            + " targets lists them");
                }
                targets.add(v.asText());
            }
            distinct(file, "targets", targets);
        }
        SweepGrid g = new SweepGrid(file, checkpoint, samples, bits, granularity, qat, targets, synth);
        long n = (long) Math.max(1, bits.size()) * Math.max(1, granularity.size()) * Math.max(1, qat.size());
        if (n > MAX_POINTS) {
            throw usage(file + ": the grid has " + n + " points, more than " + MAX_POINTS + "; split it into several"
                    + " grid files");
        }
        return g;
    }

    private static void unknownFields(Path file, String prefix, JsonNode obj, List<String> allowed) throws SweepException {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            String k = it.next().getKey();
            if (!allowed.contains(k)) {
                String near = allowed.stream().filter(a -> close(a, k)).findFirst().map(a -> "did you mean \"" + a
                        + "\"? ").orElse("");
                String place = prefix.isEmpty() ? "the grid file" : "\"" + prefix.substring(0, prefix.length() - 1) + "\"";
                throw usage(file + ": unknown field \"" + prefix + k + "\" in " + place + "; " + near + "allowed: "
                        + String.join(", ", allowed));
            }
        }
    }

    private static boolean close(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT).replace("_", "");
        String y = b.toLowerCase(java.util.Locale.ROOT).replace("_", "").replace("-", "");
        return x.equals(y) || x.startsWith(y) && y.length() >= 3 || y.startsWith(x) || distance(x, y) <= 2;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    private static List<JsonNode> values(Path file, String field, JsonNode node, String example) throws SweepException {
        if (!node.isArray() || node.isEmpty()) {
            throw usage(file + ": field \"" + field + "\" must be a non-empty list of values, got " + show(node) + "; e.g. \""
                    + field.substring(field.lastIndexOf('.') + 1) + "\": " + example);
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    private static List<Integer> ints(Path file, String field, JsonNode node, int min, int max, String what, String example)
            throws SweepException {
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : values(file, field, node, example)) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
                throw usage(file + ": field \"" + field + "\" has the value " + show(v) + "; allowed: whole numbers, "
                        + what + "; e.g. \"" + field.substring(field.lastIndexOf('.') + 1) + "\": " + example);
            }
            out.add(v.asInt());
        }
        distinct(file, field, out);
        return out;
    }

    private static <T> void distinct(Path file, String field, List<T> values) throws SweepException {
        for (int i = 0; i < values.size(); i++) {
            if (values.indexOf(values.get(i)) != i) {
                throw usage(file + ": field \"" + field + "\" lists " + show(values.get(i)) + " twice; list each value once");
            }
        }
    }

    private static String show(Object v) {
        if (v instanceof JsonNode n) {
            String s = n.toString();
            return s.length() > 60 ? s.substring(0, 57) + "..." : s;
        }
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "a list" : n.isTextual() ? "a string" : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean"
                : "null";
    }

    private static SweepException usage(String message) {
        return new SweepException(SweepException.USAGE, message);
    }
}

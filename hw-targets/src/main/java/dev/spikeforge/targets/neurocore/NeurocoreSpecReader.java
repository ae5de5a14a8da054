package dev.spikeforge.targets.neurocore;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.ir.Timing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates one {@code spikeforge.target.neurocore/1} document. The first problem found
 * becomes a {@link TargetSpecException} that names the file, the field path, the value, what is
 * allowed and a fix; checks run in file order after unknown fields, so a misspelt field is reported
 * as a misspelling and not as a missing field.
 */
final class NeurocoreSpecReader {

    static final String SCHEMA = "spikeforge.target.neurocore/1";
    static final String DOCS = "docs/targets.md, section \"neurocore spec schema\"";
    /** The largest spec file read (a spec with every figure and its source is about 4 KiB). */
    static final long MAX_BYTES = 1L << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern SOURCE_LINE_COLUMN =
            Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");
    private static final Pattern SOURCE_LINE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+)\\]");
    private static final List<String> HEADER_FIELDS = List.of("schema", "name", "description");

    private final Path file;
    private final boolean preset;

    private NeurocoreSpecReader(Path file, boolean preset) {
        this.file = file;
        this.preset = preset;
    }

    /**
     * Parses {@code text} (the content of {@code file}) into a validated spec. A preset must also
     * name a source for every figure; a user's file may leave {@code sources} out.
     */
    static NeurocoreSpec read(String text, Path file, boolean preset) throws TargetSpecException {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw malformed(file, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new TargetSpecException(file, "the file is empty",
                    "write one JSON object with \"schema\": \"" + SCHEMA + "\" and the fields of " + DOCS);
        }
        if (!root.isObject()) {
            throw new TargetSpecException(file, "the file holds a JSON " + kindOf(root) + ", not an object",
                    "write one JSON object { \"schema\": \"" + SCHEMA + "\", ... } with the fields of " + DOCS);
        }
        return new NeurocoreSpecReader(file, preset).spec((ObjectNode) root);
    }

    private static TargetSpecException malformed(Path file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        boolean located = at != null && at.getLineNr() >= 1;
        String where = located ? " at line " + at.getLineNr() + ", column " + at.getColumnNr() : "";
        String what = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        // Jackson names its input source inside locations ("[Source: REDACTED ...; line: 1]"):
        // keep only the position, which is in the user's own file.
        what = SOURCE_LINE_COLUMN.matcher(what).replaceAll("line $1, column $2");
        what = SOURCE_LINE.matcher(what).replaceAll("line $1");
        what = what.replace("start marker at", "opened at").replaceAll("\\s*\\n\\s*", " ").trim();
        return new TargetSpecException(file, "malformed JSON" + where + ": " + what,
                "fix the JSON syntax" + where + " (a missing comma, quote or closing brace is the usual cause)", e);
    }

    private NeurocoreSpec spec(ObjectNode root) throws TargetSpecException {
        rejectUnknownFields(root);
        String schema = text(root, "schema", "\"" + SCHEMA + "\"");
        if (!schema.equals(SCHEMA)) {
            throw problem("schema", root.get("schema"), "\"" + SCHEMA + "\"",
                    "this version of spikeforge reads \"schema\": \"" + SCHEMA + "\"");
        }
        String name = text(root, "name", "a name of letters, digits, '_', '-' or '.' (1 to 64 characters)");
        if (!NAME.matcher(name).matches()) {
            throw problem("name", root.get("name"), "letters, digits, '_', '-' or '.' (1 to 64 characters)",
                    "rename it, for example \"my_chip\"");
        }
        String description = text(root, "description", "a string");
        Map<NeurocoreField, Object> v = new EnumMap<>(NeurocoreField.class);
        for (NeurocoreField f : NeurocoreField.values()) {
            v.put(f, value(root, f));
        }
        checkRelations(root, v);
        Map<String, String> sources = sources(root);
        return new NeurocoreSpec(name, description,
                (Integer) v.get(NeurocoreField.MESH_WIDTH), (Integer) v.get(NeurocoreField.MESH_HEIGHT),
                (Integer) v.get(NeurocoreField.CORES), (Integer) v.get(NeurocoreField.NEURONS_PER_CORE),
                (Integer) v.get(NeurocoreField.AXONS_PER_CORE), (Integer) v.get(NeurocoreField.FAN_IN_PER_NEURON),
                (Long) v.get(NeurocoreField.SYNAPSE_MEMORY_BITS_PER_CORE),
                (Integer) v.get(NeurocoreField.MAX_SPIKES_PER_CORE_PER_STEP),
                (Integer) v.get(NeurocoreField.MIN_WEIGHT_BITS), (Integer) v.get(NeurocoreField.MAX_WEIGHT_BITS),
                (Integer) v.get(NeurocoreField.MEMBRANE_BITS),
                NeurocoreField.overflowOf((String) v.get(NeurocoreField.OVERFLOW)),
                leakForms(v.get(NeurocoreField.LEAK_FORMS)),
                "toward_zero".equals(v.get(NeurocoreField.SHIFT_ROUNDING)),
                (Boolean) v.get(NeurocoreField.DECAY_MIN_LSB),
                (Integer) v.get(NeurocoreField.THRESHOLD_BITS),
                ">".equals(v.get(NeurocoreField.THRESHOLD_COMPARE)),
                (Boolean) v.get(NeurocoreField.GRADED_INPUT), (Integer) v.get(NeurocoreField.BIAS_BITS),
                (Integer) v.get(NeurocoreField.SYNAPTIC_CURRENT_BITS), leakForms(v.get(NeurocoreField.SYNAPTIC_LEAK_FORMS)),
                (Boolean) v.get(NeurocoreField.RECURRENT_SYNAPSES), (Boolean) v.get(NeurocoreField.CONV1D),
                (Boolean) v.get(NeurocoreField.MAX_POOL),
                (Integer) v.get(NeurocoreField.INPUT_CHANNELS), (Integer) v.get(NeurocoreField.OUTPUT_CHANNELS),
                leakForms(v.get(NeurocoreField.RESET_MODES)), (Integer) v.get(NeurocoreField.NEURONS_PER_CHIP),
                (Integer) v.get(NeurocoreField.FAN_OUT_PER_NEURON), (Integer) v.get(NeurocoreField.OUTPUT_AXONS_PER_CORE),
                (Integer) v.get(NeurocoreField.DESTINATIONS_PER_CORE),
                (Integer) v.get(NeurocoreField.ROUTING_TABLE_ENTRIES), (Integer) v.get(NeurocoreField.AXON_TYPES),
                (Boolean) v.get(NeurocoreField.CONV_WEIGHT_SHARING), (Boolean) v.get(NeurocoreField.SPLIT_LAYERS),
                (Boolean) v.get(NeurocoreField.PACK_LAYERS),
                (Double) v.get(NeurocoreField.CLOCK_MHZ),
                (Integer) v.get(NeurocoreField.CYCLES_PER_SYNAPTIC_OP),
                (Integer) v.get(NeurocoreField.CYCLES_PER_NEURON_UPDATE),
                (Integer) v.get(NeurocoreField.CYCLES_PER_HOP), (Integer) v.get(NeurocoreField.BARRIER_CYCLES),
                (Double) v.get(NeurocoreField.SYNAPTIC_OP_PJ), (Double) v.get(NeurocoreField.NEURON_UPDATE_PJ),
                (Double) v.get(NeurocoreField.SPIKE_HOP_PJ), (Double) v.get(NeurocoreField.STATIC_MW),
                Timing.of((String) v.get(NeurocoreField.TIMING)), (Integer) v.get(NeurocoreField.INPUT_CYCLES_PER_SPIKE),
                "serial".equals(v.get(NeurocoreField.CORE_SCHEDULE)), sources);
    }

    private static Set<String> leakForms(Object list) {
        Set<String> forms = new HashSet<>();
        for (Object o : (List<?>) list) {
            forms.add((String) o);
        }
        return forms;
    }

    private void rejectUnknownFields(ObjectNode root) throws TargetSpecException {
        List<String> known = new ArrayList<>(HEADER_FIELDS);
        known.addAll(NeurocoreField.jsonNames());
        known.add("sources");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new TargetSpecException(file, "unknown field '" + key + "'" + Suggestions.didYouMean(key, known),
                        "remove it or correct its name; every field is listed in " + DOCS);
            }
        }
    }

    private String text(ObjectNode root, String field, String allowed) throws TargetSpecException {
        JsonNode n = root.get(field);
        if (n == null) {
            throw missing(field, allowed);
        }
        if (!n.isTextual()) {
            throw problem(field, n, allowed, "write \"" + field + "\" as a string in double quotes");
        }
        return n.textValue();
    }

    /** The field's value, checked against its own range: Integer, Long, Double, Boolean, String or List. */
    private Object value(ObjectNode root, NeurocoreField f) throws TargetSpecException {
        JsonNode n = root.get(f.json());
        if (n == null && !preset && f.absentValue() != null) {
            return f.absentValue();
        }
        if (n == null) {
            throw missing(f.json(), f.allowed() + " (" + f.meaning() + ")");
        }
        return switch (f.kind()) {
            case INT -> whole(f, n);
            case REAL, REAL_POSITIVE -> real(f, n);
            case BOOLEAN -> {
                if (!n.isBoolean()) {
                    throw problem(f.json(), n, f.allowed(), "write \"" + f.json() + "\": true or false, without quotes");
                }
                yield n.booleanValue();
            }
            case CHOICE -> {
                if (!n.isTextual() || !f.choices().contains(n.textValue())) {
                    throw problem(f.json(), n, f.allowed(), "write \"" + f.json() + "\": " + f.allowed());
                }
                yield n.textValue();
            }
            case LEAK_SET, LEAK_SET_OR_EMPTY -> leakList(f, n);
            case RESET_SET -> resetList(f, n);
        };
    }

    private Object whole(NeurocoreField f, JsonNode n) throws TargetSpecException {
        String fix = "set \"" + f.json() + "\" to a whole number in " + f.allowed();
        if (!n.isNumber() || !n.isIntegralNumber()) {
            throw problem(f.json(), n, f.allowed(), n.isTextual() ? fix + ", without quotes" : fix);
        }
        if (!n.canConvertToLong() || n.longValue() < f.minLong() || n.longValue() > f.maxLong()) {
            throw problem(f.json(), n, f.allowed(), fix);
        }
        long x = n.longValue();
        return f == NeurocoreField.SYNAPSE_MEMORY_BITS_PER_CORE ? (Object) x : (Object) (int) x;
    }

    private Object real(NeurocoreField f, JsonNode n) throws TargetSpecException {
        String fix = "set \"" + f.json() + "\" to " + f.allowed() + " (in " + f.unit() + ")";
        if (!n.isNumber()) {
            throw problem(f.json(), n, f.allowed(), n.isTextual() ? fix + ", without quotes" : fix);
        }
        double x = n.doubleValue();
        boolean below = f.kind() == NeurocoreField.Kind.REAL_POSITIVE ? x <= f.min() : x < f.min();
        if (!Double.isFinite(x) || below || x > f.max()) {
            throw problem(f.json(), n, f.allowed(), fix);
        }
        return x;
    }

    private List<String> leakList(NeurocoreField f, JsonNode n) throws TargetSpecException {
        String fix = "write for example \"" + f.json() + "\": [\"shift\", \"none\"]";
        boolean emptyAllowed = f.kind() == NeurocoreField.Kind.LEAK_SET_OR_EMPTY;
        if (!n.isArray() || (n.isEmpty() && !emptyAllowed)) {
            throw problem(f.json(), n, f.allowed(), fix);
        }
        List<String> forms = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String path = f.json() + "[" + i + "]";
            if (!e.isTextual() || !NeurocoreField.LeakForms.NAMES.contains(e.textValue())) {
                String near = e.isTextual()
                        ? Suggestions.closest(e.textValue(), NeurocoreField.LeakForms.NAMES).orElse(null) : null;
                throw problem(path, e, "one of " + NeurocoreField.LeakForms.quotedList(), near != null
                        ? "did you mean \"" + near + "\"?"
                        : "use one of " + NeurocoreField.LeakForms.quotedList() + " (docs/semantics.md, leak forms)");
            }
            if (forms.contains(e.textValue())) {
                throw problem(path, e, "each leak form once", "remove the repeated \"" + e.textValue() + "\"");
            }
            forms.add(e.textValue());
        }
        return forms;
    }

    private List<String> resetList(NeurocoreField f, JsonNode n) throws TargetSpecException {
        if (!n.isArray() || n.isEmpty()) {
            throw problem(f.json(), n, f.allowed(), "write for example \"" + f.json() + "\": [\"zero\", \"subtract\"]");
        }
        List<String> modes = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String path = f.json() + "[" + i + "]";
            List<String> names = NeurocoreField.ResetModes.NAMES;
            if (!e.isTextual() || !names.contains(e.textValue())) {
                String near = e.isTextual() ? Suggestions.closest(e.textValue(), names).orElse(null) : null;
                throw problem(path, e, "one of " + NeurocoreField.ResetModes.quotedList(), near != null
                        ? "did you mean \"" + near + "\"?"
                        : "use one of " + NeurocoreField.ResetModes.quotedList() + " (the reset keywords of docs/language.md)");
            }
            if (modes.contains(e.textValue())) {
                throw problem(path, e, "each reset mode once", "remove the repeated \"" + e.textValue() + "\"");
            }
            modes.add(e.textValue());
        }
        return modes;
    }

    private void checkRelations(ObjectNode root, Map<NeurocoreField, Object> v) throws TargetSpecException {
        int w = (Integer) v.get(NeurocoreField.MESH_WIDTH);
        int h = (Integer) v.get(NeurocoreField.MESH_HEIGHT);
        int cores = (Integer) v.get(NeurocoreField.CORES);
        if ((long) w * h < cores) {
            long slots = (long) w * h;
            throw problem("cores", root.get("cores"),
                    "at most mesh_width * mesh_height = " + w + " * " + h + " = " + slots,
                    "lower \"cores\" to " + slots + " or enlarge the mesh (mesh_width * mesh_height >= " + cores + ")");
        }
        int minW = (Integer) v.get(NeurocoreField.MIN_WEIGHT_BITS);
        int maxW = (Integer) v.get(NeurocoreField.MAX_WEIGHT_BITS);
        if (minW > maxW) {
            throw problem("min_weight_bits", root.get("min_weight_bits"),
                    "at most max_weight_bits = " + maxW + " (1 <= min_weight_bits <= max_weight_bits <= 16)",
                    "lower \"min_weight_bits\" to " + maxW + " or raise \"max_weight_bits\" to " + minW);
        }
        int membrane = (Integer) v.get(NeurocoreField.MEMBRANE_BITS);
        int threshold = (Integer) v.get(NeurocoreField.THRESHOLD_BITS);
        if (threshold > membrane - 1) {
            throw problem("threshold_bits", root.get("threshold_bits"),
                    "at most membrane_bits - 1 = " + (membrane - 1)
                            + " (a larger threshold than the membrane's positive range could never be reached)",
                    "lower \"threshold_bits\" to " + (membrane - 1) + " or raise \"membrane_bits\" to " + (threshold + 1));
        }
        int bias = (Integer) v.get(NeurocoreField.BIAS_BITS);
        if (bias > membrane) {
            throw problem("bias_bits", root.get("bias_bits"), "at most membrane_bits = " + membrane,
                    "lower \"bias_bits\" to " + membrane + " or raise \"membrane_bits\"");
        }
        int current = (Integer) v.get(NeurocoreField.SYNAPTIC_CURRENT_BITS);
        List<?> decays = (List<?>) v.get(NeurocoreField.SYNAPTIC_LEAK_FORMS);
        if (current == 1) {
            throw problem("synaptic_current_bits", root.get("synaptic_current_bits"),
                    "0 (no synaptic current) or 2..64", "a signed register needs at least 2 bits: set 0 or 2..64");
        }
        if (current > 0 && decays.isEmpty()) {
            throw new TargetSpecException(file, "field 'synaptic_leak_forms' is empty but synaptic_current_bits is "
                    + current + ": a synaptic current needs at least one decay form",
                    "list the decay forms of the current, for example \"synaptic_leak_forms\": [\"shift\"], or set"
                            + " \"synaptic_current_bits\": 0 if the chip has no synaptic current");
        }
        if (current == 0 && !decays.isEmpty()) {
            throw new TargetSpecException(file, "field 'synaptic_leak_forms' lists " + decays.size()
                    + " decay form(s) but synaptic_current_bits is 0 (no synaptic current)",
                    "set \"synaptic_leak_forms\": [] or give the current register's width in \"synaptic_current_bits\"");
        }
    }

    private Map<String, String> sources(ObjectNode root) throws TargetSpecException {
        JsonNode n = root.get("sources");
        if (n == null) {
            if (preset) {
                throw missing("sources", "an object from field name to the source of its figure");
            }
            return Map.of();
        }
        if (!n.isObject()) {
            throw problem("sources", n, "an object from field name to the source of its figure",
                    "write \"sources\": { \"cores\": \"paper, table or page\", ... }");
        }
        List<String> figures = NeurocoreField.jsonNames();
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "sources." + e.getKey();
            if (!figures.contains(e.getKey())) {
                throw new TargetSpecException(file, "field '" + path + "' names no field of the spec"
                        + Suggestions.didYouMean(e.getKey(), figures),
                        "key each source by the field whose figure it supports, for example \"cores\"");
            }
            if (!e.getValue().isTextual() || e.getValue().textValue().isBlank()) {
                throw problem(path, e.getValue(), "a non-empty string",
                        "write where the figure comes from: paper and table or section, or a documentation page");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        if (preset) {
            for (String f : figures) {
                if (!out.containsKey(f)) {
                    throw new TargetSpecException(file, "field 'sources." + f + "' is missing: every figure of a"
                            + " preset names its source",
                            "add \"" + f + "\": \"<paper and table, or documentation page>\" to \"sources\"");
                }
            }
        }
        return out;
    }

    private TargetSpecException missing(String field, String allowed) {
        return new TargetSpecException(file, "missing field '" + field + "'; allowed: " + allowed,
                "add \"" + field + "\" (every field is listed in " + DOCS + ")");
    }

    private TargetSpecException problem(String path, JsonNode value, String allowed, String fix) {
        return new TargetSpecException(file, "field '" + path + "' is " + shown(value) + "; allowed: " + allowed, fix);
    }

    private static String shown(JsonNode n) {
        String s = n.isTextual() ? n.toString() + " (a string)" : n.isContainerNode() ? "a JSON " + kindOf(n) : n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String kindOf(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "array";
            case OBJECT -> "object";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}

package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.io.Checksums;
import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.compiler.io.IoProblems;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a mapping folder (docs/targets.md, "Mapping files"): {@code mapping.json} and the synapse images it
 * names, nothing else. Every file listed in {@code files} must have its size and SHA-256; every
 * id, index, range and row is checked ({@link MappingChecks}) before anything runs, so that a
 * damaged or hand-edited folder gives one {@link MappingFileException} naming the file, the place
 * and the fix, never an exception from inside the emulator.
 */
public final class MappingFiles {

    /** The schema this reader understands. */
    public static final String SCHEMA = "spikeforge.mapping/1";
    public static final String MAPPING_JSON = "mapping.json";

    private static final String WHICH_FOLDER = "pass the folder that spikeforge compile MODEL --target NAME wrote"
            + " (OUT/neurocore-NAME)";

    private MappingFiles() {
    }

    public static Mapping read(Path dir) throws MappingFileException {
        if (!Files.isDirectory(dir)) {
            throw new MappingFileException(dir, null, Files.exists(dir) ? "not a folder" : "no such folder",
                    WHICH_FOLDER);
        }
        Path jsonFile = dir.resolve(MAPPING_JSON);
        if (!Files.exists(jsonFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new MappingFileException(jsonFile, null, "missing: the folder has no " + MAPPING_JSON, WHICH_FOLDER);
        }
        JsonPlace root = new JsonPlace(jsonFile, parse(jsonFile), "");
        if (!root.node().isObject()) {
            throw root.error("the file is not a JSON object");
        }
        String schema = root.string("schema");
        if (!SCHEMA.equals(schema)) {
            throw new MappingFileException(jsonFile, "schema", "schema is '" + schema + "' but this spikeforge reads "
                    + SCHEMA, "recompile with this version of spikeforge compile MODEL --target NAME");
        }
        Map<String, byte[]> files = checkFiles(dir, root);
        Mapping.Figures figures = figures(root.object("target"));
        Mapping.Numerics numerics = numerics(root.object("numerics"));
        numericsOfTheChip(root.object("target"), root.object("numerics"), numerics);
        JsonPlace in = root.object("input");
        Mapping.Input input = new Mapping.Input(in.ints("shape"), in.integer("size"), in.string("encoding"),
                in.integer("value_limit"));
        List<Mapping.Layer> layers = new ArrayList<>();
        List<JsonPlace> layerPlaces = root.list("layers");
        for (JsonPlace l : layerPlaces) {
            layers.add(LayerJson.layer(l));
        }
        if (numerics.currentBits() == 0 && layers.stream().anyMatch(l -> l.synapticDecay() != null)) {
            throw root.object("numerics").error("a layer has a synaptic current but numerics.current_bits is missing");
        }
        capabilitiesOfTheChip(root.object("target"), layerPlaces, layers);
        List<Mapping.Core> cores = new ArrayList<>();
        for (JsonPlace c : root.list("cores")) {
            cores.add(core(dir, c, files));
        }
        List<Mapping.Route> inputRoutes = new ArrayList<>();
        for (JsonPlace r : root.list("input_routes")) {
            inputRoutes.add(route(r));
        }
        int timesteps = root.integer("timesteps");
        if (timesteps < 1) {
            throw root.error("timesteps", "timesteps is " + timesteps + ", must be at least 1");
        }
        Mapping m = new Mapping(dir, root.string("model"), figures, timesteps, numerics, input, layers, cores,
                inputRoutes);
        MappingChecks.check(m, jsonFile, capacities(root.object("target")));
        return m;
    }

    /** The largest mapping.json read (a 1,000-core mapping's is a few MiB). */
    public static final long MAX_JSON_BYTES = 64L << 20;
    /** The largest file mapping.json may list (a synapse image: 2 bytes per weight). */
    public static final long MAX_LISTED_BYTES = 256L << 20;

    private static JsonNode parse(Path jsonFile) throws MappingFileException {
        byte[] bytes;
        try {
            bytes = InputFiles.read(jsonFile, MAPPING_JSON, MAX_JSON_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw new MappingFileException(jsonFile, null, e.problem(), e.help());
        }
        try {
            return new ObjectMapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? null : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new MappingFileException(jsonFile, where, "not valid JSON: " + e.getOriginalMessage(),
                    MappingFileException.RECOMPILE);
        } catch (IOException e) {
            throw new MappingFileException(jsonFile, null, "cannot read the file: " + e.getMessage(),
                    "check that the file is readable");
        }
    }

    /** Checks every entry of {@code files}; returns path -> bytes of each. */
    private static Map<String, byte[]> checkFiles(Path dir, JsonPlace root) throws MappingFileException {
        Map<String, byte[]> out = new HashMap<>();
        for (JsonPlace f : root.list("files")) {
            String rel = f.string("path");
            long bytes = f.longValue("bytes");
            String sha = f.string("sha256");
            Path file = inside(dir, rel, f, "path");
            if (out.containsKey(rel)) {
                throw f.error("path", "'" + rel + "' is listed twice");
            }
            if (bytes < 0 || bytes > MAX_LISTED_BYTES) {
                throw f.error("bytes", "bytes is " + bytes + ", outside 0 to " + MAX_LISTED_BYTES);
            }
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new MappingFileException(file, f.path(), "missing: " + MAPPING_JSON + " lists it but the folder"
                        + " has no such file", "copy the whole mapping folder, or " + MappingFileException.RECOMPILE);
            }
            byte[] data;
            try {
                long size = InputFiles.check(file, "file", MAX_LISTED_BYTES);
                if (size != bytes) {
                    throw new MappingFileException(file, f.path(), "the file has " + size + " bytes but "
                            + MAPPING_JSON + " says " + bytes + (size < bytes ? " (truncated" : " (changed")
                            + " after compiling)",
                            "copy the whole mapping folder again, or " + MappingFileException.RECOMPILE);
                }
                data = InputFiles.read(file, "file", bytes);
            } catch (InputFiles.NotUsable e) {
                throw new MappingFileException(file, f.path(), e.problem(), e.help());
            }
            String actual = sha256(data);
            if (!actual.equalsIgnoreCase(sha)) {
                throw new MappingFileException(file, f.path(), "SHA-256 is " + actual + " but " + MAPPING_JSON
                        + " says " + sha + " (the file was changed or damaged after compiling)",
                        "copy the whole mapping folder again, or " + MappingFileException.RECOMPILE);
            }
            out.put(rel, data);
        }
        return out;
    }

    /** The names a mapping folder has: report.json, and synapse images under cores/. */
    private static final java.util.regex.Pattern PLAIN_NAME =
            java.util.regex.Pattern.compile("(cores/)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}");

    /**
     * A plain relative name inside the folder: at most the one subfolder {@code cores/} the format
     * has, letters, digits, '_', '.' and '-' (so no absolute path, no "..", no control character).
     */
    private static Path inside(Path dir, String rel, JsonPlace at, String field) throws MappingFileException {
        if (!PLAIN_NAME.matcher(rel).matches()) {
            throw at.error(field, "'" + printable(rel) + "' is not a plain file name inside the mapping folder"
                    + " (report.json or cores/NAME, of letters, digits, '_', '.' and '-')");
        }
        return dir.resolve(rel);
    }

    /** {@code s} with control characters and lone surrogates as backslash-u escapes, for messages. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 200); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 200 ? b.append("...").toString() : b.toString();
    }

    static String sha256(byte[] bytes) {
        return Checksums.sha256(bytes);
    }

    private static Mapping.Figures figures(JsonPlace t) throws MappingFileException {
        return new Mapping.Figures(t.has("name") ? t.string("name") : "", t.number("clock_mhz"),
                nonNegative(t, "cycles_per_synaptic_op"), nonNegative(t, "cycles_per_neuron_update"),
                nonNegative(t, "cycles_per_hop"), nonNegative(t, "barrier_cycles"), t.number("synaptic_op_pj"),
                t.number("neuron_update_pj"), t.number("spike_hop_pj"), t.number("static_mw"),
                nonNegative(t, "max_spikes_per_core_per_step"), t.has("mesh_width") ? nonNegative(t, "mesh_width") : 0,
                t.has("mesh_height") ? nonNegative(t, "mesh_height") : 0, timing(t),
                t.has("input_cycles_per_spike") ? nonNegative(t, "input_cycles_per_spike") : 0, serialCores(t),
                t.has("pack_layers") && t.bool("pack_layers"));
    }

    /** target.core_schedule; absent in folders written before it existed, whose cores all ran at once. */
    private static boolean serialCores(JsonPlace t) throws MappingFileException {
        if (!t.has("core_schedule")) {
            return false;
        }
        String word = t.string("core_schedule");
        if (!word.equals("parallel") && !word.equals("serial")) {
            throw t.error("core_schedule", "core_schedule is '" + word + "', expected \"parallel\" or \"serial\"");
        }
        return word.equals("serial");
    }

    /** target.timing; absent in folders written before timing existed, which ran sequentially. */
    private static Timing timing(JsonPlace t) throws MappingFileException {
        if (!t.has("timing")) {
            return Timing.SEQUENTIAL;
        }
        String word = t.string("timing");
        Timing timing = Timing.of(word);
        if (timing == null) {
            throw t.error("timing", "timing is '" + word + "', expected \"sequential\" or \"pipelined\"");
        }
        return timing;
    }

    /**
     * The capacities of the chip that mapping.json embeds (target.cores, neurons_per_core,
     * axons_per_core, synapse_memory_bits_per_core, min_weight_bits), each 0 when the target does
     * not give it; spikeforge compile always writes them.
     */
    private static MappingChecks.Capacities capacities(JsonPlace t) throws MappingFileException {
        return new MappingChecks.Capacities(optional(t, "cores"), optional(t, "neurons_per_core"), optional(t, "axons_per_core"),
                t.has("synapse_memory_bits_per_core") ? t.longValue("synapse_memory_bits_per_core") : 0,
                optional(t, "min_weight_bits"));
    }

    private static int optional(JsonPlace t, String field) throws MappingFileException {
        return t.has(field) ? nonNegative(t, field) : 0;
    }

    private static int nonNegative(JsonPlace t, String field) throws MappingFileException {
        int v = t.integer(field);
        if (v < 0) {
            throw t.error(field, field + " is " + v + ", must be at least 0");
        }
        return v;
    }

    private static Mapping.Numerics numerics(JsonPlace n) throws MappingFileException {
        int weightBits = n.integer("weight_bits");
        if (weightBits < 2 || weightBits > 16) {
            throw n.error("weight_bits", "weight_bits is " + weightBits + "; synapse images hold 2 to 16 bits");
        }
        int membraneBits = n.integer("membrane_bits");
        if (membraneBits < 2 || membraneBits > 63) {
            throw n.error("membrane_bits", "membrane_bits is " + membraneBits + ", must be 2 to 63");
        }
        boolean wrap = choice(n, "overflow", "saturate", "wrap");
        boolean towardZero = choice(n, "shift_rounding", "floor", "toward_zero");
        boolean greater = choice(n, "threshold_compare", ">=", ">");
        int currentBits = 0;
        if (n.has("current_bits")) {
            currentBits = n.integer("current_bits");
            if (currentBits < 2 || currentBits > 63) {
                throw n.error("current_bits", "current_bits is " + currentBits + ", must be 2 to 63");
            }
        }
        boolean minLsb = false;
        if (n.has("decay_min_lsb")) {
            minLsb = n.bool("decay_min_lsb");
        }
        return new Mapping.Numerics(weightBits, membraneBits, wrap, towardZero, greater, currentBits, minLsb);
    }

    /**
     * The folder's numerics must be its chip's (docs/semantics.md section 4.12): a folder edited to
     * another rounding, comparison or overflow would run arithmetic the chip does not have.
     */
    private static void numericsOfTheChip(JsonPlace chip, JsonPlace numbers, Mapping.Numerics n)
            throws MappingFileException {
        String name = chip.has("name") ? chip.string("name") : "the target";
        same(numbers, "shift_rounding", n.shiftTowardZero() ? "toward_zero" : "floor", chip, name);
        same(numbers, "threshold_compare", n.greaterThan() ? ">" : ">=", chip, name);
        boolean chipMinLsb = chip.has("decay_min_lsb") && chip.bool("decay_min_lsb");
        if (n.decayMinLsb() != chipMinLsb) {
            throw numbers.error("decay_min_lsb", "numerics.decay_min_lsb is " + n.decayMinLsb() + " but " + name
                    + " (target.decay_min_lsb) " + (chipMinLsb ? "removes at least 1 LSB per decay" : "has no minimum decay"));
        }
        same(numbers, "overflow", n.wrap() ? "wrap" : "saturate", chip, name);
        int max = chip.integer("max_weight_bits");
        if (n.weightBits() > max) {
            throw numbers.error("weight_bits", "numerics.weight_bits is " + n.weightBits() + " but " + name
                    + " (target.max_weight_bits) stores at most " + max + " bits");
        }
        if (n.membraneBits() > chip.integer("membrane_bits")) {
            throw numbers.error("membrane_bits", "numerics.membrane_bits is " + n.membraneBits() + " but " + name
                    + " (target.membrane_bits) has " + chip.integer("membrane_bits") + "-bit membranes");
        }
        int chipCurrent = chip.has("synaptic_current_bits") ? chip.integer("synaptic_current_bits") : 0;
        if (n.currentBits() > chipCurrent) {
            throw numbers.error("current_bits", "numerics.current_bits is " + n.currentBits() + " but " + name
                    + (chipCurrent == 0 ? " keeps no synaptic current (target.synaptic_current_bits is 0 or absent)"
                    : " (target.synaptic_current_bits) has a " + chipCurrent + "-bit current register"));
        }
    }

    /**
     * What the chip can do (target.synaptic_leak_forms, recurrent_synapses, conv1d, max_pool; absent
     * = cannot), checked against the layers: a folder edited to a layer kind its chip lacks is refused.
     */
    private static void capabilitiesOfTheChip(JsonPlace chip, List<JsonPlace> layerPlaces, List<Mapping.Layer> layers)
            throws MappingFileException {
        String name = chip.has("name") ? chip.string("name") : "the target";
        java.util.Set<String> decays = new java.util.HashSet<>();
        if (chip.has("synaptic_leak_forms")) {
            for (JsonPlace f : chip.list("synaptic_leak_forms")) {
                if (!f.node().isTextual()) {
                    throw f.error("expected a leak form name (shift, multiplier or none)");
                }
                decays.add(f.node().textValue());
            }
        }
        boolean recurrent = flag(chip, "recurrent_synapses");
        boolean conv1d = flag(chip, "conv1d");
        boolean maxPool = flag(chip, "max_pool");
        for (int i = 0; i < layers.size(); i++) {
            Mapping.Layer l = layers.get(i);
            JsonPlace at = layerPlaces.get(i);
            if (l.synapticDecay() != null) {
                String form = l.synapticDecay().form().name().toLowerCase(java.util.Locale.ROOT);
                if (!decays.contains(form)) {
                    throw at.error("synaptic_current", "layer " + i + " (" + l.name() + ") has a synaptic current"
                            + " decaying by " + form + " but " + name + " (target.synaptic_leak_forms) decays its"
                            + " current by " + (decays.isEmpty() ? "nothing: it has no synaptic current"
                            : String.join(", ", new java.util.TreeSet<>(decays))));
                }
            }
            for (Mapping.SynapsePath p : l.synapses()) {
                boolean allowed = p instanceof Mapping.Recurrent ? recurrent
                        : p instanceof Mapping.Conv1d ? conv1d : !(p instanceof Mapping.MaxPool) || maxPool;
                if (!allowed) {
                    String field = p instanceof Mapping.Recurrent ? "recurrent_synapses"
                            : p instanceof Mapping.Conv1d ? "conv1d" : "max_pool";
                    throw at.error("synapses", "layer " + i + " (" + l.name() + ") has a " + p.kind() + " synapse but "
                            + name + " cannot run it (target." + field + " is false or absent)");
                }
            }
        }
    }

    private static boolean flag(JsonPlace chip, String field) throws MappingFileException {
        if (!chip.has(field)) {
            return false;
        }
        JsonPlace p = chip.get(field);
        if (!p.node().isBoolean()) {
            throw p.error("expected true or false, found " + p.node());
        }
        return p.node().booleanValue();
    }

    private static void same(JsonPlace numbers, String field, String value, JsonPlace chip, String name)
            throws MappingFileException {
        String chipValue = chip.string(field);
        if (!chipValue.equals(value)) {
            throw numbers.error(field, "numerics." + field + " is '" + value + "' but " + name + " (target." + field
                    + ") says '" + chipValue + "': the folder's arithmetic is not its chip's");
        }
    }

    /** False for {@code first}, true for {@code second}. */
    static boolean choice(JsonPlace p, String field, String first, String second) throws MappingFileException {
        String v = p.string(field);
        if (!v.equals(first) && !v.equals(second)) {
            throw p.error(field, field + " is '" + v + "', must be '" + first + "' or '" + second + "'");
        }
        return v.equals(second);
    }

    private static Mapping.Core core(Path dir, JsonPlace c, Map<String, byte[]> files) throws MappingFileException {
        String synFile = c.string("synapse_file");
        inside(dir, synFile, c, "synapse_file");
        byte[] data = files.get(synFile);
        if (data == null) {
            throw c.error("synapse_file", "'" + synFile + "' is not listed in files, so its checksum cannot be checked");
        }
        List<Mapping.Segment> segments = new ArrayList<>();
        long expected = 0;
        for (JsonPlace s : c.list("segments")) {
            Mapping.Segment seg = new Mapping.Segment(s.integer("synapse"), s.ints("rows"), s.integer("row_length"),
                    s.integer("offset"));
            if (seg.rowLength() < 1) {
                throw s.error("row_length", "row_length is " + seg.rowLength() + ", must be at least 1");
            }
            if (seg.offset() != expected) {
                throw s.error("offset", "offset is " + seg.offset() + " but the segments before it end at int16 value "
                        + expected + " (a synapse image is the concatenation of its segments, in order)");
            }
            expected += (long) seg.rows().length * seg.rowLength();
            segments.add(seg);
        }
        Path file = dir.resolve(synFile);
        if (data.length != 2 * expected) {
            throw new MappingFileException(file, "core " + c.integer("id"), "the image has "
                    + data.length + " bytes but the core's segments need " + 2 * expected + " (" + expected
                    + " int16 values)" + (data.length < 2 * expected ? ": the file is truncated" : ""),
                    MappingFileException.RECOMPILE);
        }
        short[] image = new short[(int) expected];
        for (int i = 0; i < image.length; i++) {
            image[i] = (short) ((data[2 * i] & 0xff) | (data[2 * i + 1] << 8));
        }
        List<Mapping.Route> routes = new ArrayList<>();
        for (JsonPlace r : c.list("routes")) {
            routes.add(route(r));
        }
        return new Mapping.Core(c.integer("id"), c.integer("x"), c.integer("y"), c.integer("layer"),
                c.ranges("neurons"), synFile, segments, c.integer("axons"), routes, image);
    }

    private static Mapping.Route route(JsonPlace r) throws MappingFileException {
        return new Mapping.Route(r.integer("to_core"), r.integer("hops"), r.ranges("sources"));
    }
}

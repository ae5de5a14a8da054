package dev.spikeforge.targets.neurocore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.Suggestions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where neurocore target specs come from: the built-in presets (JSON resources next to this class,
 * {@code presets/NAME.json}) and users' own files in the same schema. Both go through one reader,
 * so a user's chip is validated exactly like a preset, except that a preset must also name the
 * source of every figure.
 */
public final class NeurocoreSpecs {

    /** The schema id every spec file declares in its {@code schema} field. */
    public static final String SCHEMA = NeurocoreSpecReader.SCHEMA;

    private static final List<String> PRESETS =
            List.of("loihi_like", "truenorth_like", "spinnaker2_like", "xylo_like", "speck_like");
    private static final Map<String, NeurocoreSpec> LOADED = new ConcurrentHashMap<>();

    private NeurocoreSpecs() {
    }

    /** The built-in presets, in the order {@code spikeforge targets} lists them. */
    public static List<String> presetNames() {
        return PRESETS;
    }

    /** A built-in preset by name, for example {@code loihi_like}. */
    public static NeurocoreSpec preset(String name) throws TargetSpecException {
        if (!PRESETS.contains(name)) {
            throw new TargetSpecException(Path.of(name), "no neurocore preset named '" + name + "'"
                    + Suggestions.didYouMean(name, PRESETS),
                    "use one of " + String.join(", ", PRESETS) + ", or the path of a .json spec file");
        }
        NeurocoreSpec cached = LOADED.get(name);
        if (cached != null) {
            return cached;
        }
        Path where = Path.of("presets", name + ".json");
        String text;
        try (InputStream in = NeurocoreSpecs.class.getResourceAsStream("presets/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("preset resource missing from the jar: " + where);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read preset resource " + where, e);
        }
        NeurocoreSpec spec = NeurocoreSpecReader.read(text, where, true);
        LOADED.put(name, spec);
        return spec;
    }

    /** A user's spec file (UTF-8 JSON); sources are optional there. */
    public static NeurocoreSpec load(Path file) throws TargetSpecException {
        byte[] bytes;
        try {
            bytes = dev.spikeforge.compiler.io.InputFiles.read(file, "target spec", NeurocoreSpecReader.MAX_BYTES);
        } catch (dev.spikeforge.compiler.io.InputFiles.NotUsable e) {
            boolean missing = !Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            throw new TargetSpecException(file, missing ? "cannot read the file: no such file" : e.problem(),
                    missing ? "check the path; a relative path is taken from the model file's folder" : e.help());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TargetSpecException(file, "the file is not UTF-8 text",
                    "save it as UTF-8 JSON (is it a binary file?)");
        }
        return NeurocoreSpecReader.read(text, file, false);
    }

    /**
     * A preset name, or the path of a spec file; a relative path is resolved against
     * {@code relativeTo} (the model file's folder; null for the working directory). A word without
     * a path separator or {@code .json} ending is taken as a preset name.
     */
    public static NeurocoreSpec resolve(String nameOrPath, Path relativeTo) throws TargetSpecException {
        boolean looksLikeFile = nameOrPath.endsWith(".json") || nameOrPath.contains("/")
                || nameOrPath.contains(java.io.File.separator);
        if (!looksLikeFile) {
            return preset(nameOrPath);
        }
        Path p = Path.of(nameOrPath);
        if (!p.isAbsolute() && relativeTo != null) {
            p = relativeTo.resolve(p);
        }
        return load(p);
    }

    /**
     * The spec as a JSON document of its own schema (figures in schema order, then sources in the
     * same order): {@code load} of the written text gives the spec back.
     */
    public static ObjectNode toJson(NeurocoreSpec spec) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("schema", SCHEMA);
        doc.put("name", spec.name());
        doc.put("description", spec.description());
        for (NeurocoreField f : NeurocoreField.values()) {
            Object v = f.valueOf(spec);
            if (v instanceof Integer i) {
                doc.put(f.json(), i);
            } else if (v instanceof Long l) {
                doc.put(f.json(), l);
            } else if (v instanceof Double d) {
                doc.put(f.json(), d);
            } else if (v instanceof Boolean b) {
                doc.put(f.json(), b);
            } else if (v instanceof List<?> list) {
                ArrayNode a = doc.putArray(f.json());
                list.forEach(x -> a.add(x.toString()));
            } else {
                doc.put(f.json(), String.valueOf(v));
            }
        }
        ObjectNode sources = doc.putObject("sources");
        for (NeurocoreField f : NeurocoreField.values()) {
            String s = spec.sources().get(f.json());
            if (s != null) {
                sources.put(f.json(), s);
            }
        }
        return doc;
    }
}

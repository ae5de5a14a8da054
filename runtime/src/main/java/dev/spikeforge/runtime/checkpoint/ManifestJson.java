package dev.spikeforge.runtime.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The manifest's JSON form: UTF-8, two-space indent, {@code "key": value} as Python's json.dumps
 * writes it, '\n' line ends on every OS (Jackson's default is the platform's, which would make the
 * archive's bytes depend on where it was written), keys in insertion order, one final newline.
 */
final class ManifestJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            // A manifest with a key twice or text after the object is damaged, not "last one wins".
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private ManifestJson() {
    }

    static byte[] toBytes(ObjectNode manifest) {
        try {
            byte[] json = PRETTY.writeValueAsBytes(manifest);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a JSON tree always serialises", e);
        }
    }

    /** @throws JsonProcessingException when the bytes are not one JSON value */
    static JsonNode parse(byte[] json) throws JsonProcessingException {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    /**
     * The manifest as the reader will see it: "format" first and set, then the caller's fields in
     * their order, passed once through the JSON text. The pass makes read(write(c)) equal to c
     * even for nodes JSON cannot tell apart (a LongNode 5 reads back as an IntNode 5, a FloatNode
     * as a DoubleNode, binary as base64 text, NaN as the string "NaN").
     */
    static ObjectNode canonical(ObjectNode manifest) {
        ObjectNode ordered = MAPPER.createObjectNode();
        ordered.put("format", Checkpoint.FORMAT);
        if (manifest != null) {
            JsonNode format = manifest.get("format");
            if (format != null && !(format.isTextual() && format.textValue().equals(Checkpoint.FORMAT))) {
                throw new IllegalArgumentException("manifest \"format\" is " + format + "; a spikeforge checkpoint's is \""
                        + Checkpoint.FORMAT + "\" (leave it out and it is set)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = manifest.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("format")) {
                    ordered.set(f.getKey(), f.getValue());
                }
            }
        }
        try {
            return (ObjectNode) parse(toBytes(ordered));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("manifest does not survive a JSON round trip: " + e.getOriginalMessage(), e);
        }
    }
}

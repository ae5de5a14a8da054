package dev.spikeforge.runtime.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A saved training state: named arrays in a fixed order, and a JSON manifest. Immutable.
 *
 * <p>On disk it is a .npz archive (see {@link CheckpointWriter}): {@code numpy.load} lists every
 * array under its name, and the entry {@code manifest.json} holds the manifest. The manifest
 * always carries {@code "format": "spikeforge.checkpoint/1"} as its first field; what else it
 * holds (model source, epoch, optimiser settings, metrics, seed, engine version) is the trainer's
 * business. Names follow {@link ArrayNames}.
 */
public final class Checkpoint {

    /** The value of the manifest's "format" field; a reader refuses any other. */
    public static final String FORMAT = "spikeforge.checkpoint/1";
    /** The archive entry that holds the manifest. */
    public static final String MANIFEST_ENTRY = "manifest.json";

    private final Map<String, NdArray> arrays;
    private final ObjectNode manifest;

    private Checkpoint(Map<String, NdArray> arrays, ObjectNode manifest) {
        this.arrays = arrays;
        this.manifest = manifest;
    }

    /**
     * A checkpoint of these arrays, in the map's iteration order (use a LinkedHashMap), and this
     * manifest (copied; "format" is set, and may be absent from {@code manifest}).
     *
     * @throws IllegalArgumentException for an invalid array name, a null array, or a manifest
     *         whose "format" is another one
     */
    public static Checkpoint of(Map<String, NdArray> arrays, ObjectNode manifest) {
        Map<String, NdArray> copy = new LinkedHashMap<>();
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            ArrayNames.require(e.getKey());
            if (e.getValue() == null) {
                throw new IllegalArgumentException("array '" + e.getKey() + "' is null");
            }
            copy.put(e.getKey(), e.getValue());
        }
        return new Checkpoint(Collections.unmodifiableMap(copy), ManifestJson.canonical(manifest));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The array names in order. */
    public List<String> names() {
        return List.copyOf(arrays.keySet());
    }

    /** All arrays, in order; unmodifiable (the arrays themselves are immutable). */
    public Map<String, NdArray> arrays() {
        return arrays;
    }

    public Optional<NdArray> array(String name) {
        return Optional.ofNullable(arrays.get(name));
    }

    /** A copy of the manifest: changing it does not change this checkpoint. */
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    /** The manifest itself, for the writer; never modify. */
    ObjectNode manifestNode() {
        return manifest;
    }

    /** Equal when the arrays, their order and the manifest are equal: what makes equal files. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && arrays.equals(c.arrays)
                && new ArrayList<>(arrays.keySet()).equals(new ArrayList<>(c.arrays.keySet()))
                && manifest.equals(c.manifest);
    }

    @Override
    public int hashCode() {
        return arrays.hashCode() * 31 + manifest.hashCode();
    }

    /** For example {@code checkpoint(2 arrays: c1.weight float32 (6, 1, 5, 5), ...)}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("checkpoint(" + arrays.size() + " arrays");
        arrays.forEach((name, a) -> s.append(", ").append(name).append(' ').append(a));
        return s.append(')').toString();
    }

    /** Collects arrays in the order they are added. */
    public static final class Builder {
        private final Map<String, NdArray> arrays = new LinkedHashMap<>();
        private ObjectNode manifest;

        private Builder() {
        }

        /** @throws IllegalArgumentException when the name is invalid or already added */
        public Builder put(String name, NdArray array) {
            ArrayNames.require(name);
            if (arrays.containsKey(name)) {
                throw new IllegalArgumentException("array '" + name + "' is added twice");
            }
            arrays.put(name, array);
            return this;
        }

        public Builder manifest(ObjectNode m) {
            this.manifest = m;
            return this;
        }

        public Checkpoint build() {
            return Checkpoint.of(arrays, manifest);
        }
    }
}

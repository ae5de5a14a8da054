package dev.spikeforge.compiler.nir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node of a NIR graph: a primitive node or a nested graph. */
public sealed interface NirElement {

    /** NIR's class name, the {@code type} dataset: "LIF", "Affine", "NIRGraph", ... */
    String type();

    /** Metadata written with the node (a {@code metadata} group); empty when there is none. */
    Map<String, NirValue> metadata();

    /**
     * A primitive node: its type and one value per parameter, named exactly as in NIR's Python
     * classes ({@code weight}, {@code tau}, {@code v_threshold}, ...).
     */
    record NirNode(String type, Map<String, NirValue> params, Map<String, NirValue> metadata) implements NirElement {
        public NirNode {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        public NirNode(String type, Map<String, NirValue> params) {
            this(type, params, Map.of());
        }
    }

    /** A directed edge between two node names of the same graph. */
    record NirEdge(String from, String to) {
        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }

    /**
     * A graph (the file's top node, or a node nested in another graph): named nodes in the order
     * they were written or read, and the edges between them.
     */
    record NirGraph(Map<String, NirElement> nodes, List<NirEdge> edges, Map<String, NirValue> metadata)
            implements NirElement {
        public NirGraph {
            nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
            edges = List.copyOf(edges);
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        @Override
        public String type() {
            return "NIRGraph";
        }
    }
}

package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.nir.NirElement.NirGraph;

/**
 * The content of a {@code .nir} file: the NIR version that wrote it and the top graph.
 *
 * @param version the root {@code version} dataset, for example "1.0.7"
 */
public record NirFile(String version, NirGraph graph) {

    /** The NIR release whose layout spikeforge writes. */
    public static final String WRITTEN_VERSION = "1.0.7";
}

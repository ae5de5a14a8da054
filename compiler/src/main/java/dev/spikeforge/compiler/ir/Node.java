package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.source.SourcePos;

/**
 * One node of the network graph. Nodes are immutable and carry their source origin, their
 * inferred output shape, and the user-level layer they belong to ({@code c1} for both the
 * convolution {@code c1} and its neurons {@code c1.lif}). Semantic nodes never carry hardware
 * ids; mapping adds those in its own form.
 */
public sealed interface Node
        permits InputNode, Conv2dNode, Conv1dNode, DenseNode, AvgPoolNode, MaxPoolNode, FlattenNode, NeuronNode, DropoutNode,
                ResidualAddNode, ReadoutNode {

    /** Unique within the network. */
    String name();

    /** The user-level layer (a name of the .snn file) this node is part of. */
    String layer();

    Origin origin();

    /** Output shape per sample per step. */
    Shape shape();

    /** The kind as written in the language and in IR dumps: conv, dense, lif, ... */
    String kind();

    default SourcePos pos() {
        return origin().pos();
    }

    /**
     * The layer name as the user wrote it. A file that names two layers alike is reported, and
     * the later one is renamed {@code name#2} internally so the graph stays well formed; messages
     * never show that suffix.
     */
    default String userLayer() {
        return layer().replaceFirst("#\\d+$", "");
    }
}

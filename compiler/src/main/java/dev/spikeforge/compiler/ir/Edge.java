package dev.spikeforge.compiler.ir;

/** A directed connection from one node's output to another node's input. */
public record Edge(String from, String to) {

    @Override
    public String toString() {
        return from + " -> " + to;
    }
}

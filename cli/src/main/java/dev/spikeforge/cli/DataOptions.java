package dev.spikeforge.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads a dataset shares (a picocli mixin). */
final class DataOptions {

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training and N test samples.")
    Integer limit;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for ND4J's convolutions and products.")
    Integer threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;
}

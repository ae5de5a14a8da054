package dev.spikeforge.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that reads a dataset shares (a picocli mixin). */
final class DataOptions {

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training and N test samples.")
    Integer limit;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for the engines and ND4J (default: all cores).")
    Integer threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    /** What is wrong with the options, or null. */
    String problem() {
        return (limit != null && limit < 1) || (threads != null && threads < 1)
                ? "--limit and --threads take a number of at least 1" : null;
    }

    /** Only the dataset's folder, for commands that take no --limit or --threads. */
    static DataOptions of(Path dataDir, Integer threads) {
        DataOptions d = new DataOptions();
        d.dataDir = dataDir;
        d.threads = threads;
        return d;
    }
}

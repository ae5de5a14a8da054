package dev.spikeforge.spark;

import dev.spikeforge.compiler.io.Checksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a task of a sweep or a sharded verification does with what the driver broadcast: the
 * checkpoint's bytes become a file of the task's scratch folder, under the driver's file name,
 * once they are checked against the SHA-256 the driver took.
 */
final class TaskFiles {

    private TaskFiles() {
    }

    /**
     * Writes {@code bytes} to {@code scratch}/NAME (NAME the file name of {@code driverPath}) after
     * checking them against {@code sha256}; {@code again} says what to run again when they differ.
     */
    static Path checkpoint(byte[] bytes, String sha256, String driverPath, Path scratch, String again) throws IOException {
        if (!Checksums.sha256(bytes).equals(sha256)) {
            throw new IOException(driverPath + ": the checkpoint's bytes reached the task damaged (their SHA-256 differs);"
                    + " run " + again + " again");
        }
        Path local = localName(driverPath, scratch);
        Files.write(local, bytes);
        return local;
    }

    /** The task's copy of the driver's {@code driverPath}, for naming it back in messages. */
    static Path localName(String driverPath, Path scratch) {
        return scratch.resolve(Path.of(driverPath).getFileName());
    }
}

package dev.spikeforge.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** The check every loader makes before it looks for its files. */
final class Folders {

    private Folders() {
    }

    /** @param layout what the folder should hold, for the fix part of the message */
    static void requireFolder(Path dir, String layout) throws DatasetException {
        if (!Files.exists(dir)) {
            throw new DatasetException(dir, "no such folder", "check the path; " + layout);
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir, DataFiles.notAFolder(dir),
                    "name the folder that holds the dataset's files; " + layout);
        }
    }
}

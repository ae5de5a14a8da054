package dev.spikeforge.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saying why a file has no zip end record in the user's terms: "no end record" says what the
 * parser missed, not what happened to the file. The first bytes tell an empty file, a cut-off
 * zip, a lone .npy and something else apart.
 */
final class ArchiveProblems {

    private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    private static final byte[] NPY = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private ArchiveProblems() {
    }

    static CheckpointException damaged(Path file, Exception cause) {
        byte[] start;
        try (InputStream in = Files.newInputStream(file)) {
            start = in.readNBytes(8);
        } catch (IOException e) {
            start = new byte[0];
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (start.length == 0) {
            return new CheckpointException(file, "is empty (0 bytes)",
                    "the write that made it was interrupted, or it is not a checkpoint; use an earlier checkpoint", cause);
        }
        if (startsWith(start, ZIP_LOCAL) || startsWith(start, ZIP_EMPTY)) {
            return new CheckpointException(file, "is a truncated or corrupt zip archive (" + detail + ")",
                    "the file was cut short or damaged, for example by an interrupted copy or a full disk; "
                    + "copy it again or use an earlier checkpoint", cause);
        }
        if (startsWith(start, NPY)) {
            return new CheckpointException(file, "is a single .npy array, not a .npz checkpoint archive",
                    "read it with Npy.read; checkpoints are written by CheckpointWriter", cause);
        }
        return new CheckpointException(file, "is not a zip archive (it starts with the bytes " + Npy.hex(start) + ")",
                "a checkpoint is the .npz archive written by spikeforge or numpy.savez; check the path", cause);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

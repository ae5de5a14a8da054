package dev.spikeforge.runtime.checkpoint;

import java.io.IOException;

/**
 * Bytes that are not a .npy array spikeforge can read: a bad magic, an unsupported version or
 * dtype, a malformed header, or data of the wrong length. The message says which, with the
 * numbers, and is meant to be prefixed with the file or archive entry it came from.
 */
public class NpyFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }
}

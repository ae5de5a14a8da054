package dev.spikeforge.runtime.checkpoint;

import java.util.Locale;
import java.util.Optional;

/**
 * The element types a checkpoint array may have, each with its NumPy type string ("descr") as
 * numpy writes it on a little-endian machine: '<' for multi-byte types, '|' (no byte order) for
 * one-byte types. Arrays are always stored little-endian, whatever the host.
 */
public enum DType {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8),
    INT8("|i1", 1),
    UINT8("|u1", 1),
    INT16("<i2", 2),
    INT32("<i4", 4),
    INT64("<i8", 8),
    /** One byte per element, 0 or 1 (numpy's bool_). */
    BOOL("|b1", 1);

    private final String descr;
    private final int itemSize;

    DType(String descr, int itemSize) {
        this.descr = descr;
        this.itemSize = itemSize;
    }

    /** The NumPy type string written into .npy headers, for example {@code <f4}. */
    public String descr() {
        return descr;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /**
     * The type of a NumPy type string. One-byte types are accepted with any byte-order mark
     * ('|', '<', '=' or '>' all mean the same for one byte); multi-byte types only with '<'
     * (big-endian and native-order strings are refused by the caller with a fix).
     */
    public static Optional<DType> fromDescr(String descr) {
        for (DType t : values()) {
            if (t.descr.equals(descr)) {
                return Optional.of(t);
            }
            if (t.itemSize == 1 && descr.length() == 3 && "<=>|".indexOf(descr.charAt(0)) >= 0
                    && descr.substring(1).equals(t.descr.substring(1))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The lower-case numpy name (float32, uint8, bool), for messages. */
    public String numpyName() {
        return this == BOOL ? "bool" : name().toLowerCase(Locale.ROOT);
    }
}

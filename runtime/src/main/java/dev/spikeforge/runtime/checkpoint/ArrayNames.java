package dev.spikeforge.runtime.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The rules for array names. A name becomes the zip entry {@code NAME.npy} and the key numpy
 * shows ({@code z['c1.weight']}), so it must be a plain file name that no unzip tool turns into a
 * path, and it must not be confused with the manifest by numpy's key lookup.
 */
public final class ArrayNames {

    /** File systems limit a name to 255 bytes; the entry adds ".npy". */
    public static final int MAX_ENTRY_BYTES = 255;

    private ArrayNames() {
    }

    /** What is wrong with {@code name} as an array name, or empty when it is valid. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("an array name is empty");
        }
        String quoted = "array name '" + name + "'";
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Optional.of(quoted + " contains a '/' or '\\', which unzip turns into folders; "
                    + "separate the parts with '.', as in 'c1.weight'");
        }
        if (name.contains("..")) {
            return Optional.of(quoted + " contains '..', which unzip tools treat as a path escape");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return Optional.of("array name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a control character (code " + (int) c + ")");
            }
        }
        if (name.equals(Checkpoint.MANIFEST_ENTRY)) {
            return Optional.of(quoted + " clashes with the manifest: numpy would list both as '"
                    + Checkpoint.MANIFEST_ENTRY + "'");
        }
        if (name.endsWith(".npy")) {
            return Optional.of(quoted + " ends in '.npy': numpy looks z['x.npy'] up as the entry of array 'x'");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length + ".npy".length();
        if (bytes > MAX_ENTRY_BYTES) {
            return Optional.of(quoted.substring(0, 40) + "...' is " + bytes + " bytes as an entry name, over the "
                    + MAX_ENTRY_BYTES + " that file systems allow");
        }
        return Optional.empty();
    }

    /** @throws IllegalArgumentException naming the problem */
    static void require(String name) {
        Optional<String> p = problem(name);
        if (p.isPresent()) {
            throw new IllegalArgumentException(p.get());
        }
    }
}

package dev.spikeforge.runtime.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-made zip archives for tests: any entries, good or broken, in a given order. */
final class ZipBytes {

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    static ZipBytes builder() {
        return new ZipBytes();
    }

    ZipBytes put(String name, byte[] data) {
        entries.put(name, data);
        return this;
    }

    ZipBytes put(String name, String utf8) {
        return put(name, utf8.getBytes(StandardCharsets.UTF_8));
    }

    ZipBytes putArray(String name, NdArray a) {
        return put(name + ".npy", Npy.toBytes(a));
    }

    ZipBytes putManifest(String json) {
        return put(Checkpoint.MANIFEST_ENTRY, json);
    }

    /** A valid manifest of the current format. */
    ZipBytes putManifest() {
        return putManifest("{\"format\": \"" + Checkpoint.FORMAT + "\"}");
    }

    byte[] stored() {
        return build(false);
    }

    byte[] deflated() {
        return build(true);
    }

    private byte[] build(boolean deflate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Every occurrence of {@code from} replaced by {@code to} (same length): renames entries in
     * both the local headers and the central directory, for archives ZipOutputStream refuses to
     * make, such as two entries of one name.
     */
    static byte[] replace(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("replacement must keep the length");
        }
        byte[] out = zip.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            boolean match = true;
            for (int j = 0; j < f.length && match; j++) {
                match = out[i + j] == f[j];
            }
            if (match) {
                System.arraycopy(t, 0, out, i, t.length);
            }
        }
        return out;
    }
}

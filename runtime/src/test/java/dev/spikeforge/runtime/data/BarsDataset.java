package dev.spikeforge.runtime.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Four classes of 8x8 bars, as MNIST-format IDX files (gzipped, like the Debian package): a dataset
 * small models train on in seconds, for the cli's and the spark module's end-to-end tests (shared
 * through this module's test jar).
 */
public final class BarsDataset {

    private BarsDataset() {
    }

    public static void write(Path data, int train, int test) throws IOException {
        Files.createDirectories(data);
        writeSplit(data, "train", train, 1);
        writeSplit(data, "t10k", test, 2);
    }

    private static void writeSplit(Path data, String prefix, int count, long seed) throws IOException {
        byte[] pixels = new byte[count * 64];
        byte[] labels = new byte[count];
        long s = seed;
        for (int i = 0; i < count; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            int cls = (int) ((s >>> 33) % 4);
            int pos = 1 + (int) ((s >>> 40) % 6);
            labels[i] = (byte) cls;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = cls == 0 ? y == pos : cls == 1 ? x == pos : cls == 2 ? x == y : x == 7 - y;
                    pixels[i * 64 + y * 8 + x] = (byte) (on ? 230 : 10);
                }
            }
        }
        try (DataOutputStream o = gz(data.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            o.writeInt(0x803);
            o.writeInt(count);
            o.writeInt(8);
            o.writeInt(8);
            o.write(pixels);
        }
        try (DataOutputStream o = gz(data.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            o.writeInt(0x801);
            o.writeInt(count);
            o.write(labels);
        }
    }

    private static DataOutputStream gz(Path p) throws IOException {
        OutputStream f = Files.newOutputStream(p);
        return new DataOutputStream(new GZIPOutputStream(f));
    }
}

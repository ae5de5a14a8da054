package dev.spikeforge.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files and MNIST-layout folders for the tests. */
final class IdxFiles {

    private IdxFiles() {
    }

    /** Header (00 00 type rank, big-endian sizes) followed by {@code data} as given. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] ubyte(int[] dims, byte[] data) {
        return idx(IdxReader.UNSIGNED_BYTE, dims, data);
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pixel {@code p} of image {@code i}: distinct per image and position, and above 127 for some. */
    static byte pixel(int image, int p) {
        return (byte) (image * 37 + p * 11 + 200);
    }

    static byte[] images(int n, int h, int w) {
        byte[] data = new byte[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < h * w; p++) {
                data[i * h * w + p] = pixel(i, p);
            }
        }
        return data;
    }

    static byte[] labels(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) ((i * 3 + 1) % 10);
        }
        return data;
    }

    /** An MNIST-layout folder: train has {@code trainN} images of h x w, test {@code testN}. */
    static void writeMnist(Path dir, int trainN, int testN, int h, int w, boolean gzipped) {
        writeIdx(dir, MnistFormat.TRAIN_IMAGES, gzipped, new int[] {trainN, h, w}, images(trainN, h, w));
        writeIdx(dir, MnistFormat.TRAIN_LABELS, gzipped, new int[] {trainN}, labels(trainN));
        writeIdx(dir, MnistFormat.TEST_IMAGES, gzipped, new int[] {testN, h, w}, images(testN, h, w));
        writeIdx(dir, MnistFormat.TEST_LABELS, gzipped, new int[] {testN}, labels(testN));
    }

    private static void writeIdx(Path dir, String name, boolean gzipped, int[] dims, byte[] data) {
        byte[] bytes = ubyte(dims, data);
        write(dir, gzipped ? name + ".gz" : name, gzipped ? gzip(bytes) : bytes);
    }
}

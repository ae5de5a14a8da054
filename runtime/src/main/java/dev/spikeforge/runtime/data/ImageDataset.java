package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.ir.Shape;
import java.util.Objects;

/**
 * Labelled images, immutable. Pixels are unsigned bytes (0..255) stored sample-major and, within a
 * sample, channel-major (C, then H, then W): the order in which the IR flattens a C x H x W feature
 * map (docs/semantics.md section 9, "flatten"), so pixel {@code index} of a sample is input neuron
 * {@code index} of the network. Scaling to [0, 1] is left to the encoders, which own that rule.
 *
 * <p>Sizes that do not fit are {@link IllegalArgumentException}s: the loaders check user files
 * before they build a dataset, so a mismatch here is a bug in the caller.
 */
public final class ImageDataset {

    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final int sampleSize;
    private final byte[] pixels;
    private final byte[] labels;

    /** A dataset of copies of {@code pixels} and {@code labels}. */
    public ImageDataset(int count, int channels, int height, int width, int classes, byte[] pixels, byte[] labels) {
        this(count, channels, height, width, classes,
                Objects.requireNonNull(pixels, "pixels").clone(), Objects.requireNonNull(labels, "labels").clone(),
                null);
    }

    /** The constructor that owns the arrays; {@code Void} only tells it apart from the public one. */
    private ImageDataset(int count, int channels, int height, int width, int classes, byte[] pixels, byte[] labels,
                         Void owned) {
        if (count < 0 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("count must be >= 0 and channels, height, width >= 1: count " + count
                    + ", " + channels + "x" + height + "x" + width);
        }
        if (classes < 1 || classes > 256) {
            throw new IllegalArgumentException("classes must be 1..256 (labels are bytes): " + classes);
        }
        // Checked in two steps so that no product of three ints can overflow a long.
        if ((long) channels * height > Integer.MAX_VALUE || (long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a sample of " + channels + "x" + height + "x" + width
                    + " does not fit one array");
        }
        long size = (long) channels * height * width;
        if (size * count != pixels.length) {
            throw new IllegalArgumentException(count + " samples of " + channels + "x" + height + "x" + width
                    + " need " + size * count + " pixel bytes, got " + pixels.length);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException(count + " samples need " + count + " labels, got " + labels.length);
        }
        for (int i = 0; i < count; i++) {
            if ((labels[i] & 0xFF) >= classes) {
                throw new IllegalArgumentException("label " + (labels[i] & 0xFF) + " of sample " + i
                        + " is not below classes = " + classes);
            }
        }
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.sampleSize = (int) size;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** For the loaders of this package: takes both arrays without copying them. */
    static ImageDataset owning(int count, int channels, int height, int width, int classes,
                               byte[] pixels, byte[] labels) {
        return new ImageDataset(count, channels, height, width, classes, pixels, labels, null);
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Number of classes; every label is below it. */
    public int classes() {
        return classes;
    }

    /** Pixels per sample: channels x height x width. */
    public int sampleSize() {
        return sampleSize;
    }

    /** The shape of one sample as the IR writes it, to compare with the model's input layer. */
    public Shape sampleShape() {
        return Shape.chw(channels, height, width);
    }

    /** Pixel {@code index} (channel-major) of a sample, 0..255. */
    public int pixel(int sample, int index) {
        Objects.checkIndex(sample, count);
        Objects.checkIndex(index, sampleSize);
        return pixels[sample * sampleSize + index] & 0xFF;
    }

    public int pixel(int sample, int channel, int y, int x) {
        Objects.checkIndex(channel, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixel(sample, (channel * height + y) * width + x);
    }

    public int label(int sample) {
        return labels[Objects.checkIndex(sample, count)] & 0xFF;
    }

    /** Copies one sample's {@link #sampleSize()} pixel bytes into {@code dest}, for encoders' bulk reads. */
    public void copySample(int sample, byte[] dest, int destOffset) {
        Objects.checkIndex(sample, count);
        System.arraycopy(pixels, sample * sampleSize, dest, destOffset, sampleSize);
    }

    /** The samples at {@code indices}, in that order (an index may repeat). */
    public ImageDataset subset(int[] indices) {
        byte[] p = new byte[Math.multiplyExact(indices.length, sampleSize)];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], count);
            System.arraycopy(pixels, i * sampleSize, p, k * sampleSize, sampleSize);
            l[k] = labels[i];
        }
        return owning(indices.length, channels, height, width, classes, p, l);
    }

    /** The first {@code n} samples, or all of them when there are fewer (for quick runs). */
    public ImageDataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + n);
        }
        if (n >= count) {
            return this;
        }
        byte[] p = new byte[n * sampleSize];
        System.arraycopy(pixels, 0, p, 0, p.length);
        byte[] l = new byte[n];
        System.arraycopy(labels, 0, l, 0, n);
        return owning(n, channels, height, width, classes, p, l);
    }

    /** "60000 samples of 1x28x28, 10 classes". */
    @Override
    public String toString() {
        return count + " samples of " + channels + "x" + height + "x" + width + ", " + classes + " classes";
    }
}

package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.encode.SplitMix64;

/**
 * The train block's {@code augment} (docs/language.md): each training image, before it is
 * encoded, mirrored left to right with probability 1/2 ({@code hflip}) and then moved by dy rows
 * and dx columns, each drawn uniformly from -P..P ({@code shift(P)}); pixels moved in from outside
 * the image are 0. The draws of a sample depend only on the run's seed, the epoch and the sample's
 * index in the training set, so they do not depend on the batch, the thread count or a resumed run.
 */
public final class ImageAugment {

    /** The random stream of a sample's draws: {@link SplitMix64#forPurpose} with this purpose. */
    static final long PURPOSE_AUGMENT = 0xA06_3E47L;

    private final TrainSpec.Augment spec;
    private final long seed;
    /** For event recordings, the C x H x W frame each bin holds; null for images. */
    private final int[] frame;

    public ImageAugment(TrainSpec.Augment spec, long seed) {
        this(spec, seed, null);
    }

    private ImageAugment(TrainSpec.Augment spec, long seed, int[] frame) {
        if (spec.shift() < 0) {
            throw new IllegalArgumentException("shift " + spec.shift() + " < 0");
        }
        this.spec = spec;
        this.seed = seed;
        this.frame = frame;
    }

    /**
     * The augmentation of event recordings ({@link EventDataset}: a sample is T bins of C x H x W
     * counts, one bin per row): every bin of a sample moved and mirrored by the sample's one draw,
     * as a flip or a translation of the sensor moves all of a recording's events.
     */
    public static ImageAugment ofEventFrames(TrainSpec.Augment spec, long seed, int channels, int height, int width) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("frame " + channels + "x" + height + "x" + width);
        }
        return new ImageAugment(spec, seed, new int[] {channels, height, width});
    }

    /** What one sample of one epoch gets: rows down, columns right, and whether it is mirrored first. */
    public record Draw(int dy, int dx, boolean mirror) {
    }

    /** The draws of sample {@code sample} (its index in the training set) in epoch {@code epoch}, in this order: dy, dx, mirror. */
    public Draw draw(int epoch, int sample) {
        SplitMix64 r = SplitMix64.forPurpose(seed, PURPOSE_AUGMENT, ((long) epoch << 32) | Integer.toUnsignedLong(sample));
        int p = spec.shift();
        int dy = p > 0 ? r.nextInt(2 * p + 1) - p : 0;
        int dx = p > 0 ? r.nextInt(2 * p + 1) - p : 0;
        boolean mirror = spec.hflip() && r.nextInt(2) == 1;
        return new Draw(dy, dx, mirror);
    }

    /** The augmentation of one epoch, for {@code InputEncoder}. */
    public Epoch epoch(int epoch) {
        return new Epoch(epoch);
    }

    public final class Epoch {
        private final int epoch;

        private Epoch(int epoch) {
            this.epoch = epoch;
        }

        /**
         * Sample {@code sample} of {@code set} as this epoch presents it: {@code out[c * H * W + y * W
         * + x]} is the pixel that the draw moves to (y, x) of channel c, or 0.
         */
        public void pixels(ImageDataset set, int sample, int[] out) {
            if (frame == null) {
                apply(draw(epoch, sample), set, sample, out);
            } else {
                applyToBins(draw(epoch, sample), set, sample, frame[0], frame[1], frame[2], out);
            }
        }
    }

    /**
     * Event recording {@code sample} of {@code set} (1 x T x N, N = C * H * W: bin t is row t, its
     * byte (c * H + y) * W + x the count of channel c at (y, x)) with every bin changed by {@code d}
     * into {@code out}, as {@link #apply} changes an image.
     */
    public static void applyToBins(Draw d, ImageDataset set, int sample, int c, int h, int w, int[] out) {
        if (set.channels() != 1 || set.width() != c * h * w || out.length != set.sampleSize()) {
            throw new IllegalArgumentException("a sample of " + set.channels() + " x " + set.height() + " x "
                    + set.width() + " is not bins of " + c + "x" + h + "x" + w + " frames, or out holds " + out.length);
        }
        move(d, set, sample, set.height(), c, h, w, out);
    }

    /** Sample {@code sample} of {@code set} changed by {@code d} into {@code out} (C x H x W pixels). */
    public static void apply(Draw d, ImageDataset set, int sample, int[] out) {
        if (out.length != set.sampleSize()) {
            throw new IllegalArgumentException("out holds " + out.length + " pixels, a sample " + set.sampleSize());
        }
        move(d, set, sample, 1, set.channels(), set.height(), set.width(), out);
    }

    /**
     * {@code frames} C x H x W frames of a sample, one after another, each moved by {@code d}: out's
     * (y, x) of channel c takes the input's (y - dy, x') with x' = x - dx, or W - 1 - x' when mirrored;
     * 0 where that falls outside the frame.
     */
    private static void move(Draw d, ImageDataset set, int sample, int frames, int c, int h, int w, int[] out) {
        int n = c * h * w;
        for (int f = 0; f < frames; f++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    int sy = y - d.dy();
                    for (int x = 0; x < w; x++) {
                        int sx = x - d.dx();
                        int o = f * n + (ch * h + y) * w + x;
                        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                            out[o] = 0;
                        } else {
                            out[o] = set.pixel(sample, f * n + (ch * h + sy) * w + (d.mirror() ? w - 1 - sx : sx));
                        }
                    }
                }
            }
        }
    }
}

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

    public ImageAugment(TrainSpec.Augment spec, long seed) {
        if (spec.shift() < 0) {
            throw new IllegalArgumentException("shift " + spec.shift() + " < 0");
        }
        this.spec = spec;
        this.seed = seed;
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
            apply(draw(epoch, sample), set, sample, out);
        }
    }

    /** Sample {@code sample} of {@code set} changed by {@code d} into {@code out} (C x H x W pixels). */
    public static void apply(Draw d, ImageDataset set, int sample, int[] out) {
        int h = set.height();
        int w = set.width();
        if (out.length != set.sampleSize()) {
            throw new IllegalArgumentException("out holds " + out.length + " pixels, a sample " + set.sampleSize());
        }
        for (int c = 0; c < set.channels(); c++) {
            for (int y = 0; y < h; y++) {
                int sy = y - d.dy();
                for (int x = 0; x < w; x++) {
                    int sx = x - d.dx();
                    int o = (c * h + y) * w + x;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                        out[o] = 0;
                    } else {
                        out[o] = set.pixel(sample, c, sy, d.mirror() ? w - 1 - sx : sx);
                    }
                }
            }
        }
    }
}

package dev.spikeforge.runtime.audio;

import java.util.Arrays;

/**
 * A piece of sound: its sample rate and its samples per channel, {@code samples[c][i]} the value of
 * channel c at frame i, full scale [-1, 1] ({@link WavEncoding} gives each file format's scaling).
 * The layout is torchaudio's (channels, frames) tensor. Immutable: the arrays are copied in and out.
 *
 * @param rate frames per second, at least 1
 * @param samples one array per channel, at least one channel, all of the same length
 */
public record Audio(int rate, float[][] samples) {

    public Audio {
        if (rate <= 0) {
            throw new IllegalArgumentException("audio: sample rate must be at least 1 Hz, got " + rate);
        }
        if (samples.length == 0) {
            throw new IllegalArgumentException("audio: needs at least one channel, got none");
        }
        samples = copy(samples);
        for (int c = 1; c < samples.length; c++) {
            if (samples[c].length != samples[0].length) {
                throw new IllegalArgumentException("audio: channel " + c + " has " + samples[c].length
                        + " frames, channel 0 has " + samples[0].length + "; every channel needs the same length");
            }
        }
    }

    /** One channel of sound. */
    public static Audio mono(int rate, float[] samples) {
        return new Audio(rate, new float[][] {samples});
    }

    public int channels() {
        return samples.length;
    }

    /** Samples per channel. */
    public int frames() {
        return samples[0].length;
    }

    /** The length in seconds, frames / rate. */
    public double seconds() {
        return frames() / (double) rate;
    }

    /** A copy of every channel. */
    @Override
    public float[][] samples() {
        return copy(samples);
    }

    /** A copy of channel {@code c}. */
    public float[] channel(int c) {
        return samples[c].clone();
    }

    /**
     * The mixdown to one channel: the mean of the channels at each frame,
     * {@code m[i] = (sum_c x[c][i]) / C}, summed in double and rounded to float once. This averages
     * the waveform, before any feature; torchaudio's {@code waveform.mean(dim=0)} gives the same
     * float for two channels (the sum of two floats and its halving are exact in double) and may
     * differ by one float ulp for three or more. Averaging per-channel features instead is
     * {@link Mfcc#compute(Audio)} followed by a mean over channels, which is not the same.
     */
    public float[] mixdown() {
        int n = frames();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (float[] channel : samples) {
                sum += channel[i];
            }
            out[i] = (float) (sum / samples.length);
        }
        return out;
    }

    /** This sound mixed down to one channel ({@link #mixdown()}); itself when it has one already. */
    public Audio toMono() {
        return channels() == 1 ? this : mono(rate, mixdown());
    }

    private static float[][] copy(float[][] a) {
        float[][] out = new float[a.length][];
        for (int c = 0; c < a.length; c++) {
            out[c] = a[c].clone();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Audio other && rate == other.rate && Arrays.deepEquals(samples, other.samples);
    }

    @Override
    public int hashCode() {
        return 31 * rate + Arrays.deepHashCode(samples);
    }

    @Override
    public String toString() {
        return "Audio[" + rate + " Hz, " + channels() + " channel(s), " + frames() + " frames]";
    }
}

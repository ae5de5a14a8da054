package dev.spikeforge.runtime.audio;

import dev.spikeforge.runtime.data.DatasetException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WAV file as a front end takes it (docs/semantics.md section 12.1): mixed down to mono (the mean
 * of the channels), resampled to the dataset's rate ({@link Resampler}, torchaudio's default
 * resampling) when the file has another rate, then cut at its end or zero-padded at its end to the
 * dataset's length.
 */
public final class AudioClips {

    private static final Map<List<Integer>, Resampler> RESAMPLERS = new ConcurrentHashMap<>();

    private AudioClips() {
    }

    /** {@code file} as {@code samples} mono samples at {@code rate} Hz. */
    public static float[] load(Path file, int rate, int samples) throws DatasetException {
        return fit(mono(WavReader.read(file), rate), samples);
    }

    /** The mono mixdown of {@code audio} at {@code rate} Hz, its whole length. */
    public static float[] mono(Audio audio, int rate) {
        float[] mono = audio.mixdown();
        if (audio.rate() == rate) {
            return mono;
        }
        // a dataset's files mostly share a rate: each pair's kernel is built once
        return RESAMPLERS.computeIfAbsent(List.of(audio.rate(), rate), k -> new Resampler(k.get(0), k.get(1))).apply(mono);
    }

    /** The first {@code samples} values of {@code x}, zero-padded at the end when it is shorter. */
    public static float[] fit(float[] x, int samples) {
        return x.length == samples ? x : Arrays.copyOf(x, samples);
    }
}

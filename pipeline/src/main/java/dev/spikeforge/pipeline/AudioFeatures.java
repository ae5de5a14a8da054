package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.dsl.FrontendSyntax;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.audio.Audio;
import dev.spikeforge.runtime.audio.AudioClips;
import dev.spikeforge.runtime.audio.Filterbank;
import dev.spikeforge.runtime.audio.MfccFrontend;
import dev.spikeforge.runtime.audio.WavReader;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.checkpoint.Npy;
import dev.spikeforge.runtime.data.DatasetException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * A front end run on one WAV file, for comparison with other tools (docs/semantics.md section
 * 12): the MFCCs as float32 [n_mfcc, frames] (torchaudio's layout for one channel), the bytes a
 * model reads as uint8 [n_mfcc, frames], or the filterbank's events as uint8 [steps, channels].
 */
public final class AudioFeatures {

    private AudioFeatures() {
    }

    /** What was computed: the array and a one-line description. */
    public record Result(NdArray array, String description) {
    }

    /**
     * @param frontend the front end as written in a .snn file ({@code mfcc(n_mfcc = 20)})
     * @param rate     the rate to resample to, or 0 for the file's own rate
     * @param seconds  the length to cut or pad to, or 0 for the whole file
     * @param input    for mfcc, the model's input bytes instead of the coefficients
     */
    public static Result compute(Path wav, String frontend, int rate, double seconds, boolean input)
            throws PipelineException {
        Audio audio;
        try {
            audio = WavReader.read(wav);
        } catch (DatasetException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
        int r = rate > 0 ? rate : audio.rate();
        FrontendSyntax.Result parsed = FrontendSyntax.parse(frontend, r);
        if (!parsed.ok()) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "--frontend '" + frontend + "': "
                    + parsed.problems().stream().map(AudioFeatures::problem).collect(Collectors.joining("; ")));
        }
        float[] clip = AudioClips.mono(audio, r);
        if (seconds > 0) {
            clip = AudioClips.fit(clip, TrainSpec.AudioDataset.samples(r, seconds));
        }
        String from = wav.getFileName() + " (" + audio.channels() + " channel" + (audio.channels() == 1 ? "" : "s")
                + (audio.channels() > 1 ? " mixed down" : "") + ", " + audio.rate() + " Hz"
                + (r != audio.rate() ? " resampled to " + r + " Hz" : "") + ", " + clip.length + " samples)";
        if (parsed.frontend() instanceof Frontend.Filterbank f) {
            Filterbank bank = new Filterbank(f, r);
            int steps = bank.steps(clip.length);
            byte[] events = bank.events(Filterbank.pcm(clip), steps);
            int count = 0;
            for (byte b : events) {
                count += b;
            }
            return new Result(NdArray.ofUnsignedBytes(events, steps, f.channels()), "events of " + from + ": uint8 ["
                    + steps + ", " + f.channels() + "], " + count + " events, " + f.snn());
        }
        Frontend.Mfcc m = (Frontend.Mfcc) parsed.frontend();
        MfccFrontend front = new MfccFrontend(m, r);
        if (clip.length < front.minimumSamples()) {
            throw PipelineException.of(PipelineException.Kind.INPUT, wav + ": " + clip.length + " samples, but mfcc's"
                    + " centred frames need more than n_fft / 2 = " + m.nFft() / 2 + " (torchaudio refuses them too);"
                    + " use a longer clip, or --seconds to pad it");
        }
        double[][] c = front.features(clip);
        int frames = c[0].length;
        if (input) {
            return new Result(NdArray.ofUnsignedBytes(front.bytes(c), m.nMfcc(), frames), "model input bytes of " + from
                    + ": uint8 [" + m.nMfcc() + ", " + frames + "], " + m.snn());
        }
        float[] flat = new float[m.nMfcc() * frames];
        for (int k = 0; k < m.nMfcc(); k++) {
            for (int f = 0; f < frames; f++) {
                flat[k * frames + f] = (float) c[k][f];
            }
        }
        return new Result(NdArray.of(flat, m.nMfcc(), frames), "MFCC of " + from + ": float32 [" + m.nMfcc() + ", "
                + frames + "], " + m.snn());
    }

    /** Writes {@code result}'s array as a .npy file, atomically. */
    public static void write(Result result, Path out) throws PipelineException {
        try {
            AtomicFiles.write(out, Npy.toBytes(result.array()));
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, out + ": cannot write: " + IoProblems.reason(e)
                    + "; check that the folder exists and is writable");
        }
    }

    private static String problem(Diagnostic d) {
        return d.message() + (d.help() == null ? "" : " (" + d.help() + ")");
    }
}

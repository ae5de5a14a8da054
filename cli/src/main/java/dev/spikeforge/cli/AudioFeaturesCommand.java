package dev.spikeforge.cli;

import dev.spikeforge.pipeline.AudioFeatures;
import dev.spikeforge.pipeline.PipelineException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code audio features FILE.wav --frontend F -o X.npy}. */
@Command(name = "features",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Write a front end's output for one WAV file as a .npy array:",
                "mfcc: float32 [n_mfcc, frames], torchaudio's MFCC of the mono mixdown (--input: the uint8 bytes a",
                "model reads); filterbank: uint8 [steps, channels], 1 where a channel fires in a step."},
        footer = {"", "Example: spikeforge audio features clip.wav --frontend 'mfcc(n_mfcc = 20)' -o clip.npy",
                "", "Exit codes: 0 ok, 2 usage error, 3 unreadable WAV or unwritable output."})
final class AudioFeaturesCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.wav", description = "The sound file.")
    Path wav;

    @Option(names = "--frontend", required = true, paramLabel = "FRONTEND",
            description = "The front end as a .snn file writes it: 'mfcc(n_mfcc = 20)', 'filterbank(16)'.")
    String frontend;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "0",
            description = "Resample to this rate first (default: the file's own rate).")
    int rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0",
            description = "Cut or zero-pad the clip at its end to this length (default: the whole file).")
    double seconds;

    @Option(names = "--input", description = "For mfcc: write the model's input bytes instead of the coefficients.")
    boolean input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "X.npy", description = "The file to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (rate < 0 || rate > 384000 || (rate > 0 && rate < 1000)) {
            return Cli.usage(spec, "--rate takes 1000 to 384000 Hz, got " + rate);
        }
        if (!(seconds >= 0) || seconds > 600) {
            return Cli.usage(spec, "--seconds takes 0 to 600, got " + seconds);
        }
        try {
            AudioFeatures.Result r = AudioFeatures.compute(wav, frontend, rate, seconds, input);
            AudioFeatures.write(r, out);
            Cli.print(spec, List.of("wrote " + out + ": " + r.description()));
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }
}

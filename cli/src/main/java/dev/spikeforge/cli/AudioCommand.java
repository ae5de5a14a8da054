package dev.spikeforge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spikeforge audio features}: the audio front ends on one file. */
@Command(name = "audio",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Run an audio front end (mfcc or filterbank, docs/language.md) on a WAV file,",
                "to compare its output with other tools."},
        subcommands = {AudioFeaturesCommand.class})
final class AudioCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

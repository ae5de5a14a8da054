package dev.spikeforge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code spikeforge nir export | import | info | check}: NIR files, the graph format of the SNN ecosystem. */
@Command(name = "nir",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Exchange models with the SNN ecosystem through NIR files.",
                "NIR (github neuromorphs/NIR; spikeforge writes the layout of release 1.0.7) is read and written by",
                "snnTorch, Norse, Lava, Rockpool, Sinabs and SpiNNaker2. docs/nir.md states the mapping."},
        subcommands = {NirExportCommand.class, NirImportCommand.class, NirInfoCommand.class, NirCheckCommand.class})
final class NirCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

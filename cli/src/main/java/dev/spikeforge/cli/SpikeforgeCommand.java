package dev.spikeforge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code spikeforge} command; the work is done by its subcommands. */
@Command(name = "spikeforge",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Spiking neural networks from a text description to neuromorphic hardware.",
        subcommands = {CheckCommand.class, TrainCommand.class, EvalCommand.class, CompileCommand.class,
                VerifyCommand.class, TargetsCommand.class, EmulateCommand.class, RtlSimCommand.class, SynthCommand.class, ProfileCommand.class, RunCommand.class,
                NirCommand.class, SimCommand.class, AudioCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 input error, 4 internal error."})
public final class SpikeforgeCommand implements Runnable {

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT,
            description = "Show the Java stack trace of an internal error.")
    boolean stacktrace;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

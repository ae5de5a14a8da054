package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.PipelineListener;
import dev.spikeforge.pipeline.report.Units;
import dev.spikeforge.runtime.train.Trainer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command shares: a pipeline session that reports to standard error, and one way to
 * turn a stage's failure into its message and exit code.
 */
final class Cli {

    private Cli() {
    }

    /** A session for {@code spec}'s command, with the data options when it has them. */
    static Pipeline pipeline(CommandSpec spec, DataOptions data) {
        return Pipeline.builder().threads(data == null ? null : data.threads).dataDir(data == null ? null : data.dataDir)
                .limit(data == null ? null : data.limit).listener(new Reporter(spec)).version("spikeforge "
                        + VersionProvider.version()).build();
    }

    /** Prints a failure the way every command does and returns its exit code. */
    static int fail(CommandSpec spec, PipelineException e) {
        PrintWriter err = spec.commandLine().getErr();
        if (!e.diagnostics().isEmpty()) {
            err.print(DiagnosticRenderer.render(e.source(), e.diagnostics()));
            if (e.getMessage() != null && !e.getMessage().isEmpty()) {
                err.println(name(spec) + ": error: " + e.getMessage());
            }
        } else if (e.located()) {
            err.println(e.getMessage());
        } else {
            err.println(name(spec) + ": error: " + e.getMessage());
        }
        err.flush();
        return switch (e.kind()) {
            case CHECK_FAILED -> ExitCodes.CHECK_FAILED;
            case USAGE -> ExitCodes.USAGE;
            case INPUT -> ExitCodes.INPUT_ERROR;
        };
    }

    /** A usage error of the options themselves. */
    static int usage(CommandSpec spec, String message) {
        spec.commandLine().getErr().println(name(spec) + ": " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.USAGE;
    }

    /** {@code spikeforge verify}, {@code spikeforge nir check}. */
    static String name(CommandSpec spec) {
        return spec.qualifiedName();
    }

    static void print(CommandSpec spec, List<String> lines) {
        PrintWriter out = spec.commandLine().getOut();
        lines.forEach(out::println);
        out.flush();
    }

    static void print(CommandSpec spec, ObjectNode json) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Units.json(json));
        out.flush();
    }

    /** The pipeline's progress, warnings and training epochs, on standard error. */
    private static final class Reporter implements PipelineListener {
        private final CommandSpec spec;
        private final PrintWriter err;
        private final ProgressLine progress;

        Reporter(CommandSpec spec) {
            this.spec = spec;
            this.err = spec.commandLine().getErr();
            this.progress = new ProgressLine(err, System.console() != null);
        }

        @Override
        public void stage(String what) {
            err.println("== " + what);
            err.flush();
        }

        @Override
        public void progress(String label, long done, long total, String details, double perSecond) {
            progress.update(label, done, total, details, perSecond);
        }

        @Override
        public void warning(String message) {
            err.println(name(spec) + ": warning: " + message);
            err.flush();
        }

        @Override
        public void diagnostics(SourceFile source, List<Diagnostic> diagnostics) {
            err.print(DiagnosticRenderer.render(source, diagnostics));
            err.flush();
        }

        @Override
        public void trainingBatch(String label, int done, int of, double loss, double accuracy, double perSecond) {
            progress.update(label, done, of, String.format(Locale.ROOT, "loss %.4f  acc %5.1f%%  %.0f samples/s", loss,
                    100 * accuracy, perSecond), perSecond);
        }

        @Override
        public void trainingEpoch(String label, Trainer.EpochResult r, int testSamples) {
            String validation = r.validated() ? String.format(Locale.ROOT, ", validation %.2f%% (%d samples)",
                    100 * r.validationAccuracy(), r.validationSamples()) : "";
            err.printf(Locale.ROOT, "%s: test accuracy %.2f%% (%d samples)%s, %.1f s%n", label, 100 * r.testAccuracy(),
                    testSamples, validation, r.seconds());
            err.flush();
        }
    }
}

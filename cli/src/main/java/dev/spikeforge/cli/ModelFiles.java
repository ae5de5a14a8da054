package dev.spikeforge.cli;

import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading a model file for a command that needs a valid model; every failure is one exit code. */
final class ModelFiles {

    /** A model that could be used, or the exit code that says why not (message already printed). */
    record Loaded(Compilation compilation, int exitCode) {
        Network network() {
            return compilation.network();
        }

        boolean ok() {
            return exitCode == ExitCodes.OK;
        }
    }

    private ModelFiles() {
    }

    static Loaded load(Path file, PrintWriter err) {
        SourceFile source;
        try {
            source = SourceFile.read(file);
        } catch (IOException e) {
            err.println(file + ": error: cannot read the file: " + readError(e));
            return new Loaded(null, ExitCodes.INPUT_ERROR);
        }
        Compilation c = SnnFrontEnd.compile(source);
        if (!c.diagnostics().isEmpty()) {
            err.print(DiagnosticRenderer.render(c.source(), c.diagnostics()));
        }
        return new Loaded(c, c.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED);
    }

    static String readError(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e.getMessage() != null && e.getMessage().contains("Is a directory")) {
            return "it is a directory";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

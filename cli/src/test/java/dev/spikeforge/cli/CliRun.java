package dev.spikeforge.cli;

import java.io.PrintWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/** One in-process run of the command line with captured output. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        // Buffered byte streams with auto-flush, as main has: text a command prints without a
        // newline-flush reaches the caller only if Main.run flushes before it returns.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

package dev.spikeforge.cli;

import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.nir.NirElement;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirExport;
import dev.spikeforge.compiler.nir.NirFile;
import dev.spikeforge.compiler.nir.NirFormatException;
import dev.spikeforge.compiler.nir.NirImport;
import dev.spikeforge.compiler.nir.NirStore;
import dev.spikeforge.compiler.nir.NirValue;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.train.TrainingCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge nir export | import | info}: NIR files, the graph format of the SNN ecosystem. */
@Command(name = "nir",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Exchange models with the SNN ecosystem through NIR files.",
                "NIR (github neuromorphs/NIR; spikeforge writes the layout of release 1.0.7) is read and written by",
                "snnTorch, Norse, Lava, Rockpool, Sinabs and SpiNNaker2. docs/nir.md states the mapping."},
        subcommands = {NirCommand.Export.class, NirCommand.Import.class, NirCommand.Info.class, NirCommand.Check.class})
final class NirCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code nir export MODEL [--checkpoint C] -o FILE.nir}. */
    @Command(name = "export",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = {"Write a model and its trained weights as a NIR file.",
                    "Neurons become LIF/IF nodes with tau = dt/(1 - beta), r = tau/dt, v_leak = 0, v_reset = 0;",
                    "subtract-reset, time steps, encoding and the deploy block go into the metadata."},
            footer = {"", "Exit codes: 0 ok, 1 invalid model, 2 usage error, 3 unreadable model or checkpoint,",
                    "or a file that cannot be written."})
    static final class Export implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
        Path modelFile;

        @Option(names = "--checkpoint", paramLabel = "FILE", description = {"Trained weights (.npz). Without it the",
                "model's initial weights (from its seed) are exported, with a warning."})
        Path checkpoint;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.nir", description = "The NIR file to write.")
        Path out;

        @Option(names = "--dt", paramLabel = "SECONDS", defaultValue = "1e-4", description = {"The time step NIR's",
                "continuous time constants are stated in (default: ${DEFAULT-VALUE} s, snnTorch's)."})
        double dt;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!(dt > 0) || !Double.isFinite(dt)) {
                err.println("spikeforge nir export: --dt takes a positive number of seconds, got " + dt);
                return ExitCodes.USAGE;
            }
            ModelFiles.Loaded loaded = ModelFiles.load(modelFile, err);
            if (!loaded.ok()) {
                return loaded.exitCode();
            }
            Network net = loaded.network();
            Map<String, float[]> weights = weights("export", net, checkpoint, err);
            if (weights == null) {
                return ExitCodes.INPUT_ERROR;
            }
            NirExport.Result r = NirExport.export(net, weights, dt, "spikeforge " + VersionProvider.version());
            r.warnings().forEach(w -> err.println("spikeforge nir export: warning: " + w));
            try {
                NirStore.standard().write(out, r.file());
            } catch (IOException e) {
                err.println("spikeforge nir export: error: " + out + ": cannot write the file: " + ModelFiles.readError(e)
                        + "; check that the folder is writable and the disk is not full");
                return ExitCodes.INPUT_ERROR;
            }
            NirGraph g = r.file().graph();
            stdout.println("wrote " + out + ": model '" + net.name() + "' as NIR " + r.file().version() + ", "
                    + g.nodes().size() + " nodes, " + g.edges().size() + " edges, dt = " + dt + " s");
            stdout.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code nir import FILE.nir -o MODEL.snn [--checkpoint-out C]}. */
    @Command(name = "import",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = {"Turn a NIR graph into a .snn model and a checkpoint of its weights.",
                    "check, eval, compile, verify and profile then take them like any trained model."},
            footer = {"", "Exit codes: 0 ok, 1 the imported model is not valid, 2 usage error,",
                    "3 unreadable NIR file, a graph spikeforge cannot express, or a file that cannot be written."})
    static final class Import implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE.nir", description = "The NIR file.")
        Path in;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "MODEL.snn", description = "The model file to write.")
        Path out;

        @Option(names = "--checkpoint-out", paramLabel = "FILE.npz", description = {"The checkpoint to write",
                "(default: the model file's name with .npz)."})
        Path checkpointOut;

        @Option(names = "--dt", paramLabel = "SECONDS", description = {"The file's time step (default: its",
                "dt metadata, else 1e-4 s, snnTorch's)."})
        Double dt;

        @Option(names = "--timesteps", paramLabel = "N", description = "Time steps per sample (default: the metadata's, else 25).")
        Integer timesteps;

        @Option(names = "--encode", paramLabel = "ENCODING", description = {"Input encoding: poisson, bipolar, latency,",
                "direct or events(bins = N) (default: the metadata's, else poisson)."})
        String encoding;

        @Option(names = "--name", paramLabel = "NAME", description = "The model's name (default: the metadata's, else imported).")
        String name;

        @Option(names = "--force", description = "Replace MODEL.snn and the checkpoint when they exist.")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (timesteps != null && timesteps < 1) {
                err.println("spikeforge nir import: --timesteps takes a number of at least 1, got " + timesteps);
                return ExitCodes.USAGE;
            }
            if (dt != null && (!(dt > 0) || !Double.isFinite(dt))) {
                err.println("spikeforge nir import: --dt takes a positive number of seconds, got " + dt);
                return ExitCodes.USAGE;
            }
            Path ckpt = checkpointOut != null ? checkpointOut : siblingWithExtension(out, ".npz");
            for (Path p : List.of(out, ckpt)) {
                if (Files.exists(p) && !force) {
                    err.println("spikeforge nir import: error: " + p + " exists; pass --force to replace it, or "
                            + "choose another name with " + (p == out ? "-o" : "--checkpoint-out"));
                    return ExitCodes.USAGE;
                }
            }
            Imported imported = importFile("import", in, out, new NirImport.Options(dt, timesteps, encoding, name), err);
            if (imported.exitCode() != ExitCodes.OK) {
                return imported.exitCode();
            }
            NirImport.Result r = imported.result();
            Network net = imported.network();
            try {
                AtomicFiles.writeString(out, r.source());
            } catch (IOException e) {
                err.println("spikeforge nir import: error: " + out + ": cannot write the file: " + ModelFiles.readError(e));
                return ExitCodes.INPUT_ERROR;
            }
            try {
                writeCheckpoint(r, net, in, ckpt);
            } catch (CheckpointException e) {
                err.println("spikeforge nir import: error: " + e.oneLine());
                return ExitCodes.INPUT_ERROR;
            }
            stdout.println("wrote " + out + " (model '" + net.name() + "', " + net.layers().size() + " layers) and " + ckpt
                    + " (" + r.weights().size() + " tensors) from " + in);
            if (net.train().isEmpty()) {
                stdout.println("the file names no dataset: add a train block (train { dataset = fashion_mnist }) to "
                        + "evaluate or verify it");
            }
            stdout.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code nir info FILE.nir}: what the file holds, node by node. */
    @Command(name = "info",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Print a NIR file's nodes with their parameters' shapes and types, its edges and metadata.",
            footer = {"", "Exit codes: 0 ok, 2 usage error, 3 unreadable NIR file."})
    static final class Info implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE.nir", description = "The NIR file.")
        Path in;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            NirFile f;
            try {
                f = NirStore.standard().read(in);
            } catch (NirFormatException e) {
                err.println("spikeforge nir info: error: " + e.oneLine());
                return ExitCodes.INPUT_ERROR;
            }
            stdout.println(in + ": NIR " + f.version());
            print(f.graph(), "", stdout);
            stdout.flush();
            return ExitCodes.OK;
        }

        private static void print(NirGraph g, String indent, PrintWriter out) {
            for (Map.Entry<String, NirElement> e : g.nodes().entrySet()) {
                out.println(indent + "node " + e.getKey() + ": " + e.getValue().type());
                if (e.getValue() instanceof NirNode n) {
                    n.params().forEach((k, v) -> out.println(indent + "    " + k + ": " + show(v)));
                    n.metadata().forEach((k, v) -> out.println(indent + "    metadata " + k + ": " + show(v)));
                } else {
                    print((NirGraph) e.getValue(), indent + "    ", out);
                }
            }
            g.edges().forEach(e -> out.println(indent + "edge " + e));
            g.metadata().forEach((k, v) -> out.println(indent + "metadata " + k + ": "
                    + show(v).replace("\n", "\n" + indent)));
        }

        private static String show(NirValue v) {
            if (v instanceof NirValue.NirText t) {
                return t.value().contains("\n") ? "\n    " + t.value().strip().replace("\n", "\n    ") : "\"" + t.value() + "\"";
            }
            NirValue.NirArray a = (NirValue.NirArray) v;
            if (a.size() <= 4) {
                StringBuilder b = new StringBuilder(a.dtype().numpy() + " " + a.shapeText() + " ");
                for (int i = 0; i < a.size(); i++) {
                    b.append(i == 0 ? "" : " ").append(a.dtype().isInteger() ? Long.toString((long) a.get(i))
                            : Double.toString(a.get(i)));
                }
                return b.toString();
            }
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < a.size(); i++) {
                min = Math.min(min, a.get(i));
                max = Math.max(max, a.get(i));
            }
            return a.dtype().numpy() + " " + a.shapeText() + (min == max ? " all " + min : " in [" + min + ", " + max + "]");
        }
    }

    /** {@code nir check MODEL [--checkpoint C]}: does the model survive a trip through NIR? */
    @Command(name = "check",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = {"Prove that a model survives a trip through NIR, spike for spike.",
                    "Exports the model, imports the file back, and runs both on test samples: every spike of",
                    "every layer at every step and every readout must be equal, in the float model and in the",
                    "integer model of the deploy formats."},
            footer = {"", "Exit codes: 0 equal, 1 a difference (the first is printed) or an invalid model, 2 usage error,",
                    "3 unreadable model, checkpoint or dataset."})
    static final class Check implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
        Path modelFile;

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "Trained weights (.npz); default: initial weights.")
        Path checkpoint;

        @Option(names = "--samples", paramLabel = "N", defaultValue = "100", description = "Test samples (default: ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--dt", paramLabel = "SECONDS", defaultValue = "1e-4", description = "The NIR time step (default: ${DEFAULT-VALUE} s).")
        double dt;

        @Option(names = "--keep", paramLabel = "DIR", description = "Keep the NIR file, the imported model and its checkpoint in DIR.")
        Path keep;

        @picocli.CommandLine.Mixin
        DataOptions data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (samples < 1 || !(dt > 0) || !Double.isFinite(dt)) {
                err.println("spikeforge nir check: --samples takes a number of at least 1 and --dt a positive number");
                return ExitCodes.USAGE;
            }
            RunSetup.Prepared p = RunSetup.prepare("nir check", modelFile, data, err);
            if (p.exitCode() != ExitCodes.OK) {
                return p.exitCode();
            }
            Network net = p.network();
            Map<String, float[]> weights = weights("check", net, checkpoint, err);
            if (weights == null) {
                return ExitCodes.INPUT_ERROR;
            }
            Path dir = keep != null ? keep : Files.createTempDirectory("spikeforge-nir-check");
            try {
                Files.createDirectories(dir);
                Path nirFile = dir.resolve(net.name() + ".nir");
                NirExport.Result r = NirExport.export(net, weights, dt, "spikeforge " + VersionProvider.version());
                NirStore.standard().write(nirFile, r.file());
                Imported back = importFile("check", nirFile, dir.resolve(net.name() + "-imported.snn"),
                        NirImport.Options.DEFAULTS, err);
                if (back.exitCode() != ExitCodes.OK) {
                    return back.exitCode();
                }
                if (keep != null) {
                    AtomicFiles.writeString(dir.resolve(net.name() + "-imported.snn"), back.result().source());
                    try {
                        writeCheckpoint(back.result(), back.network(), nirFile, dir.resolve(net.name() + "-imported.npz"));
                    } catch (CheckpointException e) {
                        err.println("spikeforge nir check: error: " + e.oneLine());
                        return ExitCodes.INPUT_ERROR;
                    }
                }
                int n = Math.min(samples, p.data().test().count());
                int threads = data.threads != null ? data.threads : Runtime.getRuntime().availableProcessors();
                long start = System.nanoTime();
                dev.spikeforge.runtime.verify.SpikeEquality.Result eq;
                try {
                    eq = dev.spikeforge.runtime.verify.SpikeEquality.compare(net,
                            new dev.spikeforge.runtime.engine.Parameters(weights), back.network(),
                            new dev.spikeforge.runtime.engine.Parameters(back.result().weights()), p.data().test(), n,
                            p.train().seed(), 32, threads);
                } catch (IllegalArgumentException e) {
                    err.println("spikeforge nir check: FAIL: the imported model differs in structure: " + e.getMessage());
                    return ExitCodes.CHECK_FAILED;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                stdout.printf(java.util.Locale.ROOT, "%s -> %s (%d nodes, %d edges) -> %s%n", modelFile, nirFile.getFileName(),
                        r.file().graph().nodes().size(), r.file().graph().edges().size(), back.network().name());
                if (!eq.equal()) {
                    stdout.println("FAIL: first difference: " + eq.difference());
                    stdout.flush();
                    return ExitCodes.CHECK_FAILED;
                }
                stdout.printf(java.util.Locale.ROOT, "float model: %d test samples, every spike of %d spiking layer(s) at every"
                        + " step equal (%d spikes), every readout equal%n", eq.samples(), eq.layers(), eq.floatSpikes());
                if (eq.integerSpikes() >= 0) {
                    stdout.printf(java.util.Locale.ROOT, "integer model: every spike and readout equal (%d spikes)%n",
                            eq.integerSpikes());
                }
                stdout.printf(java.util.Locale.ROOT, "PASS (%.1f s)%n", seconds);
                stdout.flush();
                return ExitCodes.OK;
            } finally {
                if (keep == null) {
                    AtomicFiles.deleteTree(dir);
                }
            }
        }
    }

    /** The imported weights as a training checkpoint of {@code net} (epoch 0), which every command reads. */
    static void writeCheckpoint(NirImport.Result r, Network net, Path from, Path file) throws CheckpointException {
        new TrainingCheckpoint(r.source(), net.name(), 0, 0, new dev.spikeforge.runtime.engine.Parameters(r.weights()),
                Map.of(), 0, net.train().map(t -> t.seed()).orElse(0L), List.of(), "nir import " + from.getFileName())
                .write(file, net);
    }

    /** The imported model, or the exit code (message printed). */
    record Imported(NirImport.Result result, Network network, int exitCode) {
    }

    /** Reads and converts a NIR file and compiles the model text it gives (nothing is written). */
    static Imported importFile(String command, Path in, Path modelName, NirImport.Options options, PrintWriter err) {
        NirImport.Result r;
        try {
            NirFile file = NirStore.standard().read(in);
            r = NirImport.convert(in, file, options);
        } catch (NirFormatException e) {
            err.println("spikeforge nir " + command + ": error: " + e.oneLine());
            return new Imported(null, null, ExitCodes.INPUT_ERROR);
        }
        r.warnings().forEach(w -> err.println("spikeforge nir " + command + ": warning: " + w));
        Compilation c = SnnFrontEnd.compile(new SourceFile(modelName.toString(), r.source()));
        if (!c.diagnostics().isEmpty()) {
            err.print(DiagnosticRenderer.render(c.source(), c.diagnostics()));
        }
        if (!c.ok()) {
            err.println("spikeforge nir " + command + ": error: the model made from " + in + " is not valid (above); "
                    + "nothing was written. Options such as --encode or --timesteps may fix it.");
            return new Imported(r, null, ExitCodes.CHECK_FAILED);
        }
        return new Imported(r, c.network(), ExitCodes.OK);
    }

    /** The checkpoint's weights, the initial weights without one (with a warning), or null (message printed). */
    static Map<String, float[]> weights(String command, Network net, Path checkpoint, PrintWriter err) {
        if (checkpoint != null) {
            try {
                return TrainingCheckpoint.read(checkpoint, net).parameters().tensors();
            } catch (CheckpointException e) {
                err.println("spikeforge nir " + command + ": error: " + e.oneLine());
                return null;
            }
        }
        long seed = net.train().map(t -> t.seed()).orElse(0L);
        err.println("spikeforge nir " + command + ": warning: no --checkpoint; using the untrained initial weights (seed "
                + seed + ")");
        return dev.spikeforge.runtime.engine.Parameters.initialise(net, seed).tensors();
    }

    static Path siblingWithExtension(Path p, String ext) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return p.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + ext);
    }
}

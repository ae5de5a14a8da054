package dev.spikeforge.cli;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.nir.NirImport;
import dev.spikeforge.pipeline.NirExchange;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nir import FILE.nir -o MODEL.snn [--checkpoint-out C]}. */
@Command(name = "import",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Turn a NIR graph into a .snn model and a checkpoint of its weights.",
                "check, eval, compile, verify and profile then take them like any trained model."},
        footer = {"", "Exit codes: 0 ok, 1 the imported model is not valid, 2 usage error,",
                "3 unreadable NIR file, a graph spikeforge cannot express, or a file that cannot be written."})
final class NirImportCommand implements Callable<Integer> {

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
        if (timesteps != null && timesteps < 1) {
            return Cli.usage(spec, "--timesteps takes a number of at least 1, got " + timesteps);
        }
        if (dt != null && (!(dt > 0) || !Double.isFinite(dt))) {
            return Cli.usage(spec, "--dt takes a positive number of seconds, got " + dt);
        }
        Path ckpt = checkpointOut != null ? checkpointOut : siblingWithExtension(out, ".npz");
        for (Path p : List.of(out, ckpt)) {
            if (Files.exists(p) && !force) {
                return Cli.usage(spec, "error: " + p + " exists; pass --force to replace it, or choose another name with "
                        + (p == out ? "-o" : "--checkpoint-out"));
            }
        }
        try {
            Pipeline p = Cli.pipeline(spec, null);
            NirExchange.Imported imported = NirExchange.importFile(p, in, out, new NirImport.Options(dt, timesteps, encoding,
                    name));
            NirExchange.write(imported, in, out, ckpt);
            Network net = imported.model().network();
            List<String> lines = new ArrayList<>();
            lines.add("wrote " + out + " (model '" + net.name() + "', " + net.layers().size() + " layers) and " + ckpt
                    + " (" + imported.result().weights().size() + " tensors) from " + in);
            if (net.train().isEmpty()) {
                lines.add("the file names no dataset: add a train block (train { dataset = fashion_mnist }) to "
                        + "evaluate or verify it");
            }
            Cli.print(spec, lines);
            return ExitCodes.OK;
        } catch (PipelineException e) {
            return Cli.fail(spec, e);
        }
    }

    static Path siblingWithExtension(Path p, String ext) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return p.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + ext);
    }
}

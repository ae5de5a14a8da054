package dev.spikeforge.cli;

import dev.spikeforge.compiler.nir.NirElement;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirFile;
import dev.spikeforge.compiler.nir.NirFormatException;
import dev.spikeforge.compiler.nir.NirValue;
import dev.spikeforge.pipeline.NirExchange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nir info FILE.nir}: what the file holds, node by node. */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Print a NIR file's nodes with their parameters' shapes and types, its edges and metadata.",
        footer = {"", "Exit codes: 0 ok, 2 usage error, 3 unreadable NIR file."})
final class NirInfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.nir", description = "The NIR file.")
    Path in;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        NirFile f;
        try {
            f = NirExchange.read(in);
        } catch (NirFormatException e) {
            spec.commandLine().getErr().println("spikeforge nir info: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        List<String> out = new ArrayList<>();
        out.add(in + ": NIR " + f.version());
        lines(f.graph(), "", out);
        Cli.print(spec, out);
        return ExitCodes.OK;
    }

    private static void lines(NirGraph g, String indent, List<String> out) {
        for (Map.Entry<String, NirElement> e : g.nodes().entrySet()) {
            out.add(indent + "node " + e.getKey() + ": " + e.getValue().type());
            if (e.getValue() instanceof NirNode n) {
                n.params().forEach((k, v) -> out.add(indent + "    " + k + ": " + show(v)));
                n.metadata().forEach((k, v) -> out.add(indent + "    metadata " + k + ": " + show(v)));
            } else {
                lines((NirGraph) e.getValue(), indent + "    ", out);
            }
        }
        g.edges().forEach(e -> out.add(indent + "edge " + e));
        g.metadata().forEach((k, v) -> out.add(indent + "metadata " + k + ": " + show(v).replace("\n", "\n" + indent)));
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

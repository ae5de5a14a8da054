package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.target.TargetCatalogue;
import dev.spikeforge.compiler.target.TargetFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge targets [NAME|FILE.json]}: every target family's presets or devices, or one of them in full. */
@Command(name = "targets",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"List every target family's presets and devices with their main limits, or print every field",
                "of one (a preset name, a device, or your own spec file) with the source of each figure.",
                "The spec schema is documented in docs/targets.md."},
        footer = {"", "Exit codes: 0 ok, 2 usage error, 3 a spec file that cannot be read or is invalid, or a name",
                "that no family knows."})
final class TargetsCommand implements Callable<Integer> {

    /** The schema of {@code spikeforge targets --json} without an argument. */
    static final String LIST_SCHEMA = "spikeforge.targets/1";

    @Parameters(arity = "0..1", paramLabel = "NAME|FILE",
            description = "A preset name (for example loihi_like), a device, or a spec file (.json) to show in full.")
    String target;

    @Option(names = "--json", description = {"Print JSON: the lists, or the one entry itself (a preset as a valid spec",
            "file of its family's schema)."})
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<TargetCatalogue> catalogues = TargetFamily.all().stream().map(TargetFamily::catalogue).toList();
        if (target == null) {
            if (json) {
                ObjectNode doc = JsonNodeFactory.instance.objectNode();
                doc.put("schema", LIST_SCHEMA);
                catalogues.forEach(c -> c.json(doc));
                Cli.print(spec, doc);
                return ExitCodes.OK;
            }
            List<String> out = new ArrayList<>();
            for (TargetCatalogue c : catalogues) {
                if (c.table().isEmpty()) {
                    continue;
                }
                out.addAll(c.table().text());
                out.addAll(c.footer());
                out.add("");
            }
            Cli.print(spec, out.subList(0, out.size() - 1));
            return ExitCodes.OK;
        }
        List<String> notFound = new ArrayList<>();
        try {
            for (TargetCatalogue c : catalogues) {
                Optional<TargetCatalogue.Description> d = c.describe(target, null);
                if (d.isPresent()) {
                    if (json) {
                        Cli.print(spec, d.get().json());
                    } else {
                        Cli.print(spec, d.get().text());
                    }
                    return ExitCodes.OK;
                }
                notFound.add(c.notFound(target));
            }
        } catch (FileProblemException e) {
            spec.commandLine().getErr().println("spikeforge targets: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        spec.commandLine().getErr().println("spikeforge targets: error: " + target + ": " + String.join("; ", notFound));
        return ExitCodes.INPUT_ERROR;
    }
}

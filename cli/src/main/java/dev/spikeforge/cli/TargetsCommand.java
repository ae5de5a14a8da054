package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.targets.neurocore.NeurocoreField;
import dev.spikeforge.targets.neurocore.NeurocoreSpec;
import dev.spikeforge.targets.neurocore.NeurocoreSpecs;
import dev.spikeforge.targets.neurocore.TargetSpecException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge targets [NAME|FILE.json]}: the neurocore presets and their limits, or one spec in full. */
@Command(name = "targets",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"List the neurocore target presets with their main limits, or print every field of one",
                "spec (a preset name, or your own spec file) with the source of each figure.",
                "The spec schema is documented in docs/targets.md."},
        footer = {"", "Exit codes: 0 ok, 2 usage error, 3 a spec file that cannot be read or is invalid."})
final class TargetsCommand implements Callable<Integer> {

    /** The schema of {@code spikeforge targets --json} without an argument. */
    static final String LIST_SCHEMA = "spikeforge.targets/1";

    @Parameters(arity = "0..1", paramLabel = "NAME|FILE",
            description = "A preset name (for example loihi_like) or a spec file (.json) to show in full.")
    String target;

    @Option(names = "--json", description = {"Print JSON: the list of presets, or the spec itself",
            "(a valid spec file of schema " + NeurocoreSpecs.SCHEMA + ")."})
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (target == null) {
                list(out);
            } else {
                show(NeurocoreSpecs.resolve(target, null), out);
            }
        } catch (TargetSpecException e) {
            err.println("spikeforge targets: error: " + e.oneLine());
            err.flush();
            return ExitCodes.INPUT_ERROR;
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void list(PrintWriter out) throws TargetSpecException, IOException {
        List<NeurocoreSpec> specs = new ArrayList<>();
        for (String name : NeurocoreSpecs.presetNames()) {
            specs.add(NeurocoreSpecs.preset(name));
        }
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", LIST_SCHEMA);
            ArrayNode presets = doc.putArray("presets");
            specs.forEach(s -> presets.add(NeurocoreSpecs.toJson(s)));
            out.println(writer().writeValueAsString(doc));
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"preset", "cores", "neurons/core", "axons/core", "fan-in", "synapse mem/core",
            "weight bits", "membrane bits", "leak forms", "pJ/synop"});
        for (NeurocoreSpec s : specs) {
            rows.add(new String[] {s.name(), grouped(s.cores()), grouped(s.neuronsPerCore()), grouped(s.axonsPerCore()),
                s.fanInPerNeuron() == 0 ? "memory" : grouped(s.fanInPerNeuron()), memory(s.synapseMemoryBitsPerCore()),
                s.minWeightBits() == s.maxWeightBits() ? "" + s.maxWeightBits() : s.minWeightBits() + "-" + s.maxWeightBits(),
                "" + s.membraneBits(), NeurocoreField.LEAK_FORMS.display(s).replace(", ", "/"),
                NeurocoreField.SYNAPTIC_OP_PJ.display(s)});
        }
        printTable(rows, out);
        out.println();
        out.println("Show every figure of one with its source: spikeforge targets NAME.");
        out.println("A spec file of your own (schema " + NeurocoreSpecs.SCHEMA + ", docs/targets.md) works the same way:"
                + " spikeforge targets FILE.json.");
    }

    private void show(NeurocoreSpec s, PrintWriter out) throws IOException {
        if (json) {
            out.println(writer().writeValueAsString(NeurocoreSpecs.toJson(s)));
            return;
        }
        out.println("target " + s.name() + " (schema " + NeurocoreSpecs.SCHEMA + ")");
        out.println(s.description());
        out.println();
        int width = 0;
        for (NeurocoreField f : NeurocoreField.values()) {
            width = Math.max(width, f.json().length());
        }
        for (NeurocoreField f : NeurocoreField.values()) {
            String unit = f.unit().isEmpty() ? "" : " " + f.unit();
            out.println("  " + pad(f.json(), width) + "  " + f.display(s) + unit);
            String source = s.sources().get(f.json());
            out.println("  " + pad("", width) + "  source: " + (source == null ? "(none given)" : source));
        }
    }

    private static ObjectMapper writer() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Memory as the chips' documents state it: KiB when whole, else bits. */
    static String memory(long bits) {
        if (bits % (8 * 1024) == 0) {
            return grouped(bits / (8 * 1024)) + " KiB";
        }
        return grouped(bits) + " bits";
    }

    private static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static void printTable(List<String[]> rows, PrintWriter out) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                // The name and the leak forms read left to right; numbers line up on the right.
                boolean left = i == 0 || i == 8;
                String cell = left ? pad(r[i], w[i]) : " ".repeat(w[i] - r[i].length()) + r[i];
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}

package dev.spikeforge.targets.neurocore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.FigureTable.Column;
import dev.spikeforge.compiler.target.TargetCatalogue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The neurocore presets with their main limits, and one spec (a preset or a user's file) with every figure's source. */
final class NeurocoreCatalogue implements TargetCatalogue {

    @Override
    public FigureTable table() {
        List<List<Object>> rows = new ArrayList<>();
        for (NeurocoreSpec s : presets()) {
            rows.add(List.of(s.name(), grouped(s.cores()), grouped(s.neuronsPerCore()), grouped(s.axonsPerCore()),
                    s.fanInPerNeuron() == 0 ? "memory" : grouped(s.fanInPerNeuron()), memory(s.synapseMemoryBitsPerCore()),
                    s.minWeightBits() == s.maxWeightBits() ? "" + s.maxWeightBits() : s.minWeightBits() + "-" + s.maxWeightBits(),
                    "" + s.membraneBits(), NeurocoreField.LEAK_FORMS.display(s).replace(", ", "/"),
                    NeurocoreField.SYNAPTIC_OP_PJ.display(s)));
        }
        // the name and the leak forms read left to right; numbers line up on the right
        return new FigureTable(List.of(Column.name("preset", "preset"), right("cores"), right("neurons/core"),
                right("axons/core"), right("fan-in"), right("synapse mem/core"), right("weight bits"), right("membrane bits"),
                Column.name("leak forms", "leak forms"), right("pJ/synop")), rows);
    }

    private static Column right(String header) {
        return new Column(header, header, "%s", false);
    }

    @Override
    public List<String> footer() {
        return List.of("", "Show every figure of one with its source: spikeforge targets NAME.",
                "A spec file of your own (schema " + NeurocoreSpecs.SCHEMA + ", docs/targets.md) works the same way:"
                        + " spikeforge targets FILE.json.");
    }

    @Override
    public void json(ObjectNode doc) {
        ArrayNode presets = doc.putArray("presets");
        presets().forEach(s -> presets.add(NeurocoreSpecs.toJson(s)));
    }

    @Override
    public Optional<Description> describe(String word, Path dir) throws FileProblemException {
        if (new NeurocoreFamily().shorthand(word).isEmpty()) {
            return Optional.empty();
        }
        NeurocoreSpec s = NeurocoreSpecs.resolve(word, dir);
        List<String> text = new ArrayList<>();
        text.add("target " + s.name() + " (schema " + NeurocoreSpecs.SCHEMA + ")");
        text.add(s.description());
        text.add("");
        int width = 0;
        for (NeurocoreField f : NeurocoreField.values()) {
            width = Math.max(width, f.json().length());
        }
        for (NeurocoreField f : NeurocoreField.values()) {
            String unit = f.unit().isEmpty() ? "" : " " + f.unit();
            text.add("  " + pad(f.json(), width) + "  " + f.display(s) + unit);
            String source = s.sources().get(f.json());
            text.add("  " + pad("", width) + "  source: " + (source == null ? "(none given)" : source));
        }
        return Optional.of(new Description(text, NeurocoreSpecs.toJson(s)));
    }

    @Override
    public String notFound(String word) {
        return "no neurocore preset named '" + word + "'" + Suggestions.didYouMean(word, NeurocoreSpecs.presetNames())
                + " (use one of " + String.join(", ", NeurocoreSpecs.presetNames()) + ", or the path of a .json spec file)";
    }

    private static List<NeurocoreSpec> presets() {
        List<NeurocoreSpec> specs = new ArrayList<>();
        for (String name : NeurocoreSpecs.presetNames()) {
            try {
                specs.add(NeurocoreSpecs.preset(name));
            } catch (TargetSpecException e) {
                throw new IllegalStateException("a built-in preset does not load: " + e.oneLine(), e);
            }
        }
        return specs;
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

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}

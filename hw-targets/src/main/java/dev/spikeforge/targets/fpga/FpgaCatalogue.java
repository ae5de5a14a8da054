package dev.spikeforge.targets.fpga;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.FigureTable.Column;
import dev.spikeforge.compiler.target.TargetCatalogue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The devices an fpga design is checked against by {@code synth}, with their capacities and sources. */
final class FpgaCatalogue implements TargetCatalogue {

    @Override
    public FigureTable table() {
        List<List<Object>> rows = new ArrayList<>();
        for (FpgaDevices.Device d : FpgaDevices.all()) {
            rows.add(List.of(d.name(), d.family(), d.luts(), d.flipFlops(), d.brams(), d.dsps()));
        }
        return new FigureTable(List.of(Column.name("device", "fpga device"), Column.name("family", "family"),
                Column.number("luts", "LUTs", "%,d"), Column.number("flip_flops", "FFs", "%,d"),
                Column.number("brams", "BRAMs", "%d"), Column.number("dsps", "DSPs", "%d")), rows);
    }

    @Override
    public List<String> footer() {
        return List.of("", "target fpga(lanes = 16, family = generic|ice40|xc7, device = NAME) generates a Verilog"
                + " accelerator; spikeforge targets DEVICE shows a device's source.");
    }

    @Override
    public void json(ObjectNode doc) {
        ArrayNode a = doc.putArray("fpga_devices");
        FpgaDevices.all().forEach(d -> a.add(json(d)));
    }

    private static ObjectNode json(FpgaDevices.Device d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", d.name());
        o.put("family", d.family());
        o.put("luts", d.luts());
        o.put("flip_flops", d.flipFlops());
        o.put("block_ram_bits", d.bramBits());
        o.put("brams", d.brams());
        o.put("dsps", d.dsps());
        o.put("source", d.source());
        return o;
    }

    @Override
    public Optional<Description> describe(String word, Path dir) {
        if (!FpgaDevices.known(word)) {
            return Optional.empty();
        }
        FpgaDevices.Device d = FpgaDevices.get(word);
        return Optional.of(new Description(List.of("fpga device " + d.name() + " (family " + d.family() + ")",
                String.format(java.util.Locale.ROOT, "  %,d LUTs, %,d flip-flops, %d block RAMs (%,d bits), %d DSPs",
                        d.luts(), d.flipFlops(), d.brams(), d.bramBits(), d.dsps()),
                "  source: " + d.source()), json(d)));
    }

    @Override
    public String notFound(String word) {
        return "no fpga device named '" + word + "' (devices: " + String.join(", ", FpgaDevices.names()) + ")";
    }
}

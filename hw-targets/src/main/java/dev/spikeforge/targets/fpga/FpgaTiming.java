package dev.spikeforge.targets.fpga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.target.TargetFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The clock a folder's design was timed at by {@code synth}, kept beside the synthesis work
 * ({@code synth-FAMILY/timing-DEVICE.json}) so that the latency every report states is the timing
 * result when there is one: nextpnr-ice40's Fmax after place and route (measured), or the
 * estimate of {@link XilinxTimingEstimate} for xc7 designs (no open place and route exists for them);
 * otherwise the assumption of {@link FpgaDeployed#ASSUMED_CLOCK_MHZ}. A record holds the SHA-256 of the
 * {@code fpga.json} it timed (which holds the checksum of every RTL and memory file), so a folder
 * compiled again never takes the clock of the design before.
 */
final class FpgaTiming {

    static final String SCHEMA = "spikeforge.fpga-timing/1";

    /** How the clock was had. */
    enum Method {
        NEXTPNR("Fmax measured by nextpnr-ice40 place and route on %s"),
        ESTIMATE(XilinxTimingEstimate.BASIS);

        final String basis;

        Method(String basis) {
            this.basis = basis;
        }
    }

    /**
     * The clock read from a folder, or why there is none.
     *
     * @param clock the clock to state latency at (the assumption when no timing applies)
     * @param note  a sentence for the figures' notes when a timing record was there but not used, else null
     */
    record Lookup(TargetFigures.Clock clock, String note) {
    }

    private FpgaTiming() {
    }

    static Path file(Path folder, String family, String device) {
        return folder.resolve("synth-" + family).resolve("timing-" + device + ".json");
    }

    /** Records {@code mhz} for {@code device}, written atomically. */
    static void write(Path folder, String family, String device, double mhz, Method method) throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = m.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("device", device);
        o.put("fmax_mhz", mhz);
        o.put("method", method.name().toLowerCase(Locale.ROOT));
        o.put("fpga_json_sha256", FpgaFolder.sha256(Files.readAllBytes(folder.resolve("fpga.json"))));
        AtomicFiles.writeString(file(folder, family, device), m.writeValueAsString(o) + "\n");
    }

    /**
     * The clock for the folder's own device: its timing record when one was written for this
     * {@code fpga.json}, else the assumption (with a note when a record was there but stale or
     * unreadable).
     */
    static Lookup read(Path folder, FpgaDesign d) {
        TargetFigures.Clock assumed = new TargetFigures.Clock(FpgaDeployed.ASSUMED_CLOCK_MHZ, true);
        String device = d.options().effectiveDevice();
        if (device.isEmpty() || !FpgaDevices.known(device)) {
            return new Lookup(assumed, null);
        }
        String family = FpgaDevices.get(device).family();
        Path f = file(folder, family, device);
        try {
            JsonNode o = new ObjectMapper().readTree(Files.readAllBytes(f));
            String sum = FpgaFolder.sha256(Files.readAllBytes(folder.resolve("fpga.json")));
            JsonNode mhz = o.path("fmax_mhz");
            Method method = switch (o.path("method").asText()) {
                case "nextpnr" -> Method.NEXTPNR;
                case "estimate" -> Method.ESTIMATE;
                default -> null;
            };
            if (!SCHEMA.equals(o.path("schema").asText()) || !device.equals(o.path("device").asText()) || method == null
                    || !mhz.isNumber() || !(mhz.asDouble() > 0) || !Double.isFinite(mhz.asDouble())) {
                return new Lookup(assumed, folder.relativize(f) + " is not a timing record of " + device
                        + "; latency is at the assumed clock");
            }
            if (!sum.equals(o.path("fpga_json_sha256").asText())) {
                return new Lookup(assumed, folder.relativize(f) + " timed an earlier design of this folder; run spikeforge synth"
                        + " again for the clock of this one (latency is at the assumed clock)");
            }
            return new Lookup(new TargetFigures.Clock(mhz.asDouble(), false, String.format(Locale.ROOT, method.basis, device)),
                    null);
        } catch (NoSuchFileException e) {
            return new Lookup(assumed, null);
        } catch (IOException e) {
            return new Lookup(assumed, folder.relativize(f) + " cannot be read (" + e.getMessage()
                    + "); latency is at the assumed clock");
        }
    }
}

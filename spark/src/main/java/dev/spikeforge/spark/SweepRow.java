package dev.spikeforge.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One point's results: what was swept, the float/integer comparison, per target its emulator's
 * exactness and figures, the wall time, and the content hash of its inputs. Everything but
 * {@link #wallSeconds()} depends only on the inputs.
 *
 * @param point       the point's place in the grid's order (0-based; not part of the hash)
 * @param hash        SHA-256 of the point's inputs ({@link SweepJob#hash})
 * @param status      {@code passed}, {@code failed} (a tolerance broken or an emulator differs) or {@code error}
 *                    (the point could not be run, e.g. the weights do not fit the formats)
 * @param error       for {@code failed} and {@code error}, the first reason; else empty
 */
public record SweepRow(int point, String hash, int bits, String granularity, int qatEpochs, int samples, String status,
                       String error, Double floatAccuracy, Double integerAccuracy, Double agreement, List<TargetCells> targets,
                       double wallSeconds) {

    public static final String SCHEMA = "spikeforge.sweep-row/1";

    public SweepRow {
        targets = List.copyOf(targets);
    }

    /**
     * One target's figures per inference.
     *
     * @param exact          samples on which the emulator equalled its integer model exactly
     * @param cycles         cycles per inference, averaged over the samples
     * @param latencySeconds seconds per inference at the target's clock (stated or assumed)
     * @param energyJoules   energy per inference, or null when the target does not model it
     * @param luts           LUTs of the synthesised design, or null when the sweep did not synthesise it (no
     *                       {@code "synth": true}, or the target has no hardware design); so {@code brams}, {@code dsps}
     */
    public record TargetCells(String target, long exact, double cycles, double latencySeconds, Double energyJoules,
                              Long luts, Long brams, Long dsps) {

        TargetCells withResources(long l, long b, long d) {
            return new TargetCells(target, exact, cycles, latencySeconds, energyJoules, l, b, d);
        }
    }

    public SweepRow withPoint(int p) {
        return new SweepRow(p, hash, bits, granularity, qatEpochs, samples, status, error, floatAccuracy, integerAccuracy,
                agreement, targets, wallSeconds);
    }

    /** The row without its wall time: what must be equal wherever and however often the point ran. */
    public SweepRow withoutWallTime() {
        return new SweepRow(point, hash, bits, granularity, qatEpochs, samples, status, error, floatAccuracy,
                integerAccuracy, agreement, targets, 0);
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("hash", hash);
        o.put("point", point);
        o.put("bits", bits);
        o.put("granularity", granularity);
        o.put("qat_epochs", qatEpochs);
        o.put("samples", samples);
        o.put("status", status);
        o.put("error", error);
        o.put("float_accuracy", floatAccuracy);
        o.put("integer_accuracy", integerAccuracy);
        o.put("agreement", agreement);
        ArrayNode ts = o.putArray("targets");
        for (TargetCells t : targets) {
            ObjectNode n = ts.addObject();
            n.put("target", t.target());
            n.put("exact", t.exact());
            n.put("cycles", t.cycles());
            n.put("latency_s", t.latencySeconds());
            n.put("energy_j", t.energyJoules());
            if (t.luts() != null) {
                n.put("luts", t.luts());
                n.put("brams", t.brams());
                n.put("dsps", t.dsps());
            }
        }
        o.put("wall_seconds", wallSeconds);
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A row read back from its point file; null when the text is not a whole row of this schema. */
    public static SweepRow fromJson(String text) {
        try {
            JsonNode o = JSON.readTree(text);
            if (o == null || !SCHEMA.equals(o.path("schema").asText())) {
                return null;
            }
            List<TargetCells> ts = new ArrayList<>();
            for (JsonNode n : o.withArray("targets")) {
                ts.add(new TargetCells(n.get("target").asText(), n.get("exact").asLong(), n.get("cycles").asDouble(),
                        n.get("latency_s").asDouble(), number(n.get("energy_j")), whole(n.get("luts")),
                        whole(n.get("brams")), whole(n.get("dsps"))));
            }
            return new SweepRow(o.get("point").asInt(), o.get("hash").asText(), o.get("bits").asInt(),
                    o.get("granularity").asText(), o.get("qat_epochs").asInt(), o.get("samples").asInt(),
                    o.get("status").asText(), o.get("error").asText(), number(o.get("float_accuracy")),
                    number(o.get("integer_accuracy")), number(o.get("agreement")), ts, o.get("wall_seconds").asDouble());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Long whole(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    private static Double number(JsonNode n) {
        return n == null || n.isNull() ? null : n.asDouble();
    }
}

package dev.spikeforge.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** How reports write energies, times and JSON documents. */
public final class Units {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Units() {
    }

    /** Joules in the largest unit that keeps the figure at 1 or more: mJ, uJ, else nJ. */
    public static String joules(double j) {
        if (j >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g mJ", j * 1e3);
        }
        if (j >= 1e-6) {
            return String.format(Locale.ROOT, "%.3g uJ", j * 1e6);
        }
        return String.format(Locale.ROOT, "%.3g nJ", j * 1e9);
    }

    /** Seconds as ms when at least one, else us. */
    public static String seconds(double s) {
        return s >= 1e-3 ? String.format(Locale.ROOT, "%.3g ms", s * 1e3) : String.format(Locale.ROOT, "%.3g us", s * 1e6);
    }

    /** A number with its magnitude: 4 significant digits from 10^5 up, else one decimal. */
    public static String count(double v) {
        return Math.abs(v) >= 1e5 ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** A JSON document, indented, as every {@code --json} prints it. */
    public static String json(ObjectNode doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report's JSON tree cannot be written", e);
        }
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

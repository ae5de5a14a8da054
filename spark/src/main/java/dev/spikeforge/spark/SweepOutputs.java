package dev.spikeforge.spark;

import dev.spikeforge.compiler.io.AtomicFiles;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Types;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A sweep's results in its folder, written by the driver: {@code rows.csv}, {@code rows.parquet}
 * (one file, Parquet's own writer) and {@code pareto.html}. Each is written under a temporary name and
 * renamed into place.
 */
final class SweepOutputs {

    private SweepOutputs() {
    }

    static void write(Path dir, Sweep.Prepared prep, List<SweepRow> rows) throws IOException {
        int targets = rows.stream().mapToInt(r -> r.targets().size()).max().orElse(0);
        SweepJob job = prep.job();
        List<String> columns = columns(targets, job.synth());
        AtomicFiles.writeString(dir.resolve("rows.csv"), csv(columns, rows, targets, job));
        parquet(dir.resolve("rows.parquet"), columns, rows, targets, job);
        AtomicFiles.writeString(dir.resolve("pareto.html"), html(prep, rows, targets));
    }

    /**
     * The columns, in order: the point, the content hashes of its inputs (the point's, the model
     * text's and the checkpoint's), its results, then per target k (1-based) targetK and its figures
     * (with the synthesised resources when the sweep synthesises).
     */
    static List<String> columns(int targets, boolean synth) {
        List<String> c = new ArrayList<>(List.of("point", "hash", "model_sha256", "checkpoint_sha256", "bits", "granularity", "qat_epochs", "samples", "status",
                "error", "float_accuracy", "integer_accuracy", "agreement"));
        for (int k = 1; k <= targets; k++) {
            String t = "target" + k;
            c.addAll(List.of(t, t + "_exact", t + "_cycles", t + "_latency_s", t + "_energy_j"));
            if (synth) {
                c.addAll(List.of(t + "_luts", t + "_brams", t + "_dsps"));
            }
        }
        c.add("wall_seconds");
        return c;
    }

    static List<Object> values(SweepRow r, int targets, SweepJob job) {
        boolean synth = job.synth();
        List<Object> v = new ArrayList<>(List.of(r.point(), r.hash(), job.modelSha256(), job.checkpointSha256(), r.bits(), r.granularity(), r.qatEpochs(), r.samples(),
                r.status(), r.error()));
        v.add(r.floatAccuracy());
        v.add(r.integerAccuracy());
        v.add(r.agreement());
        for (int k = 0; k < targets; k++) {
            SweepRow.TargetCells t = k < r.targets().size() ? r.targets().get(k) : null;
            v.add(t == null ? null : t.target());
            v.add(t == null ? null : t.exact());
            v.add(t == null ? null : t.cycles());
            v.add(t == null ? null : t.latencySeconds());
            v.add(t == null ? null : t.energyJoules());
            if (synth) {
                v.add(t == null ? null : t.luts());
                v.add(t == null ? null : t.brams());
                v.add(t == null ? null : t.dsps());
            }
        }
        v.add(r.wallSeconds());
        return v;
    }

    static String csv(List<String> columns, List<SweepRow> rows, int targets, SweepJob job) {
        StringBuilder b = new StringBuilder(String.join(",", columns)).append('\n');
        for (SweepRow r : rows) {
            List<String> cells = new ArrayList<>();
            for (Object o : values(r, targets, job)) {
                cells.add(cell(o));
            }
            b.append(String.join(",", cells)).append('\n');
        }
        return b.toString();
    }

    private static String cell(Object o) {
        if (o == null) {
            return "";
        }
        String s = o.toString();
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    /**
     * rows.parquet, written here on the driver with Parquet's own writer (not Spark's DataFrame
     * writer, whose tasks would write on the executors' disks when the sweep runs on a cluster).
     */
    private static void parquet(Path file, List<String> columns, List<SweepRow> rows, int targets, SweepJob job)
            throws IOException {
        Types.MessageTypeBuilder schema = Types.buildMessage();
        for (String c : columns) {
            switch (kind(c)) {
                case INT -> schema.optional(PrimitiveType.PrimitiveTypeName.INT32).named(c);
                case LONG -> schema.optional(PrimitiveType.PrimitiveTypeName.INT64).named(c);
                case STRING -> schema.optional(PrimitiveType.PrimitiveTypeName.BINARY)
                        .as(LogicalTypeAnnotation.stringType()).named(c);
                case DOUBLE -> schema.optional(PrimitiveType.PrimitiveTypeName.DOUBLE).named(c);
            }
        }
        MessageType type = schema.named("sweep_row");
        Path stage = file.resolveSibling("." + file.getFileName() + ".stage-" + UUID.randomUUID());
        try {
            SimpleGroupFactory groups = new SimpleGroupFactory(type);
            try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(stage)).withType(type)
                    .withCompressionCodec(CompressionCodecName.SNAPPY).build()) {
                for (SweepRow r : rows) {
                    Group g = groups.newGroup();
                    List<Object> v = values(r, targets, job);
                    for (int k = 0; k < columns.size(); k++) {
                        Object o = v.get(k);
                        if (o == null) {
                            continue;
                        }
                        String c = columns.get(k);
                        switch (kind(c)) {
                            case INT -> g.append(c, ((Number) o).intValue());
                            case LONG -> g.append(c, ((Number) o).longValue());
                            case STRING -> g.append(c, o.toString());
                            case DOUBLE -> g.append(c, ((Number) o).doubleValue());
                        }
                    }
                    w.write(g);
                }
            }
            AtomicFiles.rename(stage, file);
        } finally {
            Files.deleteIfExists(stage);
        }
    }

    private enum Kind { INT, LONG, STRING, DOUBLE }

    private static Kind kind(String column) {
        return switch (column) {
            case "point", "bits", "qat_epochs", "samples" -> Kind.INT;
            case "hash", "model_sha256", "checkpoint_sha256", "granularity", "status", "error" -> Kind.STRING;
            default -> column.matches("target\\d+_(exact|luts|brams|dsps)") ? Kind.LONG : column.matches("target\\d+") ? Kind.STRING : Kind.DOUBLE;
        };
    }

    // ---- pareto.html --------------------------------------------------------------------------

    /** The rows no other row beats on both axes: higher integer accuracy at no more cost. */
    static List<SweepRow> front(List<SweepRow> rows, ToDoubleFunction<SweepRow> cost) {
        List<SweepRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble(cost).thenComparing(Comparator.comparingDouble(
                (SweepRow r) -> r.integerAccuracy()).reversed()).thenComparingInt(SweepRow::point));
        List<SweepRow> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (SweepRow r : sorted) {
            if (r.integerAccuracy() > best) {
                front.add(r);
                best = r.integerAccuracy();
            }
        }
        return front;
    }

    static String html(Sweep.Prepared prep, List<SweepRow> rows, int targets) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>spikeforge sweep: ")
                .append(esc(prep.modelName())).append("</title>\n<style>\n")
                .append("body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }\n")
                .append("table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n")
                .append("td.n { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f0f0f0; }\n")
                .append("img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; } .note { color: #666; font-size: 0.9em; }\n")
                .append("</style>\n</head>\n<body>\n<h1>Sweep of model ").append(esc(prep.modelName())).append("</h1>\n<p>")
                .append(rows.size()).append(" points from ").append(esc(prep.grid().file().toString()))
                .append(", each verified on ").append(prep.job().samples()).append(" test samples. Accuracy is the integer"
                        + " model's; a point on the Pareto front has no other point with higher accuracy at no more cost.</p>\n");
        List<SweepRow> ok = rows.stream().filter(r -> r.integerAccuracy() != null).toList();
        for (int k = 0; k < targets; k++) {
            final int t = k;
            List<SweepRow> withTarget = ok.stream().filter(r -> r.targets().size() > t).toList();
            if (withTarget.isEmpty()) {
                continue;
            }
            String name = withTarget.get(0).targets().get(t).target();
            h.append("<h2>Target ").append(t + 1).append(": ").append(esc(name)).append("</h2>\n");
            List<SweepRow> withEnergy = withTarget.stream().filter(r -> r.targets().get(t).energyJoules() != null).toList();
            if (withEnergy.isEmpty()) {
                h.append("<p class=\"note\">This target does not model energy.</p>\n");
            } else {
                section(h, "energy per inference (nJ)", withEnergy, r -> r.targets().get(t).energyJoules() * 1e9, name);
            }
            section(h, "latency per inference (µs)", withTarget, r -> r.targets().get(t).latencySeconds() * 1e6, name);
            List<SweepRow> withLuts = withTarget.stream().filter(r -> r.targets().get(t).luts() != null).toList();
            if (!withLuts.isEmpty()) {
                section(h, "LUTs", withLuts, r -> r.targets().get(t).luts(), name);
            }
        }
        if (targets == 0) {
            h.append("<p class=\"note\">No targets: the grid and the deploy block name none, so there is no cost to plot.</p>\n");
        }
        h.append("<h2>All points</h2>\n<table>\n<tr><th>point</th><th>bits</th><th>granularity</th><th>QAT epochs</th>"
                + "<th>status</th>"
                + "<th>float acc (%)</th><th>integer acc (%)</th><th>agreement (%)</th></tr>\n");
        for (SweepRow r : rows) {
            h.append("<tr><td class=\"n\">").append(r.point()).append("</td><td class=\"n\">").append(r.bits())
                    .append("</td><td>").append(r.granularity()).append("</td><td class=\"n\">").append(r.qatEpochs())
                    .append("</td><td>").append(esc(r.status()))
                    .append(r.error().isEmpty() ? "" : ": " + esc(r.error())).append("</td><td class=\"n\">")
                    .append(pct(r.floatAccuracy())).append("</td><td class=\"n\">").append(pct(r.integerAccuracy()))
                    .append("</td><td class=\"n\">").append(pct(r.agreement())).append("</td></tr>\n");
        }
        h.append("</table>\n<p class=\"note\">rows.csv and rows.parquet beside this page hold every column.</p>\n"
                + "</body>\n</html>\n");
        return h.toString();
    }

    private static void section(StringBuilder h, String axis, List<SweepRow> rows, ToDoubleFunction<SweepRow> cost,
                                String target) throws IOException {
        List<SweepRow> front = front(rows, cost);
        XYChart c = new XYChartBuilder().width(900).height(450).title("Integer accuracy against " + axis + ", " + target)
                .xAxisTitle(axis).yAxisTitle("integer accuracy (%)").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setAntiAlias(true);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.addSeries("points", rows.stream().mapToDouble(cost).toArray(),
                rows.stream().mapToDouble(r -> 100 * r.integerAccuracy()).toArray());
        XYSeries f = c.addSeries("Pareto front", front.stream().mapToDouble(cost).toArray(),
                front.stream().mapToDouble(r -> 100 * r.integerAccuracy()).toArray());
        f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        f.setMarker(SeriesMarkers.DIAMOND);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(c, png, BitmapEncoder.BitmapFormat.PNG);
        h.append("<h3>Against ").append(esc(axis)).append("</h3>\n<img alt=\"accuracy against ").append(esc(axis))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png.toByteArray()))
                .append("\"/>\n<table>\n<tr><th>front point</th><th>bits</th><th>granularity</th><th>QAT epochs</th>"
                        + "<th>integer acc (%)</th><th>")
                .append(esc(axis)).append("</th></tr>\n");
        for (SweepRow r : front) {
            h.append("<tr><td class=\"n\">").append(r.point()).append("</td><td class=\"n\">").append(r.bits())
                    .append("</td><td>").append(r.granularity()).append("</td><td class=\"n\">").append(r.qatEpochs())
                    .append("</td><td class=\"n\">").append(pct(r.integerAccuracy())).append("</td><td class=\"n\">")
                    .append(String.format(Locale.ROOT, "%.4g", cost.applyAsDouble(r))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String pct(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.2f", 100 * d);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

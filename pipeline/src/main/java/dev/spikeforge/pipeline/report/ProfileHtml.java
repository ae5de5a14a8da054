package dev.spikeforge.pipeline.report;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.io.OutputFolder;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.pipeline.Profile;
import dev.spikeforge.pipeline.SpikeStatistics;
import dev.spikeforge.runtime.profile.ReferenceEnergy;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The profile as a self-contained HTML page with its plots (PNG files drawn with XChart, also
 * embedded), built from the profile's data: the spike raster and membranes of one sample, firing
 * rates, spikes per step, energy by layer and by target, accuracy after each step.
 */
public final class ProfileHtml {

    private ProfileHtml() {
    }

    /**
     * Writes the PNG files and {@code DIR/report.html} as one output folder (built whole and swapped
     * in, locked against a second writer: {@link OutputFolder}); returns the page and how many plots it has.
     *
     * @param accuracyVsSteps also plot the accuracy the readout would give after each step
     * @throws FileProblemException when another writer holds {@code dir}, or {@code dir} is a folder
     *         spikeforge did not write
     */
    public static Written write(Path dir, Profile p, boolean accuracyVsSteps) throws IOException, FileProblemException {
        if (p.plots() == null) {
            throw new IllegalArgumentException("the profile was made without its plots' data (ProfileSettings.withPlots)");
        }
        QuantizedNetwork q = p.verification().compiled().model().network();
        Map<String, byte[]> plots = plots(q, p.plots(), p.layers(), p.targets(), accuracyVsSteps);
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"layer", "neurons", "spikes float", "spikes int", "firing rate", "synaptic ops",
            "neuron updates", "ANN MACs"});
        for (Profile.Layer x : p.layers()) {
            table.add(new String[] {x.layer(), String.valueOf(x.neurons()), Units.count(x.floatSpikes()),
                Units.count(x.integerSpikes()), String.format(Locale.ROOT, "%.4f", x.firingRate()), Units.count(x.synapticOps()),
                Units.count(x.neuronUpdates()), Units.count(x.macs())});
        }
        List<String> targets = ProfileReport.targetLines(p).stream().map(String::trim).toList();
        OutputFolder.write(dir, staged -> page(staged, q.name(), ProfileReport.header(p), table, ProfileReport.energyLines(p),
                targets, plots));
        return new Written(dir.resolve("report.html"), plots.size());
    }

    /** The page written and the number of plots. */
    public record Written(Path page, int plots) {
    }

    /** The plots as PNG bytes, by file name. */
    static Map<String, byte[]> plots(QuantizedNetwork q, SpikeStatistics.Data d, List<Profile.Layer> rows,
                                     List<Profile.TargetProfile> targets, boolean accuracy) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int steps = q.timesteps();
        double[] x = new double[steps];
        for (int t = 0; t < steps; t++) {
            x[t] = t + 1;
        }
        // spike raster of one sample: layers stacked
        XYChart raster = xy("Spike raster, test sample " + d.sample() + " (label " + d.label() + ")", "step",
                "neuron (layers stacked, first layer at the bottom)");
        int offset = 0;
        for (int l = 0; l < q.layers().size(); l++) {
            QuantLayer layer = q.layers().get(l);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int t = 0; t < steps; t++) {
                byte[] s = d.rasterSample()[l][t];
                for (int n = 0; n < s.length; n++) {
                    if (s[n] != 0) {
                        xs.add(t + 1.0);
                        ys.add((double) offset + n);
                    }
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = raster.addSeries(layer.layer(), xs, ys);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
            offset += layer.size();
        }
        raster.getStyler().setMarkerSize(3);
        out.put("raster.png", png(raster));

        // firing-rate histogram per layer
        CategoryChart hist = new CategoryChartBuilder().width(900).height(450).title("Firing rate per neuron")
                .xAxisTitle("spikes per neuron per step").yAxisTitle("fraction of the layer's neurons").build();
        style(hist);
        int bins = 10;
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            labels.add(String.format(Locale.ROOT, "%.1f-%.1f", b / (double) bins, (b + 1) / (double) bins));
        }
        for (int l = 0; l < q.layers().size(); l++) {
            if (!q.layers().get(l).spiking()) {
                continue;
            }
            double[] r = d.firingRates()[l];
            double[] frac = new double[bins];
            for (double v : r) {
                frac[Math.min(bins - 1, (int) (v * bins))] += 1.0 / r.length;
            }
            List<Double> ys = new ArrayList<>();
            for (double f : frac) {
                ys.add(f);
            }
            hist.addSeries(q.layers().get(l).layer(), labels, ys);
        }
        hist.getStyler().setXAxisLabelRotation(45);
        out.put("firing-rates.png", png(hist));

        // spikes per layer per step
        XYChart perStep = xy("Spikes per layer per step (mean over the samples)", "step", "spikes");
        for (int l = 0; l < q.layers().size(); l++) {
            if (q.layers().get(l).spiking()) {
                perStep.addSeries(q.layers().get(l).layer(), x, d.spikesPerStep()[l]);
            }
        }
        out.put("spikes-per-step.png", png(perStep));

        // energy by layer (45 nm estimates)
        CategoryChart energy = new CategoryChartBuilder().width(900).height(450)
                .title("Energy per inference by layer, ESTIMATES (45 nm: Horowitz 2014; targets: their specs)").xAxisTitle("layer")
                .yAxisTitle("nJ").build();
        style(energy);
        List<String> names = new ArrayList<>();
        List<Double> ann = new ArrayList<>();
        List<Double> snn = new ArrayList<>();
        List<Double> snnMem = new ArrayList<>();
        for (Profile.Layer r : rows) {
            ReferenceEnergy.Estimate e = r.estimate();
            names.add(r.layer());
            ann.add(e.annComputeJ() * 1e9);
            snn.add(e.snnComputeJ() * 1e9);
            snnMem.add(e.snnWithMemoryJ() * 1e9);
        }
        energy.addSeries("ANN, compute", names, ann);
        energy.addSeries("SNN, compute", names, snn);
        energy.addSeries("SNN, with SRAM", names, snnMem);
        for (Profile.TargetProfile t : targets) {
            Map<String, Double> byLayer = TargetReport.layerEnergy(t.figures());
            if (byLayer.isEmpty()) {
                continue;
            }
            List<Double> perLayer = new ArrayList<>();
            for (String layer : names) {
                perLayer.add(byLayer.getOrDefault(layer, 0.0) * 1e9);
            }
            energy.addSeries(t.target() + ", synaptic + neuron", names, perLayer);
        }
        out.put("energy-by-layer.png", png(energy));

        // energy by category per target (neurocore targets: the spec's figures)
        List<Profile.TargetProfile> withEnergy = targets.stream().filter(t -> t.figures().energy() != null).toList();
        if (!withEnergy.isEmpty()) {
            CategoryChart cat = new CategoryChartBuilder().width(900).height(450)
                    .title("Energy per inference by category, per target (ESTIMATES from each spec)").xAxisTitle("target")
                    .yAxisTitle("uJ").build();
            style(cat);
            cat.getStyler().setStacked(true);
            List<String> ts = withEnergy.stream().map(Profile.TargetProfile::target).toList();
            java.util.Set<String> parts = new java.util.LinkedHashSet<>();
            withEnergy.forEach(t -> parts.addAll(t.figures().energy().parts().keySet()));
            for (String part : parts) {
                cat.addSeries(part, ts, withEnergy.stream().map(t -> t.figures().energy().part(part) * 1e6).toList());
            }
            out.put("energy-by-target.png", png(cat));
        }

        // membrane traces of chosen neurons, with their thresholds
        XYChart mem = xy("Membrane of chosen neurons, test sample " + d.sample() + " (integer units)", "step",
                "membrane after reset");
        for (int[] tn : d.traced()) {
            QuantLayer layer = q.layers().get(tn[0]);
            double[] v = new double[steps];
            for (int t = 0; t < steps; t++) {
                v[t] = d.membraneSample()[tn[0]][t][tn[1]];
            }
            XYSeries s = mem.addSeries(layer.layer() + "[" + tn[1] + "]", x, v);
            s.setMarker(SeriesMarkers.CIRCLE);
            if (layer.theta() != null) {
                double th = layer.theta()[layer.channelOf(tn[1])];
                double[] line = new double[steps];
                java.util.Arrays.fill(line, th);
                XYSeries ts = mem.addSeries("threshold " + layer.layer() + "[" + tn[1] + "]", x, line);
                ts.setMarker(SeriesMarkers.NONE);
                ts.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
                ts.setLineColor(Color.GRAY);
            }
        }
        out.put("membrane.png", png(mem));

        if (accuracy) {
            XYChart acc = xy("Integer-model accuracy if the readout were read after t steps", "step", "accuracy (%)");
            double[] a = new double[steps];
            for (int t = 0; t < steps; t++) {
                a[t] = 100 * d.accuracyByStep()[t];
            }
            acc.addSeries("accuracy", x, a);
            out.put("accuracy-vs-steps.png", png(acc));
        }
        return out;
    }

    private static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(900).height(450).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c);
        return c;
    }

    private static void style(Chart<?, ?> c) {
        Styler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setAntiAlias(true);
    }

    private static byte[] png(Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(chart, b, BitmapEncoder.BitmapFormat.PNG);
        return b.toByteArray();
    }

    /** Writes the PNG files and {@code report.html} (the PNGs embedded, so the page stands alone); returns the page. */
    private static Path page(Path dir, String model, String header, List<String[]> layerTable, List<String> energyLines,
                             List<String> targetLines, Map<String, byte[]> plots) throws IOException {
        for (Map.Entry<String, byte[]> e : plots.entrySet()) {
            AtomicFiles.write(dir.resolve(e.getKey()), e.getValue());
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        h.append("<title>spikeforge profile: ").append(esc(model)).append("</title>\n<style>\n");
        h.append("body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }\n");
        h.append("table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n");
        h.append("td.n { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f0f0f0; }\n");
        h.append("img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; } .note { color: #666; font-size: 0.9em; }\n");
        h.append("</style>\n</head>\n<body>\n");
        h.append("<h1>Profile of model ").append(esc(model)).append("</h1>\n<p>").append(esc(header)).append("</p>\n");
        h.append("<h2>Per layer, per inference</h2>\n<table>\n");
        for (int i = 0; i < layerTable.size(); i++) {
            h.append("<tr>");
            String[] row = layerTable.get(i);
            for (int c = 0; c < row.length; c++) {
                String open = i == 0 ? "<th>" : c == 0 ? "<td>" : "<td class=\"n\">";
                h.append(open).append(esc(row[c])).append(i == 0 ? "</th>" : "</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<h2>Energy per inference (estimates)</h2>\n<ul>\n");
        for (String e : energyLines) {
            h.append("<li>").append(esc(e)).append("</li>\n");
        }
        h.append("</ul>\n<h2>Targets</h2>\n<ul>\n");
        for (String t : targetLines) {
            h.append("<li>").append(esc(t)).append("</li>\n");
        }
        h.append("</ul>\n<h2>Plots</h2>\n");
        for (Map.Entry<String, byte[]> e : plots.entrySet()) {
            h.append("<figure>\n<img alt=\"").append(esc(e.getKey())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(e.getValue())).append("\"/>\n<figcaption class=\"note\">")
                    .append(esc(e.getKey())).append(" (also a file beside this page)</figcaption>\n</figure>\n");
        }
        h.append("<p class=\"note\">Every energy figure is an estimate: a count times a published per-operation figure."
                + " docs/profiling.md gives the sources and assumptions.</p>\n</body>\n</html>\n");
        Path page = dir.resolve("report.html");
        AtomicFiles.writeString(page, h.toString());
        return page;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

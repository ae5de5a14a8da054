package dev.spikeforge.cli;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
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
 * The profile's plots (PNG files, drawn with XChart) and a self-contained HTML report that embeds
 * them with the counter tables. The data come from one more pass of the integer model over the
 * profiled samples, recording every spike and membrane of every layer.
 */
final class ProfileReport {

    private static final int CHUNK = 8;

    /** What the plots show, gathered from the integer model. */
    record Data(double[][] spikesPerStep, double[][] firingRates, byte[][][] rasterSample, long[][][] membraneSample,
                List<int[]> traced, double[] accuracyByStep, int sample, int label) {
    }

    private ProfileReport() {
    }

    /**
     * Runs the integer model on {@code inputs} recording everything, one chunk at a time.
     *
     * @param sample which sample's raster and membrane traces to keep
     * @param trace  neurons to trace as {layer, neuron}; empty: the three most active of the last spiking hidden layer
     */
    static Data gather(QuantizedNetwork q, int[][] inputs, int[] labels, int threads, int sample, List<int[]> trace) {
        int layers = q.layers().size();
        int steps = q.timesteps();
        int[] all = java.util.stream.IntStream.range(0, layers).toArray();
        IntegerSimulator sim = new IntegerSimulator(q);
        double[][] perStep = new double[layers][steps];
        long[][] perNeuron = new long[layers][];
        for (int l = 0; l < layers; l++) {
            perNeuron[l] = new long[q.layers().get(l).size()];
        }
        long[] correctByStep = new long[steps];
        byte[][][] raster = null;
        long[][][] membranes = null;
        for (int from = 0; from < inputs.length; from += CHUNK) {
            int[][] part = java.util.Arrays.copyOfRange(inputs, from, Math.min(inputs.length, from + CHUNK));
            List<SampleResult> rs = sim.run(part, threads, new IntegerSimulator.Recording(IntegerSimulator.Detail.FULL, all));
            for (int i = 0; i < rs.size(); i++) {
                SampleResult r = rs.get(i);
                for (int l = 0; l < layers; l++) {
                    for (int t = 0; t < steps; t++) {
                        byte[] s = r.spikeRecord()[l][t];
                        int count = 0;
                        for (int n = 0; n < s.length; n++) {
                            count += s[n];
                            perNeuron[l][n] += s[n];
                        }
                        perStep[l][t] += count;
                    }
                }
                // the prediction the readout would give after t steps
                int last = layers - 1;
                boolean spiking = q.readout().spiking();
                long[] running = new long[q.readout().size()];
                for (int t = 0; t < steps; t++) {
                    if (spiking) {
                        byte[] s = r.spikeRecord()[last][t];
                        for (int c = 0; c < running.length; c++) {
                            running[c] += s[c];
                        }
                    } else {
                        running = r.membraneRecord()[last][t];
                    }
                    correctByStep[t] += IntegerSimulator.argmax(running) == labels[from + i] ? 1 : 0;
                }
                if (from + i == sample) {
                    raster = r.spikeRecord();
                    membranes = r.membraneRecord();
                }
            }
        }
        int n = inputs.length;
        double[][] rates = new double[layers][];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < steps; t++) {
                perStep[l][t] /= n;
            }
            rates[l] = new double[perNeuron[l].length];
            for (int k = 0; k < rates[l].length; k++) {
                rates[l][k] = perNeuron[l][k] / ((double) n * steps);
            }
        }
        double[] acc = new double[steps];
        for (int t = 0; t < steps; t++) {
            acc[t] = correctByStep[t] / (double) n;
        }
        List<int[]> traced = trace.isEmpty() ? mostActive(q, raster) : trace;
        return new Data(perStep, rates, raster, membranes, traced, acc, sample, labels[sample]);
    }

    /** The three neurons of the last spiking hidden layer that spiked most in the traced sample. */
    private static List<int[]> mostActive(QuantizedNetwork q, byte[][][] raster) {
        int layer = -1;
        for (int l = 0; l < q.layers().size() - 1; l++) {
            if (q.layers().get(l).spiking()) {
                layer = l;
            }
        }
        if (layer < 0) {
            return List.of();
        }
        int size = q.layers().get(layer).size();
        int[] counts = new int[size];
        for (byte[] step : raster[layer]) {
            for (int n = 0; n < size; n++) {
                counts[n] += step[n];
            }
        }
        List<int[]> out = new ArrayList<>();
        boolean[] taken = new boolean[size];
        for (int k = 0; k < Math.min(3, size); k++) {
            int best = -1;
            for (int n = 0; n < size; n++) {
                if (!taken[n] && (best < 0 || counts[n] > counts[best])) {
                    best = n;
                }
            }
            taken[best] = true;
            out.add(new int[] {layer, best});
        }
        return out;
    }

    /** The plots as PNG bytes, by file name. */
    static Map<String, byte[]> plots(QuantizedNetwork q, Data d, List<ProfileCommand.Row> rows,
                                     List<ProfileCommand.TargetProfile> targets, boolean accuracy) throws IOException {
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
        for (ProfileCommand.Row r : rows) {
            ReferenceEnergy.Estimate e = ProfileCommand.estimate(r);
            names.add(r.layer());
            ann.add(e.annComputeJ() * 1e9);
            snn.add(e.snnComputeJ() * 1e9);
            snnMem.add(e.snnWithMemoryJ() * 1e9);
        }
        energy.addSeries("ANN, compute", names, ann);
        energy.addSeries("SNN, compute", names, snn);
        energy.addSeries("SNN, with SRAM", names, snnMem);
        for (ProfileCommand.TargetProfile t : targets) {
            if (t.layers().isEmpty()) {
                continue;
            }
            List<Double> perLayer = new ArrayList<>();
            for (String layer : names) {
                perLayer.add(t.layers().stream().filter(l -> l.name().equals(layer)).mapToDouble(l -> l.meanComputeJ() * 1e9)
                        .sum());
            }
            energy.addSeries(t.target() + ", synaptic + neuron", names, perLayer);
        }
        out.put("energy-by-layer.png", png(energy));

        // energy by category per target (neurocore targets: the spec's figures)
        List<ProfileCommand.TargetProfile> withEnergy = targets.stream().filter(t -> t.energy() != null).toList();
        if (!withEnergy.isEmpty()) {
            CategoryChart cat = new CategoryChartBuilder().width(900).height(450)
                    .title("Energy per inference by category, per target (ESTIMATES from each spec)").xAxisTitle("target")
                    .yAxisTitle("uJ").build();
            style(cat);
            cat.getStyler().setStacked(true);
            List<String> ts = withEnergy.stream().map(ProfileCommand.TargetProfile::target).toList();
            cat.addSeries("synaptic", ts, withEnergy.stream().map(t -> t.energy().synapticJ() * 1e6).toList());
            cat.addSeries("neuron", ts, withEnergy.stream().map(t -> t.energy().neuronJ() * 1e6).toList());
            cat.addSeries("routing", ts, withEnergy.stream().map(t -> t.energy().routingJ() * 1e6).toList());
            cat.addSeries("static", ts, withEnergy.stream().map(t -> t.energy().staticJ() * 1e6).toList());
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
    static Path write(Path dir, String model, String header, List<String[]> layerTable, List<String> energyLines,
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

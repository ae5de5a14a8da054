package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.targets.fpga.FpgaDesign;
import dev.spikeforge.targets.fpga.FpgaEmulator;
import dev.spikeforge.targets.fpga.FpgaFolder;
import dev.spikeforge.targets.fpga.FpgaFolderException;
import dev.spikeforge.targets.fpga.FpgaLayer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code spikeforge emulate DIR} for an fpga folder: the FPGA emulator on the model's test samples. */
final class FpgaEmulation {

    private static final int BATCH = 32;

    private FpgaEmulation() {
    }

    static int run(Path dir, Path modelFile, Integer samples, Path dataDir, Integer threads, boolean json, PrintWriter out,
                   PrintWriter err) throws Exception {
        FpgaDesign d;
        try {
            d = FpgaFolder.read(dir);
        } catch (FpgaFolderException e) {
            err.println("spikeforge emulate: error: " + e.oneLine());
            return ExitCodes.INPUT_ERROR;
        }
        RunSetup.Prepared p = EmulateCommand.prepareForFolder("emulate", dir, modelFile, dataDir,
                (long) d.inputShape()[0] * d.inputShape()[1] * d.inputShape()[2], d.timesteps(), d.encoding(), err);
        if (p.exitCode() != ExitCodes.OK) {
            return p.exitCode();
        }
        Network net = p.network();
        ImageDataset test = p.data().test();
        int n = samples == null ? test.count() : Math.min(samples, test.count());
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        int layers = d.layers().size();
        long[] spikes = new long[layers];
        long cycles = 0;
        long maxCycles = 0;
        long maxStep = 0;
        int correct = 0;
        long start = System.nanoTime();
        for (int from = 0; from < n; from += BATCH) {
            int b = Math.min(BATCH, n - from);
            int[] idx = java.util.stream.IntStream.range(from, from + b).toArray();
            int[][] inputs = EmulateCommand.inputs(net, test, idx, p.train().seed());
            List<FpgaEmulator.Sample> results = FpgaEmulator.run(d, inputs, workers, false);
            for (int i = 0; i < b; i++) {
                FpgaEmulator.Sample s = results.get(i);
                correct += IntegerSimulator.argmax(s.readout()) == test.label(idx[i]) ? 1 : 0;
                cycles += s.cycles();
                maxCycles = Math.max(maxCycles, s.cycles());
                for (long c : s.stepCycles()) {
                    maxStep = Math.max(maxStep, c);
                }
                for (int l = 0; l < layers; l++) {
                    spikes[l] += s.spikes(l);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            progress.update("emulate", from + b, n, String.format(Locale.ROOT, "%.1f samples/s", (from + b) / elapsed),
                    (from + b) / elapsed);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = correct / (double) Math.max(1, n);
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", "spikeforge.emulate.fpga/1");
            doc.put("model", d.model());
            doc.put("target", d.options().describe());
            doc.put("samples", n);
            doc.put("accuracy", accuracy);
            doc.put("cycles_per_inference_mean", cycles / (double) Math.max(1, n));
            doc.put("cycles_per_inference_max", maxCycles);
            doc.put("cycles_per_step_max", maxStep);
            ArrayNode ls = doc.putArray("layers");
            for (FpgaLayer l : d.layers()) {
                ObjectNode o = ls.addObject();
                o.put("layer", l.name());
                o.put("spikes_per_inference", spikes[l.index()] / (double) Math.max(1, n));
            }
            doc.put("seconds", seconds);
            doc.put("simulated_cycles_per_second", cycles / Math.max(1e-9, seconds));
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "model %s on %s: %d test samples, T = %d%n", d.model(), d.options().describe(), n, d.timesteps());
            out.printf(Locale.ROOT, "accuracy             %.2f%%%n", 100 * accuracy);
            out.printf(Locale.ROOT, "cycles per inference mean %.0f, max %d (max per step %d); at 100 MHz %.1f us%n",
                    cycles / (double) Math.max(1, n), maxCycles, maxStep, cycles / (double) Math.max(1, n) / 100.0);
            out.println("layer     spikes per inference");
            for (FpgaLayer l : d.layers()) {
                out.printf(Locale.ROOT, "%-8s  %s%n", l.name(), l.mode().spiking() ? String.format(Locale.ROOT, "%.1f",
                        spikes[l.index()] / (double) Math.max(1, n)) : "- (non-spiking readout)");
            }
            out.printf(Locale.ROOT, "%.1f s on %d threads, %.3g simulated cycles/s%n", seconds, workers,
                    cycles / Math.max(1e-9, seconds));
        }
        out.flush();
        return ExitCodes.OK;
    }
}

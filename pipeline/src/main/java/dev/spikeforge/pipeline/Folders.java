package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.io.IoProblems;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.HardwareSynthesis;
import dev.spikeforge.compiler.target.RtlSimulation;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.compiler.target.ToolException;
import dev.spikeforge.compiler.target.Waveforms;
import dev.spikeforge.runtime.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What runs a compiled folder with a model's test samples: its emulator alone, its RTL simulation
 * against the emulator, its synthesis. The model supplies only the inputs (dataset, encoding, seed).
 */
public final class Folders {

    private static final int BATCH = 32;

    private Folders() {
    }

    /** Why {@code model} cannot supply the inputs of {@code d} (input size, T, encoding), or null. */
    static String mismatch(DeployedTarget d, Network net) {
        DeployedTarget.Input in = d.input();
        long size = net.input().shape().size();
        if (size != in.size()) {
            return "the folder takes " + in.size() + " input values but model '" + net.name() + "' has " + size;
        }
        if (net.timesteps() != in.timesteps()) {
            return "the folder runs T = " + in.timesteps() + " steps but model '" + net.name() + "' has T = "
                    + net.timesteps();
        }
        // the whole encoding, so rows and rows(levels = L) (and two level counts) are told apart
        String encoding = net.input().encoding().toString();
        if (!encoding.equals(in.encoding())) {
            return "the folder expects " + in.encoding() + " input but model '" + net.name() + "' encodes " + encoding;
        }
        return null;
    }

    private static ImageDataset test(Pipeline p, DeployedTarget d, LoadedModel model) throws PipelineException {
        String mismatch = mismatch(d, model.network());
        if (mismatch != null) {
            throw PipelineException.of(PipelineException.Kind.INPUT, d.folder() + ": " + mismatch + "; pass with --model"
                    + " the model the folder was compiled from, or compile it again with spikeforge compile MODEL");
        }
        if (!model.name().equals(d.model())) {
            p.listener().warning("the folder was compiled from model '" + d.model() + "' but --model is '" + model.name() + "'");
        }
        return p.dataset(model).test();
    }

    /**
     * Emulates the first {@code samples} test samples (null: all) and, when {@code trace} is given,
     * writes the waveforms of {@code traceNeurons} of sample {@code traceSample}.
     */
    public static Emulation emulate(Pipeline p, DeployedTarget d, LoadedModel model, Integer samples, Path trace,
                                    String traceNeurons, int traceSample, boolean traceCycles) throws PipelineException {
        Waveforms waves = null;
        if (trace != null) {
            waves = d.waveforms().orElseThrow(() -> PipelineException.of(PipelineException.Kind.USAGE, "--trace: "
                    + d.noWaveforms()));
            try {
                waves.check(traceNeurons);
            } catch (IllegalArgumentException e) {
                throw PipelineException.of(PipelineException.Kind.USAGE, "--trace-neurons: " + e.getMessage());
            }
        }
        ImageDataset test = test(p, d, model);
        int n = samples == null ? test.count() : Math.min(samples, test.count());
        if (trace != null && traceSample >= n) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "--trace-sample " + traceSample + " is not among the "
                    + n + " samples emulated");
        }
        TargetEmulator emulator = d.emulator();
        long start = System.nanoTime();
        int correct = 0;
        int[] traced = null;
        for (int from = 0; from < n; from += BATCH) {
            int b = Math.min(BATCH, n - from);
            int[][] inputs = InputSpikes.integer(model, test, from, b);
            List<TargetSample> part = emulator.run(inputs, p.threads(), false);
            for (int i = 0; i < b; i++) {
                correct += part.get(i).prediction() == test.label(from + i) ? 1 : 0;
                if (from + i == traceSample) {
                    traced = inputs[i];
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            p.listener().progress("emulate", from + b, n, String.format(Locale.ROOT, "%.1f samples/s", (from + b) / elapsed),
                    (from + b) / elapsed);
        }
        p.listener().emulated(d.name(), n);
        double seconds = (System.nanoTime() - start) / 1e9;
        String written = null;
        if (waves != null) {
            try {
                written = waves.write(traced, traceNeurons, traceCycles, trace, "test sample " + traceSample + ", label "
                        + test.label(traceSample));
            } catch (IOException e) {
                throw PipelineException.of(PipelineException.Kind.INPUT, trace + ": cannot write the trace: "
                        + IoProblems.reason(e));
            }
        }
        return new Emulation(d.name(), d.folder(), d.model(), n, model.network().timesteps(),
                correct / (double) Math.max(1, n), emulator.figures(), seconds, p.threads(), written);
    }

    /**
     * Simulates the folder's RTL with {@code tool} on the first {@code samples} test samples and
     * compares it with the emulator; with {@code speed}, also times both without recording.
     */
    public static RtlComparison rtl(Pipeline p, DeployedTarget d, LoadedModel model, int samples, String tool, Path vcd,
                                    boolean speed) throws PipelineException {
        RtlSimulation sim = d.rtl(tool).orElseThrow(() -> PipelineException.of(PipelineException.Kind.USAGE,
                d.folder() + ": " + d.name() + " has no RTL simulation with " + tool
                        + (d.rtlTools().isEmpty() ? "" : "; use " + String.join(" or ", d.rtlTools()))));
        ImageDataset test = test(p, d, model);
        int n = Math.min(samples, test.count());
        int[][] inputs = InputSpikes.integer(model, test, 0, n);
        TargetEmulator emulator = d.emulator();
        long e0 = System.nanoTime();
        List<TargetSample> want = emulator.run(inputs, 1, true);
        double emuSeconds = (System.nanoTime() - e0) / 1e9;
        long cycles = want.stream().mapToLong(TargetSample::cycles).sum();
        try {
            RtlSimulation.RtlRun run = sim.run(inputs, want, vcd, true);
            p.listener().simulated(d.name(), sim.tool(), n);
            double emuFast = Double.NaN;
            double rtlFast = Double.NaN;
            if (speed) {
                long f0 = System.nanoTime();
                List<TargetSample> quick = d.emulator().run(inputs, 1, false);
                emuFast = cycles / Math.max(1e-9, (System.nanoTime() - f0) / 1e9);
                rtlFast = cycles / Math.max(1e-9, sim.run(inputs, quick, null, false).runSeconds());
            }
            int correct = 0;
            for (int i = 0; i < n; i++) {
                correct += run.predictions()[i] == test.label(i) ? 1 : 0;
            }
            return new RtlComparison(d.name(), n, cycles, correct / (double) Math.max(1, n), emuSeconds, run, emuFast, rtlFast);
        } catch (ToolException | IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }

    /** Synthesises the folder's design (against {@code device}, or its own). */
    public static HardwareSynthesis.Report synthesise(DeployedTarget d, String device, boolean placeAndRoute)
            throws PipelineException {
        HardwareSynthesis s = d.synthesis().orElseThrow(() -> PipelineException.of(PipelineException.Kind.USAGE,
                d.folder() + ": " + d.name() + " has no hardware description to synthesise"));
        if (device != null && !s.devices().contains(device.toLowerCase(Locale.ROOT))) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "--device " + device + " is not in the device table;"
                    + " known: " + String.join(", ", s.devices()));
        }
        try {
            return s.run(device, placeAndRoute);
        } catch (ToolException | IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }
}

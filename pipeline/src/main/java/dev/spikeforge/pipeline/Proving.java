package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.RtlSimulation;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.compiler.target.ToolException;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verify stage (docs/semantics.md section 5): the float model against the integer model, then
 * every target's folder, read back from its files, on its emulator against its own integer model,
 * sample by sample, in one pass over the samples; then the RTL simulations against the emulators.
 */
final class Proving {

    /** Sees the integer model's full records (every spike and membrane) of each chunk of samples. */
    public interface RecordObserver {
        void chunk(int from, int[][] inputs, List<SampleResult> records);
    }

    /** Samples per batch of the float model when verification compares it with the integer model. */
    static final int VERIFY_BATCH = 32;

    private Proving() {
    }

    static Verification prove(Pipeline p, Compiled c, VerifySettings s, RecordObserver observer) throws PipelineException {
        LoadedModel model = c.trained().model();
        ImageDataset test = p.dataset(model, null).test();
        int n = s.samples() == null ? test.count() : Math.min(s.samples(), test.count());
        int threads = p.threads();
        Memory.beforeInference(model, VERIFY_BATCH, null);
        FloatModel floatModel = p.floatModel(c.trained());
        long start = System.nanoTime();
        FloatIntegerComparison.Result r = FloatIntegerComparison.run(model.network(), floatModel, c.model().network(), test,
                n, model.seed(), VERIFY_BATCH, threads, done -> {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    p.listener().progress("verify", done, n, String.format(Locale.ROOT, "%.0f samples/s", done / elapsed),
                            done / elapsed);
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Check> checks = new ArrayList<>();
        // a target that runs another timing than the model's (docs/semantics.md section 2.7) gets its own float
        // model under that timing, compared with its own integer model: the float, integer and emulated models
        // of every target agree under the target's timing
        Map<QuantizedNetwork, FloatIntegerComparison.Result> underOwnTiming = new IdentityHashMap<>();
        for (Compiled.Build b : c.targets()) {
            QuantizedNetwork qt = b.quantised().network();
            FloatIntegerComparison.Result own = null;
            if (qt.timing() != model.network().timing()) {
                own = underOwnTiming.get(qt);
                if (own == null) {
                    var net = model.network().withTiming(qt.timing());
                    String label = "verify (" + qt.timing().keyword() + ")";
                    long began = System.nanoTime();
                    own = FloatIntegerComparison.run(net, new FloatModel(net, c.trained().parameters()), qt, test, n,
                            model.seed(), VERIFY_BATCH, threads, done -> {
                                double elapsed = (System.nanoTime() - began) / 1e9;
                                p.listener().progress(label, done, n, String.format(Locale.ROOT, "%.0f samples/s",
                                        done / elapsed), done / elapsed);
                            });
                    underOwnTiming.put(qt, own);
                }
            }
            checks.add(new Check(b, read(b), s, own));
        }
        int chunk = Math.max(1, threads * 8);
        for (int from = 0; from < n && (!checks.isEmpty() || observer != null); from += chunk) {
            int count = Math.min(chunk, n - from);
            int[][] inputs = InputSpikes.integer(model, test, from, count);
            Map<QuantizedNetwork, List<SampleResult>> records = new IdentityHashMap<>();
            for (Check k : checks) {
                k.chunk(from, inputs, records.computeIfAbsent(k.build.quantised().network(), q -> full(q, inputs, threads)),
                        threads);
            }
            if (observer != null) {
                observer.chunk(from, inputs, records.computeIfAbsent(c.model().network(), q -> full(q, inputs, threads)));
            }
            if (!checks.isEmpty()) {
                p.listener().progress("emulate", from + count, n, checks.size() + " target(s)", 0);
            }
        }
        List<Verification.TargetProof> proofs = new ArrayList<>();
        for (Check k : checks) {
            p.listener().emulated(k.build.target().name(), n);
            proofs.add(k.proof(p));
        }
        return new Verification(c, n, r, s.tolerances(), proofs, seconds, threads);
    }

    /** The integer model's full records (every spike and membrane of every layer) of {@code inputs}. */
    static List<SampleResult> full(QuantizedNetwork q, int[][] inputs, int threads) {
        int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
        return new IntegerSimulator(q).run(inputs, threads, new IntegerSimulator.Recording(IntegerSimulator.Detail.FULL, all));
    }

    /** A target's folder as its family reads it back: the emulator runs the files, not the model in memory. */
    static DeployedTarget read(Compiled.Build b) throws PipelineException {
        TargetFamily family = TargetFamily.named(b.target().family()).orElseThrow();
        try {
            return family.read(b.folder().folder());
        } catch (dev.spikeforge.compiler.io.FileProblemException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }

    /** One target's check in progress: its emulator, its differences, and the samples kept for the RTL. */
    private static final class Check {
        final Compiled.Build build;
        final DeployedTarget deployed;
        final TargetEmulator emulator;
        final VerifySettings settings;
        final List<Verification.Mismatch> perSample = new ArrayList<>();
        final List<int[]> keptInputs = new ArrayList<>();
        final List<TargetSample> kept = new ArrayList<>();
        final RtlSimulation rtl;

        /** The float model against this target's integer model under the target's own timing, or null. */
        final FloatIntegerComparison.Result ownTiming;

        Check(Compiled.Build build, DeployedTarget deployed, VerifySettings settings, FloatIntegerComparison.Result ownTiming) {
            this.build = build;
            this.ownTiming = ownTiming;
            this.deployed = deployed;
            this.emulator = deployed.emulator();
            this.settings = settings;
            this.rtl = settings.rtlTool() == null ? null : deployed.rtl(settings.rtlTool()).orElse(null);
        }

        void chunk(int from, int[][] inputs, List<SampleResult> reference, int threads) {
            List<TargetSample> e = emulator.run(inputs, threads, true);
            QuantizedNetwork q = build.quantised().network();
            for (int i = 0; i < inputs.length; i++) {
                perSample.add(compare(from + i, q, e.get(i), reference.get(i)));
                if (rtl != null && (settings.rtlSamples() == null || from + i < settings.rtlSamples())) {
                    keptInputs.add(inputs[i]);
                    kept.add(e.get(i));
                }
            }
        }

        Verification.TargetProof proof(Pipeline p) throws PipelineException {
            RtlSimulation.RtlRun run = null;
            String note = null;
            if (rtl != null && !kept.isEmpty()) {
                if (!rtl.available()) {
                    note = "RTL simulation skipped: " + rtl.tool() + " is not installed (" + rtl.install() + ")";
                    if (settings.rtlRequired()) {
                        throw PipelineException.of(PipelineException.Kind.INPUT, rtl.tool() + " is not installed; install"
                                + " it with: " + rtl.install());
                    }
                } else {
                    try {
                        run = rtl.run(keptInputs.toArray(new int[0][]), kept, settings.vcd(), true);
                        p.listener().simulated(build.target().name(), rtl.tool(), kept.size());
                    } catch (ToolException | IOException e) {
                        throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
                    }
                }
            }
            return new Verification.TargetProof(build.target().name(), build.target().family(), deployed.folder(), perSample,
                    emulator.figures(), run, note, build.quantised().network().timing(), ownTiming);
        }
    }

    /**
     * docs/semantics.md section 5.1: the first difference between an emulator's sample and the
     * integer reference's (every spike and membrane of every neuron at every step, then the
     * readout), or null when they are equal.
     */
    static Verification.Mismatch compare(int sample, QuantizedNetwork q, TargetSample e, SampleResult r) {
        byte[][][] spikes = e.spikes();
        long[][][] membranes = e.membranes();
        for (int t = 0; t < q.timesteps(); t++) {
            for (int l = 0; l < q.layers().size(); l++) {
                String name = q.layers().get(l).layer();
                long[] em = membranes[l][t];
                long[] rm = r.membraneRecord()[l][t];
                byte[] es = spikes[l][t];
                byte[] rs = r.spikeRecord()[l][t];
                for (int k = 0; k < rm.length; k++) {
                    if (es[k] != rs[k]) {
                        return new Verification.Mismatch(sample, t + 1, name, k, "spike", es[k], rs[k]);
                    }
                    if (em[k] != rm[k]) {
                        return new Verification.Mismatch(sample, t + 1, name, k, "membrane", em[k], rm[k]);
                    }
                }
            }
        }
        for (int k = 0; k < r.readout().length; k++) {
            if (e.readout()[k] != r.readout()[k]) {
                return new Verification.Mismatch(sample, q.timesteps(), q.readout().layer(), k, "readout", e.readout()[k],
                        r.readout()[k]);
            }
        }
        return null;
    }
}

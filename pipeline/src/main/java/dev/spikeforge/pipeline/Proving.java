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
import dev.spikeforge.runtime.engine.IntegerExact;
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
 * The same pass over a range of the samples is a shard ({@link VerifyShard}), and shards merged in
 * sample order give the one pass's result (verify --master): the pass keeps raw counts and
 * per-sample values until the end, so grouping samples otherwise changes nothing.
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
        int n = samples(p, c, s);
        Pass pass = pass(p, c, s, 0, n, observer);
        List<Verification.TargetProof> proofs = new ArrayList<>();
        for (Check k : pass.checks()) {
            p.listener().emulated(k.build.target().name(), n);
            proofs.add(k.proof(p));
        }
        double residual = c.trained().integerExact() == null ? Double.NaN
                : p.floatModel(c.trained()).integerExact().largestResidual();
        return new Verification(c, n, FloatIntegerComparison.result(c.model().network(), pass.comparison()), s.tolerances(),
                proofs, pass.seconds(), p.threads(), residual);
    }

    /** The samples a verification runs on: the first {@code s.samples()} of the test split, or all of them. */
    static int samples(Pipeline p, Compiled c, VerifySettings s) throws PipelineException {
        ImageDataset test = p.dataset(c.trained().model(), null).test();
        return s.samples() == null ? test.count() : Math.min(s.samples(), test.count());
    }

    /**
     * One pass over samples {@code from .. to - 1}: the float model against the integer model (and
     * against each target's integer model under the target's own timing), then each target's
     * emulator against its integer model, chunk by chunk.
     */
    private static Pass pass(Pipeline p, Compiled c, VerifySettings s, int from, int to, RecordObserver observer)
            throws PipelineException {
        LoadedModel model = c.trained().model();
        ImageDataset test = p.dataset(model, null).test();
        int threads = p.threads();
        int range = to - from;
        Memory.beforeInference(model, VERIFY_BATCH, null);
        FloatModel floatModel = p.floatModel(c.trained());
        long start = System.nanoTime();
        FloatIntegerComparison.Tally r;
        try {
            r = FloatIntegerComparison.tally(model.network(), floatModel, c.model().network(), test,
                    from, to, model.seed(), VERIFY_BATCH, threads, done -> {
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        p.listener().progress("verify", done, range, String.format(Locale.ROOT, "%.0f samples/s",
                                done / elapsed), done / elapsed);
                    });
        } catch (IntegerExact.OffGrid e) {
            throw Pipeline.offGrid(c.trained(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Check> checks = new ArrayList<>();
        // a target that runs another timing than the model's (docs/semantics.md section 2.7) gets its own float
        // model under that timing, compared with its own integer model: the float, integer and emulated models
        // of every target agree under the target's timing
        Map<QuantizedNetwork, FloatIntegerComparison.Tally> underOwnTiming = new IdentityHashMap<>();
        for (Compiled.Build b : c.targets()) {
            QuantizedNetwork qt = b.quantised().network();
            FloatIntegerComparison.Tally own = null;
            if (qt.timing() != model.network().timing()) {
                own = underOwnTiming.get(qt);
                if (own == null) {
                    var net = model.network().withTiming(qt.timing());
                    String label = "verify (" + qt.timing().keyword() + ")";
                    long began = System.nanoTime();
                    try {
                        own = FloatIntegerComparison.tally(net, p.floatModel(c.trained(), net), qt, test, from, to,
                                model.seed(), VERIFY_BATCH, threads, done -> {
                                    double elapsed = (System.nanoTime() - began) / 1e9;
                                    p.listener().progress(label, done, range, String.format(Locale.ROOT, "%.0f samples/s",
                                            done / elapsed), done / elapsed);
                                });
                    } catch (IntegerExact.OffGrid e) {
                        throw Pipeline.offGrid(c.trained(), e);
                    }
                    underOwnTiming.put(qt, own);
                }
            }
            checks.add(new Check(b, read(b), s, own));
        }
        int chunk = Math.max(1, threads * 8);
        for (int at = from; at < to && (!checks.isEmpty() || observer != null); at += chunk) {
            int count = Math.min(chunk, to - at);
            int[][] inputs = InputSpikes.integer(model, test, at, count);
            Map<QuantizedNetwork, List<SampleResult>> records = new IdentityHashMap<>();
            for (Check k : checks) {
                k.chunk(at, inputs, records.computeIfAbsent(k.build.quantised().network(), q -> full(q, inputs, threads)),
                        threads);
            }
            if (observer != null) {
                observer.chunk(at, inputs, records.computeIfAbsent(c.model().network(), q -> full(q, inputs, threads)));
            }
            if (!checks.isEmpty()) {
                p.listener().progress("emulate", at + count - from, range, checks.size() + " target(s)", 0);
            }
        }
        return new Pass(r, seconds, checks);
    }

    /** What one pass over a range of samples leaves: the float/integer counts, their wall time, each target's check. */
    private record Pass(FloatIntegerComparison.Tally comparison, double seconds, List<Check> checks) {
    }

    // ---- shards: a verification's samples in ranges, run anywhere, merged in sample order ------

    /**
     * Why {@code c} cannot be verified in shards with {@code s}, or null: an RTL simulation (it runs
     * once, on one machine, over the emulator's own samples), or a target whose emulator cannot
     * merge its figures ({@link TargetEmulator#tally()}).
     */
    static String unshardable(Compiled c, VerifySettings s) throws PipelineException {
        if (s.rtlTool() != null || s.vcd() != null) {
            return "the RTL simulation (--rtl, --vcd) runs on one machine only; verify the RTL without --master (e.g."
                    + " spikeforge verify MODEL --checkpoint C --target T --rtl --samples 200), and all the samples"
                    + " with --master but without --rtl";
        }
        for (Compiled.Build b : c.targets()) {
            if (read(b).emulator().tally() == null) {
                return "target " + b.target().name() + " (family " + b.target().family() + ") cannot be verified in shards:"
                        + " its emulator cannot merge the figures of several emulators (TargetEmulator.tally); verify"
                        + " it without --master";
            }
        }
        return null;
    }

    static VerifyShard shard(Pipeline p, Compiled c, VerifySettings s, int from, int to) throws PipelineException {
        String why = unshardable(c, s);
        if (why != null) {
            throw PipelineException.of(PipelineException.Kind.USAGE, why);
        }
        int n = samples(p, c, s);
        String range = "samples " + from + " to " + (to - 1);
        if (from < 0 || to <= from || to > n) {
            throw PipelineException.of(PipelineException.Kind.USAGE, range + " are not a range of the " + n
                    + " samples this verification runs on (0 to " + (n - 1) + ")");
        }
        if (from % VerifyShard.ALIGNMENT != 0 || (to % VerifyShard.ALIGNMENT != 0 && to != n)) {
            throw PipelineException.of(PipelineException.Kind.USAGE, range + ": a shard must start at a multiple of "
                    + VerifyShard.ALIGNMENT + " and end at one or at the last sample (" + n + "), so that the float model"
                    + " runs the batches of " + VERIFY_BATCH + " one pass runs; use VerifyShard.ranges(" + n + ", SIZE)"
                    + " with SIZE a multiple of " + VerifyShard.ALIGNMENT);
        }
        Pass pass = pass(p, c, s, from, to, null);
        List<VerifyShard.Target> targets = new ArrayList<>();
        for (Check k : pass.checks()) {
            targets.add(new VerifyShard.Target(k.build.target().name(), folderDigest(k.deployed.folder()), k.perSample,
                    k.emulator.tally(), k.ownTiming));
        }
        return new VerifyShard(from, to, n, dataDigest(p.dataset(c.trained().model(), null).test(), from, to),
                pass.comparison(), targets, pass.seconds(), p.threads());
    }

    static Verification merge(Pipeline p, Compiled c, VerifySettings s, List<VerifyShard> shards, double seconds)
            throws PipelineException {
        String why = unshardable(c, s);
        if (why != null) {
            throw PipelineException.of(PipelineException.Kind.USAGE, why);
        }
        if (shards.isEmpty()) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "no shards to merge");
        }
        int n = samples(p, c, s);
        ImageDataset test = p.dataset(c.trained().model(), null).test();
        List<VerifyShard> ordered = new ArrayList<>(shards);
        ordered.sort(java.util.Comparator.comparingInt(VerifyShard::from));
        int next = 0;
        for (VerifyShard v : ordered) {
            String range = "the shard of samples " + v.from() + " to " + (v.to() - 1);
            if (v.from() != next) {
                throw PipelineException.of(PipelineException.Kind.USAGE, range + (v.from() < next ? " overlaps the one"
                        + " before it" : " leaves samples " + next + " to " + (v.from() - 1) + " out") + "; the shards must"
                        + " cover samples 0 to " + (n - 1) + " once each");
            }
            if (v.total() != n) {
                throw PipelineException.of(PipelineException.Kind.INPUT, range + " counted " + v.total() + " samples to"
                        + " verify where this session counts " + n + ": its test split is another one (another dataset"
                        + " folder or --limit on its machine?)");
            }
            if (!v.data().equals(dataDigest(test, v.from(), v.to()))) {
                throw PipelineException.of(PipelineException.Kind.INPUT, range + " read other test samples (labels or"
                        + " pixels) than this session reads: its machine has another copy of the dataset; give every"
                        + " machine the same files (--data DIR)");
            }
            if (v.targets().size() != c.targets().size()) {
                throw PipelineException.of(PipelineException.Kind.INPUT, range + " verified " + v.targets().size()
                        + " targets where this session compiled " + c.targets().size());
            }
            next = v.to();
        }
        if (next != n) {
            throw PipelineException.of(PipelineException.Kind.USAGE, "the shards end at sample " + (next - 1) + "; samples "
                    + next + " to " + (n - 1) + " are left out");
        }
        try {
            return merged(p, c, s, ordered, n, seconds);
        } catch (IllegalArgumentException e) {
            // counts of another network (layers, neurons), which the checks above let through only if the shards
            // were made by another version of spikeforge
            throw PipelineException.of(PipelineException.Kind.INPUT, "the shards do not fit this session's model: "
                    + e.getMessage());
        }
    }

    private static Verification merged(Pipeline p, Compiled c, VerifySettings s, List<VerifyShard> ordered, int n,
                                       double seconds) throws PipelineException {
        FloatIntegerComparison.Tally comparison = ordered.get(0).comparison();
        for (VerifyShard v : ordered.subList(1, ordered.size())) {
            comparison = comparison.then(v.comparison());
        }
        List<Verification.TargetProof> proofs = new ArrayList<>();
        for (int t = 0; t < c.targets().size(); t++) {
            Compiled.Build b = c.targets().get(t);
            DeployedTarget deployed = read(b);
            Map<String, String> files = folderDigest(deployed.folder());
            TargetEmulator emulator = deployed.emulator();
            List<Verification.Mismatch> perSample = new ArrayList<>();
            FloatIntegerComparison.Tally own = null;
            for (VerifyShard v : ordered) {
                VerifyShard.Target part = v.targets().get(t);
                String range = "the shard of samples " + v.from() + " to " + (v.to() - 1);
                if (!part.target().equals(b.target().name())) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, range + " verified target " + part.target()
                            + " where this session compiled " + b.target().name());
                }
                if (!part.folder().equals(files)) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, range + " compiled target " + b.target().name()
                            + " into other files than " + deployed.folder() + " holds (" + firstDifference(files,
                            part.folder()) + "): did the model, the checkpoint or the spikeforge version differ on its"
                            + " machine?");
                }
                if (part.perSample().size() != v.to() - v.from()) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, range + " has " + part.perSample().size()
                            + " results of target " + b.target().name() + ", not " + (v.to() - v.from()));
                }
                perSample.addAll(part.perSample());
                try {
                    emulator.absorb(part.emulator());
                } catch (IllegalArgumentException e) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, range + ", target " + b.target().name() + ": "
                            + e.getMessage());
                }
                if ((part.ownTiming() == null) != (b.quantised().network().timing() == c.model().network().timing())) {
                    throw PipelineException.of(PipelineException.Kind.INPUT, range + ", target " + b.target().name()
                            + ": the comparison under the target's own timing is " + (part.ownTiming() == null ? "missing"
                            : "there although the target runs the model's timing"));
                }
                own = part.ownTiming() == null ? null : own == null ? part.ownTiming() : own.then(part.ownTiming());
            }
            p.listener().emulated(b.target().name(), n);
            proofs.add(new Verification.TargetProof(b.target().name(), b.target().family(), deployed.folder(), perSample,
                    emulator.figures(), null, null, b.quantised().network().timing(),
                    own == null ? null : FloatIntegerComparison.result(b.quantised().network(), own)));
        }
        int threads = ordered.stream().mapToInt(VerifyShard::threads).max().orElse(1);
        return new Verification(c, n, FloatIntegerComparison.result(c.model().network(), comparison), s.tolerances(), proofs,
                seconds, threads);
    }

    /** SHA-256 of test samples {@code from .. to - 1}: each one's label (4 bytes, big-endian), then its pixels. */
    static String dataDigest(ImageDataset test, int from, int to) {
        java.security.MessageDigest md = sha256();
        byte[] pixels = new byte[test.sampleSize()];
        for (int i = from; i < to; i++) {
            int label = test.label(i);
            md.update(new byte[] {(byte) (label >>> 24), (byte) (label >>> 16), (byte) (label >>> 8), (byte) label});
            test.copySample(i, pixels, 0);
            md.update(pixels);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Every regular file under {@code folder}: its path relative to the folder (with {@code /}), and its SHA-256. */
    static Map<String, String> folderDigest(java.nio.file.Path folder) throws PipelineException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(folder)) {
            for (java.nio.file.Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String rel = folder.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                out.put(rel, dev.spikeforge.compiler.io.Checksums.sha256(java.nio.file.Files.readAllBytes(f)));
            }
        } catch (IOException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, folder + ": cannot read the compiled folder: "
                    + e.getMessage());
        }
        return out;
    }

    private static String firstDifference(Map<String, String> mine, Map<String, String> theirs) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(mine.keySet());
        names.addAll(theirs.keySet());
        for (String f : names) {
            if (!mine.containsKey(f)) {
                return "it has " + f + ", the folder has not";
            }
            if (!theirs.containsKey(f)) {
                return "it has no " + f;
            }
            if (!mine.get(f).equals(theirs.get(f))) {
                return "its " + f + " differs";
            }
        }
        return "the same files";
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
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

        /** The float model against this target's integer model under the target's own timing (raw counts), or null. */
        final FloatIntegerComparison.Tally ownTiming;

        Check(Compiled.Build build, DeployedTarget deployed, VerifySettings settings, FloatIntegerComparison.Tally ownTiming) {
            this.build = build;
            this.ownTiming = ownTiming;
            this.deployed = deployed;
            this.emulator = deployed.emulator();
            this.settings = settings;
            this.rtl = settings.rtlTool() == null ? null : deployed.rtl(settings.rtlTool()).orElse(null);
        }

        void chunk(int from, int[][] inputs, List<SampleResult> reference, int threads) {
            List<TargetSample> e = emulator.run(inputs, threads, true);
            // the family's cycle model, fed the integer model's spikes (not the emulator's state)
            emulator.predictCycles(inputs, e, reference.stream().map(SampleResult::spikeRecord).toList());
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
                    emulator.figures(), run, note, build.quantised().network().timing(),
                    ownTiming == null ? null : FloatIntegerComparison.result(build.quantised().network(), ownTiming));
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

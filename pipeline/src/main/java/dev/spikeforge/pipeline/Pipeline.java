package dev.spikeforge.pipeline;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.Target;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.engine.FloatModel;
import dev.spikeforge.runtime.engine.IntegerExact;
import dev.spikeforge.runtime.train.Optimizer;
import dev.spikeforge.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pipeline as a library: a session that runs the stages (load, train, quantise, compile,
 * verify, profile) and hands each stage's typed result to the next in memory. Within one session a
 * stage's result is computed once: a model file is parsed once, trained weights are quantised once
 * per set of formats, and so on. Not thread-safe: one session per thread.
 *
 * <pre>{@code
 * Pipeline p = Pipeline.builder().build();
 * LoadedModel m = p.load(Path.of("examples/models/quick.snn"));
 * Trained t = p.checkpoint(m, Path.of("build/quick/quick.npz"));
 * Compiled c = p.compile(t, QuantSettings.DEPLOY, p.targets(m, List.of()), CompileSettings.to(Path.of("out")));
 * Verification v = p.verify(c, VerifySettings.samples(200));
 * }</pre>
 */
public final class Pipeline {

    private final Integer threads;
    private final Path dataDir;
    private final Integer limit;
    private final PipelineListener listener;
    private final String version;
    private final Map<Path, LoadedModel> models = new HashMap<>();
    private final Map<LoadedModel, DatasetSplits> data = new IdentityHashMap<>();
    private final Map<Trained, Map<QuantOptions, Quantised>> quantised = new IdentityHashMap<>();
    private final Map<Trained, FloatModel> floatModels = new IdentityHashMap<>();

    private Pipeline(Builder b) {
        this.threads = b.threads;
        this.dataDir = b.dataDir;
        this.limit = b.limit;
        this.listener = b.listener;
        this.version = b.version;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A session's settings. */
    public static final class Builder {
        private Integer threads;
        private Path dataDir;
        private Integer limit;
        private PipelineListener listener = PipelineListener.NONE;
        private String version = "spikeforge";

        /** Threads for the integer engines, the emulators and ND4J (default: every core). */
        public Builder threads(Integer n) {
            if (n != null && n < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + n);
            }
            this.threads = n;
            return this;
        }

        /** Read datasets from this folder instead of their usual place. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Use only the first N training and N test samples. */
        public Builder limit(Integer n) {
            if (n != null && n < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + n);
            }
            this.limit = n;
            return this;
        }

        public Builder listener(PipelineListener l) {
            this.listener = l;
            return this;
        }

        /** The producer recorded in checkpoints and files, e.g. {@code spikeforge 0.1.0}. */
        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Pipeline build() {
            return new Pipeline(this);
        }
    }

    public PipelineListener listener() {
        return listener;
    }

    public String version() {
        return version;
    }

    /** Threads the engines use. */
    public int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    // ---- load ---------------------------------------------------------------------------------

    /** A model file, read and compiled once per session; errors are a failure with their diagnostics. */
    public LoadedModel load(Path file) throws PipelineException {
        Path key = file.toAbsolutePath().normalize();
        LoadedModel m = models.get(key);
        if (m == null) {
            m = ModelFiles.compile(file, ModelFiles.read(file), listener);
            models.put(key, m);
        }
        return m;
    }

    /** A model from text (a NIR import, a program's own), compiled like a file. */
    public LoadedModel load(Path file, String text) throws PipelineException {
        return ModelFiles.compile(file, new SourceFile(file.toString(), text), listener);
    }

    /**
     * What {@code check} reports of a file: every diagnostic, with the design rules of its deploy
     * targets that need no trained weights.
     */
    public Compilation check(Path file) throws PipelineException {
        SourceFile source = ModelFiles.read(file);
        Compilation c = SnnFrontEnd.compile(source);
        listener.parsed(file);
        if (c.ok()) {
            // the memory a training batch needs (E800, W605); a model over the hard limit is not
            // taken further, since the design rules would build its weights
            List<Diagnostic> memory = Memory.diagnostics(c.network());
            if (!memory.isEmpty()) {
                List<Diagnostic> all = new ArrayList<>(c.diagnostics());
                all.addAll(memory);
                c = new Compilation(c.source(), c.network(), dev.spikeforge.compiler.diag.Diagnostics.sorted(all));
                if (!c.ok()) {
                    return c;
                }
            }
        }
        return ModelFiles.withDesignRules(c, file);
    }

    /** The memory one training batch and one inference batch of the model need, at its train block's batch. */
    public dev.spikeforge.runtime.engine.MemoryEstimate memory(dev.spikeforge.compiler.ir.Network network) {
        return dev.spikeforge.runtime.engine.MemoryEstimate.of(network);
    }

    /** The deploy targets' design rules that need no trained weights (what {@code check} adds), as diagnostics. */
    public List<Diagnostic> earlyDesignRules(LoadedModel model) {
        return ModelFiles.designRulesWithoutWeights(model.network(), model.modelDir());
    }

    /** The targets to compile for: {@code overrides} ({@code --target}) when given, else the deploy block's. */
    public List<Target> targets(LoadedModel model, List<String> overrides) throws PipelineException {
        return Targets.resolve(model, Targets.requests(model, overrides));
    }

    // ---- data and training --------------------------------------------------------------------

    /** The model's dataset, limited as the session says. */
    public DatasetSplits dataset(LoadedModel model) throws PipelineException {
        return dataset(model, limit);
    }

    /** The dataset read once per model, cut to the first {@code n} samples of each split (null: the session's limit). */
    DatasetSplits dataset(LoadedModel model, Integer n) throws PipelineException {
        DatasetSplits all = data.get(model);
        if (all == null) {
            all = Datasets.load(model, dataDir);
            data.put(model, all);
        }
        Integer keep = n == null ? limit : n;
        return keep == null ? all : all.limit(Math.min(keep, all.train().count()), Math.min(keep, all.test().count()));
    }

    /** Trains with the model's train block (see {@link TrainSettings}). */
    public Trained train(LoadedModel model, TrainSettings settings) throws PipelineException {
        DatasetSplits d = dataset(model, settings.limit());
        nativeThreads();
        return Training.train(model, d, settings, version, listener);
    }

    /**
     * {@code t}'s weights after {@code qatEpochs} epochs of quantisation-aware fine-tuning with the
     * formats {@code settings} gives the deploy block (fake-quantised forward pass, straight-through
     * gradients, the train block's optimiser, fresh, and QAT learning rate); no checkpoint is written and
     * {@code t} is unchanged. A sweep's points fine-tune one checkpoint to each of their formats.
     */
    public Trained fineTune(Trained t, QuantSettings settings, int qatEpochs) throws PipelineException {
        return fineTune(t, settings, qatEpochs, null);
    }

    /** The same, writing the fine-tuned weights to the checkpoint {@code out} after every epoch (null: none). */
    public Trained fineTune(Trained t, QuantSettings settings, int qatEpochs, Path out) throws PipelineException {
        DatasetSplits d = dataset(t.model(), null);
        nativeThreads();
        return Training.fineTune(t, d, settings.options(t.model().network()), qatEpochs, out, version, listener);
    }

    /** Trained weights from a checkpoint of the model. */
    public Trained checkpoint(LoadedModel model, Path checkpoint) throws PipelineException {
        var c = Training.read(checkpoint, model.network());
        return new Trained(model, c.parameters(), checkpoint, List.of(), c.integerExact());
    }

    /** The float model's accuracy and spikes on the test split. */
    public Trainer.Evaluation evaluate(Trained t) throws PipelineException {
        var spec = t.model().train();
        DatasetSplits d = dataset(t.model());
        Memory.beforeInference(t.model(), spec.batch(), "in the train block");
        Trainer trainer = new Trainer(t.model().network(), spec, d, floatModel(t), new Optimizer(spec.optimizer()));
        try {
            return trainer.evaluate(d.test(), spec.batch());
        } catch (IntegerExact.OffGrid e) {
            throw offGrid(t, e);
        }
    }

    /**
     * The float model of {@code t}, once per session: for weights of quantisation-aware epochs
     * ({@link Trained#integerExact()}), integer-exact in their formats (docs/semantics.md section
     * 4.13), so that its decisions are the ones those epochs trained; else the float semantics.
     */
    public FloatModel floatModel(Trained t) throws PipelineException {
        nativeThreads();
        FloatModel m = floatModels.get(t);
        if (m == null) {
            m = floatModel(t, t.model().network());
            floatModels.put(t, m);
        }
        return m;
    }

    /** A new float model of {@code t}'s weights on {@code net} ({@code t}'s network, or it under another timing), as {@link #floatModel(Trained)}. */
    FloatModel floatModel(Trained t, Network net) throws PipelineException {
        FloatModel m = new FloatModel(net, t.parameters());
        if (t.integerExact() != null) {
            QuantSettings qat = new QuantSettings(t.integerExact().weightBits(), t.integerExact().granularity());
            try {
                m.integerExact(IntegerExact.of(quantise(t, qat, null).network()));
            } catch (IntegerExact.Unsupported e) {
                throw PipelineException.of(PipelineException.Kind.CHECK_FAILED, e.getMessage());
            }
        }
        return m;
    }

    /** An integer-exact forward met a current off its grid: the weights are not the ones its checkpoint's QAT wrote. */
    static PipelineException offGrid(Trained t, IntegerExact.OffGrid e) {
        return PipelineException.of(PipelineException.Kind.INPUT, (t.checkpoint() == null ? "" : t.checkpoint() + ": ")
                + e.getMessage());
    }

    /** ND4J's threads, set only when a float engine runs (the compile path never starts ND4J). */
    private void nativeThreads() {
        if (threads != null) {
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
        }
    }

    // ---- quantise, compile, verify, profile ---------------------------------------------------

    /**
     * The trained weights quantised to the deploy formats with {@code settings}, and with the
     * numerics of {@code target} (null: the deploy formats as they are); once per set of formats.
     */
    public Quantised quantise(Trained t, QuantSettings settings, Target target) throws PipelineException {
        QuantOptions base = settings.options(t.model().network());
        QuantOptions options = target == null ? base : target.quantOptions(base);
        Map<QuantOptions, Quantised> done = quantised.computeIfAbsent(t, k -> new HashMap<>());
        Quantised q = done.get(options);
        if (q == null) {
            Quantizer.Result r = Quantizer.quantize(t.model().network(), t.parameters().tensors(), options);
            listener.quantised(options);
            if (!r.ok()) {
                throw PipelineException.diagnostics(t.model().source(), r.diagnostics(), "the model cannot be quantised to "
                        + "these formats");
            }
            if (!r.diagnostics().isEmpty()) {
                listener.diagnostics(t.model().source(), r.diagnostics());
            }
            q = new Quantised(options, r.network());
            done.put(options, q);
        }
        return q;
    }

    /** Writes the integer model (if asked) and every target's folder, each from its own quantisation. */
    public Compiled compile(Trained t, QuantSettings settings, List<Target> targets, CompileSettings cs)
            throws PipelineException {
        return Compiling.compile(this, t, settings, targets, cs);
    }

    /** Proves a compiled model (docs/semantics.md section 5); {@link Verification#passed()} says whether it holds. */
    public Verification verify(Compiled c, VerifySettings s) throws PipelineException {
        return Proving.prove(this, c, s, null);
    }

    /** The samples {@link #verify} runs on with {@code s}: the first {@code s.samples()} of the test split, or all of it. */
    public int verifySamples(Compiled c, VerifySettings s) throws PipelineException {
        return Proving.samples(this, c, s);
    }

    /**
     * Why {@code c} cannot be verified in shards with {@code s} ({@link #verifyShard}), as a sentence
     * that says what to do instead, or null when it can: the RTL simulation runs on one machine
     * only, and a target family whose emulator has no {@link
     * dev.spikeforge.compiler.target.TargetEmulator#tally()} cannot merge its figures.
     */
    public String unshardable(Compiled c, VerifySettings s) throws PipelineException {
        return Proving.unshardable(c, s);
    }

    /**
     * Verifies samples {@code from .. to - 1} of the ones {@link #verify} runs on with {@code s},
     * for {@link #mergeShards} to merge with the other ranges, which may run in other sessions on
     * other machines (each compiling the same model from the same checkpoint). A range starts at a
     * multiple of {@link VerifyShard#ALIGNMENT} and ends at one or at the last sample
     * ({@link VerifyShard#ranges} cuts them so).
     */
    public VerifyShard verifyShard(Compiled c, VerifySettings s, int from, int to) throws PipelineException {
        return Proving.shard(this, c, s, from, to);
    }

    /**
     * The shards of one verification (in any order; they must cover its samples once each) merged
     * in sample order: the {@link Verification} {@link #verify}{@code (c, s)} gives, equal in every
     * field but the wall times (the integer model's and the emulators' summed over the shards;
     * {@code seconds}, the caller's wall time of the whole, in place of the comparison's) and the
     * threads (those of a shard). Refuses shards that read other test samples or other compiled
     * files than this session's (a failure naming the shard and what differs).
     */
    public Verification mergeShards(Compiled c, VerifySettings s, List<VerifyShard> shards, double seconds)
            throws PipelineException {
        return Proving.merge(this, c, s, shards, seconds);
    }

    /**
     * Verifies on {@code s.samples()} samples (with {@code v}'s tolerances and RTL settings) and counts
     * what the model does; the targets' figures come from that same pass.
     */
    public Profile profile(Compiled c, VerifySettings v, ProfileSettings s) throws PipelineException {
        SpikeStatistics plots = null;
        if (s.plots()) {
            var test = dataset(c.trained().model()).test();
            int n = Math.min(s.samples(), test.count());
            if (s.sample() >= n) {
                throw PipelineException.of(PipelineException.Kind.USAGE, "--sample " + s.sample() + " is not among the "
                        + n + " profiled samples");
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = test.label(i);
            }
            plots = new SpikeStatistics(c.model().network(), labels, s.sample(), s.traceNeurons());
        }
        VerifySettings on = new VerifySettings(s.samples(), v.tolerances(), v.rtlTool(), v.rtlSamples(), v.rtlRequired(),
                v.vcd());
        Verification verification = Proving.prove(this, c, on, plots);
        return Profiling.profile(verification, s, plots);
    }

    /** The whole job (see {@link RunSettings}); the files go under {@link RunResult#dir()}. */
    public RunResult run(LoadedModel model, RunSettings settings) throws PipelineException {
        return Running.run(this, model, settings);
    }

    /**
     * A target's folder, read back, on its emulator against its integer model for {@code inputs}
     * (per sample T x N integer input values): per sample, null when exactly equal, else the first
     * difference. What verify does for every target, for inputs of the caller's (random networks,
     * random spikes).
     */
    public List<Verification.Mismatch> proveEmulator(Compiled.Build build, int[][] inputs) throws PipelineException {
        DeployedTarget d = Proving.read(build);
        var samples = d.emulator().run(inputs, threads(), true);
        var q = build.quantised().network();
        var reference = Proving.full(q, inputs, threads());
        listener.emulated(build.target().name(), inputs.length);
        List<Verification.Mismatch> out = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            out.add(Proving.compare(i, q, samples.get(i), reference.get(i)));
        }
        return out;
    }

    // ---- folders ------------------------------------------------------------------------------

    /** A compiled folder read back by the family that wrote it. */
    public DeployedTarget read(Path folder) throws PipelineException {
        // what a killed writer left half done is settled first, when no writer is at work: the
        // run's build folder (two levels up), the compile's output folder (the parent), the folder
        Path abs = folder.toAbsolutePath().normalize();
        for (Path p : new Path[] {abs.getParent() == null ? null : abs.getParent().getParent(), abs.getParent(), abs}) {
            if (p != null) {
                AtomicFiles.settleForReading(p);
            }
        }
        TargetFamily family = TargetFamily.owning(folder).orElseThrow(() -> PipelineException.of(
                PipelineException.Kind.INPUT, folder + ": not a compiled target folder (no target family recognises it);"
                        + " pass a folder that spikeforge compile MODEL --target T wrote under its --out folder"));
        try {
            return family.read(folder);
        } catch (FileProblemException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }
}

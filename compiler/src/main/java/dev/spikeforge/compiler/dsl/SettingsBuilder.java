package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import dev.spikeforge.compiler.diag.Suggestions;
import dev.spikeforge.compiler.dsl.Args.Param;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.source.SourcePos;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code train} and {@code deploy} blocks to {@link TrainSpec} and {@link DeploySpec}, with the
 * defaults of docs/language.md. Options that take arguments ({@code sgd(lr = 0.05)}) are read as
 * "a name, or a call of that name", so {@code adam} and {@code adam(lr = 1e-3)} both work.
 */
final class SettingsBuilder {

    static final List<String> TRAIN_KEYS = List.of("method", "dataset", "epochs", "batch", "optimizer", "schedule",
            "loss", "seed", "qat_epochs", "validation", "augment");
    static final List<String> DEPLOY_KEYS = List.of("weights", "membrane", "leak", "overflow", "current_bits", "timing");

    static final int DEFAULT_EPOCHS = 10;
    static final int DEFAULT_BATCH = 64;
    static final double DEFAULT_SLOPE = 25;
    static final double DEFAULT_ADAM_LR = 1e-3;

    private static final Map<String, List<Param>> METHODS = options(
            "surrogate", List.of(Param.optional("shape"), Param.optional("slope")),
            "spike_bp", List.of(),
            "asf", List.of());
    private static final Map<String, List<Param>> DATASETS = options(
            "fashion_mnist", List.of(),
            "mnist", List.of(),
            "idx", List.of(new Param("path", true, true)),
            "cifar10", List.of(new Param("path", true, true)),
            "audio", List.of(new Param("path", true, true), Param.optional("rate"), Param.optional("seconds"),
                    Param.optional("classes"), Param.required("frontend")),
            "events", List.of(new Param("path", true, true), Param.optional("classes")));
    private static final Map<String, List<Param>> FRONTENDS = options(
            "mfcc", List.of(Param.positionalOptional("n_mfcc"), Param.optional("n_fft"), Param.optional("hop_length"),
                    Param.optional("n_mels"), Param.optional("f_min"), Param.optional("f_max"), Param.optional("top_db"),
                    Param.optional("cmvn"), Param.optional("range")),
            "filterbank", List.of(Param.positionalOptional("channels"), Param.optional("f_low"), Param.optional("f_high"),
                    Param.optional("step_ms"), Param.optional("leak_shift"), Param.optional("floor"), Param.optional("threshold"),
                    Param.optional("pre_emphasis")));
    private static final Map<String, List<Param>> OPTIMIZERS = options(
            "sgd", List.of(Param.positional("lr"), Param.optional("momentum"), Param.optional("weight_decay")),
            "adam", List.of(Param.positionalOptional("lr"), Param.optional("beta1"), Param.optional("beta2"),
                    Param.optional("eps"), Param.optional("weight_decay")));
    private static final Map<String, List<Param>> SCHEDULES = options(
            "none", List.of(),
            "step", List.of(new Param("milestones", true, true), Param.optional("gamma")),
            "cosine", List.of());
    private static final Map<String, List<Param>> LOSSES = options(
            "mse", List.of(Param.optional("correct"), Param.optional("incorrect")),
            "cross_entropy", List.of());
    private static final Map<String, List<Param>> AUGMENTS = options(
            "shift", List.of(Param.positional("pixels")),
            "hflip", List.of());
    private static final Map<String, List<Param>> LEAKS = options(
            "shift", List.of(),
            "multiplier", List.of(Param.positional("fraction")),
            "none", List.of());
    private static final Map<String, List<Param>> INT_FORMAT = options(
            "int", List.of(Param.positional("bits"), Param.positionalOptional("granularity")));
    private static final Map<String, List<Param>> MEMBRANE_FORMAT = options(
            "int", List.of(Param.positional("bits")));

    private final Diagnostics out;
    /** The target families a deploy block may name: those on the class path ({@code TargetFamily.names()}). */
    private final List<String> targetFamilies;

    SettingsBuilder(Diagnostics out, List<String> targetFamilies) {
        this.out = out;
        this.targetFamilies = List.copyOf(targetFamilies);
    }

    /** A name or call chosen among options, with its bound arguments. */
    private record Choice(String name, Args args) {
    }

    // ---- train ----------------------------------------------------------------------------

    TrainSpec train(SnnParser.TrainStmtContext ctx) {
        SourcePos at = Positions.of(ctx.TRAIN().getSymbol());
        Map<String, Value> s = settings("train", ctx.setting().stream().map(c -> new Setting(c.key, c.value())).toList(),
                TRAIN_KEYS);
        Map<String, SourcePos> pos = positions(s);

        TrainSpec.Method method = new TrainSpec.Surrogate(TrainSpec.SurrogateShape.FAST_SIGMOID, DEFAULT_SLOPE);
        Choice m = choose(s.get("method"), "method", METHODS);
        if (m != null) {
            pos.putAll(m.args().positions("method."));
            method = switch (m.name()) {
                case "surrogate" -> new TrainSpec.Surrogate(TrainSpec.SurrogateShape.valueOf(m.args().option("shape",
                        List.of("fast_sigmoid", "arctan", "sigmoid"), "fast_sigmoid").toUpperCase(Locale.ROOT)),
                        m.args().number("slope", DEFAULT_SLOPE));
                case "spike_bp" -> new TrainSpec.SpikeBp();
                default -> new TrainSpec.Asf();
            };
        }

        TrainSpec.DatasetRef dataset = new TrainSpec.NamedDataset("fashion_mnist");
        if (!s.containsKey("dataset")) {
            out.add(ErrorCode.E211, at, "the train block needs 'dataset'",
                    "for example dataset = fashion_mnist, or dataset = idx(path = \"data/\")");
        }
        Choice d = choose(s.get("dataset"), "dataset", DATASETS);
        if (d != null) {
            dataset = switch (d.name()) {
                case "idx" -> new TrainSpec.IdxDataset(d.args().string("path", ""));
                case "cifar10" -> new TrainSpec.Cifar10Dataset(d.args().string("path", ""));
                case "audio" -> audio(d.args(), s.get("dataset").pos());
                case "events" -> new TrainSpec.EventDataset(d.args().string("path", ""), d.args().strings("classes", List.of()));
                default -> new TrainSpec.NamedDataset(d.name());
            };
        }

        TrainSpec.Optimizer optimizer = new TrainSpec.Adam(DEFAULT_ADAM_LR, 0.9, 0.999, 1e-8, 0);
        Choice o = choose(s.get("optimizer"), "optimizer", OPTIMIZERS);
        if (o != null) {
            pos.putAll(o.args().positions("optimizer."));
            Args a = o.args();
            optimizer = o.name().equals("sgd")
                    ? new TrainSpec.Sgd(a.number("lr", 0.1), a.number("momentum", 0), a.number("weight_decay", 0))
                    : new TrainSpec.Adam(a.number("lr", DEFAULT_ADAM_LR), a.number("beta1", 0.9), a.number("beta2", 0.999),
                            a.number("eps", 1e-8), a.number("weight_decay", 0));
        }

        TrainSpec.Schedule schedule = new TrainSpec.ConstantSchedule();
        Choice sc = choose(s.get("schedule"), "schedule", SCHEDULES);
        if (sc != null) {
            pos.putAll(sc.args().positions("schedule."));
            schedule = switch (sc.name()) {
                case "step" -> new TrainSpec.StepSchedule(sc.args().integers("milestones", List.of()),
                        sc.args().number("gamma", 0.1));
                case "cosine" -> new TrainSpec.CosineSchedule();
                default -> new TrainSpec.ConstantSchedule();
            };
        }

        boolean mseMethod = method instanceof TrainSpec.SpikeBp || method instanceof TrainSpec.Asf;
        TrainSpec.Loss loss = mseMethod ? TrainSpec.Loss.MSE : TrainSpec.Loss.CROSS_ENTROPY;
        TrainSpec.MseTargets targets = TrainSpec.MseTargets.ONE_HOT;
        Choice l = choose(s.get("loss"), "loss", LOSSES);
        if (l != null) {
            pos.putAll(l.args().positions("loss."));
            loss = TrainSpec.Loss.valueOf(l.name().toUpperCase(Locale.ROOT));
            if (loss == TrainSpec.Loss.MSE) {
                targets = new TrainSpec.MseTargets(l.args().number("correct", 1), l.args().number("incorrect", 0));
            }
        }
        int epochs = integer(s, "epochs", DEFAULT_EPOCHS);
        int batch = integer(s, "batch", DEFAULT_BATCH);
        int seed = integer(s, "seed", 0);
        int qat = integer(s, "qat_epochs", 0);
        Double validation = s.containsKey("validation") ? Values.number(s.get("validation"), "validation", out) : null;
        TrainSpec.Augment augment = augment(s.get("augment"), pos);
        return new TrainSpec(new Origin(at, pos), method, dataset, epochs, batch, optimizer, schedule, loss, targets, seed,
                qat, validation == null ? 0 : validation, augment);
    }

    /** {@code augment = shift(P)}, {@code hflip}, or a list of them, each at most once. */
    private TrainSpec.Augment augment(Value v, Map<String, SourcePos> pos) {
        if (v == null) {
            return TrainSpec.Augment.NONE;
        }
        List<Value> items = v instanceof Value.ListOf l ? l.items() : List.of(v);
        int shift = 0;
        boolean hflip = false;
        Map<String, SourcePos> seen = new LinkedHashMap<>();
        for (Value item : items) {
            Choice c = choose(item, "augment", AUGMENTS);
            if (c == null) {
                continue;
            }
            SourcePos first = seen.putIfAbsent(c.name(), item.pos());
            if (first != null) {
                out.add(ErrorCode.E212, item.pos(), "augment lists " + c.name() + " twice (first at line "
                        + first.line() + ")", "give each of shift and hflip at most once");
                continue;
            }
            pos.putAll(c.args().positions("augment."));
            if (c.name().equals("shift")) {
                shift = atLeast(c.args(), "pixels", 0, 1);
            } else {
                hflip = true;
            }
        }
        return new TrainSpec.Augment(shift, hflip);
    }

    // ---- deploy ---------------------------------------------------------------------------

    DeploySpec deploy(SnnParser.DeployStmtContext ctx) {
        SourcePos at = Positions.of(ctx.DEPLOY().getSymbol());
        List<Setting> settingList = new ArrayList<>();
        List<DeploySpec.TargetRequest> targets = new ArrayList<>();
        for (SnnParser.DeployItemContext item : ctx.deployItem()) {
            if (item instanceof SnnParser.DeploySettingContext ds) {
                settingList.add(new Setting(ds.key, ds.value()));
            } else if (item instanceof SnnParser.TargetItemContext t && t.name != null) {
                String family = t.name.getText();
                if (!targetFamilies.contains(family)) {
                    out.add(ErrorCode.E220, Positions.of(t.name), "unknown target family '" + family + "'"
                            + Suggestions.didYouMean(family, targetFamilies),
                            "target families are " + String.join(", ", targetFamilies));
                    continue;
                }
                targets.add(new DeploySpec.TargetRequest(family, Origin.at(Positions.of(t.name)),
                        TreeValues.args(t.argList())));
            }
        }
        Map<String, Value> s = settings("deploy", settingList, DEPLOY_KEYS);
        Map<String, SourcePos> pos = positions(s);

        int weightBits = 8;
        DeploySpec.Granularity granularity = DeploySpec.Granularity.PER_LAYER;
        Choice w = choose(s.get("weights"), "weights", INT_FORMAT);
        if (w != null) {
            pos.putAll(w.args().positions("weights."));
            weightBits = w.args().integer("bits", weightBits);
            granularity = DeploySpec.Granularity.valueOf(w.args().option("granularity",
                    List.of("per_layer", "per_channel"), "per_layer").toUpperCase(Locale.ROOT));
        }
        int membraneBits = 16;
        Choice mem = choose(s.get("membrane"), "membrane", MEMBRANE_FORMAT);
        if (mem != null) {
            pos.putAll(mem.args().positions("membrane."));
            membraneBits = mem.args().integer("bits", membraneBits);
        }
        DeploySpec.Leak leak = new DeploySpec.ShiftLeak();
        Choice l = choose(s.get("leak"), "leak", LEAKS);
        if (l != null) {
            pos.putAll(l.args().positions("leak."));
            leak = switch (l.name()) {
                case "multiplier" -> new DeploySpec.MultiplierLeak(l.args().integer("fraction", 12));
                case "none" -> new DeploySpec.NoLeak();
                default -> new DeploySpec.ShiftLeak();
            };
        }
        DeploySpec.Overflow overflow = DeploySpec.Overflow.SATURATE;
        if (s.containsKey("overflow")) {
            String o = Values.option(s.get("overflow"), "overflow", List.of("saturate", "wrap"), out);
            if (o != null) {
                overflow = DeploySpec.Overflow.valueOf(o.toUpperCase(Locale.ROOT));
            }
        }
        // the synaptic current of CUBA layers (docs/semantics.md section 4.9): as wide as the membrane unless set
        int currentBits = integer(s, "current_bits", membraneBits);
        Timing timing = Timing.SEQUENTIAL;
        if (s.containsKey("timing")) {
            String o = Values.option(s.get("timing"), "timing", List.of("sequential", "pipelined"), out);
            if (o != null) {
                timing = Timing.of(o);
            }
        }
        return new DeploySpec(new Origin(at, pos), weightBits, granularity, membraneBits, leak, overflow, targets,
                currentBits, timing);
    }

    // ---- helpers --------------------------------------------------------------------------

    private record Setting(org.antlr.v4.runtime.Token key, SnnParser.ValueContext value) {
    }

    /** key = value lines of a block; unknown and repeated keys are reported and skipped. */
    private Map<String, Value> settings(String block, List<Setting> lines, List<String> keys) {
        List<String> suggestible = block.equals("deploy") ? concat(keys, "target") : keys;
        Map<String, Value> values = new LinkedHashMap<>();
        for (Setting line : lines) {
            if (line.key() == null) {
                continue;
            }
            String key = line.key().getText();
            SourcePos keyPos = Positions.of(line.key());
            Value v = TreeValues.of(line.value());
            if (!keys.contains(key)) {
                out.add(ErrorCode.E214, keyPos, "the " + block + " block has no setting '" + key + "'"
                        + Suggestions.didYouMean(key, suggestible), "its settings are " + String.join(", ", keys)
                        + (block.equals("deploy") ? ", and 'target NAME(...)' lines" : ""));
            } else if (values.containsKey(key)) {
                out.add(ErrorCode.E212, keyPos, "'" + key + "' is set twice in the " + block + " block");
            } else if (v != null) {
                values.put(key, v);
            }
        }
        return values;
    }

    private static List<String> concat(List<String> list, String extra) {
        List<String> out = new ArrayList<>(list);
        out.add(extra);
        return out;
    }

    private static Map<String, SourcePos> positions(Map<String, Value> settings) {
        Map<String, SourcePos> pos = new LinkedHashMap<>();
        settings.forEach((k, v) -> pos.put(k, v.pos()));
        return pos;
    }

    private int integer(Map<String, Value> s, String key, int fallback) {
        Value v = s.get(key);
        if (v == null) {
            return fallback;
        }
        Integer i = Values.integer(v, key, out);
        return i == null ? fallback : i;
    }

    /** {@code audio("DIR", rate = 16000, seconds = 1.0, classes = [...], frontend = mfcc(...))}, ranges checked. */
    private TrainSpec.AudioDataset audio(Args a, SourcePos at) {
        int rate = a.integer("rate", 16000);
        if (rate < 1000 || rate > 384000) {
            out.add(ErrorCode.E301, a.get("rate").pos(), "rate of dataset audio must be 1000 to 384000 Hz, got " + rate,
                    "for example rate = 16000");
            rate = 16000;
        }
        double seconds = a.number("seconds", 1.0);
        if (!(seconds >= 0.01 && seconds <= 600)) {
            out.add(ErrorCode.E301, a.get("seconds").pos(), "seconds of dataset audio must be 0.01 to 600, got "
                    + seconds, "for example seconds = 1.0");
            seconds = 1.0;
        }
        Frontend frontend = frontend(a.get("frontend"), rate);
        TrainSpec.AudioDataset audio = new TrainSpec.AudioDataset(a.string("path", ""), rate, seconds,
                a.strings("classes", List.of()), frontend);
        clipHoldsTheFrontEnd(audio, a.has("seconds") ? a.get("seconds").pos() : at);
        return audio;
    }

    /**
     * A clip must hold what its front end needs: mfcc's centred frames reflect-pad by n_fft / 2,
     * which needs more than n_fft / 2 samples (torchaudio refuses fewer); the filterbank needs one
     * whole step.
     */
    private void clipHoldsTheFrontEnd(TrainSpec.AudioDataset a, SourcePos at) {
        int samples = a.samples();
        if (a.frontend() instanceof Frontend.Mfcc m && samples <= m.nFft() / 2) {
            out.add(ErrorCode.E301, at, "mfcc with n_fft = " + m.nFft() + " needs clips of more than " + m.nFft() / 2
                    + " samples, but " + a.seconds() + " s at " + a.rate() + " Hz is " + samples,
                    "use longer clips (seconds) or a smaller n_fft");
        } else if (a.frontend() instanceof Frontend.Filterbank f && a.eventSteps() < 1) {
            out.add(ErrorCode.E301, at, "the filterbank's steps of " + f.stepSamples(a.rate()) + " samples do not fit"
                    + " one clip of " + samples + " samples (" + a.seconds() + " s at " + a.rate() + " Hz)",
                    "use longer clips (seconds) or a shorter step_ms");
        }
    }

    /** {@code mfcc(...)} or {@code filterbank(...)} (a name alone takes every default); the seed's mfcc when absent or wrong. */
    Frontend frontend(Value v, int rate) {
        Choice f = choose(v, "frontend", FRONTENDS);
        if (f == null) {
            return Frontend.Mfcc.SEED;
        }
        return f.name().equals("mfcc") ? mfcc(f.args(), rate, v.pos()) : filterbank(f.args(), rate, v.pos());
    }

    private Frontend.Mfcc mfcc(Args a, int rate, SourcePos at) {
        Frontend.Mfcc d = Frontend.Mfcc.SEED;
        int nMfcc = atLeast(a, "n_mfcc", d.nMfcc(), 1);
        int nFft = atLeast(a, "n_fft", d.nFft(), 2);
        int hop = atLeast(a, "hop_length", nFft / 2, 1);
        int nMels = atLeast(a, "n_mels", d.nMels(), 1);
        if (nMfcc > nMels) {
            out.add(ErrorCode.E301, a.has("n_mfcc") ? a.get("n_mfcc").pos() : a.get("n_mels").pos(),
                    "mfcc takes at most n_mels = " + nMels + " coefficients, got n_mfcc = " + nMfcc,
                    "use n_mfcc <= n_mels");
        }
        double fMin = a.number("f_min", 0);
        double fMax = a.number("f_max", 0);
        if (fMin < 0 || fMax < 0 || fMax > rate / 2.0 || (fMax > 0 && fMin >= fMax) || fMin >= rate / 2.0) {
            out.add(ErrorCode.E301, a.has("f_max") ? a.get("f_max").pos() : a.has("f_min") ? a.get("f_min").pos()
                    : at,
                    "mfcc needs 0 <= f_min < f_max <= rate / 2 = " + rate / 2.0 + " Hz, got f_min = " + fMin
                            + ", f_max = " + (fMax == 0 ? "rate / 2" : fMax), "leave f_max out for rate / 2");
        }
        double topDb = a.number("top_db", d.topDb());
        double range = a.number("range", d.range());
        if (!(range > 0)) {
            out.add(ErrorCode.E301, a.get("range").pos(), "range of mfcc must be above 0, got " + range,
                    "for example range = 3");
            range = d.range();
        }
        return new Frontend.Mfcc(nMfcc, nFft, hop, nMels, fMin, fMax, topDb, a.bool("cmvn", d.cmvn()), range);
    }

    private Frontend.Filterbank filterbank(Args a, int rate, SourcePos at) {
        Frontend.Filterbank d = Frontend.Filterbank.DEFAULT;
        int channels = atLeast(a, "channels", d.channels(), 1);
        double fLow = a.number("f_low", d.fLow());
        double fHigh = a.number("f_high", Math.min(d.fHigh(), 0.45 * rate));
        if (!(fLow > 0 && fLow < fHigh && fHigh < rate / 2.0)) {
            out.add(ErrorCode.E301, a.has("f_high") ? a.get("f_high").pos() : a.has("f_low") ? a.get("f_low").pos() : at,
                    "filterbank needs 0 < f_low < f_high < rate / 2 = " + rate / 2.0 + " Hz, got f_low = " + fLow
                            + ", f_high = " + fHigh, "for example f_low = 100, f_high = " + (int) (0.45 * rate));
        }
        double stepMs = a.number("step_ms", d.stepMs());
        if (!(stepMs * rate / 1000.0 >= 1 && stepMs <= 1000)) {
            out.add(ErrorCode.E301, a.get("step_ms").pos(), "step_ms of filterbank must give at least one sample per"
                    + " step and be at most 1000, got " + stepMs, "for example step_ms = 10");
            stepMs = d.stepMs();
        }
        int leakShift = a.integer("leak_shift", d.leakShift());
        if (leakShift < 0 || leakShift > 16) {
            out.add(ErrorCode.E301, a.get("leak_shift").pos(), "leak_shift of filterbank must be 0 to 16, got " + leakShift);
            leakShift = d.leakShift();
        }
        int floor = a.integer("floor", d.floorBits());
        if (floor < 0 || floor > 40) {
            out.add(ErrorCode.E301, a.get("floor").pos(), "floor of filterbank must be 0 to 40 (log2 of the envelope), got "
                    + floor);
            floor = d.floorBits();
        }
        long threshold = atLeast(a, "threshold", (int) Math.min(Integer.MAX_VALUE, d.threshold()), 1);
        return new Frontend.Filterbank(channels, fLow, fHigh, stepMs, leakShift, floor, threshold,
                a.bool("pre_emphasis", d.preEmphasis()));
    }

    private int atLeast(Args a, String name, int fallback, int min) {
        int v = a.integer(name, fallback);
        if (v < min) {
            out.add(ErrorCode.E301, a.get(name).pos(), name + " must be at least " + min + ", got " + v);
            return fallback;
        }
        return v;
    }

    /** Reads {@code name} or {@code name(args)} for a name among the options; null when absent or wrong. */
    private Choice choose(Value v, String what, Map<String, List<Param>> options) {
        if (v == null) {
            return null;
        }
        String name;
        List<Value.Arg> args;
        if (v instanceof Value.Name n) {
            name = n.name();
            args = List.of();
        } else if (v instanceof Value.Call c) {
            name = c.name();
            args = c.args();
        } else {
            out.add(ErrorCode.E300, v.pos(), what + " must be one of " + String.join(", ", options.keySet())
                    + ", got " + v.describe());
            return null;
        }
        List<Param> params = options.get(name);
        if (params == null) {
            out.add(ErrorCode.E215, v.pos(), what + " cannot be '" + name + "'"
                    + Suggestions.didYouMean(name, options.keySet()), "choose one of " + String.join(", ", options.keySet()));
            return null;
        }
        return new Choice(name, Args.bind(what + " " + name, v.pos(), args, params, out));
    }

    private static Map<String, List<Param>> options(Object... pairs) {
        Map<String, List<Param>> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Param> params = (List<Param>) pairs[i + 1];
            m.put((String) pairs[i], params);
        }
        return m;
    }
}

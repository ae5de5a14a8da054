package dev.spikeforge.compiler.dsl;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.TrainSpec;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.stream.Collectors;

/**
 * Writing .snn text: numbers, identifiers, and the {@code train} and {@code deploy} blocks of the
 * IR (every default spelled out). What this writes, the front end reads back to the same IR.
 */
public final class SnnText {

    /** The words an identifier cannot be (the language's keywords). */
    public static final Set<String> KEYWORDS = Set.of("model", "input", "encode", "timesteps", "neuron", "layers",
            "train", "deploy", "target", "residual", "skip", "identity", "dropout");

    private SnnText() {
    }

    /** A number as the language reads it back to the same double: 0.9375, 1.0, 5.0E-4. */
    public static String number(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("not a finite number: " + x);
        }
        return Double.toString(x);
    }

    /**
     * The shortest decimal (fewest significant digits) near {@code x} that {@code accept} takes;
     * {@code x} itself when none shorter is. Used to print a value computed from a file (beta from
     * NIR's tau) as the short number the file was made from.
     */
    public static double shortest(double x, DoublePredicate accept) {
        if (x == 0 || !Double.isFinite(x)) {
            return x;
        }
        for (int digits = 1; digits <= 17; digits++) {
            double c = new BigDecimal(x).round(new MathContext(digits)).doubleValue();
            if (accept.test(c)) {
                return c;
            }
        }
        return x;
    }

    /** Whether {@code s} can be a name in a .snn file. */
    public static boolean isIdentifier(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_]*") && !KEYWORDS.contains(s);
    }

    /**
     * {@code raw} made into an identifier that is not in {@code taken}: characters other than
     * letters, digits and '_' become '_', a leading digit gets {@code prefix}, a keyword gets a
     * trailing '_', and a clash a number (_2, _3, ...).
     */
    public static String identifier(String raw, String prefix, Set<String> taken) {
        String s = raw.replaceAll("[^A-Za-z0-9_]", "_");
        if (s.isEmpty() || Character.isDigit(s.charAt(0))) {
            s = prefix + s;
        }
        if (KEYWORDS.contains(s)) {
            s = s + "_";
        }
        String name = s;
        for (int i = 2; taken.contains(name); i++) {
            name = s + "_" + i;
        }
        return name;
    }

    /** A string literal. */
    public static String string(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The {@code train { ... }} block with every setting written out. */
    public static String train(TrainSpec t) {
        StringBuilder b = new StringBuilder("train {\n");
        setting(b, "method", method(t.method()));
        setting(b, "dataset", dataset(t.dataset()));
        setting(b, "epochs", Integer.toString(t.epochs()));
        setting(b, "batch", Integer.toString(t.batch()));
        setting(b, "optimizer", optimizer(t.optimizer()));
        setting(b, "schedule", schedule(t.schedule()));
        setting(b, "loss", loss(t));
        setting(b, "seed", Long.toString(t.seed()));
        if (t.qatEpochs() > 0) {
            setting(b, "qat_epochs", Integer.toString(t.qatEpochs()));
        }
        if (t.validation() > 0) {
            setting(b, "validation", number(t.validation()));
        }
        if (!t.augment().none()) {
            setting(b, "augment", t.augment().toString());
        }
        return b.append("}\n").toString();
    }

    /** The {@code deploy { ... }} block: formats, then the target lines as they were written. */
    public static String deploy(DeploySpec d) {
        StringBuilder b = new StringBuilder("deploy {\n");
        setting(b, "weights", "int(" + d.weightBits() + ", " + d.granularity().keyword() + ")");
        setting(b, "membrane", "int(" + d.membraneBits() + ")");
        setting(b, "leak", d.leak().describe());
        setting(b, "overflow", d.overflow().keyword());
        if (d.currentBits() != d.membraneBits()) {
            setting(b, "current_bits", Integer.toString(d.currentBits()));
        }
        if (d.timing() != dev.spikeforge.compiler.ir.Timing.SEQUENTIAL) {
            setting(b, "timing", d.timing().keyword());
        }
        for (DeploySpec.TargetRequest r : d.targets()) {
            b.append("    target ").append(r.family());
            if (!r.args().isEmpty()) {
                b.append(r.args().stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")")));
            }
            b.append('\n');
        }
        return b.append("}\n").toString();
    }

    private static void setting(StringBuilder b, String key, String value) {
        b.append("    ").append(String.format("%-9s", key)).append(" = ").append(value).append('\n');
    }

    private static String method(TrainSpec.Method m) {
        if (m instanceof TrainSpec.Surrogate s) {
            return "surrogate(shape = " + s.shape().keyword() + ", slope = " + number(s.slope()) + ")";
        }
        return m.keyword();
    }

    private static String dataset(TrainSpec.DatasetRef d) {
        if (d instanceof TrainSpec.IdxDataset i) {
            return "idx(path = " + string(i.path()) + ")";
        }
        if (d instanceof TrainSpec.Cifar10Dataset c) {
            return "cifar10(path = " + string(c.path()) + ")";
        }
        if (d instanceof TrainSpec.AudioDataset a) {
            return "audio(" + string(a.path()) + ", rate = " + a.rate() + ", seconds = " + number(a.seconds())
                    + classes(a.classes()) + ", frontend = " + a.frontend().snn() + ")";
        }
        if (d instanceof TrainSpec.EventDataset e) {
            return "events(" + string(e.path()) + classes(e.classes()) + ")";
        }
        return d.keyword();
    }

    private static String classes(java.util.List<String> classes) {
        return classes.isEmpty() ? "" : ", classes = [" + String.join(", ", classes.stream().map(SnnText::string).toList()) + "]";
    }

    private static String loss(TrainSpec t) {
        if (t.targets().oneHot()) {
            return t.loss().keyword();
        }
        return "mse(correct = " + number(t.targets().correct()) + ", incorrect = " + number(t.targets().incorrect()) + ")";
    }

    private static String optimizer(TrainSpec.Optimizer o) {
        if (o instanceof TrainSpec.Sgd s) {
            return "sgd(lr = " + number(s.lr()) + ", momentum = " + number(s.momentum())
                    + ", weight_decay = " + number(s.weightDecay()) + ")";
        }
        TrainSpec.Adam a = (TrainSpec.Adam) o;
        return "adam(lr = " + number(a.lr()) + ", beta1 = " + number(a.beta1()) + ", beta2 = "
                + number(a.beta2()) + ", eps = " + number(a.eps()) + ", weight_decay = " + number(a.weightDecay()) + ")";
    }

    private static String schedule(TrainSpec.Schedule s) {
        if (s instanceof TrainSpec.StepSchedule st) {
            return "step(milestones = " + list(st.milestones()) + ", gamma = " + number(st.gamma()) + ")";
        }
        return s instanceof TrainSpec.CosineSchedule ? "cosine" : "none";
    }

    private static String list(List<Integer> xs) {
        return xs.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}

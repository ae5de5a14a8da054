package dev.spikeforge.compiler.ir;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A stable, line-per-element text form of a network, for golden tests and
 * {@code spikeforge check --dump-ir}: neurons, nodes with their shapes and parameters, edges, and
 * the train and deploy blocks with every default filled in.
 */
public final class IrDump {

    private IrDump() {
    }

    public static String of(Network net) {
        StringBuilder b = new StringBuilder();
        b.append("network ").append(net.name()).append(" timesteps=").append(net.timesteps()).append('\n');
        for (NeuronDefinition n : net.neurons()) {
            b.append("neuron ").append(n.name()).append(' ').append(neuron(n)).append('\n');
        }
        int width = net.nodes().stream().mapToInt(n -> n.name().length()).max().orElse(0);
        for (Node n : net.nodes()) {
            b.append("node ").append(pad(n.name(), width)).append(' ').append(pad(n.kind(), 7)).append(' ')
                    .append(pad(n.shape().toString(), 10)).append(' ').append(params(n))
                    .append(" layer=").append(n.layer())
                    .append(" @").append(n.pos()).append('\n');
        }
        for (Edge e : net.edges()) {
            b.append("edge ").append(e).append('\n');
        }
        net.train().ifPresent(t -> b.append("train ").append(train(t)).append('\n'));
        net.deploy().ifPresent(d -> b.append("deploy ").append(deploy(d)).append('\n'));
        return b.toString();
    }

    static String neuron(NeuronDefinition n) {
        String tau = Double.isNaN(n.tau()) ? "" : " tau=" + num(n.tau());
        String syn = n.model() != NeuronModel.CUBA ? "" : "alpha=" + num(n.alpha())
                + (Double.isNaN(n.tauSyn()) ? "" : " tau_syn=" + num(n.tauSyn())) + " ";
        return n.model() + "(" + syn + "beta=" + num(n.beta()) + tau + " theta=" + num(n.theta()) + " reset=" + n.reset().keyword() + ")";
    }

    private static String params(Node node) {
        if (node instanceof InputNode n) {
            return "encoding=" + n.encoding();
        } else if (node instanceof Conv2dNode n) {
            return "in_channels=" + n.inChannels() + " filters=" + n.filters() + " kernel=" + n.kernel() + " stride="
                    + n.stride() + " padding=" + n.padding() + " bias=" + n.bias();
        } else if (node instanceof DenseNode n) {
            return "in_features=" + n.inFeatures() + " units=" + n.units() + " bias=" + n.bias()
                    + (n.isRecurrent() ? " recurrent=" + n.recurrent().keyword() : "");
        } else if (node instanceof Conv1dNode n) {
            return "in_channels=" + n.inChannels() + " filters=" + n.filters() + " kernel=" + n.kernel() + " stride="
                    + n.stride() + " padding=" + n.padding() + " bias=" + n.bias();
        } else if (node instanceof MaxPoolNode n) {
            return "kernel=" + n.kernel() + " stride=" + n.kernel();
        } else if (node instanceof AvgPoolNode n) {
            return "kernel=" + n.kernel() + " stride=" + n.kernel();
        } else if (node instanceof NeuronNode n) {
            return "neuron=" + n.neuron().name();
        } else if (node instanceof DropoutNode n) {
            return "p=" + num(n.p());
        } else if (node instanceof ReadoutNode n) {
            return "in_features=" + n.inFeatures() + " classes=" + n.classes() + " mode=" + n.mode().keyword()
                    + (n.mode() == ReadoutMode.MEMBRANE ? " beta=" + num(n.beta()) : "")
                    + (n.neuron() != null ? " neuron=" + n.neuron().name() : "") + " bias=" + n.bias();
        }
        return "-";
    }

    private static String train(TrainSpec t) {
        String method = t.method() instanceof TrainSpec.Surrogate s
                ? "surrogate(shape=" + s.shape().keyword() + " slope=" + num(s.slope()) + ")" : t.method().keyword();
        String dataset = t.dataset() instanceof TrainSpec.IdxDataset i ? "idx(path=\"" + i.path() + "\")"
                : t.dataset() instanceof TrainSpec.Cifar10Dataset c ? "cifar10(path=\"" + c.path() + "\")"
                : t.dataset() instanceof TrainSpec.AudioDataset a ? "audio(path=\"" + a.path() + "\" rate=" + a.rate()
                        + " seconds=" + num(a.seconds()) + " classes=" + a.classes() + " frontend=" + a.frontend().snn() + ")"
                : t.dataset() instanceof TrainSpec.EventDataset e ? "events(path=\"" + e.path() + "\" classes="
                        + e.classes() + ")"
                : t.dataset().keyword();
        String optimizer = t.optimizer() instanceof TrainSpec.Sgd s
                ? "sgd(lr=" + num(s.lr()) + " momentum=" + num(s.momentum()) + " weight_decay=" + num(s.weightDecay()) + ")"
                : adam((TrainSpec.Adam) t.optimizer());
        String schedule = t.schedule() instanceof TrainSpec.StepSchedule s
                ? "step(milestones=" + s.milestones() + " gamma=" + num(s.gamma()) + ")"
                : t.schedule() instanceof TrainSpec.CosineSchedule ? "cosine" : "none";
        return "method=" + method + " dataset=" + dataset + " epochs=" + t.epochs() + " batch=" + t.batch()
                + " optimizer=" + optimizer + " schedule=" + schedule + " loss=" + loss(t) + " seed=" + t.seed()
                + " qat_epochs=" + t.qatEpochs() + (t.validation() > 0 ? " validation=" + num(t.validation()) : "")
                + (t.augment().none() ? "" : " augment=" + t.augment());
    }

    private static String loss(TrainSpec t) {
        return t.targets().oneHot() ? t.loss().keyword()
                : "mse(correct=" + num(t.targets().correct()) + " incorrect=" + num(t.targets().incorrect()) + ")";
    }

    private static String adam(TrainSpec.Adam a) {
        return "adam(lr=" + num(a.lr()) + " beta1=" + num(a.beta1()) + " beta2=" + num(a.beta2()) + " eps=" + num(a.eps())
                + " weight_decay=" + num(a.weightDecay()) + ")";
    }

    private static String deploy(DeploySpec d) {
        List<String> targets = d.targets().stream()
                .map(t -> t.family() + t.args().stream().map(Value.Arg::toString).collect(Collectors.joining(", ", "(", ")")))
                .toList();
        return "weights=int(" + d.weightBits() + ", " + d.granularity().keyword() + ") membrane=int(" + d.membraneBits()
                + ") leak=" + d.leak().describe() + " overflow=" + d.overflow().keyword()
                + (d.currentBits() != d.membraneBits() ? " current_bits=" + d.currentBits() : "")
                + (d.timing() != Timing.SEQUENTIAL ? " timing=" + d.timing().keyword() : "") + " targets=" + targets;
    }

    /** Shortest round-trip decimal of a double. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return Double.toString(v);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}

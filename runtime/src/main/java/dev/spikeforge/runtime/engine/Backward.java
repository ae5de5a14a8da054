package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Timing;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradients of the loss with respect to every weight and bias, by one of the three methods:
 *
 * <ul>
 *   <li>{@code surrogate}: backpropagation through time. Every layer's backward runs once over the
 *       T*B step rows; only the neuron backward loops over time ({@link NeuronDynamics#backward}).
 *   <li>{@code spike_bp} and {@code asf}: no temporal loop. The forward values are summed over
 *       time (spike counts FO, input currents FI = W FO_prev + T b), and the backward runs once
 *       over B rows of sums, with a per-neuron derivative dFO/dFI in place of the recurrence:
 *       spike_bp: 1 / (theta + eps), eps = the potential the neuron lost to leak per step, per
 *       spike it fired (0 for IF, so 1 / theta), and 0 for a neuron that did not fire (Lee et al.
 *       2020; the per-step scale matches their correction, one step's leak per spike);
 *       asf: the layer-shared ratio S = sum FO / sum FI over the layer and the batch (Wu et al.
 *       2021), 0 when sum FI <= 0.
 * </ul>
 */
final class Backward {

    private final FloatModel model;
    private final Network net;
    private final Tape tape;
    private final TrainSpec.Method method;
    private final boolean temporal;
    private final SurrogateFunction surrogate;
    private final boolean detachReset;
    private final int rows;
    /** Per node, dL/d(its output), over T*B step rows (surrogate) or B rows of sums. */
    private final Map<String, INDArray> grad = new HashMap<>();
    /** Per node, its output summed over time (spike_bp, asf). */
    private final Map<String, INDArray> sums = new HashMap<>();
    private final Map<String, INDArray> paramGrads = new LinkedHashMap<>();

    private Backward(FloatModel model, Tape tape, TrainSpec.Method method, boolean detachReset) {
        this.model = model;
        this.net = model.network();
        this.tape = tape;
        this.method = method;
        this.temporal = method instanceof TrainSpec.Surrogate;
        this.surrogate = method instanceof TrainSpec.Surrogate s ? new SurrogateFunction(s.shape(), s.slope()) : null;
        this.detachReset = detachReset;
        this.rows = temporal ? tape.rows() : tape.batch;
        if (!temporal) {
            refuseStateInTime(net, method);
        }
    }

    /**
     * spike_bp and asf replace the time loop by sums over time, which a state carried from step to
     * step (recurrence, a synaptic current, pipelined timing's delay) breaks. The verifier refuses
     * such models (E505); this guards a direct call. A CUBA neuron with alpha = 0 has no such state
     * and trains.
     */
    static void refuseStateInTime(Network net, TrainSpec.Method method) {
        if (net.timing() == Timing.PIPELINED) {
            throw new IllegalStateException(method.keyword() + " cannot train under timing = pipelined (E505):"
                    + " use method = surrogate");
        }
        for (Node n : net.nodes()) {
            if (n instanceof DenseNode d && d.isRecurrent()) {
                throw new IllegalStateException(method.keyword() + " cannot train recurrent dense '" + d.name()
                        + "' (E505): use method = surrogate");
            }
            if (n instanceof NeuronNode nn && nn.neuron().hasSynapticCurrent()
                    || n instanceof ReadoutNode r && r.neuron() != null && r.neuron().hasSynapticCurrent()) {
                throw new IllegalStateException(method.keyword() + " cannot train '" + n.name()
                        + "', a neuron with a synaptic current (E505): use method = surrogate");
            }
        }
    }

    /**
     * @param gradReadout dL/d(readout value), B x classes
     * @param detachReset false only for gradient checks of a relaxed (smooth) forward pass
     * @return parameter gradients keyed like {@link Parameters}: {@code NODE.weight}, {@code NODE.bias},
     *         {@code NODE.recurrent}
     */
    static Map<String, INDArray> gradients(FloatModel model, Tape tape, TrainSpec.Method method, double[] gradReadout,
                                           boolean detachReset) {
        Backward b = new Backward(model, tape, method, detachReset);
        b.run(gradReadout);
        return b.paramGrads;
    }

    private void run(double[] gradReadout) {
        List<Node> nodes = net.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n instanceof ReadoutNode r) {
                readout(r, gradReadout);
            } else if (!(n instanceof InputNode) && grad.containsKey(n.name())) {
                node(n, grad.get(n.name()));
            }
        }
    }

    private void readout(ReadoutNode r, double[] gradReadout) {
        int classes = r.classes();
        int steps = tape.steps;
        INDArray gradCurrent = Nd4j.create(model.dtype(), rows, classes);
        Vec g = Vec.of(gradCurrent);
        int width = gradReadout.length;
        double[] row = new double[width];
        if (r.mode() == ReadoutMode.COUNT) {
            if (!temporal) {
                throw new IllegalStateException(method.keyword() + " cannot train a spiking readout (E500)");
            }
            INDArray gradSpikes = Nd4j.create(model.dtype(), rows, classes);
            Vec gs = Vec.of(gradSpikes);
            for (int t = 0; t < steps; t++) {
                gs.write(t * width, gradReadout, 0, width);
            }
            NeuronDynamics.backward(model.dynamics(r.neuron()), surrogate, detachReset, Vec.of(tape.readoutMembranes),
                    Vec.of(tape.readoutSpikes), gs, g, steps, width);
        } else if (temporal) {
            for (int t = 0; t < steps; t++) {
                double decay = r.mode() == ReadoutMode.MEMBRANE ? Math.pow(r.beta(), steps - 1 - t) : 1;
                for (int k = 0; k < width; k++) {
                    row[k] = gradReadout[k] * decay / steps;
                }
                g.write(t * width, row, 0, width);
            }
        } else {
            // out = FI / T (accumulate); for a leaky membrane readout, the mean decay of a step's current.
            double decay = 1;
            if (r.mode() == ReadoutMode.MEMBRANE) {
                decay = 0;
                for (int t = 0; t < steps; t++) {
                    decay += Math.pow(r.beta(), t) / steps;
                }
            }
            for (int k = 0; k < width; k++) {
                row[k] = gradReadout[k] * decay / steps;
            }
            g.write(0, row, 0, width);
        }
        Node in = net.inputsOf(r).get(0);
        INDArray gradIn = Layers.denseBackward(values(in), model.weight(r.name()), gradCurrent, paramGrad(r, "weight"),
                paramGrad(r, "bias"), temporal ? 1 : steps, rows, denseGradIn(r, in));
        addGrad(in, gradIn);
    }

    private void node(Node n, INDArray g) {
        Node in = net.inputsOf(n).get(0);
        if (model.delaysOutput(n)) {
            // the next layers read s[t-1]: dL/ds[t] is their gradient at step t+1
            g = Layers.shiftSteps(g, tape.steps, -1, scratch("advanced", n, g.shape()));
        }
        if (n instanceof NeuronNode nn) {
            addGrad(in, neuron(nn, in, g));
        } else if (n instanceof DropoutNode) {
            INDArray mask = tape.masks.get(n.name());
            INDArray out = scratch("in", n, g.shape()).assign(g);
            if (mask != null) {
                Layers.scaleRowsByMask(Vec.of(out), Vec.of(mask), rows / tape.batch, (int) mask.length());
            }
            addGrad(in, out);
        } else if (n instanceof FlattenNode) {
            long[] shape = values(in).shape();
            INDArray flat = FloatModel.contiguous(g);
            addGrad(in, model.channelsLast(in)
                    ? model.toNhwc(key("in", n), flat.reshape('c', shape[0], shape[3], shape[1], shape[2]))
                    : flat.reshape('c', shape));
        } else if (n instanceof ResidualAddNode) {
            Node skip = net.inputsOf(n).get(1);
            addGrad(in, inLayout(n, in, g, "main"));
            // the main path's gradient may be added into later; the skip path gets its own copy
            addGrad(skip, model.channelsLast(n) && !model.channelsLast(skip) ? inLayout(n, skip, g, "skip")
                    : scratch("skip", n, g.shape()).assign(g));
        } else if (n instanceof Conv2dNode c && in instanceof InputNode && model.dtype() == DataType.FLOAT) {
            // spikeforge's input-driven kernel reads float32; a float64 model (gradient checks) takes
            // conv2d_bp below, whose input gradient is then dropped
            Layers.convWeightBackward(c, values(in), g, paramGrad(c, "weight"), paramGrad(c, "bias"),
                    temporal ? 1 : tape.steps);
        } else if (n instanceof Conv2dNode c) {
            // channels-last throughout; an NCHW input (the network's, or a pool of it) is converted both ways
            boolean inChannelsLast = model.channelsLast(in);
            INDArray x = Layers.channelsLast(key("nhwc.x", c), values(in), inChannelsLast, model::buffer);
            INDArray gradIn = scratch("in", c, x.shape());
            Layers.convBackward(c, x, model.weight(c.name()), model.bias(c.name()), g, gradIn, paramGrad(c, "weight"),
                    paramGrad(c, "bias"), temporal ? 1 : tape.steps, model::buffer);
            if (!(in instanceof InputNode)) {
                addGrad(in, inChannelsLast ? gradIn : model.toNchw(key("nchw.in", c), gradIn));
            }
        } else if (n instanceof DenseNode d) {
            addGrad(in, Layers.denseBackward(values(in), model.weight(d.name()), FloatModel.contiguous(g)
                    .reshape('c', rows, d.units()), paramGrad(d, "weight"), paramGrad(d, "bias"),
                    temporal ? 1 : tape.steps, rows, denseGradIn(d, in)));
        } else if (n instanceof AvgPoolNode p) {
            INDArray x = values(in);
            addGrad(in, Layers.avgpoolBackward(p.kernel(), x, model.channelsLast(p), g, scratch("in", p, x.shape())));
        } else if (n instanceof MaxPoolNode p) {
            // spike_bp and asf route the gradient to the input with the most spikes of the window
            INDArray x = values(in);
            addGrad(in, Layers.maxpoolBackward(p.kernel(), x, model.channelsLast(p), g, scratch("in", p, x.shape())));
        } else if (n instanceof Conv1dNode c) {
            INDArray x = values(in);
            INDArray gradIn = in instanceof InputNode ? null : scratch("in", c, x.shape());
            Layers.conv1dBackward(c, x, model.weight(c.name()), g, gradIn, paramGrad(c, "weight"), paramGrad(c, "bias"),
                    temporal ? 1 : tape.steps);
            addGrad(in, gradIn);
        }
    }

    /** dL/dI of a spiking layer from dL/ds: through time, or through the per-neuron derivative. */
    private INDArray neuron(NeuronNode n, Node in, INDArray g) {
        NeuronDynamics.Params p = model.dynamics(n.neuron());
        INDArray gradIn = scratch("in", n, g.shape());
        if (temporal && in instanceof DenseNode d && d.isRecurrent()) {
            recurrentBackward(p, n, d, g, gradIn);
            return gradIn;
        }
        if (temporal) {
            int width = (int) (g.length() / tape.steps);
            NeuronDynamics.backward(p, surrogate, detachReset, Vec.of(tape.membranes.get(n.name())),
                    Vec.of(tape.spikesOf(n.name())), Vec.of(FloatModel.contiguous(g)), Vec.of(gradIn), tape.steps, width);
            return gradIn;
        }
        int size = (int) g.length();
        double[] fo = new double[size];
        double[] go = new double[size];
        Vec.of(values(n)).read(0, fo, 0, size);
        Vec.of(FloatModel.contiguous(g)).read(0, go, 0, size);
        if (method instanceof TrainSpec.SpikeBp) {
            double[] leak = tape.leak.get(n.name());
            for (int k = 0; k < size; k++) {
                double a = fo[k];
                go[k] = a > 0 ? go[k] / (p.theta() + leak[k] / (a * tape.steps)) : 0;
            }
        } else {
            double[] fi = new double[size];
            Vec.of(values(in)).read(0, fi, 0, size);
            // S = sum FO / sum FI over the neurons with positive input, and dFO/dFI = S only for those
            // (seed 002's FO/FI is 0 for a neuron that never gets positive input; summing over every
            // neuron instead made S <= 0, hence 0, in almost every batch, and stopped all gradient)
            double sumFo = 0;
            double sumFi = 0;
            for (int k = 0; k < size; k++) {
                if (fi[k] > 0) {
                    sumFo += fo[k];
                    sumFi += fi[k];
                }
            }
            double ratio = sumFi > 0 ? sumFo / sumFi : 0;
            for (int k = 0; k < size; k++) {
                go[k] = fi[k] > 0 ? go[k] * ratio : 0;
            }
        }
        Vec.of(gradIn).write(0, go, 0, size);
        return gradIn;
    }

    /**
     * BPTT through a recurrent dense layer's neurons, from the last step to the first:
     * dL/ds[t-1] gains W_rec^T dL/dI[t] (diagonal: w_rec[o] dL/dI[t][o]) before step t-1's
     * neuron backward, and dL/dW_rec = sum_{t >= 1} dL/dI[t]^T s[t-1]. Writes dL/dI into
     * {@code gradIn}; the dense layer's own backward then takes W, b and its input from there.
     */
    private void recurrentBackward(NeuronDynamics.Params p, NeuronNode n, DenseNode d, INDArray g, INDArray gradIn) {
        int units = d.units();
        int batch = tape.batch;
        int width = batch * units;
        boolean diagonal = d.recurrent() == Recurrence.DIAGONAL;
        INDArray w = model.recurrent(d.name());
        INDArray gradW = paramGrad(d, "recurrent");
        Vec spikes = Vec.of(tape.spikesOf(n.name()));
        Vec membranes = Vec.of(tape.membranes.get(n.name()));
        Vec gradOut = Vec.of(FloatModel.contiguous(g));
        Vec gi = Vec.of(gradIn);
        double[] wd = diagonal ? new double[units] : null;
        double[] dwd = diagonal ? new double[units] : null;
        if (diagonal) {
            Vec.of(w).read(0, wd, 0, units);
        }
        INDArray dI = diagonal ? null : scratch("rec.dI", n, batch, units);
        INDArray prev = diagonal ? null : scratch("rec.prev", n, batch, units);
        INDArray back = diagonal ? null : scratch("rec.back", n, batch, units);
        double[] di = new double[width];
        double[] s = new double[width];
        double[] extra = new double[width];
        NeuronDynamics.BackStepper stepper = new NeuronDynamics.BackStepper(p, surrogate, detachReset, width);
        for (int t = tape.steps - 1; t >= 0; t--) {
            stepper.backward(t, membranes, spikes, gradOut, t < tape.steps - 1 ? extra : null, gi);
            if (t == 0) {
                break;
            }
            gi.read(t * width, di, 0, width);
            spikes.read((t - 1) * width, s, 0, width);
            if (diagonal) {
                for (int k = 0; k < width; k++) {
                    int o = k % units;
                    extra[k] = wd[o] * di[k];
                    dwd[o] += di[k] * s[k];
                }
            } else {
                Vec.of(dI).write(0, di, 0, width);
                Vec.of(prev).write(0, s, 0, width);
                Nd4j.gemm(dI, w, back, false, false, 1.0, 0.0);
                Nd4j.gemm(dI, prev, gradW, true, false, 1.0, 1.0);
                Vec.of(back).read(0, extra, 0, width);
            }
        }
        if (diagonal) {
            Vec.of(gradW).write(0, dwd, 0, units);
        }
    }

    /** A node's forward output: per step (surrogate) or summed over time (spike_bp, asf). */
    private INDArray values(Node n) {
        INDArray a = tape.acts.get(n.name());
        if (temporal) {
            return a;
        }
        return sums.computeIfAbsent(n.name(), k -> {
            INDArray c = FloatModel.contiguous(a);
            long[] shape = c.shape().clone();
            shape[0] = tape.batch;
            return Layers.columnSums(c.reshape('c', tape.steps, c.length() / tape.steps)).reshape('c', shape);
        });
    }

    /**
     * A reusable buffer for one node's gradient work in this pass. Each (purpose, node) is written
     * once per backward pass, so an array stored as some node's gradient is never overwritten
     * while it is still needed.
     */
    private INDArray scratch(String purpose, Node n, long... shape) {
        return model.buffer(key(purpose, n), shape);
    }

    private static String key(String purpose, Node n) {
        return "grad." + purpose + ":" + n.name();
    }

    /** A residual sum's gradient {@code g} in the layout of its input {@code in}: itself, or copied to NCHW. */
    private INDArray inLayout(Node sum, Node in, INDArray g, String purpose) {
        return model.channelsLast(sum) && !model.channelsLast(in) ? model.toNchw(key(purpose, sum), FloatModel.contiguous(g))
                : g;
    }

    /** The input gradient buffer of a dense layer or readout (rows x in), or null for the input spikes. */
    private INDArray denseGradIn(Node n, Node in) {
        return in instanceof InputNode ? null : scratch("in", n, rows, Parameters.fanIn(n));
    }

    private void addGrad(Node n, INDArray g) {
        if (n instanceof InputNode || g == null) {
            return;
        }
        INDArray existing = grad.get(n.name());
        if (existing == null) {
            grad.put(n.name(), FloatModel.contiguous(g));
        } else {
            existing.addi(FloatModel.contiguous(g).reshape('c', existing.shape()));
        }
    }

    private INDArray paramGrad(Node n, String kind) {
        INDArray p = kind.equals("weight") ? model.weight(n.name()) : kind.equals("recurrent")
                ? model.recurrent(n.name()) : model.bias(n.name());
        if (p == null) {
            return null;
        }
        return paramGrads.computeIfAbsent(n.name() + "." + kind, k -> scratch("param." + kind, n, p.shape()).assign(0));
    }
}

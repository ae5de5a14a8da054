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
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.TrainSpec;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the float engine allocates for a network, computed from the IR alone (no ND4J class is
 * touched, so {@code check} can run it): an upper bound of the memory of one training batch and
 * of one inference batch, split into ND4J's off-heap arrays and the Java heap.
 *
 * <p>It follows {@link FloatModel}, {@link Backward}, {@link Layers}, {@link TrainingStep} and the
 * optimiser buffer by buffer, in float32 (4 bytes) for ND4J arrays and double (8 bytes) for the
 * Java arrays. With R = T * B step rows and s(n) a node's values per sample and step:
 *
 * <ul>
 *   <li>forward, kept until the next batch (off-heap): R s for the input and for every node's
 *       output; a second R s for a spiking node's membranes (surrogate training keeps h[t]); an
 *       NHWC copy of a convolution's multi-channel NCHW input, a flatten's NCHW copy of a
 *       channels-last input and up to two layout copies of a residual sum (R s each); each
 *       convolution's OYXI weight copy; dropout masks (2 B s).
 *   <li>backward (off-heap): surrogate works on R rows, spike_bp and asf on B rows of sums over
 *       time (and keep B s sums per node): one input gradient per node (R s_in, or B s_in), the
 *       layout copies of a convolution's input and gradient, the readout's current gradient,
 *       and the parameter gradients with each convolution's OYXI gradient (2 P). Plus the largest
 *       temporary of one ND4J call: libnd4j's {@code conv2d_bp} unfolds the input into columns
 *       (R outH outW inC k^2 values) and the gradient of those columns, freed when it returns.
 *   <li>heap: per parameter, the gradients and weights copied to double for the optimiser (16 B),
 *       the optimiser's state (Adam 16 B, SGD 8 B), the master weights of quantisation-aware
 *       training (8 B), and what a checkpoint holds while it is written (4 B of float weights, a
 *       copy of the optimiser state, and the archive's bytes, 4 B + the state again); spike_bp
 *       and asf read three B s double arrays per spiking node.
 *   <li>inference: the forward without membranes and dropout, at the same batch, plus the
 *       weights (4 B per parameter, off-heap and again on the heap as read).
 *   <li>temporal layers (issue 23): a recurrent dense layer steps its neurons one step at a time,
 *       with two B x units off-heap buffers for s[t-1] and W_rec s[t-1] and, on the heap, its
 *       neurons' state (v, and i for CUBA) and two rows of B x units doubles; its backward three
 *       B x units off-heap buffers and five heap rows (dL/dv, dL/di, dL/dI[t], s[t-1], the term sent
 *       back). A neuron with a synaptic current holds i (B s doubles) in the forward and dL/di in
 *       the backward. conv1d and maxpool keep their output (R s); conv1d's backward sums double
 *       partial weight gradients per 64 rows. Membranes kept for BPTT are counted for every
 *       spiking node, as before.
 * </ul>
 *
 * The JVM and the natives themselves (about {@value #RUNTIME_BYTES_MIB} MiB resident) are not
 * part of these figures; {@link #trainingTotal()} adds them.
 *
 * <p>Against the peak resident memory of {@code train --limit 512 --epochs 1} (/usr/bin/time -v,
 * two cores) the total was an upper bound by a factor of 1.10 to 1.78: quick 466 MiB estimated,
 * 374 MiB measured; mlp 471 / 378 MiB; lenet5 (spike_bp) 725 / 662 MiB; two 32-filter 3x3
 * convolutions at T = 20, surrogate 4.0 / 2.24 GiB (the conv2d_bp columns, counted twice, are
 * the margin), spike_bp 1.3 / 1.16 GiB. {@code MemoryEstimateTest} also holds the off-heap part
 * above the arrays the engine really holds after a training step, and within 4x of them.
 */
public final class MemoryEstimate {

    /** The engine indexes arrays with Java ints: no single array may have more values. */
    public static final long MAX_ARRAY_VALUES = Integer.MAX_VALUE;
    /** No training batch may need more than this (1 TiB), whatever the machine. */
    public static final double HARD_LIMIT_BYTES = 1024.0 * 1024 * 1024 * 1024;
    /** The JVM, ND4J's natives (oneDNN, OpenBLAS) and their thread pools, resident before any array. */
    public static final int RUNTIME_BYTES_MIB = 400;

    private static final int FLOAT = 4;
    private static final int DOUBLE = 8;

    private final Network net;
    private final int batch;
    private final int steps;
    private final long parameters;
    private final double trainOffHeap;
    private final double trainHeap;
    private final double inferenceOffHeap;
    private final double inferenceHeap;
    private final double largestArray;
    private final String largestArrayNode;

    private MemoryEstimate(Network net, int batch, int steps) {
        this.net = net;
        this.batch = batch;
        this.steps = steps;
        long p = 0;
        for (Node n : net.nodes()) {
            p += Parameters.fanIn(n) * Parameters.outputs(n) + (Parameters.hasBias(n) ? Parameters.outputs(n) : 0);
            if (n instanceof DenseNode d) {
                p += d.recurrent().weights(d.units());
            }
        }
        this.parameters = p;
        Sizes training = sizes(net.train().orElse(null), true);
        Sizes inference = sizes(net.train().orElse(null), false);
        this.trainOffHeap = training.offHeap;
        this.trainHeap = training.heap;
        this.inferenceOffHeap = inference.offHeap;
        this.inferenceHeap = inference.heap;
        this.largestArray = training.largest;
        this.largestArrayNode = training.largestNode;
    }

    /** The estimate at the train block's batch and the network's time steps (batch 1 without a train block). */
    public static MemoryEstimate of(Network net) {
        return of(net, net.train().map(TrainSpec::batch).orElse(1));
    }

    /** The estimate at {@code batch} samples per batch (training cuts its batch to the training set). */
    public static MemoryEstimate of(Network net, int batch) {
        return new MemoryEstimate(net, batch, net.timesteps());
    }

    private MemoryEstimate at(int b, int t) {
        return new MemoryEstimate(net, b, t);
    }

    public int batch() {
        return batch;
    }

    public int steps() {
        return steps;
    }

    public long parameters() {
        return parameters;
    }

    /** Off-heap bytes (ND4J arrays) of one training batch: forward, backward, gradients. */
    public double trainingOffHeap() {
        return trainOffHeap;
    }

    /** Java heap bytes of training: optimiser state, the double copies, a checkpoint being written. */
    public double trainingHeap() {
        return trainHeap;
    }

    public double inferenceOffHeap() {
        return inferenceOffHeap;
    }

    public double inferenceHeap() {
        return inferenceHeap;
    }

    /** Everything a training process holds at its peak: both parts and the runtime itself. */
    public double trainingTotal() {
        return trainOffHeap + trainHeap + RUNTIME_BYTES_MIB * 1024.0 * 1024;
    }

    public double inferenceTotal() {
        return inferenceOffHeap + inferenceHeap + RUNTIME_BYTES_MIB * 1024.0 * 1024;
    }

    /**
     * Values of the largest single Java-indexed array of a training batch (weights, activations,
     * gradients; not libnd4j's own temporaries, which it indexes with longs), and its layer.
     */
    public double largestArray() {
        return largestArray;
    }

    public String largestArrayNode() {
        return largestArrayNode;
    }

    /** What the machine offers: the JVM's maximum heap and the physical memory. */
    public record Machine(long maxHeap, long physical) {
        /** This JVM on this machine. */
        public static Machine current() {
            long physical = Long.MAX_VALUE;
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os) {
                physical = os.getTotalMemorySize();
            }
            return new Machine(Runtime.getRuntime().maxMemory(), physical);
        }
    }

    /**
     * The problem with training this network, or null: a hard limit (an array over
     * {@link #MAX_ARRAY_VALUES} values, a batch over {@link #HARD_LIMIT_BYTES}), or with
     * {@code machine} given, more than its physical memory. The text names the limit, the
     * figure and how far batch or time steps would have to shrink.
     */
    public String hardProblem(Machine machine) {
        if (largestArray > MAX_ARRAY_VALUES) {
            return String.format(Locale.ROOT, "training needs an array of %s values (in layer %s, at batch %d and %d time steps);"
                    + " the engine's arrays hold at most %,d values. %s", count(largestArray), largestArrayNode, batch, steps, MAX_ARRAY_VALUES, fix(e -> e.largestArray <= MAX_ARRAY_VALUES,
                    "an array fits"));
        }
        if (trainingTotal() > HARD_LIMIT_BYTES) {
            return String.format(Locale.ROOT, "training needs an estimated %s per batch (batch %d, %d time steps), over"
                    + " spikeforge's limit of %s. %s", bytes(trainingTotal()), batch, steps, bytes(HARD_LIMIT_BYTES),
                    fix(e -> e.trainingTotal() <= HARD_LIMIT_BYTES, "it fits"));
        }
        if (machine != null && trainingTotal() > machine.physical()) {
            return String.format(Locale.ROOT, "training needs an estimated %s per batch (batch %d, %d time steps), more"
                    + " than this machine's %s of memory. %s", bytes(trainingTotal()), batch, steps,
                    bytes(machine.physical()), fix(e -> e.trainingTotal() <= machine.physical(), "it fits"));
        }
        return null;
    }

    /**
     * The problem with running inference at this estimate's batch on {@code machine}, or null: more
     * than its physical memory. The fix names the largest batch that fits when {@code batchSetting}
     * names where the batch comes from (the train block's {@code batch} for eval), the most time
     * steps, or fewer units.
     */
    public String inferenceProblem(Machine machine, String batchSetting) {
        if (inferenceTotal() <= machine.physical()) {
            return null;
        }
        java.util.List<String> ways = new java.util.ArrayList<>();
        int b = batchSetting == null ? 0 : largest(batch, x -> at(x, steps).inferenceTotal() <= machine.physical());
        if (b > 0) {
            ways.add("a batch of at most " + b + " (now " + batch + ") " + batchSetting);
        }
        int t = largest(steps, x -> at(batch, x).inferenceTotal() <= machine.physical());
        if (t > 0) {
            ways.add("at most " + t + " time steps (now " + steps + ")");
        }
        ways.add("fewer units or filters (the largest layer is " + largestArrayNode + ")");
        return String.format(Locale.ROOT, "inference needs an estimated %s per batch of %d (%d time steps), more than this"
                + " machine's %s of memory. Fix: %s", bytes(inferenceTotal()), batch, steps, bytes(machine.physical()),
                String.join(", or ", ways));
    }

    /** Warnings for {@code machine}: training or inference above its physical memory or the JVM's heap. */
    public java.util.List<String> warnings(Machine machine) {
        java.util.List<String> w = new java.util.ArrayList<>();
        if (trainingTotal() > machine.physical()) {
            w.add(String.format(Locale.ROOT, "training needs an estimated %s per batch (batch %d, %d time steps), more"
                    + " than this machine's %s of memory; train would refuse it here. %s", bytes(trainingTotal()), batch,
                    steps, bytes(machine.physical()), fix(e -> e.trainingTotal() <= machine.physical(), "it fits")));
        } else if (trainHeap > machine.maxHeap()) {
            w.add(String.format(Locale.ROOT, "training needs an estimated %s of Java heap (optimiser state and weight"
                    + " copies of %,d parameters), more than the JVM's maximum of %s; run with"
                    + " SPIKEFORGE_JAVA_OPTS=-Xmx%dg, or use fewer units", bytes(trainHeap), parameters,
                    bytes(machine.maxHeap()), (long) Math.ceil(trainHeap * 1.25 / (1L << 30))));
        }
        if (inferenceTotal() > machine.physical()) {
            w.add(String.format(Locale.ROOT, "inference (eval, verify) needs an estimated %s per batch of %d, more than this"
                    + " machine's %s of memory", bytes(inferenceTotal()), batch, bytes(machine.physical())));
        }
        return w;
    }

    /** The fix: the largest batch, the most time steps that would satisfy {@code ok}, or fewer units. */
    private String fix(java.util.function.Predicate<MemoryEstimate> ok, String what) {
        StringBuilder s = new StringBuilder("Fix: ");
        int b = largest(batch, x -> ok.test(at(x, steps)));
        int t = largest(steps, x -> ok.test(at(batch, x)));
        java.util.List<String> ways = new java.util.ArrayList<>();
        if (b > 0) {
            ways.add("a batch of at most " + b + " (now " + batch + ") in the train block");
        }
        if (t > 0) {
            ways.add("at most " + t + " time steps (now " + steps + ")");
        }
        ways.add("fewer units or filters (the largest layer is " + largestArrayNode + ")");
        s.append(String.join(", or ", ways)).append(" so that ").append(what);
        if (b == 0 && t == 0) {
            s.append("; batch 1 with 1 time step does not fit either: the layers themselves are too large");
        }
        return s.toString();
    }

    /** The largest x in [1, max] with ok(x), by bisection (the estimate grows with batch and steps), or 0. */
    private static int largest(int max, java.util.function.IntPredicate ok) {
        if (!ok.test(1)) {
            return 0;
        }
        int lo = 1;
        int hi = max;
        while (lo < hi) {
            int mid = (int) ((lo + (long) hi + 1) / 2);
            if (ok.test(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** One line: the figures {@code check} prints. */
    public String summary() {
        return String.format(Locale.ROOT, "memory: training ~%s per batch of %d x %d steps (%s off-heap, %s heap),"
                + " inference ~%s; both include %d MiB for the JVM and natives", bytes(trainingTotal()), batch, steps,
                bytes(trainOffHeap), bytes(trainHeap), bytes(inferenceTotal()), RUNTIME_BYTES_MIB);
    }

    /** 1.5 GiB, 320 MiB, 12 KiB. */
    public static String bytes(double b) {
        return dev.spikeforge.compiler.io.InputFiles.bytes(b >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(b));
    }

    private static String count(double v) {
        return v < 1e15 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    // ---- the buffers ----------------------------------------------------------------------------

    private static final class Sizes {
        double offHeap;
        double heap;
        double largest;
        String largestNode = "";
        double transientPeak;

        void array(double values, int bytesPer, Node n) {
            offHeap += values * bytesPer;
            if (values > largest) {
                largest = values;
                largestNode = n.userLayer();
            }
        }
    }

    private Sizes sizes(TrainSpec spec, boolean training) {
        Sizes z = new Sizes();
        double r = (double) steps * batch;
        TrainSpec.Method method = spec == null ? new TrainSpec.SpikeBp() : spec.method();
        boolean temporal = training && method instanceof TrainSpec.Surrogate;
        double gradRows = temporal ? r : batch;
        Set<String> channelsLast = new HashSet<>();
        for (Node n : net.nodes()) {
            boolean inputCl = !(n instanceof InputNode) && net.inputsOf(n).stream().anyMatch(i -> channelsLast.contains(i.name()));
            if (n instanceof Conv2dNode || (n instanceof AvgPoolNode || n instanceof MaxPoolNode || n instanceof NeuronNode
                    || n instanceof DropoutNode || n instanceof ResidualAddNode) && inputCl) {
                channelsLast.add(n.name());
            }
            double s = n.shape().size();
            double in = n instanceof InputNode ? 0 : net.inputsOf(n).get(0).shape().size();
            boolean fedByInput = !(n instanceof InputNode) && net.inputsOf(n).get(0) instanceof InputNode;
            long weights = Parameters.fanIn(n) * Parameters.outputs(n);
            if (weights > z.largest) {
                z.largest = weights;
                z.largestNode = n.userLayer();
            }
            // forward
            if (n instanceof InputNode) {
                z.array(r * s, FLOAT, n);
            } else if (n instanceof Conv2dNode c) {
                z.array(r * s, FLOAT, n);
                if (!inputCl && c.inChannels() > 1) {
                    z.array(r * in, FLOAT, n);
                }
                z.array(weights, FLOAT, n);
            } else if (n instanceof FlattenNode) {
                if (inputCl) {
                    z.array(r * s, FLOAT, n);
                }
            } else if (n instanceof NeuronNode nn) {
                z.array(r * s, FLOAT, n);
                if (temporal) {
                    z.array(r * s, FLOAT, n);
                }
                if (training && method instanceof TrainSpec.SpikeBp) {
                    z.heap += batch * s * DOUBLE;
                }
                if (nn.neuron().hasSynapticCurrent()) {
                    z.heap += batch * s * DOUBLE * (temporal ? 2 : 1); // i[t], and dL/di in the backward
                }
                if (net.inputsOf(n).get(0) instanceof DenseNode d && d.isRecurrent()) {
                    z.array(2 * batch * s, FLOAT, n); // s[t-1] and W_rec s[t-1]
                    z.heap += 3 * batch * s * DOUBLE; // v, s[t-1] and the term added, one step each
                    if (temporal) {
                        z.array(3 * batch * s, FLOAT, n);
                        z.heap += 5 * batch * s * DOUBLE;
                    }
                }
            } else if (n instanceof DropoutNode) {
                if (training) {
                    z.array(r * s, FLOAT, n);
                    z.array(2 * batch * s, FLOAT, n);
                    z.heap += batch * s * DOUBLE;
                }
            } else if (n instanceof ResidualAddNode) {
                z.array(r * s, FLOAT, n);
                z.array(2 * r * s, FLOAT, n);
            } else if (n instanceof ReadoutNode ro) {
                z.array(r * s, FLOAT, n);
                if (ro.mode() == ReadoutMode.COUNT) {
                    z.array(r * s, FLOAT, n);
                    if (temporal) {
                        z.array(r * s, FLOAT, n);
                    }
                }
            } else {
                z.array(r * s, FLOAT, n); // avgpool, dense
            }
            if (training && spec.qatEpochs() > 0 && fedByInput && net.input().encoding().analog()
                    && (n instanceof Conv2dNode || n instanceof DenseNode)) {
                // QAT on analog input (FloatModel.analogExact): the input's bytes, their channels-last
                // copy, and the integer sums
                z.array(r * in, FLOAT, n);
                if (n instanceof Conv2dNode c && c.inChannels() > 1) {
                    z.array(r * in, FLOAT, n);
                }
                z.array(r * s, FLOAT, n);
            }
            if (!training || n instanceof InputNode) {
                continue;
            }
            // backward: the input gradient of every node not fed by the input, and layout copies
            if (!temporal && !(n instanceof FlattenNode)) {
                z.array(batch * s, FLOAT, n); // the node's sums over time
                z.offHeap += r * FLOAT; // the row of ones that sums them
                if (n instanceof NeuronNode) {
                    z.heap += 3 * batch * s * DOUBLE;
                }
            }
            if (!fedByInput) {
                z.array(gradRows * in, FLOAT, n);
            }
            if (n instanceof ReadoutNode ro) {
                z.array(gradRows * ro.classes() * (ro.mode() == ReadoutMode.COUNT ? 2 : 1), FLOAT, n);
            } else if (n instanceof FlattenNode && inputCl) {
                z.array(gradRows * s, FLOAT, n);
            } else if (n instanceof ResidualAddNode) {
                z.array(2 * gradRows * s, FLOAT, n);
            } else if (n instanceof Conv2dNode c && !fedByInput) {
                if (!inputCl) {
                    z.array(2 * gradRows * in, FLOAT, n);
                }
                z.array(weights, FLOAT, n);
                // conv2d_bp's columns and their gradient, for the duration of the call
                double columns = gradRows * c.shape().height() * c.shape().width() * c.inChannels() * c.kernel() * c.kernel();
                z.transientPeak = Math.max(z.transientPeak, 2 * columns * FLOAT);
            } else if (n instanceof Conv2dNode c) {
                // spikeforge's own kernel: per 32 rows a double partial sum of the weight gradient
                z.heap += Math.ceil(gradRows / Layers.WEIGHT_GRADIENT_ROWS) * (weights + c.filters()) * DOUBLE;
            } else if (n instanceof Conv1dNode c) {
                // per ROWS_PER_TASK rows a double partial sum of the weight gradient
                z.heap += Math.ceil(gradRows / Layers.ROWS_PER_TASK) * (weights + c.filters()) * DOUBLE;
            }
        }
        double p = parameters;
        if (training) {
            int state = spec.optimizer() instanceof TrainSpec.Adam ? 2 * DOUBLE : DOUBLE;
            z.offHeap += p * FLOAT * 2; // the weights, their gradients
            z.heap += p * (2 * DOUBLE + state + (spec.qatEpochs() > 0 ? DOUBLE : 0));
            z.heap += p * (FLOAT + state + FLOAT + state); // a checkpoint: weights, state, the archive's bytes
        } else {
            z.offHeap += p * FLOAT;
            z.heap += p * FLOAT + (double) batch * DOUBLE * 64;
        }
        z.offHeap += z.transientPeak;
        return z;
    }
}

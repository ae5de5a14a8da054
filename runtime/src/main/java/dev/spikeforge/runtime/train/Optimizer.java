package dev.spikeforge.runtime.train;

import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.engine.Chunks;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum and Adam, with PyTorch's update rules so that hyper-parameters carry over
 * (weight decay is L2 added to the gradient in both):
 *
 * <pre>
 *   sgd   g' = g + wd w;   buf = momentum buf + g' (buf = g' at the first step);   w -= lr buf
 *   adam  g' = g + wd w;   m = b1 m + (1 - b1) g';   v = b2 v + (1 - b2) g'^2;
 *         w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * Works on plain arrays, element by element, so a resumed run repeats an uninterrupted one bit
 * for bit. Its state (buffers and step count) is what a checkpoint saves.
 */
public final class Optimizer {

    private final TrainSpec.Optimizer spec;
    private final Map<String, double[]> first = new LinkedHashMap<>();
    private final Map<String, double[]> second = new LinkedHashMap<>();
    private long step;

    public Optimizer(TrainSpec.Optimizer spec) {
        this.spec = spec;
    }

    /** Updates {@code weights} in place from {@code grads} (same keys and lengths). */
    public void step(Map<String, double[]> weights, Map<String, double[]> grads, double lr) {
        step++;
        for (Map.Entry<String, double[]> e : grads.entrySet()) {
            double[] w = weights.get(e.getKey());
            double[] g = e.getValue();
            if (spec instanceof TrainSpec.Sgd sgd) {
                sgd(sgd, e.getKey(), w, g, lr);
            } else {
                adam((TrainSpec.Adam) spec, e.getKey(), w, g, lr);
            }
        }
    }

    private void sgd(TrainSpec.Sgd s, String key, double[] w, double[] g, double lr) {
        double[] buf = first.get(key);
        boolean fresh = buf == null;
        if (fresh) {
            buf = new double[w.length];
            first.put(key, buf);
        }
        double[] b = buf;
        Chunks.forEach(w.length, CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g[i] + s.weightDecay() * w[i];
                b[i] = fresh ? gi : s.momentum() * b[i] + gi;
                w[i] -= lr * (s.momentum() > 0 ? b[i] : gi);
            }
        });
    }

    private void adam(TrainSpec.Adam a, String key, double[] w, double[] g, double lr) {
        double[] m = first.computeIfAbsent(key, k -> new double[w.length]);
        double[] v = second.computeIfAbsent(key, k -> new double[w.length]);
        double c1 = 1 - Math.pow(a.beta1(), step);
        double c2 = 1 - Math.pow(a.beta2(), step);
        Chunks.forEach(w.length, CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) {
                double gi = g[i] + a.weightDecay() * w[i];
                m[i] = a.beta1() * m[i] + (1 - a.beta1()) * gi;
                v[i] = a.beta2() * v[i] + (1 - a.beta2()) * gi * gi;
                w[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + a.eps());
            }
        });
    }

    /**
     * Elements per task: every element's update is independent, so the split cannot change a bit;
     * on one core the MLP's 392,000 weights took 0.7 ms a batch.
     */
    private static final int CHUNK = 1 << 15;

    public long steps() {
        return step;
    }

    /** Prefix of the first buffer of each parameter: SGD's momentum buffer, Adam's first moment. */
    public static final String FIRST = "optimizer.first.";
    /** Prefix of Adam's second moment of each parameter; SGD has none. */
    public static final String SECOND = "optimizer.second.";

    /** The buffers, keyed {@code optimizer.first.NAME} and {@code optimizer.second.NAME}. */
    public Map<String, double[]> state() {
        Map<String, double[]> s = new LinkedHashMap<>();
        first.forEach((k, v) -> s.put(FIRST + k, v.clone()));
        second.forEach((k, v) -> s.put(SECOND + k, v.clone()));
        return s;
    }

    /**
     * Saved state that this optimiser cannot continue from: the array concerned (or null for the
     * step count) and what is missing, unexpected or mis-sized. Accepting it would restart a
     * buffer from zero or carry an array nothing uses into every later checkpoint, so a resumed
     * run would silently differ from an uninterrupted one.
     */
    public static final class StateMismatch extends Exception {
        private static final long serialVersionUID = 1L;
        private final String array;

        StateMismatch(String array, String problem) {
            super(problem);
            this.array = array;
        }

        /** The state array's name, or null when the problem is the step count. */
        public String array() {
            return array;
        }
    }

    /**
     * The state arrays (name and length) this optimiser holds after {@code steps} updates of
     * parameters of these lengths: none before the first update; then a first buffer for every
     * parameter, and for Adam a second moment too. Every parameter gets a gradient at every step
     * (the backward pass creates one for each weight and bias it reaches, and every layer with
     * parameters reaches the readout), so after one step the state is complete.
     */
    public Map<String, Integer> expectedState(Map<String, Integer> parameterSizes, long steps) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (steps > 0) {
            parameterSizes.forEach((k, n) -> out.put(FIRST + k, n));
            if (spec instanceof TrainSpec.Adam) {
                parameterSizes.forEach((k, n) -> out.put(SECOND + k, n));
            }
        }
        return out;
    }

    /**
     * Continues from saved state after checking that it is exactly the state this optimiser would
     * hold after {@code steps} updates of these parameters ({@link #expectedState}): nothing
     * missing, nothing unknown, every buffer the parameter's length. On a mismatch nothing changes.
     *
     * @throws StateMismatch naming the first array that is missing, unexpected or mis-sized
     */
    public void restore(Map<String, double[]> state, long steps, Map<String, Integer> parameterSizes)
            throws StateMismatch {
        if (steps < 0) {
            throw new StateMismatch(null, "the optimiser's step count is " + steps + ", not a count");
        }
        Map<String, Integer> expected = expectedState(parameterSizes, steps);
        for (Map.Entry<String, double[]> e : state.entrySet()) {
            Integer n = expected.get(e.getKey());
            if (n == null) {
                throw new StateMismatch(e.getKey(), unexpected(e.getKey(), steps, parameterSizes));
            }
            if (e.getValue().length != n) {
                throw new StateMismatch(e.getKey(), "has " + e.getValue().length + " values, but parameter '"
                        + parameter(e.getKey()) + "' has " + n);
            }
        }
        for (String k : expected.keySet()) {
            if (!state.containsKey(k)) {
                throw new StateMismatch(k, "is missing: " + describe(k) + " after " + steps + " steps; without it "
                        + "the run would restart it from zero");
            }
        }
        first.clear();
        second.clear();
        state.forEach((k, v) -> (k.startsWith(FIRST) ? first : second).put(parameter(k), v.clone()));
        this.step = steps;
    }

    private String unexpected(String key, long steps, Map<String, Integer> parameterSizes) {
        if (!key.startsWith(FIRST) && !key.startsWith(SECOND)) {
            return "is not optimiser state spikeforge writes (" + FIRST + "NAME, " + SECOND + "NAME)";
        }
        if (!parameterSizes.containsKey(parameter(key))) {
            return "is state of parameter '" + parameter(key) + "', which the model does not have";
        }
        if (steps == 0) {
            return "is optimiser state, but the checkpoint records no optimiser step";
        }
        return "is Adam's second moment, but the model trains with " + keyword();
    }

    private String describe(String key) {
        String p = parameter(key);
        if (key.startsWith(SECOND)) {
            return "Adam's second moment of '" + p + "'";
        }
        return (spec instanceof TrainSpec.Adam ? "Adam's first moment" : "the SGD momentum buffer") + " of '" + p + "'";
    }

    private String keyword() {
        return spec instanceof TrainSpec.Adam ? "adam" : "sgd";
    }

    private static String parameter(String key) {
        return key.startsWith(FIRST) ? key.substring(FIRST.length())
                : key.startsWith(SECOND) ? key.substring(SECOND.length()) : key;
    }

    /** Quantisation-aware epochs start at this fraction of the optimiser's learning rate. */
    public static final double QAT_LR_FACTOR = 0.1;

    /**
     * The learning rate of batch {@code batch} (0-based) of quantisation-aware epoch {@code qatEpoch}
     * (0-based) of {@code qatEpochs}, {@code batches} batches an epoch: {@link #QAT_LR_FACTOR} times
     * the optimiser's lr, constant under the constant and step schedules; under cosine, annealed
     * batch by batch from there towards 0 over all QAT epochs, lr_q/2 (1 + cos(pi k / K)) with
     * k = qatEpoch * batches + batch and K = qatEpochs * batches, so that the QAT phase ends at a
     * rate near 0 as the float phase did instead of at a tenth of the initial rate.
     */
    public static double qatLearningRate(TrainSpec spec, int qatEpoch, int qatEpochs, int batch, int batches) {
        double lr = QAT_LR_FACTOR * spec.optimizer().lr();
        if (spec.schedule() instanceof TrainSpec.CosineSchedule) {
            double k = (double) qatEpoch * batches + batch;
            lr *= 0.5 * (1 + Math.cos(Math.PI * k / ((double) qatEpochs * batches)));
        }
        return lr;
    }

    /**
     * The learning rate of epoch {@code epoch} (1-based) of {@code epochs}: constant; step
     * (times gamma for each milestone already passed: milestones [5, 8] give epochs 1-5 lr,
     * 6-8 lr * gamma, 9- lr * gamma^2, as PyTorch's MultiStepLR); cosine (lr/2 (1 + cos(pi (e-1)/E))).
     */
    public static double learningRate(TrainSpec spec, int epoch, int epochs) {
        double lr = spec.optimizer().lr();
        if (spec.schedule() instanceof TrainSpec.StepSchedule s) {
            for (int m : s.milestones()) {
                if (epoch > m) {
                    lr *= s.gamma();
                }
            }
        } else if (spec.schedule() instanceof TrainSpec.CosineSchedule) {
            lr *= 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs));
        }
        return lr;
    }
}

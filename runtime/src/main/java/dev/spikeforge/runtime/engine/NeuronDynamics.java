package dev.spikeforge.runtime.engine;

/**
 * The neuron recurrence of SEMANTICS.md section 2 over all T steps of a batch, forward and
 * backward, on time-major buffers: element k of step t is at {@code t * width + k},
 * width = B * neurons. State starts at zero for every sample.
 *
 * <pre>
 *   h[t] = beta * v[t-1] + I[t]
 *   s[t] = h[t] >= theta                                  (relaxed: σ(h[t] - theta))
 *   v[t] = h[t] - s[t] * theta   (subtract)   or   h[t] * (1 - s[t])   (zero)
 * </pre>
 *
 * Loop bodies are branch-free: the comparison becomes a 0/1 value.
 */
final class NeuronDynamics {

    /** One neuron layer's constants. */
    record Params(double beta, double theta, boolean subtract) {
    }

    private NeuronDynamics() {
    }

    /**
     * @param membranes h before reset, written when not null (BPTT needs it, traces show it)
     * @param leak      per element, the potential lost to leak over the run, sum_t (1 - beta) v[t-1];
     *                  written when not null (the spike_bp derivative needs it)
     * @param relaxed   when not null, fire smoothly with s = σ(h - theta) (gradient checks only)
     */
    static void forward(Params p, Vec current, Vec spikes, Vec membranes, double[] leak, SurrogateFunction relaxed,
                        int steps, int width) {
        double[] v = new double[width];
        for (int t = 0; t < steps; t++) {
            int row = t * width;
            for (int k = 0; k < width; k++) {
                double h = p.beta() * v[k] + current.get(row + k);
                if (leak != null) {
                    leak[k] += (1 - p.beta()) * v[k];
                }
                double s = relaxed == null ? (h >= p.theta() ? 1 : 0) : relaxed.value(h - p.theta());
                v[k] = p.subtract() ? h - s * p.theta() : h * (1 - s);
                spikes.set(row + k, s);
                if (membranes != null) {
                    membranes.set(row + k, h);
                }
            }
        }
    }

    /**
     * Backpropagation through time: dL/dI[t] from dL/ds[t] and the membranes h[t].
     *
     * <pre>
     *   dL/dh[t]   = dL/ds[t] σ'(h[t] - theta) + dL/dv[t] dv[t]/dh[t]
     *   dL/dI[t]   = dL/dh[t]
     *   dL/dv[t-1] = beta dL/dh[t]
     * </pre>
     *
     * With {@code detachReset} (training, as snnTorch does by default) the reset is a constant
     * for the gradient: dv/dh = 1 (subtract) or 1 - s (zero). Without it (gradient checks of the
     * relaxed network) the reset is differentiated too: dv/dh = 1 - theta σ' (subtract) or
     * 1 - s - h σ' (zero).
     *
     * @param spikes the forward spikes s[t] (only the zero reset reads them)
     * @param gradIn dL/dI, written (may be the same buffer as gradOut)
     */
    static void backward(Params p, SurrogateFunction surrogate, boolean detachReset, Vec membranes, Vec spikes,
                         Vec gradOut, Vec gradIn, int steps, int width) {
        double[] dv = new double[width];
        for (int t = steps - 1; t >= 0; t--) {
            int row = t * width;
            for (int k = 0; k < width; k++) {
                double h = membranes.get(row + k);
                double ds = surrogate.derivative(h - p.theta());
                double dvdh;
                if (p.subtract()) {
                    dvdh = detachReset ? 1 : 1 - p.theta() * ds;
                } else {
                    double s = spikes.get(row + k);
                    dvdh = detachReset ? 1 - s : 1 - s - h * ds;
                }
                double dh = gradOut.get(row + k) * ds + dv[k] * dvdh;
                gradIn.set(row + k, dh);
                dv[k] = p.beta() * dh;
            }
        }
    }

    /** Per element, sum over the T steps: spike counts, or total input currents. */
    static void sumOverTime(Vec x, double[] out, int steps, int width) {
        for (int t = 0; t < steps; t++) {
            int row = t * width;
            for (int k = 0; k < width; k++) {
                out[k] += x.get(row + k);
            }
        }
    }

    /** h[t] = beta * v[t-1] + I[t], never fires; out = v[T] / T. */
    static void membraneReadout(Vec current, double beta, double[] out, int steps, int width) {
        for (int k = 0; k < width; k++) {
            double v = 0;
            for (int t = 0; t < steps; t++) {
                v = beta * v + current.get(t * width + k);
            }
            out[k] = v / steps;
        }
    }
}

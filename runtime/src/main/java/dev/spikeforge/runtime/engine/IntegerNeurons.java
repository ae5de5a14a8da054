package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.integer.IntegerSimulator;

/**
 * {@link NeuronDynamics}' forward in the integer model's arithmetic ({@link IntegerExact},
 * docs/semantics.md section 4.13), on the same time-major buffers: per step the current of each
 * neuron is snapped to its integer, then the integer model's step runs on 64-bit state (the
 * synaptic current, then charge, fire and reset). The spikes written are the integer model's; the
 * membranes written (for the backward pass) are {@code h_q * unit}, and the leak, when asked for,
 * adds {@code (1 - beta) v * unit} with the float beta, so the backward passes are unchanged:
 * gradients go straight through the rounding, the leak's rounding and the clamp.
 */
final class IntegerNeurons {

    private IntegerNeurons() {
    }

    /** One population's constants, with the scale channel of each neuron of a sample in the float layout. */
    record Layer(String node, IntegerExact exact, IntegerExact.Population population, int[] channel, double beta) {

        QuantLayer q() {
            return population.layer();
        }
    }

    /** All T steps of a population without recurrence: {@link NeuronDynamics#forward} with integer state. */
    static void forward(Layer l, Vec current, Vec spikes, Vec membranes, double[] leak, int steps, int width) {
        Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
            int n = k1 - k0;
            double[] cur = new double[n];
            double[] s = new double[n];
            long[] v = new long[n];
            long[] syn = l.q().hasSynapticCurrent() ? new long[n] : null;
            float[] f = new float[n];
            double[] largest = new double[1];
            for (int t = 0; t < steps; t++) {
                int row = t * width + k0;
                current.read(row, cur, 0, n, f);
                step(l, cur, s, v, syn, leak, k0, n, largest);
                if (membranes != null) {
                    membranes.write(row, cur, 0, n, f);
                }
                spikes.write(row, s, 0, n, f);
            }
            l.exact().residual(largest[0]);
        });
    }

    /**
     * One step of neurons k0 .. k0 + n - 1: {@code cur} holds I[t] on entry and h[t] (in float,
     * h_q * unit) on return, {@code s} gets the spikes; {@code v} and {@code syn} carry the integer state.
     */
    private static void step(Layer l, double[] cur, double[] s, long[] v, long[] syn, double[] leak, int k0, int n,
                             double[] largest) {
        QuantLayer q = l.q();
        QuantizedNetwork.Numerics num = l.population().numerics();
        double[] unit = l.population().unit();
        long[] theta = q.theta();
        boolean subtract = q.reset() == Reset.SUBTRACT;
        int[] channel = l.channel();
        int size = channel.length;
        int at = k0 % size; // neuron k0 + j's place in its sample, advanced without a division per neuron
        for (int j = 0; j < n; j++, at = at + 1 == size ? 0 : at + 1) {
            int c = channel[at];
            double u = unit[c];
            long i = IntegerExact.snap(cur[j], u, l.node(), largest);
            if (leak != null) {
                leak[k0 + j] += (1 - l.beta()) * v[j] * u;
            }
            if (syn != null) {
                syn[j] = IntegerSimulator.synaptic(num, q.synapticLeak(), syn[j], i);
                i = syn[j];
            }
            long h = IntegerSimulator.charge(num, q.leak(), v[j], i);
            long th = theta[c];
            s[j] = h >= th ? 1 : 0;
            v[j] = IntegerSimulator.reset(h, th, subtract);
            cur[j] = h * u;
        }
    }

    /**
     * One step of the {@code n} neurons of a sample without synaptic current, for the fused
     * inference pass ({@link EventKernels#convFire}, {@link EventKernels#fire}): as {@link #step}
     * with the current read from float, the spikes written as float, {@code v} the integer
     * membranes, and neither the membranes nor the leak kept. Neuron j is element j of the
     * sample's layout ({@link Layer#channel}). Returns the number of spikes; the largest residual
     * of a snapped current goes into {@code largest[0]}.
     */
    static long fireRow(Layer l, float[] current, long[] v, float[] s, int n, double[] largest) {
        QuantLayer q = l.q();
        QuantizedNetwork.Numerics num = l.population().numerics();
        double[] unit = l.population().unit();
        long[] theta = q.theta();
        boolean subtract = q.reset() == Reset.SUBTRACT;
        int[] channel = l.channel();
        long count = 0;
        for (int j = 0; j < n; j++) {
            int c = channel[j];
            long h = IntegerSimulator.charge(num, q.leak(), v[j], IntegerExact.snap(current[j], unit[c], l.node(), largest));
            long th = theta[c];
            boolean fired = h >= th;
            v[j] = IntegerSimulator.reset(h, th, subtract);
            s[j] = fired ? 1f : 0f;
            count += fired ? 1 : 0;
        }
        return count;
    }

    /**
     * {@link NeuronDynamics.Stepper} with integer state: one step at a time, for a layer whose
     * current at step t includes its own spikes of step t - 1.
     */
    static final class Stepper {
        private final Layer l;
        private final int width;
        private final long[] v;
        private final long[] syn;

        Stepper(Layer l, int width) {
            this.l = l;
            this.width = width;
            this.v = new long[width];
            this.syn = l.q().hasSynapticCurrent() ? new long[width] : null;
        }

        /** As {@link NeuronDynamics.Stepper#forward}, without the relaxed firing of gradient checks. */
        void forward(int t, Vec current, double[] extra, Vec spikes, Vec membranes, double[] leak) {
            Chunks.forEach(width, Chunks.SIZE, (k0, k1) -> {
                int n = k1 - k0;
                int row = t * width + k0;
                double[] s = new double[n];
                float[] f = new float[n];
                double[] cur = NeuronDynamics.currentRow(current, extra, row, k0, n, f);
                long[] vs = java.util.Arrays.copyOfRange(v, k0, k1);
                long[] ss = syn == null ? null : java.util.Arrays.copyOfRange(syn, k0, k1);
                double[] largest = new double[1];
                step(l, cur, s, vs, ss, leak, k0, n, largest);
                l.exact().residual(largest[0]);
                System.arraycopy(vs, 0, v, k0, n);
                if (ss != null) {
                    System.arraycopy(ss, 0, syn, k0, n);
                }
                if (membranes != null) {
                    membranes.write(row, cur, 0, n, f);
                }
                spikes.write(row, s, 0, n, f);
            });
        }
    }

    /**
     * A non-spiking readout in integers: per step its current's integer, accumulated or leaked
     * into a 64-bit value ({@link IntegerSimulator#readout}); out = value * unit / T, which orders
     * the classes as the integer readout does (the unit is one for the whole readout).
     */
    static void readout(Layer l, Vec current, double[] out, int steps, int width) {
        double u = l.population().unit()[0];
        QuantLayer q = l.q();
        QuantizedNetwork.Numerics num = l.population().numerics();
        long[] value = new long[width];
        double[] row = new double[width];
        double[] largest = new double[1];
        for (int t = 0; t < steps; t++) {
            current.read(t * width, row, 0, width);
            for (int k = 0; k < width; k++) {
                value[k] = IntegerSimulator.readout(num, q, value[k], IntegerExact.snap(row[k], u, l.node(), largest));
            }
        }
        l.exact().residual(largest[0]);
        for (int k = 0; k < width; k++) {
            out[k] = value[k] * u / steps;
        }
    }
}

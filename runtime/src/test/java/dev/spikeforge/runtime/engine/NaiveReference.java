package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.MaxPoolNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.Recurrence;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Reset;
import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.ir.Timing;
import java.util.HashMap;
import java.util.Map;

/**
 * docs/semantics.md sections 1 and 2 written the obvious way, independently of the engine: one
 * sample, one step, one node at a time, direct loops for convolution, no ND4J, no folding over
 * time.
 */
final class NaiveReference {

    final Map<String, float[]> recorded = new HashMap<>();
    float[] readout;

    NaiveReference(Network net, Parameters params, float[] input, int batch) {
        int steps = net.timesteps();
        int inputSize = (int) net.input().shape().size();
        ReadoutNode r = net.readouts().get(0);
        readout = new float[batch * r.classes()];
        for (Node n : net.nodes()) {
            recorded.put(n.name(), new float[steps * batch * (int) n.shape().size()]);
        }
        boolean pipelined = net.timing() == Timing.PIPELINED;
        for (int b = 0; b < batch; b++) {
            Map<String, float[]> state = new HashMap<>();
            float[] readoutState = new float[r.classes()];
            // pipelined (docs/semantics.md section 2.7): the own outputs of the step before of every
            // population (spiking layer or max pooling); the layers of step t read these
            Map<String, float[]> before = new HashMap<>();
            for (int t = 0; t < steps; t++) {
                Map<String, float[]> now = new HashMap<>();
                Map<String, float[]> own = new HashMap<>();
                for (Node n : net.nodes()) {
                    float[] y;
                    if (n instanceof InputNode) {
                        y = new float[inputSize];
                        System.arraycopy(input, (t * batch + b) * inputSize, y, 0, inputSize);
                    } else {
                        float[] x = now.get(net.inputsOf(n).get(0).name());
                        Shape in = net.inputsOf(n).get(0).shape();
                        y = step(net, params, n, x, in, now, state, readoutState, t, steps);
                    }
                    if (pipelined && (n instanceof NeuronNode || n instanceof MaxPoolNode)) {
                        own.put(n.name(), y);
                        now.put(n.name(), before.getOrDefault(n.name(), new float[y.length]));
                    } else {
                        now.put(n.name(), y);
                    }
                    float[] rec = recorded.get(n.name());
                    System.arraycopy(y, 0, rec, (t * batch + b) * y.length, y.length);
                }
                before = own;
            }
            System.arraycopy(readoutState, 0, readout, b * r.classes(), r.classes());
        }
    }

    private static float[] step(Network net, Parameters params, Node n, float[] x, Shape in, Map<String, float[]> now,
                                Map<String, float[]> state, float[] readoutState, int t, int steps) {
        if (n instanceof Conv2dNode c) {
            return conv(c, params, x, in);
        } else if (n instanceof AvgPoolNode p) {
            return pool(p, x, in);
        } else if (n instanceof Conv1dNode c) {
            return conv1d(c, params, x, in);
        } else if (n instanceof MaxPoolNode p) {
            return maxpool(p, x, in);
        } else if (n instanceof DenseNode d) {
            float[] y = dense(params.weight(d.name()), params.bias(d.name()), x, d.units());
            float[] prev = state.get("spikes of " + d.name());
            if (prev != null) { // I[t] += W_rec s[t-1]; nothing at t = 0
                float[] w = params.recurrent(d.name());
                for (int o = 0; o < y.length; o++) {
                    if (d.recurrent() == Recurrence.DIAGONAL) {
                        y[o] += w[o] * prev[o];
                    } else {
                        for (int i = 0; i < y.length; i++) {
                            y[o] += w[o * y.length + i] * prev[i];
                        }
                    }
                }
            }
            return y;
        } else if (n instanceof NeuronNode nn) {
            float[] v = state.computeIfAbsent(n.name(), k -> new float[x.length]);
            float[] syn = state.computeIfAbsent("synaptic " + n.name(), k -> new float[x.length]);
            float[] s = fire(nn.neuron(), v, syn, x);
            if (net.inputsOf(n).get(0) instanceof DenseNode d && d.isRecurrent()) {
                state.put("spikes of " + d.name(), s.clone());
            }
            return s;
        } else if (n instanceof ResidualAddNode) {
            float[] skip = now.get(net.inputsOf(n).get(1).name());
            float[] y = new float[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = x[i] + skip[i];
            }
            return y;
        } else if (n instanceof ReadoutNode r) {
            float[] cur = dense(params.weight(r.name()), params.bias(r.name()), x, r.classes());
            if (r.mode() == ReadoutMode.ACCUMULATE) {
                for (int c = 0; c < cur.length; c++) {
                    readoutState[c] += cur[c];
                    if (t == steps - 1) {
                        readoutState[c] /= steps;
                    }
                }
            } else if (r.mode() == ReadoutMode.MEMBRANE) {
                float[] v = state.computeIfAbsent(n.name(), k -> new float[cur.length]);
                for (int c = 0; c < cur.length; c++) {
                    v[c] = (float) r.beta() * v[c] + cur[c];
                    readoutState[c] = t == steps - 1 ? v[c] / steps : 0;
                }
            } else {
                float[] v = state.computeIfAbsent(n.name(), k -> new float[cur.length]);
                float[] syn = state.computeIfAbsent("synaptic " + n.name(), k -> new float[cur.length]);
                float[] s = fire(r.neuron(), v, syn, cur);
                for (int c = 0; c < cur.length; c++) {
                    readoutState[c] += s[c];
                }
            }
            return cur;
        }
        return x.clone(); // flatten (same element order) and dropout (identity at evaluation)
    }

    static float[] fire(NeuronDefinition neuron, float[] v, float[] current) {
        return fire(neuron, v, new float[current.length], current);
    }

    /** i = alpha i + I (CUBA; i = I when alpha = 0), h = beta v + i, fire, reset. */
    static float[] fire(NeuronDefinition neuron, float[] v, float[] syn, float[] current) {
        float[] s = new float[current.length];
        for (int i = 0; i < current.length; i++) {
            syn[i] = (float) neuron.alpha() * syn[i] + current[i];
            float h = (float) neuron.beta() * v[i] + syn[i];
            s[i] = h >= (float) neuron.theta() ? 1 : 0;
            v[i] = neuron.reset() == Reset.SUBTRACT ? h - s[i] * (float) neuron.theta() : (s[i] == 1 ? 0 : h);
        }
        return s;
    }

    private static float[] conv(Conv2dNode c, Parameters params, float[] x, Shape in) {
        float[] w = params.weight(c.name());
        float[] bias = params.bias(c.name());
        Shape o = c.shape();
        int k = c.kernel();
        float[] y = new float[(int) o.size()];
        for (int f = 0; f < o.channels(); f++) {
            for (int oy = 0; oy < o.height(); oy++) {
                for (int ox = 0; ox < o.width(); ox++) {
                    float sum = bias == null ? 0 : bias[f];
                    for (int ch = 0; ch < in.channels(); ch++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int iy = oy * c.stride() - c.padding() + ky;
                                int ix = ox * c.stride() - c.padding() + kx;
                                if (iy >= 0 && iy < in.height() && ix >= 0 && ix < in.width()) {
                                    sum += w[((f * in.channels() + ch) * k + ky) * k + kx]
                                            * x[(ch * in.height() + iy) * in.width() + ix];
                                }
                            }
                        }
                    }
                    y[(f * o.height() + oy) * o.width() + ox] = sum;
                }
            }
        }
        return y;
    }

    private static float[] conv1d(Conv1dNode c, Parameters params, float[] x, Shape in) {
        float[] w = params.weight(c.name());
        float[] bias = params.bias(c.name());
        int outL = c.shape().length();
        int len = in.length();
        int k = c.kernel();
        float[] y = new float[c.filters() * outL];
        for (int f = 0; f < c.filters(); f++) {
            for (int o = 0; o < outL; o++) {
                float sum = bias == null ? 0 : bias[f];
                for (int ch = 0; ch < in.channels(); ch++) {
                    for (int kk = 0; kk < k; kk++) {
                        int pos = o * c.stride() - c.padding() + kk;
                        if (pos >= 0 && pos < len) {
                            sum += w[(f * in.channels() + ch) * k + kk] * x[ch * len + pos];
                        }
                    }
                }
                y[f * outL + o] = sum;
            }
        }
        return y;
    }

    /** The maximum of each window: K x K on CxHxW, K on CxL. */
    private static float[] maxpool(MaxPoolNode p, float[] x, Shape in) {
        boolean seq = in.isSequence();
        int h = seq ? 1 : in.height();
        int w = seq ? in.length() : in.width();
        int kh = seq ? 1 : p.kernel();
        int k = p.kernel();
        int oh = h / kh;
        int ow = w / k;
        float[] y = new float[in.channels() * oh * ow];
        for (int ch = 0; ch < in.channels(); ch++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < kh; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            m = Math.max(m, x[(ch * h + oy * kh + dy) * w + ox * k + dx]);
                        }
                    }
                    y[(ch * oh + oy) * ow + ox] = m;
                }
            }
        }
        return y;
    }

    private static float[] pool(AvgPoolNode p, float[] x, Shape in) {
        Shape o = p.shape();
        int k = p.kernel();
        float[] y = new float[(int) o.size()];
        for (int ch = 0; ch < o.channels(); ch++) {
            for (int oy = 0; oy < o.height(); oy++) {
                for (int ox = 0; ox < o.width(); ox++) {
                    float sum = 0;
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            sum += x[(ch * in.height() + oy * k + dy) * in.width() + ox * k + dx];
                        }
                    }
                    y[(ch * o.height() + oy) * o.width() + ox] = sum / (k * k);
                }
            }
        }
        return y;
    }

    private static float[] dense(float[] w, float[] bias, float[] x, int units) {
        float[] y = new float[units];
        for (int u = 0; u < units; u++) {
            float sum = bias == null ? 0 : bias[u];
            for (int i = 0; i < x.length; i++) {
                sum += w[u * x.length + i] * x[i];
            }
            y[u] = sum;
        }
        return y;
    }
}

package dev.spikeforge.targets.neurocore.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small integer network written out by hand for the emulator tests, and the straightforward
 * whole-layer reference the emulator is compared with: every neuron, every step, its current as the
 * plain sum over its synapses' in-bounds taps (docs/targets.md, "Mapping files"; docs/semantics.md
 * section 4). Deliberately written independently of the emulator's event-driven, per-core code.
 */
final class TestNet {

    int timesteps = 6;
    int[] inShape = {6};
    String encoding = "poisson";
    int valueLimit = 1;
    int weightBits = 8;
    int membraneBits = 16;
    String overflow = "saturate";
    String rounding = "floor";
    String compare = ">=";
    final List<L> layers = new ArrayList<>();
    /** How often the reference's clamp changed a value (saturated or wrapped): tests check it happened. */
    long overflows;

    static final class L {
        String name;
        String role = "spiking";
        int[] shape;
        int channels = 1;
        int features = 1;
        long[] threshold;
        long[] bias;
        String reset = "subtract";
        String leak = "none";
        int k;
        long m;
        int f;
        final List<S> syn = new ArrayList<>();

        int size() {
            int s = 1;
            for (int d : shape) {
                s *= d;
            }
            return s;
        }

        int h() {
            return shape.length == 3 ? shape[1] : 1;
        }

        int w() {
            return shape.length == 3 ? shape[2] : 1;
        }

        int channelOf(int n) {
            return n / (size() / channels);
        }

        boolean fires() {
            return role.equals("spiking") || role.equals("readout_count");
        }
    }

    static final class S {
        String kind;
        int source;
        int[] inShape;
        int filters;
        int kernel;
        int stride = 1;
        int padding;
        int[] w;

        int inSize() {
            int s = 1;
            for (int d : inShape) {
                s *= d;
            }
            return s;
        }

        int rows(L target) {
            return switch (kind) {
                case "conv" -> filters;
                case "dense" -> target.size();
                default -> target.channels;
            };
        }

        int rowLength() {
            return switch (kind) {
                case "conv" -> inShape[0] * kernel * kernel;
                case "dense" -> inSize();
                default -> 1;
            };
        }

        int rowOf(L target, int n) {
            return switch (kind) {
                case "conv" -> n / (target.h() * target.w());
                case "dense" -> n;
                default -> target.channelOf(n);
            };
        }
    }

    int inputSize() {
        int s = 1;
        for (int d : inShape) {
            s *= d;
        }
        return s;
    }

    int sourceSize(int source) {
        return source < 0 ? inputSize() : layers.get(source).size();
    }

    /** Pairs (source index, weight) of every in-bounds tap of neuron n through synapse s. */
    static List<long[]> taps(S s, L target, int n) {
        List<long[]> out = new ArrayList<>();
        switch (s.kind) {
            case "conv" -> {
                int c = s.inShape[0];
                int hh = s.inShape[1];
                int ww = s.inShape[2];
                int k = s.kernel;
                int plane = target.h() * target.w();
                int f = n / plane;
                int oy = n % plane / target.w();
                int ox = n % target.w();
                for (int ci = 0; ci < c; ci++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s.stride - s.padding + ky;
                            int ix = ox * s.stride - s.padding + kx;
                            if (iy >= 0 && iy < hh && ix >= 0 && ix < ww) {
                                out.add(new long[] {(ci * hh + iy) * ww + ix, s.w[((f * c + ci) * k + ky) * k + kx]});
                            }
                        }
                    }
                }
            }
            case "dense" -> {
                int in = s.inSize();
                for (int i = 0; i < in; i++) {
                    out.add(new long[] {i, s.w[n * in + i]});
                }
            }
            case "avgpool" -> {
                int hh = s.inShape[1];
                int ww = s.inShape[2];
                int k = s.kernel;
                int plane = target.h() * target.w();
                int c = n / plane;
                int oy = n % plane / target.w();
                int ox = n % target.w();
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        out.add(new long[] {(c * hh + oy * k + i) * ww + ox * k + j, s.w[target.channelOf(n)]});
                    }
                }
            }
            case "identity" -> out.add(new long[] {n, s.w[target.channelOf(n)]});
            default -> throw new IllegalStateException(s.kind);
        }
        return out;
    }

    /** The reference run: membranes and spikes [layer][t][n], readout, synaptic ops. */
    record Result(long[][][] membranes, byte[][][] spikes, long[] readout, long synapticOps) {
    }

    Result reference(int[] input) {
        int t0 = timesteps;
        int n0 = inputSize();
        long[][][] mem = new long[layers.size()][t0][];
        byte[][][] spk = new byte[layers.size()][t0][];
        long[][] v = new long[layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            v[l] = new long[layers.get(l).size()];
        }
        L last = layers.get(layers.size() - 1);
        long[] readout = new long[last.size()];
        long ops = 0;
        for (int t = 0; t < t0; t++) {
            for (int l = 0; l < layers.size(); l++) {
                L layer = layers.get(l);
                mem[l][t] = new long[layer.size()];
                spk[l][t] = new byte[layer.size()];
                for (int n = 0; n < layer.size(); n++) {
                    long cur = layer.bias == null ? 0 : layer.bias[n / (layer.size() / layer.features)];
                    for (S s : layer.syn) {
                        for (long[] tap : taps(s, layer, n)) {
                            int i = (int) tap[0];
                            long x = s.source < 0 ? input[t * n0 + i] : spk[s.source][t][i];
                            if (x != 0) {
                                cur += tap[1] * x;
                                ops++;
                            }
                        }
                    }
                    switch (layer.role) {
                        case "readout_accumulate" -> v[l][n] += cur;
                        case "readout_membrane" -> v[l][n] = leak(layer, v[l][n]) + cur;
                        default -> {
                            long h = clamp(leak(layer, v[l][n]) + cur);
                            long stored = layer.threshold[layer.channelOf(n)];
                            boolean fire = compare.equals(">") ? h > stored : h >= stored;
                            long theta = compare.equals(">") ? stored + 1 : stored;
                            v[l][n] = fire ? (layer.reset.equals("zero") ? 0 : h - theta) : h;
                            spk[l][t][n] = (byte) (fire ? 1 : 0);
                            if (fire && layer == last) {
                                readout[n]++;
                            }
                        }
                    }
                    mem[l][t][n] = v[l][n];
                }
            }
        }
        if (!last.fires()) {
            readout = v[layers.size() - 1].clone();
        }
        return new Result(mem, spk, readout, ops);
    }

    private long shr(long v, int k) {
        if (rounding.equals("toward_zero")) {
            return v < 0 ? -((-v) >> k) : v >> k;
        }
        return v >> k;
    }

    private long leak(L layer, long v) {
        return switch (layer.leak) {
            case "shift" -> v - shr(v, layer.k);
            case "multiplier" -> shr(v * layer.m, layer.f);
            default -> v;
        };
    }

    private long clamp(long h) {
        long out;
        if (overflow.equals("wrap")) {
            int drop = 64 - membraneBits;
            out = (h << drop) >> drop;
        } else {
            long max = (1L << (membraneBits - 1)) - 1;
            out = Math.max(-max - 1, Math.min(max, h));
        }
        overflows += out != h ? 1 : 0;
        return out;
    }

    // ---- building blocks ------------------------------------------------------------

    static int[] randomWeights(Random rnd, int count, int limit) {
        int[] w = new int[count];
        for (int i = 0; i < count; i++) {
            w[i] = rnd.nextInt(2 * limit + 1) - limit;
        }
        return w;
    }

    static long[] fill(int count, long value) {
        long[] a = new long[count];
        java.util.Arrays.fill(a, value);
        return a;
    }

    L dense(String name, int source, int out, int[] w) {
        L l = new L();
        l.name = name;
        l.shape = new int[] {out};
        S s = new S();
        s.kind = "dense";
        s.source = source;
        s.inShape = source < 0 ? inShape.clone() : layers.get(source).shape.clone();
        s.w = w;
        l.syn.add(s);
        layers.add(l);
        return l;
    }

    L conv(String name, int source, int filters, int kernel, int stride, int padding, int[] w) {
        int[] in = source < 0 ? inShape : layers.get(source).shape;
        L l = new L();
        l.name = name;
        l.shape = new int[] {filters, (in[1] + 2 * padding - kernel) / stride + 1,
                (in[2] + 2 * padding - kernel) / stride + 1};
        l.channels = filters;
        l.features = filters;
        S s = new S();
        s.kind = "conv";
        s.source = source;
        s.inShape = in.clone();
        s.filters = filters;
        s.kernel = kernel;
        s.stride = stride;
        s.padding = padding;
        s.w = w;
        l.syn.add(s);
        layers.add(l);
        return l;
    }

    L avgpool(String name, int source, int kernel, long theta) {
        int[] in = layers.get(source).shape;
        L l = new L();
        l.name = name;
        l.shape = new int[] {in[0], in[1] / kernel, in[2] / kernel};
        l.channels = in[0];
        l.features = in[0];
        l.threshold = fill(in[0], theta);
        S s = new S();
        s.kind = "avgpool";
        s.source = source;
        s.inShape = in.clone();
        s.kernel = kernel;
        s.w = new int[in[0]];
        java.util.Arrays.fill(s.w, 1);
        l.syn.add(s);
        layers.add(l);
        return l;
    }

    /** Random input values for one sample: spikes 0/1, -1/0/1 for bipolar, 0..255 for direct. */
    int[] randomInput(Random rnd, double rate) {
        int[] in = new int[timesteps * inputSize()];
        for (int i = 0; i < in.length; i++) {
            switch (encoding) {
                case "direct" -> in[i] = rnd.nextDouble() < rate ? rnd.nextInt(256) : 0;
                case "bipolar" -> in[i] = rnd.nextDouble() < rate ? (rnd.nextBoolean() ? 1 : -1) : 0;
                default -> in[i] = rnd.nextDouble() < rate ? 1 : 0;
            }
        }
        return in;
    }
}

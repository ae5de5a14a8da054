package dev.spikeforge.targets.neurocore.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One core's fixed program, derived only from its own entry in mapping.json and its own synapse
 * image: the neurons it holds (local index k for global flat index {@code global[k]}), their bias
 * and threshold, its synapse rows rearranged so that one packet walks contiguous weights, and for
 * each of its neurons the routes its spikes take. Immutable; the per-sample state lives in the
 * emulator.
 */
final class CoreProgram {

    final Mapping.Core core;
    final Mapping.Layer layer;
    final int size;
    final int[] global;
    final int[] local;
    final long[] bias;
    /** Stored threshold per local neuron (fires when h >= it, or h > it for "&gt;"). */
    final long[] threshold;
    /** theta_q per local neuron, subtracted on a spike: the stored threshold, plus 1 for "&gt;". */
    final long[] theta;
    final Delivery[] paths;
    /** Per local neuron, the indices into {@code core.routes()} whose sources hold it. */
    final int[][] routesOf;

    CoreProgram(Mapping m, Mapping.Core core) {
        this.core = core;
        this.layer = m.layers().get(core.layer());
        this.size = core.neuronCount();
        this.global = new int[size];
        this.local = new int[layer.size()];
        Arrays.fill(local, -1);
        int k = 0;
        for (int[] r : core.neurons()) {
            for (int n = r[0]; n < r[1]; n++) {
                global[k] = n;
                local[n] = k++;
            }
        }
        bias = new long[size];
        threshold = new long[size];
        theta = new long[size];
        long plus = m.numerics().greaterThan() ? 1 : 0;
        for (k = 0; k < size; k++) {
            bias[k] = layer.biasOf(global[k]);
            if (layer.role().fires()) {
                threshold[k] = layer.threshold()[layer.channelOf(global[k])];
                theta[k] = threshold[k] + plus;
            }
        }
        int[][] offsets = CoreRows.offsets(layer, core);
        paths = new Delivery[layer.synapses().size()];
        for (int p = 0; p < paths.length; p++) {
            paths[p] = delivery(layer.synapses().get(p), offsets[p]);
        }
        routesOf = new int[size][];
        List<List<Integer>> routes = new ArrayList<>();
        for (k = 0; k < size; k++) {
            routes.add(new ArrayList<>());
        }
        for (int r = 0; r < core.routes().size(); r++) {
            for (int[] range : core.routes().get(r).sources()) {
                for (int n = range[0]; n < range[1]; n++) {
                    if (local[n] >= 0) {
                        routes.get(local[n]).add(r);
                    }
                }
            }
        }
        for (k = 0; k < size; k++) {
            routesOf[k] = routes.get(k).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private Delivery delivery(Mapping.SynapsePath p, int[] rowOffset) {
        short[] image = core.image();
        if (p instanceof Mapping.Dense || (p instanceof Mapping.Recurrent r && !r.diagonal())) {
            // input-major: one packet from input i walks w[global[k]][i] for k = 0..size-1
            int in = p.rowLength();
            int[] wT = new int[in * size];
            for (int k = 0; k < size; k++) {
                int base = rowOffset[global[k]];
                for (int i = 0; i < in; i++) {
                    wT[i * size + k] = image[base + i];
                }
            }
            return new DenseDelivery(p.source(), wT, size);
        }
        if (p instanceof Mapping.Conv1d c) {
            int[] filters = heldFilters(layer.width());
            return new Conv1dDelivery(c, layer, filters, filterRows(image, rowOffset, filters, c.rowLength()), local);
        }
        if (p instanceof Mapping.Conv c) {
            int[] filters = heldFilters(layer.height() * layer.width());
            return new ConvDelivery(c, layer, filters, filterRows(image, rowOffset, filters, c.rowLength()), local);
        }
        int[] perNeuron = new int[size];
        for (int k = 0; k < size; k++) {
            perNeuron[k] = image[rowOffset[p.rowOf(layer, global[k])]];
        }
        if (p instanceof Mapping.AvgPool a) {
            return new PoolDelivery(a.source(), a.kernel(), a.inShape()[1], a.inShape()[2], layer, perNeuron, local);
        }
        if (p instanceof Mapping.MaxPool mp) {
            boolean sequence = mp.inShape().length == 2;
            int inH = sequence ? 1 : mp.inShape()[1];
            int inW = sequence ? mp.inShape()[1] : mp.inShape()[2];
            return new PoolDelivery(mp.source(), mp.kernel(), inH, inW, layer, perNeuron, local);
        }
        // identity, and diagonal recurrence: neuron n reads source index n with its own weight
        return new IdentityDelivery(p.source(), perNeuron, local);
    }

    /** The filters (output channels) the core holds a neuron of, in order; {@code perFilter} neurons a filter. */
    private int[] heldFilters(int perFilter) {
        return Arrays.stream(global).map(n -> n / perFilter).distinct().toArray();
    }

    /** The synapse rows of {@code filters}, {@code rowLength} weights each, one after the other. */
    private static int[] filterRows(short[] image, int[] rowOffset, int[] filters, int rowLength) {
        int[] w = new int[filters.length * rowLength];
        for (int f = 0; f < filters.length; f++) {
            for (int j = 0; j < rowLength; j++) {
                w[f * rowLength + j] = image[rowOffset[filters[f]] + j];
            }
        }
        return w;
    }

    /** One synapse path of the core: adds one packet's weights to the core's currents. */
    abstract static class Delivery {
        final int source;

        Delivery(int source) {
            this.source = source;
        }

        /** Adds {@code value} times the weights of source {@code index} to {@code cur} (local indices); returns ops. */
        abstract long deliver(int index, int value, long[] cur);
    }

    private static final class DenseDelivery extends Delivery {
        private final int[] wT;
        private final int size;

        DenseDelivery(int source, int[] wT, int size) {
            super(source);
            this.wT = wT;
            this.size = size;
        }

        @Override
        long deliver(int index, int value, long[] cur) {
            int base = index * size;
            for (int k = 0; k < size; k++) {
                cur[k] += (long) value * wT[base + k];
            }
            return size;
        }
    }

    /** Every in-bounds kernel tap of the input position, for each filter the core holds, onto held neurons. */
    private static final class ConvDelivery extends Delivery {
        private final int[] filters;
        private final int[] w;
        private final int[] local;
        private final int kernel;
        private final int stride;
        private final int padding;
        private final int inH;
        private final int inW;
        private final int outH;
        private final int outW;
        private final int rowLength;

        ConvDelivery(Mapping.Conv c, Mapping.Layer layer, int[] filters, int[] w, int[] local) {
            super(c.source());
            this.filters = filters;
            this.w = w;
            this.local = local;
            this.kernel = c.kernel();
            this.stride = c.stride();
            this.padding = c.padding();
            this.inH = c.inShape()[1];
            this.inW = c.inShape()[2];
            this.outH = layer.height();
            this.outW = layer.width();
            this.rowLength = c.rowLength();
        }

        @Override
        long deliver(int index, int value, long[] cur) {
            int plane = inH * inW;
            int ch = index / plane;
            int y = (index % plane) / inW;
            int x = index % inW;
            int outPlane = outH * outW;
            long ops = 0;
            for (int ky = 0; ky < kernel; ky++) {
                int ny = y + padding - ky;
                if (ny < 0 || ny % stride != 0 || ny / stride >= outH) {
                    continue;
                }
                int oy = ny / stride;
                for (int kx = 0; kx < kernel; kx++) {
                    int nx = x + padding - kx;
                    if (nx < 0 || nx % stride != 0 || nx / stride >= outW) {
                        continue;
                    }
                    int target = oy * outW + nx / stride;
                    int tap = (ch * kernel + ky) * kernel + kx;
                    for (int f = 0; f < filters.length; f++) {
                        int k = local[filters[f] * outPlane + target];
                        if (k >= 0) {
                            cur[k] += (long) value * w[f * rowLength + tap];
                            ops++;
                        }
                    }
                }
            }
            return ops;
        }
    }

    /** Every in-bounds tap of input position (c, x), for each filter the core holds, onto held neurons. */
    private static final class Conv1dDelivery extends Delivery {
        private final int[] filters;
        private final int[] w;
        private final int[] local;
        private final int kernel;
        private final int stride;
        private final int padding;
        private final int inL;
        private final int outL;
        private final int rowLength;

        Conv1dDelivery(Mapping.Conv1d c, Mapping.Layer layer, int[] filters, int[] w, int[] local) {
            super(c.source());
            this.filters = filters;
            this.w = w;
            this.local = local;
            this.kernel = c.kernel();
            this.stride = c.stride();
            this.padding = c.padding();
            this.inL = c.inShape()[1];
            this.outL = layer.width();
            this.rowLength = c.rowLength();
        }

        @Override
        long deliver(int index, int value, long[] cur) {
            int ch = index / inL;
            int x = index % inL;
            long ops = 0;
            for (int kk = 0; kk < kernel; kk++) {
                int nx = x + padding - kk;
                if (nx < 0 || nx % stride != 0 || nx / stride >= outL) {
                    continue;
                }
                int o = nx / stride;
                int tap = ch * kernel + kk;
                for (int f = 0; f < filters.length; f++) {
                    int k = local[filters[f] * outL + o];
                    if (k >= 0) {
                        cur[k] += (long) value * w[f * rowLength + tap];
                        ops++;
                    }
                }
            }
            return ops;
        }
    }

    /**
     * Input (c, y, x) reaches neuron (c, y / K, x / K) when that lies inside the pooled map; average
     * and max pooling alike. A sequence (c, x) is the map of height 1, reaching neuron (c, x / K).
     */
    private static final class PoolDelivery extends Delivery {
        private final int[] w;
        private final int[] local;
        private final int kernel;
        private final int inH;
        private final int inW;
        private final int outH;
        private final int outW;

        PoolDelivery(int source, int kernel, int inH, int inW, Mapping.Layer layer, int[] w, int[] local) {
            super(source);
            this.w = w;
            this.local = local;
            this.kernel = kernel;
            this.inH = inH;
            this.inW = inW;
            this.outH = layer.height();
            this.outW = layer.width();
        }

        @Override
        long deliver(int index, int value, long[] cur) {
            int plane = inH * inW;
            int ch = index / plane;
            int oy = (index % plane) / inW / kernel;
            int ox = index % inW / kernel;
            if (oy >= outH || ox >= outW) {
                return 0;
            }
            int k = local[(ch * outH + oy) * outW + ox];
            if (k < 0) {
                return 0;
            }
            cur[k] += (long) value * w[k];
            return 1;
        }
    }

    private static final class IdentityDelivery extends Delivery {
        private final int[] w;
        private final int[] local;

        IdentityDelivery(int source, int[] w, int[] local) {
            super(source);
            this.w = w;
            this.local = local;
        }

        @Override
        long deliver(int index, int value, long[] cur) {
            int k = local[index];
            if (k < 0) {
                return 0;
            }
            cur[k] += (long) value * w[k];
            return 1;
        }
    }
}

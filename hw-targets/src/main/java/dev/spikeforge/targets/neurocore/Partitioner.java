package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits each layer's neurons into cores within the core's limits. A feature map is cut into
 * blocks of whole filters by bands of output rows, so that a core keeps the shared kernels of its
 * filters (one copy each; on a chip without {@code conv_weight_sharing} every neuron's synapses,
 * one weight each) and receives only the input rows its band needs; a flat layer is cut
 * into runs of units, each core storing its units' weight rows. Among the cuts that fit, the one
 * with the fewest cores wins (ties: more filters per core, fewer kernel copies).
 */
final class Partitioner {

    /** One synapse path's rows that a core stores. */
    record Segment(int synapse, int[] rows, int rowLength) {
    }

    /** The neurons of one layer that one core holds, and what it stores and receives for them. */
    record Slice(int layer, List<int[]> ranges, int neurons, List<Segment> segments, long memoryBits, long axons,
                 int filterFrom, int filterTo, int rowFrom, int rowTo) {
    }

    /** A layer's cut, or why it has none. */
    record LayerCut(int layer, List<Slice> slices, int lowerBound, String shape, String problem, String fix) {
        boolean feasible() {
            return problem == null;
        }
    }

    private final QuantizedNetwork q;
    private final NeurocoreSpec spec;

    Partitioner(QuantizedNetwork q, NeurocoreSpec spec) {
        this.q = q;
        this.spec = spec;
    }

    /** Bits one stored weight takes: the format's width, at least the core's narrowest word. */
    private int storedBits() {
        return Math.max(q.numerics().weightBits(), spec.minWeightBits());
    }

    List<LayerCut> cut() {
        List<LayerCut> cuts = new ArrayList<>();
        for (int l = 0; l < q.layers().size(); l++) {
            cuts.add(cut(l));
        }
        return cuts;
    }

    /** Row length of a synapse path: the weights one output row (filter, unit or channel) stores. */
    static int rowLength(Synapse s) {
        if (s instanceof Synapse.Conv c) {
            return c.inShape().channels() * c.kernel() * c.kernel();
        } else if (s instanceof Synapse.Conv1d c) {
            return c.inShape().channels() * c.kernel();
        } else if (s instanceof Synapse.Dense d) {
            return d.inFeatures();
        } else if (s instanceof Synapse.Recurrent r) {
            return r.diagonal() ? 1 : r.units();
        }
        return 1;
    }

    /** Synapses one neuron of a map layer receives through {@code s} (its kernel, window or row). */
    private static long synapsesPerNeuron(Synapse s) {
        if (s instanceof Synapse.Pool p) {
            return (long) p.kernel() * p.kernel();
        } else if (s instanceof Synapse.MaxPool mp) {
            return mp.inShape().isSpatial() ? (long) mp.kernel() * mp.kernel() : mp.kernel();
        }
        return rowLength(s);
    }

    /** Synapses into one neuron (in-bounds or not: the core's adder sees the whole kernel). */
    static long fanIn(QuantLayer l) {
        long f = 0;
        for (Synapse s : l.synapses()) {
            f += synapsesPerNeuron(s);
        }
        return f;
    }

    /**
     * {C, H, W} of a feature map; {C, L, 1} of a CxL sequence, cut like a map of L one-neuron rows
     * so that a core can take a band of positions.
     */
    static int[] chw(Shape s) {
        return s.isSpatial() ? new int[] {s.channels(), s.height(), s.width()}
                : new int[] {s.channels(), s.length(), 1};
    }

    private LayerCut cut(int index) {
        QuantLayer l = q.layers().get(index);
        int lower = (int) Math.max(1, (l.size() + spec.neuronsPerCore() - 1) / spec.neuronsPerCore());
        return l.shape().isSpatial() || l.shape().isSequence() ? cutMap(index, l, lower) : cutFlat(index, l, lower);
    }

    private LayerCut cutMap(int index, QuantLayer l, int lower) {
        int[] d = chw(l.shape());
        int filters = d[0];
        int rows = d[1];
        int width = d[2];
        Slice best = null;
        int bestCores = Integer.MAX_VALUE;
        for (int fpc = filters; fpc >= 1; fpc--) {
            for (int rpc = rows; rpc >= 1; rpc--) {
                if ((long) fpc * rpc * width > spec.neuronsPerCore()) {
                    continue;
                }
                Slice probe = mapSlice(index, l, 0, fpc, 0, rpc);
                if (probe.memoryBits() > spec.synapseMemoryBitsPerCore() || probe.axons() > spec.axonsPerCore()) {
                    continue;
                }
                int cores = ceil(filters, fpc) * ceil(rows, rpc);
                if (cores < bestCores) {
                    bestCores = cores;
                    best = probe;
                }
                break; // fewer rows per core only adds cores for this fpc
            }
        }
        if (best == null) {
            Slice one = mapSlice(index, l, 0, 1, 0, 1);
            String why = (long) width > spec.neuronsPerCore()
                    ? "one row of one filter is " + width + " neurons, over the core's " + spec.neuronsPerCore()
                    : one.memoryBits() > spec.synapseMemoryBitsPerCore() && !spec.convWeightSharing()
                    ? "one row of one filter is " + width + " neurons whose synapses take " + one.memoryBits()
                    + " bits, over the core's " + spec.synapseMemoryBitsPerCore() + " bits of synapse memory (the chip"
                    + " stores a weight per synapse: conv_weight_sharing = false)"
                    : one.memoryBits() > spec.synapseMemoryBitsPerCore()
                    ? "one filter's weights take " + one.memoryBits() + " bits, over the core's "
                    + spec.synapseMemoryBitsPerCore() + " bits of synapse memory"
                    : "one output row of one filter receives " + one.axons() + " inputs, over the core's "
                    + spec.axonsPerCore() + " axons";
            return new LayerCut(index, List.of(), lower, null, why, "use fewer input channels or a smaller kernel,"
                    + " fewer weight bits, or a target with larger cores");
        }
        int fpc = best.filterTo() - best.filterFrom();
        int rpc = best.rowTo() - best.rowFrom();
        List<Slice> slices = new ArrayList<>();
        for (int f0 = 0; f0 < filters; f0 += fpc) {
            for (int y0 = 0; y0 < rows; y0 += rpc) {
                slices.add(mapSlice(index, l, f0, Math.min(filters, f0 + fpc), y0, Math.min(rows, y0 + rpc)));
            }
        }
        String along = l.shape().isSequence() ? " positions" : " rows";
        return new LayerCut(index, slices, lower, fpc + " of " + filters + " channels x " + rpc + " of " + rows + along,
                null, null);
    }

    private Slice mapSlice(int index, QuantLayer l, int f0, int f1, int y0, int y1) {
        int[] d = chw(l.shape());
        int h = d[1];
        int w = d[2];
        List<int[]> ranges = new ArrayList<>();
        for (int f = f0; f < f1; f++) {
            ranges.add(new int[] {(f * h + y0) * w, (f * h + y1) * w});
        }
        List<Segment> segments = new ArrayList<>();
        long bits = 0;
        long axons = 0;
        for (int i = 0; i < l.synapses().size(); i++) {
            Synapse syn = l.synapses().get(i);
            int[] rowIds;
            if (syn instanceof Synapse.Conv || syn instanceof Synapse.Conv1d) {
                rowIds = range(f0, f1);
            } else if (syn instanceof Synapse.MaxPool) {
                rowIds = new int[] {0}; // weight 1 for every tap: one stored word
            } else {
                rowIds = l.channels() == 1 ? new int[] {0} : range(f0, f1);
            }
            Segment seg = new Segment(i, rowIds, rowLength(syn));
            segments.add(seg);
            if (spec.convWeightSharing()) {
                bits += (long) rowIds.length * seg.rowLength() * storedBits();
            } else {
                // no shared kernels: every neuron of the core stores its own synapses, one weight each
                bits += (long) (f1 - f0) * (y1 - y0) * w * synapsesPerNeuron(syn) * storedBits();
            }
            axons += receptiveField(syn, f0, f1, y0, y1).stream().mapToLong(r -> r[1] - r[0]).sum();
        }
        return new Slice(index, ranges, (f1 - f0) * (y1 - y0) * w, segments, bits, axons, f0, f1, y0, y1);
    }

    private LayerCut cutFlat(int index, QuantLayer l, int lower) {
        int n = l.size();
        long rowBits = 0;
        for (Synapse s : l.synapses()) {
            rowBits += (long) rowLength(s) * storedBits();
        }
        long byMemory = rowBits == 0 ? Long.MAX_VALUE : spec.synapseMemoryBitsPerCore() / rowBits;
        int upc = (int) Math.min(Math.min(n, spec.neuronsPerCore()), byMemory);
        long axons = 0;
        for (Synapse s : l.synapses()) {
            axons += s instanceof Synapse.Dense d ? d.inFeatures()
                    : s instanceof Synapse.Recurrent r && !r.diagonal() ? r.units() : Math.min(upc, n);
        }
        if (upc < 1) {
            return new LayerCut(index, List.of(), lower, null, "one unit's weight row takes " + rowBits
                    + " bits, over the core's " + spec.synapseMemoryBitsPerCore() + " bits of synapse memory",
                    "use fewer weight bits or fewer inputs per unit");
        }
        if (axons > spec.axonsPerCore()) {
            return new LayerCut(index, List.of(), lower, null, "each unit reads " + axons + " inputs, over the core's "
                    + spec.axonsPerCore() + " axons", "put a narrower layer before it (at most " + spec.axonsPerCore()
                    + " units), or choose a target with more axons per core");
        }
        List<Slice> slices = new ArrayList<>();
        for (int n0 = 0; n0 < n; n0 += upc) {
            int n1 = Math.min(n, n0 + upc);
            List<Segment> segments = new ArrayList<>();
            long bits = 0;
            long ax = 0;
            for (int i = 0; i < l.synapses().size(); i++) {
                Synapse syn = l.synapses().get(i);
                int[] rowIds = syn instanceof Synapse.Dense || syn instanceof Synapse.Recurrent || l.channels() > 1
                        ? range(n0, n1) : new int[] {0};
                segments.add(new Segment(i, rowIds, rowLength(syn)));
                bits += (long) rowIds.length * rowLength(syn) * storedBits();
                ax += syn instanceof Synapse.Dense d ? d.inFeatures()
                        : syn instanceof Synapse.Recurrent r && !r.diagonal() ? r.units() : n1 - n0;
            }
            List<int[]> ranges = new ArrayList<>();
            ranges.add(new int[] {n0, n1});
            slices.add(new Slice(index, ranges, n1 - n0, segments, bits, ax, n0, n1, 0, 1));
        }
        return new LayerCut(index, slices, lower, upc + " of " + n + " units", null, null);
    }

    /**
     * The source indices (flat, half-open ranges, ascending) whose values the neurons of filters
     * [f0, f1) x rows [y0, y1) read through {@code syn}; for a flat layer rows are [0, 1) and
     * filters are units.
     */
    static List<int[]> receptiveField(Synapse syn, int f0, int f1, int y0, int y1) {
        List<int[]> out = new ArrayList<>();
        Shape in = syn.inShape();
        if (syn instanceof Synapse.Dense d) {
            out.add(new int[] {0, d.inFeatures()});
        } else if (syn instanceof Synapse.Recurrent r) {
            // full: every unit of the layer (its own spikes of the previous step); diagonal: its own units
            out.add(r.diagonal() ? new int[] {f0, f1} : new int[] {0, r.units()});
        } else if (syn instanceof Synapse.Conv1d c) {
            // a sequence is a map of height len and width 1
            convRows(out, in.channels(), in.length(), 1, c.kernel(), c.stride(), c.padding(), y0, y1);
        } else if (syn instanceof Synapse.MaxPool p && in.isSequence()) {
            poolRows(out, in.length(), 1, p.kernel(), f0, f1, y0, y1);
        } else if (syn instanceof Synapse.MaxPool p) {
            poolRows(out, in.height(), in.width(), p.kernel(), f0, f1, y0, y1);
        } else if (syn instanceof Synapse.Conv c) {
            convRows(out, in.channels(), in.height(), in.width(), c.kernel(), c.stride(), c.padding(), y0, y1);
        } else if (syn instanceof Synapse.Pool p) {
            poolRows(out, in.height(), in.width(), p.kernel(), f0, f1, y0, y1);
        } else if (in.isSpatial()) {
            int h = in.height();
            int w = in.width();
            for (int ch = f0; ch < f1; ch++) {
                out.add(new int[] {(ch * h + y0) * w, (ch * h + y1) * w});
            }
        } else {
            out.add(new int[] {f0, f1});
        }
        return out;
    }

    /**
     * Output rows [y0, y1) of a convolution read input rows [y0 s - p, (y1 - 1) s - p + k) of every
     * channel of the C x h x w input: adds those flat ranges to {@code out}.
     */
    private static void convRows(List<int[]> out, int channels, int h, int w, int kernel, int stride, int padding,
            int y0, int y1) {
        int from = Math.max(0, y0 * stride - padding);
        int to = Math.min(h, (y1 - 1) * stride - padding + kernel);
        if (from < to) {
            for (int ch = 0; ch < channels; ch++) {
                out.add(new int[] {(ch * h + from) * w, (ch * h + to) * w});
            }
        }
    }

    /** Output rows [y0, y1) of channels [f0, f1) of a pooling with kernel K read input rows [y0 K, y1 K). */
    private static void poolRows(List<int[]> out, int h, int w, int kernel, int f0, int f1, int y0, int y1) {
        int from = y0 * kernel;
        int to = Math.min(h, y1 * kernel);
        for (int ch = f0; ch < f1; ch++) {
            out.add(new int[] {(ch * h + from) * w, (ch * h + to) * w});
        }
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }
}

package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a quantised network onto a neurocore chip: cuts layers into cores ({@link Partitioner}),
 * places the cores on the mesh to cut hop-weighted spike traffic, and builds the routing tables
 * (which core sends which of its neurons' spikes to which core, and where the host sends input).
 *
 * <p>Placement starts from the serpentine order (consecutive cores are neighbours, layer after
 * layer) or the row-major order, whichever carries less traffic x hops, and improves it by pairwise swaps that lower the sum over all routes of (packets per
 * step) x (hops); packets are estimated from firing rates when given (per layer, spikes per neuron
 * per step, e.g. from training-set spikes), else every neuron counts once. The input port is at
 * mesh position (0, 0). The swap search is seeded, so the same inputs give the same placement.
 */
public final class NeurocoreMapper {

    /** One core of the mapping. */
    public record Core(int id, int x, int y, Partitioner.Slice slice, List<Route> routes) {
    }

    /** Spikes of source indices {@code sources} (ranges) go to {@code toCore}, {@code hops} away. */
    public record Route(int toCore, int hops, List<int[]> sources) {
        long count() {
            return sources.stream().mapToLong(r -> r[1] - r[0]).sum();
        }
    }

    /** The whole mapping; placement statistics against a naive row-major placement. */
    public record Mapping(QuantizedNetwork network, NeurocoreSpec spec, List<Partitioner.LayerCut> cuts,
                          List<Core> cores, List<Route> inputRoutes, double meanHops, int maxHops,
                          double naiveMeanHops, int naiveMaxHops, double trafficHops, double naiveTrafficHops,
                          double[] rates) {

        public int lowerBound() {
            if (!spec.packLayers() || cuts.isEmpty()) {
                return cuts.stream().mapToInt(Partitioner.LayerCut::lowerBound).sum();
            }
            // packed: the layers before the readout need at least their neurons' worth of cores together
            long neurons = 0;
            for (Partitioner.LayerCut c : cuts.subList(0, cuts.size() - 1)) {
                neurons += c.slices().stream().mapToLong(Partitioner.Slice::neurons).sum();
            }
            int packed = (int) ((neurons + spec.neuronsPerCore() - 1) / spec.neuronsPerCore());
            return packed + cuts.get(cuts.size() - 1).lowerBound();
        }

        /** The chip's cores in use: the mesh positions of the cores (one slice each, or several with pack_layers). */
        public int physicalCores() {
            return (int) cores.stream().mapToLong(c -> ((long) c.x() << 32) | c.y()).distinct().count();
        }
    }

    private NeurocoreMapper() {
    }

    /**
     * @param rates spikes per neuron per step of each layer (index as in the network), or null
     * @return the mapping; the caller has checked that every layer cut is feasible and fits
     */
    public static Mapping map(QuantizedNetwork q, NeurocoreSpec spec, List<Partitioner.LayerCut> cuts, double[] rates) {
        List<Partitioner.Slice> slices = new ArrayList<>();
        for (Partitioner.LayerCut c : cuts) {
            slices.addAll(c.slices());
        }
        int n = slices.size();
        List<int[]>[] inputDemand = new List[n];
        java.util.TreeMap<Integer, List<int[]>>[] demand = demand(q, slices, inputDemand);
        // the placer places physical cores: one per slice, or with pack_layers the slices that share one
        int[] bin = bins(q, spec, slices);
        int nb = n == 0 ? 0 : bin[n - 1] + 1;
        // traffic between nodes for placement (node nb is the input port), both directions summed
        List<double[]>[] adj = new List[nb + 1];
        for (int i = 0; i <= nb; i++) {
            adj[i] = new ArrayList<>();
        }
        List<double[]> edges = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            double rate = rates == null ? 1 : rates[slices.get(a).layer()];
            if (demand[a] != null) {
                for (var d : demand[a].entrySet()) {
                    edges.add(new double[] {bin[a], bin[d.getKey()], rate * count(d.getValue())});
                }
            }
        }
        for (int b = 0; b < n; b++) {
            if (inputDemand[b] != null) {
                edges.add(new double[] {nb, bin[b], count(inputDemand[b])});
            }
        }
        for (double[] e : edges) {
            adj[(int) e[0]].add(new double[] {e[1], e[2]});
            adj[(int) e[1]].add(new double[] {e[0], e[2]});
        }
        int[][] naive = new int[nb + 1][];
        int[][] snake = new int[nb + 1][];
        for (int i = 0; i < nb; i++) {
            naive[i] = new int[] {i % spec.meshWidth(), i / spec.meshWidth()};
            int row = i / spec.meshWidth();
            int col = i % spec.meshWidth();
            snake[i] = new int[] {row % 2 == 0 ? col : spec.meshWidth() - 1 - col, row};
        }
        naive[nb] = new int[] {0, 0};
        snake[nb] = new int[] {0, 0};
        int[][] placedBins = improve(stats(snake, edges)[2] <= stats(naive, edges)[2] ? snake : naive, adj, nb);
        int[][] placed = new int[n + 1][];
        for (int a = 0; a < n; a++) {
            placed[a] = placedBins[bin[a]];
        }
        placed[n] = placedBins[nb];
        List<Core> cores = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            List<Route> routes = new ArrayList<>();
            if (demand[a] != null) {
                for (var d : demand[a].entrySet()) {
                    routes.add(new Route(d.getKey(), hops(placed[a], placed[d.getKey()]), d.getValue()));
                }
            }
            cores.add(new Core(a, placed[a][0], placed[a][1], slices.get(a), routes));
        }
        List<Route> inputRoutes = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            if (inputDemand[b] != null) {
                inputRoutes.add(new Route(b, hops(placed[n], placed[b]), inputDemand[b]));
            }
        }
        double[] placedStats = stats(placedBins, edges);
        double[] naiveStats = stats(naive, edges);
        return new Mapping(q, spec, cuts, cores, inputRoutes, placedStats[0], (int) placedStats[1], naiveStats[0],
                (int) naiveStats[1], placedStats[2], naiveStats[2], rates == null ? null : rates.clone());
    }

    /**
     * The physical core of each slice (mapper order): its own, one after another, unless the chip
     * packs layers ({@code pack_layers}); then a layer cut into one slice joins the core before it
     * when that core holds only such layers, the readout is not one of them, and the core's
     * neurons, inputs (counted per slice, an upper bound of the distinct ones) and synapse memory
     * still fit. Core numbers rise with the slices, so the last slice's core is the highest.
     */
    static int[] bins(QuantizedNetwork q, NeurocoreSpec spec, List<Partitioner.Slice> slices) {
        int n = slices.size();
        int[] bin = new int[n];
        int[] perLayer = new int[q.layers().size()];
        for (Partitioner.Slice s : slices) {
            perLayer[s.layer()]++;
        }
        int readout = q.layers().size() - 1;
        int next = 0;
        boolean open = false;   // the last core takes more layers
        long neurons = 0;
        long axons = 0;
        long bits = 0;
        for (int a = 0; a < n; a++) {
            Partitioner.Slice s = slices.get(a);
            boolean packable = spec.packLayers() && s.layer() != readout && perLayer[s.layer()] == 1;
            if (packable && open && neurons + s.neurons() <= spec.neuronsPerCore()
                    && axons + s.axons() <= spec.axonsPerCore()
                    && bits + s.memoryBits() <= spec.synapseMemoryBitsPerCore()) {
                bin[a] = next - 1;
                neurons += s.neurons();
                axons += s.axons();
                bits += s.memoryBits();
            } else {
                bin[a] = next++;
                open = packable;
                neurons = s.neurons();
                axons = s.axons();
                bits = s.memoryBits();
            }
        }
        return bin;
    }

    /**
     * The routes of a cut, before placement: {@code demand[a]} maps each core b that reads neurons
     * of core a to those neurons (source indices, ranges); {@code inputDemand[b]} receives the input
     * values core b reads. The design rules count fan-out, output axons and routing entries from it,
     * the placer and router use it as it is.
     */
    @SuppressWarnings("unchecked")
    static java.util.TreeMap<Integer, List<int[]>>[] demand(QuantizedNetwork q, List<Partitioner.Slice> slices,
            List<int[]>[] inputDemand) {
        int n = slices.size();
        java.util.TreeMap<Integer, List<int[]>>[] demand = new java.util.TreeMap[n];
        int[][] layerCores = layerCores(q, slices);
        for (int b = 0; b < n; b++) {
            Partitioner.Slice sb = slices.get(b);
            QuantLayer lb = q.layers().get(sb.layer());
            for (Synapse syn : lb.synapses()) {
                List<int[]> field = Partitioner.receptiveField(syn, sb.filterFrom(), sb.filterTo(), sb.rowFrom(),
                        sb.rowTo());
                if (syn.source() < 0) {
                    inputDemand[b] = union(inputDemand[b], field);
                    continue;
                }
                for (int a : layerCores[syn.source()]) {
                    List<int[]> common = intersect(slices.get(a).ranges(), field);
                    if (!common.isEmpty()) {
                        if (demand[a] == null) {
                            demand[a] = new java.util.TreeMap<>();
                        }
                        demand[a].merge(b, common, NeurocoreMapper::union);
                    }
                }
            }
        }
        return demand;
    }

    private static int[][] layerCores(QuantizedNetwork q, List<Partitioner.Slice> slices) {
        List<List<Integer>> per = new ArrayList<>();
        for (int l = 0; l < q.layers().size(); l++) {
            per.add(new ArrayList<>());
        }
        for (int i = 0; i < slices.size(); i++) {
            per.get(slices.get(i).layer()).add(i);
        }
        int[][] out = new int[per.size()][];
        for (int l = 0; l < out.length; l++) {
            out[l] = per.get(l).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Pairwise swaps of core positions that lower traffic x hops, from a seeded sequence. */
    private static int[][] improve(int[][] start, List<double[]>[] adj, int n) {
        int[][] pos = new int[start.length][];
        for (int i = 0; i < start.length; i++) {
            pos[i] = start[i].clone();
        }
        if (n < 2) {
            return pos;
        }
        long seed = 0x5EED;
        int rounds = Math.min(200_000, 400 * n);
        for (int r = 0; r < rounds; r++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int a = (int) Math.floorMod(seed >>> 17, (long) n);
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int b = (int) Math.floorMod(seed >>> 17, (long) n);
            if (a == b) {
                continue;
            }
            double before = cost(a, pos, adj) + cost(b, pos, adj);
            int[] t = pos[a];
            pos[a] = pos[b];
            pos[b] = t;
            double after = cost(a, pos, adj) + cost(b, pos, adj);
            if (after >= before) {
                pos[b] = pos[a];
                pos[a] = t;
            }
        }
        return pos;
    }

    /** Traffic x hops of every route touching node i (a route between a and b counts in both; equal either way). */
    private static double cost(int i, int[][] pos, List<double[]>[] adj) {
        double c = 0;
        for (double[] e : adj[i]) {
            c += e[1] * hops(pos[i], pos[(int) e[0]]);
        }
        return c;
    }

    /** mean hops per packet, max hops, total traffic x hops. */
    private static double[] stats(int[][] pos, List<double[]> edges) {
        double packets = 0;
        double traffic = 0;
        int max = 0;
        for (double[] e : edges) {
            int h = hops(pos[(int) e[0]], pos[(int) e[1]]);
            packets += e[2];
            traffic += e[2] * h;
            max = Math.max(max, h);
        }
        return new double[] {packets == 0 ? 0 : traffic / packets, max, traffic};
    }

    static int hops(int[] a, int[] b) {
        return Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]);
    }

    private static long count(List<int[]> ranges) {
        long c = 0;
        for (int[] r : ranges) {
            c += r[1] - r[0];
        }
        return c;
    }

    /** Union of two sorted, disjoint range lists (either may be null). */
    static List<int[]> union(List<int[]> a, List<int[]> b) {
        List<int[]> all = new ArrayList<>();
        if (a != null) {
            all.addAll(a);
        }
        if (b != null) {
            all.addAll(b);
        }
        all.sort((x, y) -> Integer.compare(x[0], y[0]));
        List<int[]> out = new ArrayList<>();
        for (int[] r : all) {
            if (r[0] >= r[1]) {
                continue;
            }
            if (!out.isEmpty() && out.get(out.size() - 1)[1] >= r[0]) {
                int[] last = out.get(out.size() - 1);
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new int[] {r[0], r[1]});
            }
        }
        return out;
    }

    /** Intersection of two sorted, disjoint range lists. */
    static List<int[]> intersect(List<int[]> a, List<int[]> b) {
        List<int[]> x = union(a, null);
        List<int[]> y = union(b, null);
        List<int[]> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < x.size() && j < y.size()) {
            int lo = Math.max(x.get(i)[0], y.get(j)[0]);
            int hi = Math.min(x.get(i)[1], y.get(j)[1]);
            if (lo < hi) {
                out.add(new int[] {lo, hi});
            }
            if (x.get(i)[1] < y.get(j)[1]) {
                i++;
            } else {
                j++;
            }
        }
        return out;
    }
}

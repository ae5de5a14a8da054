package dev.spikeforge.targets.neurocore.emulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every index, range and size of a parsed mapping checked against the sizes it refers to
 * (docs/targets.md, "Mapping files"), so that the emulator can index without bounds surprises: layer
 * geometry, core ids, neuron ranges (disjoint, covering every neuron exactly once), segment rows,
 * the row of every held neuron, weight magnitudes, and routes (existing cores that consume the
 * source, hops equal to the mesh distance, source ranges within the source).
 */
final class MappingChecks {

    /**
     * The most neurons one layer (or values the input) may have: 2^24, far above any chip's cores
     * times neurons per core, and what keeps the emulator's per-layer state bounded.
     */
    static final long MAX_LAYER_SIZE = 1L << 24;

    private final Mapping m;
    private final Path json;

    private MappingChecks(Mapping m, Path json) {
        this.m = m;
        this.json = json;
    }

    /**
     * What each core of the chip holds, from mapping.json's target; 0 where the target does not say.
     *
     * @param cores            cores on the chip
     * @param neurons          neurons per core
     * @param axons            axons (distinct inputs) per core
     * @param synapseBits      synapse memory bits per core
     * @param minWeightBits    the narrowest weight the synapse memory stores
     */
    record Capacities(int cores, int neurons, int axons, long synapseBits, int minWeightBits) {
        static final Capacities NONE = new Capacities(0, 0, 0, 0, 0);
    }

    static void check(Mapping m, Path json) throws MappingFileException {
        check(m, json, Capacities.NONE);
    }

    static void check(Mapping m, Path json, Capacities caps) throws MappingFileException {
        MappingChecks c = new MappingChecks(m, json);
        c.capacities(caps);
        c.input();
        for (int i = 0; i < m.layers().size(); i++) {
            c.layer(i);
        }
        if (m.layers().isEmpty()) {
            throw c.error("layers", "the mapping has no layers");
        }
        Map<Long, Integer> positions = new HashMap<>();
        for (int i = 0; i < m.cores().size(); i++) {
            c.core(i, positions);
        }
        for (int i = 0; i < m.layers().size(); i++) {
            c.coverage(i);
        }
        for (Mapping.Core core : m.cores()) {
            CoreRows.check(m, core, json, "cores[" + core.id() + "]");
            for (int r = 0; r < core.routes().size(); r++) {
                c.route(core.id(), r, core.routes().get(r));
            }
        }
        for (int i = 0; i < m.inputRoutes().size(); i++) {
            c.route(-1, i, m.inputRoutes().get(i));
        }
    }

    /**
     * Every core within the chip's capacities, so that the emulator never runs a mapping the chip could not hold.
     * With pack_layers the cores at one mesh position are one physical core: their neurons, axons and weights
     * count together.
     */
    private void capacities(Capacities caps) throws MappingFileException {
        Map<Long, List<Integer>> physical = new java.util.LinkedHashMap<>();
        for (int i = 0; i < m.cores().size(); i++) {
            Mapping.Core core = m.cores().get(i);
            long key = m.target().packLayers() ? ((long) core.x() << 32) | core.y() : -1L - i;
            physical.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        if (caps.cores() > 0 && physical.size() > caps.cores()) {
            throw error("cores", "the mapping uses " + physical.size() + " cores but the chip (target.cores) has "
                    + caps.cores());
        }
        int bits = Math.max(m.numerics().weightBits(), caps.minWeightBits());
        for (List<Integer> group : physical.values()) {
            long neurons = 0;
            long axons = 0;
            long weights = 0;
            for (int i : group) {
                Mapping.Core core = m.cores().get(i);
                for (int[] r : core.neurons()) {
                    neurons += (long) r[1] - r[0];
                }
                axons += core.axons();
                weights += core.image().length;
            }
            String at = group.size() == 1 ? "cores[" + group.get(0) + "]" : "cores" + group + " (one mesh position)";
            String the = group.size() == 1 ? "the core holds " : "the cores hold ";
            if (caps.neurons() > 0 && neurons > caps.neurons()) {
                throw error(at + ".neurons", the + neurons + " neurons, over the chip's " + caps.neurons()
                        + " (target.neurons_per_core)");
            }
            if (caps.axons() > 0 && axons > caps.axons()) {
                throw error(at + ".axons", "axons is " + axons + ", over the chip's " + caps.axons()
                        + " (target.axons_per_core)");
            }
            long stored = weights * bits;
            if (caps.synapseBits() > 0 && stored > caps.synapseBits()) {
                throw error(at + ".segments", (group.size() == 1 ? "the core's synapse image holds " : "the cores' synapse"
                        + " images hold ") + weights + " weights of " + bits + " bits (" + stored + " bits), over the chip's "
                        + caps.synapseBits() + " (target.synapse_memory_bits_per_core)");
            }
        }
    }

    private MappingFileException error(String place, String problem) {
        return new MappingFileException(json, place, problem, MappingFileException.RECOMPILE);
    }

    private void input() throws MappingFileException {
        Mapping.Input in = m.input();
        long product = product(in.shape(), "input.shape");
        if (product != in.size()) {
            throw error("input.size", "size is " + in.size() + " but shape " + Arrays.toString(in.shape())
                    + " holds " + product);
        }
        if (in.valueLimit() < 1) {
            throw error("input.value_limit", "value_limit is " + in.valueLimit() + ", must be at least 1");
        }
    }

    private long product(int[] shape, String place) throws MappingFileException {
        if (shape.length == 0) {
            throw error(place, "the shape is empty");
        }
        long p = 1;
        for (int d : shape) {
            if (d < 1) {
                throw error(place, "shape " + Arrays.toString(shape) + " has a dimension below 1");
            }
            p *= d;
            if (p > MAX_LAYER_SIZE) {
                throw error(place, "shape " + Arrays.toString(shape) + " holds more than " + MAX_LAYER_SIZE
                        + " values, the limit of one layer or the input");
            }
        }
        return p;
    }

    private void layer(int i) throws MappingFileException {
        Mapping.Layer l = m.layers().get(i);
        String at = "layers[" + i + "]";
        if (l.index() != i) {
            throw error(at + ".index", "index is " + l.index() + " but the layer is at position " + i);
        }
        if (l.shape().length < 1 || l.shape().length > 3) {
            throw error(at + ".shape", "shape " + Arrays.toString(l.shape()) + " must be [C, H, W], [C, L] or [N]");
        }
        long product = product(l.shape(), at + ".shape");
        if (product != l.size()) {
            throw error(at + ".size", "size is " + l.size() + " but shape " + Arrays.toString(l.shape()) + " holds "
                    + product);
        }
        if (l.channels() < 1 || l.size() % l.channels() != 0) {
            throw error(at + ".channels", "channels is " + l.channels() + ", must divide the size " + l.size());
        }
        if (l.features() < 1 || l.size() % l.features() != 0) {
            throw error(at + ".features", "features is " + l.features() + ", must divide the size " + l.size());
        }
        boolean last = i == m.layers().size() - 1;
        if (last == (l.role() == Mapping.Role.SPIKING)) {
            throw error(at + ".role", last ? "the last layer is the readout but its role is spiking"
                    : "role " + l.role().keyword() + " is only for the last layer (the readout)");
        }
        if (l.role().fires()) {
            thresholds(l, at);
        }
        if (l.bias() != null && l.bias().length != l.features()) {
            throw error(at + ".bias", "bias has " + l.bias().length + " entries, features is " + l.features());
        }
        if (l.synapses().isEmpty()) {
            throw error(at + ".synapses", "the layer has no synapses");
        }
        for (int s = 0; s < l.synapses().size(); s++) {
            synapse(l, s, at + ".synapses[" + s + "]");
        }
        for (int k = 0; k < l.cores().length; k++) {
            int id = l.cores()[k];
            if (id < 0 || id >= m.cores().size()) {
                throw error(at + ".cores[" + k + "]", "core " + id + " does not exist (cores 0 to "
                        + (m.cores().size() - 1) + ")");
            }
        }
    }

    private void thresholds(Mapping.Layer l, String at) throws MappingFileException {
        if (l.threshold().length != l.channels()) {
            throw error(at + ".threshold", "threshold has " + l.threshold().length + " entries, channels is "
                    + l.channels());
        }
        long min = m.numerics().greaterThan() ? 0 : 1;
        for (int c = 0; c < l.threshold().length; c++) {
            if (l.threshold()[c] < min) {
                throw error(at + ".threshold[" + c + "]", "threshold " + l.threshold()[c] + " is below " + min
                        + " (theta_q is at least 1" + (min == 0 ? ", stored minus 1 for '>')" : ")"));
            }
        }
    }

    private void synapse(Mapping.Layer l, int s, String at) throws MappingFileException {
        Mapping.SynapsePath p = l.synapses().get(s);
        if (p instanceof Mapping.Recurrent r) {
            recurrent(l, r, at);
            return;
        }
        if (p.source() < -1 || p.source() >= l.index()) {
            throw error(at + ".source", "source is " + p.source() + ", must be -1 (the input) or an earlier layer (0 to "
                    + (l.index() - 1) + ")");
        }
        int sourceSize = p.source() < 0 ? m.input().size() : m.layers().get(p.source()).size();
        long in = product(p.inShape(), at + ".in_shape");
        if (in != sourceSize) {
            throw error(at + ".in_shape", "in_shape " + Arrays.toString(p.inShape()) + " holds " + in + " values but "
                    + (p.source() < 0 ? "the input" : "source layer " + p.source()) + " has " + sourceSize);
        }
        int[] expected;
        if (p instanceof Mapping.Conv c) {
            if (c.inShape().length != 3 || c.filters() < 1 || c.kernel() < 1 || c.stride() < 1 || c.padding() < 0
                    || c.inShape()[1] + 2 * c.padding() < c.kernel()
                    || c.inShape()[2] + 2 * c.padding() < c.kernel()) {
                throw error(at, "conv needs in_shape [C, H, W], filters, kernel and stride of at least 1, padding"
                        + " of at least 0, and a kernel that fits the padded input");
            }
            expected = new int[] {c.filters(), (c.inShape()[1] + 2 * c.padding() - c.kernel()) / c.stride() + 1,
                    (c.inShape()[2] + 2 * c.padding() - c.kernel()) / c.stride() + 1};
        } else if (p instanceof Mapping.Conv1d c) {
            if (c.inShape().length != 2 || c.filters() < 1 || c.kernel() < 1 || c.stride() < 1 || c.padding() < 0
                    || c.inShape()[1] + 2 * c.padding() < c.kernel()) {
                throw error(at, "conv1d needs in_shape [C, L], filters, kernel and stride of at least 1, padding"
                        + " of at least 0, and a kernel that fits the padded input");
            }
            expected = new int[] {c.filters(), (c.inShape()[1] + 2 * c.padding() - c.kernel()) / c.stride() + 1};
        } else if (p instanceof Mapping.MaxPool mp) {
            int[] ins = mp.inShape();
            boolean map = ins.length == 3 && mp.kernel() >= 1 && ins[1] >= mp.kernel() && ins[2] >= mp.kernel();
            boolean seq = ins.length == 2 && mp.kernel() >= 1 && ins[1] >= mp.kernel();
            if (!map && !seq) {
                throw error(at, "maxpool needs in_shape [C, H, W] or [C, L] and a kernel from 1 to each of H and W"
                        + " (or L)");
            }
            expected = map ? new int[] {ins[0], ins[1] / mp.kernel(), ins[2] / mp.kernel()}
                    : new int[] {ins[0], ins[1] / mp.kernel()};
        } else if (p instanceof Mapping.AvgPool a) {
            if (a.inShape().length != 3 || a.kernel() < 1 || a.inShape()[1] < a.kernel()
                    || a.inShape()[2] < a.kernel()) {
                throw error(at, "avgpool needs in_shape [C, H, W] and a kernel from 1 to H and W");
            }
            expected = new int[] {a.inShape()[0], a.inShape()[1] / a.kernel(), a.inShape()[2] / a.kernel()};
        } else if (p instanceof Mapping.Dense d) {
            if (d.inFeatures() != in) {
                throw error(at + ".in_features", "in_features is " + d.inFeatures() + " but in_shape holds " + in);
            }
            if (d.outFeatures() != l.size()) {
                throw error(at + ".out_features", "out_features is " + d.outFeatures() + " but the layer has "
                        + l.size() + " neurons");
            }
            return;
        } else {
            if (in != l.size()) {
                throw error(at + ".in_shape", "identity needs as many inputs as neurons: " + in + " against "
                        + l.size());
            }
            return;
        }
        if (!Arrays.equals(expected, l.shape())) {
            throw error(at, p.kind() + " produces shape " + Arrays.toString(expected) + " but the layer's shape is "
                    + Arrays.toString(l.shape()));
        }
    }

    /** A recurrent synapse reads its own layer: source = the layer, in_shape and units = its neurons. */
    private void recurrent(Mapping.Layer l, Mapping.Recurrent r, String at) throws MappingFileException {
        if (r.source() != l.index()) {
            throw error(at + ".source", "source is " + r.source() + " but a " + r.kind() + " synapse reads its own"
                    + " layer's spikes of the previous step: source must be " + l.index());
        }
        if (!l.role().fires()) {
            throw error(at, "a " + r.kind() + " synapse needs a layer that fires; layer " + l.index() + " is "
                    + l.role().keyword());
        }
        if (!Arrays.equals(r.inShape(), l.shape())) {
            throw error(at + ".in_shape", "in_shape " + Arrays.toString(r.inShape()) + " is not the layer's own shape "
                    + Arrays.toString(l.shape()));
        }
        if (r.units() != l.size()) {
            throw error(at + ".units", "units is " + r.units() + " but the layer has " + l.size() + " neurons");
        }
    }

    /** Id, layer, mesh position and neuron ranges of core i (rows and routes come after the coverage check). */
    private void core(int i, Map<Long, Integer> positions) throws MappingFileException {
        Mapping.Core c = m.cores().get(i);
        String at = "cores[" + i + "]";
        if (c.id() != i) {
            throw error(at + ".id", "id is " + c.id() + " but the core is at position " + i
                    + " (core id = position in the list)");
        }
        if (c.layer() < 0 || c.layer() >= m.layers().size()) {
            throw error(at + ".layer", "layer " + c.layer() + " does not exist (layers 0 to "
                    + (m.layers().size() - 1) + ")");
        }
        Mapping.Layer l = m.layers().get(c.layer());
        if (Arrays.stream(l.cores()).noneMatch(id -> id == i)) {
            throw error(at + ".layer", "the core holds layer " + c.layer() + " but layers[" + c.layer()
                    + "].cores does not list it");
        }
        Mapping.Figures f = m.target();
        if (c.x() < 0 || c.y() < 0 || (f.meshWidth() > 0 && c.x() >= f.meshWidth())
                || (f.meshHeight() > 0 && c.y() >= f.meshHeight())) {
            throw error(at, "mesh position (" + c.x() + ", " + c.y() + ") is outside the "
                    + f.meshWidth() + " x " + f.meshHeight() + " mesh");
        }
        Integer other = positions.putIfAbsent(((long) c.x() << 32) | c.y(), i);
        int readout = m.layers().size() - 1;
        if (other != null && (!f.packLayers() || c.layer() == readout || m.cores().get(other).layer() == readout)) {
            throw error(at, "mesh position (" + c.x() + ", " + c.y() + ") is also core " + other + "'s"
                    + (f.packLayers() ? " (with pack_layers only the layers before the readout share a core)" : ""));
        }
        int previous = 0;
        for (int r = 0; r < c.neurons().length; r++) {
            int[] range = c.neurons()[r];
            if (range[0] < previous || range[0] >= range[1] || range[1] > l.size()) {
                throw error(at + ".neurons[" + r + "]", "range [" + range[0] + ", " + range[1] + ") is not an ascending,"
                        + " non-empty range within layer " + l.index() + "'s " + l.size() + " neurons"
                        + " after the ranges before it");
            }
            previous = range[1];
        }
        if (c.neurons().length == 0) {
            throw error(at + ".neurons", "the core holds no neurons");
        }
    }

    /** Every neuron of layer {@code i} on exactly one of its cores. */
    private void coverage(int i) throws MappingFileException {
        Mapping.Layer l = m.layers().get(i);
        int[] owner = new int[l.size()];
        Arrays.fill(owner, -1);
        for (Mapping.Core c : m.cores()) {
            if (c.layer() != i) {
                continue;
            }
            for (int[] r : c.neurons()) {
                for (int n = r[0]; n < r[1]; n++) {
                    if (owner[n] >= 0) {
                        throw error("cores[" + c.id() + "].neurons", "neuron " + n + " of layer "
                                + i + " (" + l.name() + ") is on core " + c.id() + " and also on core " + owner[n]
                                + "; every neuron must be on exactly one core");
                    }
                    owner[n] = c.id();
                }
            }
        }
        for (int n = 0; n < owner.length; n++) {
            if (owner[n] < 0) {
                throw error("layers[" + i + "]", "neuron " + n + " of layer " + i + " (" + l.name() + ") is on no core; every neuron"
                        + " must be on exactly one core");
            }
        }
    }

    /** A core's route ({@code from} = its id), or an input route ({@code from} = -1). */
    private void route(int from, int r, Mapping.Route route) throws MappingFileException {
        String at = from < 0 ? "input_routes[" + r + "]" : "cores[" + from + "].routes[" + r + "]";
        int sourceLayer = from < 0 ? -1 : m.cores().get(from).layer();
        if (route.toCore() < 0 || route.toCore() >= m.cores().size()) {
            throw error(at + ".to_core", "to_core " + route.toCore() + " does not exist (cores 0 to "
                    + (m.cores().size() - 1) + ")");
        }
        Mapping.Core to = m.cores().get(route.toCore());
        Mapping.Layer dest = m.layers().get(to.layer());
        if (route.toCore() == from && !dest.recurrent()) {
            throw error(at + ".to_core", "to_core " + route.toCore() + " is the core itself, and its layer is not"
                    + " recurrent");
        }
        if (dest.synapses().stream().noneMatch(s -> s.source() == sourceLayer)) {
            throw error(at + ".to_core", "core " + to.id() + " holds layer " + dest.index() + " (" + dest.name()
                    + "), which does not read " + (from < 0 ? "the input" : "layer " + sourceLayer));
        }
        int hops = from < 0 ? to.x() + to.y()
                : Math.abs(to.x() - m.cores().get(from).x()) + Math.abs(to.y() - m.cores().get(from).y());
        if (route.hops() != hops) {
            throw error(at + ".hops", "hops is " + route.hops() + " but the mesh distance to core " + to.id() + " is "
                    + hops);
        }
        int size = from < 0 ? m.input().size() : m.layers().get(sourceLayer).size();
        int previous = 0;
        for (int k = 0; k < route.sources().length; k++) {
            int[] range = route.sources()[k];
            if (range[0] < previous || range[0] >= range[1] || range[1] > size) {
                throw error(at + ".sources[" + k + "]", "range [" + range[0] + ", " + range[1] + ") is not an"
                        + " ascending, non-empty range within the source's " + size + " indices after the ranges"
                        + " before it");
            }
            previous = range[1];
        }
    }
}

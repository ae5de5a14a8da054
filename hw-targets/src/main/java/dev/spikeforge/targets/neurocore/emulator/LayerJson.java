package dev.spikeforge.targets.neurocore.emulator;

import java.util.ArrayList;
import java.util.List;

/** Parses one LAYER of mapping.json and its SYNAPSE geometries (docs/targets.md, "Mapping files"). */
final class LayerJson {

    private LayerJson() {
    }

    static Mapping.Layer layer(JsonPlace l) throws MappingFileException {
        Mapping.Role role = role(l);
        boolean fires = role.fires();
        long[] threshold = null;
        boolean resetZero = false;
        if (fires) {
            threshold = l.longs("threshold");
            resetZero = MappingFiles.choice(l, "reset", "subtract", "zero");
        }
        long[] bias = l.has("bias") && !l.node().get("bias").isNull() ? l.longs("bias") : null;
        Mapping.Leak leak = role == Mapping.Role.READOUT_ACCUMULATE && !l.has("leak")
                ? new Mapping.Leak(Mapping.Leak.Form.NONE, 0, 0, 0) : leak(l.object("leak"));
        Mapping.Leak decay = l.has("synaptic_current") && !l.node().get("synaptic_current").isNull()
                ? leak(l.object("synaptic_current").object("decay")) : null;
        List<Mapping.SynapsePath> synapses = new ArrayList<>();
        for (JsonPlace s : l.list("synapses")) {
            synapses.add(synapse(s));
        }
        return new Mapping.Layer(l.integer("index"), l.string("name"), l.string("node"), role, l.ints("shape"),
                l.integer("size"), l.integer("channels"), l.integer("features"), threshold, bias, resetZero, leak,
                decay, synapses, l.ints("cores"));
    }

    private static Mapping.Role role(JsonPlace l) throws MappingFileException {
        String r = l.string("role");
        for (Mapping.Role role : Mapping.Role.values()) {
            if (role.keyword().equals(r)) {
                return role;
            }
        }
        throw l.error("role", "role is '" + r + "', must be one of spiking, readout_accumulate, readout_membrane,"
                + " readout_count");
    }

    private static Mapping.Leak leak(JsonPlace p) throws MappingFileException {
        String form = p.string("form");
        switch (form) {
            case "shift" -> {
                int k = p.integer("k");
                if (k < 1 || k > 62) {
                    throw p.error("k", "shift leak k is " + k + ", must be 1 to 62");
                }
                return new Mapping.Leak(Mapping.Leak.Form.SHIFT, k, 0, 0);
            }
            case "multiplier" -> {
                long m = p.longValue("m");
                int f = p.integer("fraction_bits");
                if (f < 1 || f > 30 || m < 1 || m > (1L << f)) {
                    throw p.error("multiplier leak needs 1 <= m <= 2^F and 1 <= F <= 30; found m = " + m + ", F = " + f);
                }
                return new Mapping.Leak(Mapping.Leak.Form.MULTIPLIER, 0, m, f);
            }
            case "none" -> {
                return new Mapping.Leak(Mapping.Leak.Form.NONE, 0, 0, 0);
            }
            default -> throw p.error("form", "leak form is '" + form + "', must be shift, multiplier or none");
        }
    }

    private static Mapping.SynapsePath synapse(JsonPlace s) throws MappingFileException {
        String kind = s.string("kind");
        int source = s.integer("source");
        int[] in = s.ints("in_shape");
        return switch (kind) {
            case "conv" -> new Mapping.Conv(source, in, s.integer("filters"), s.integer("kernel"), s.integer("stride"),
                    s.integer("padding"));
            case "dense" -> new Mapping.Dense(source, in, s.integer("in_features"), s.integer("out_features"));
            case "avgpool" -> new Mapping.AvgPool(source, in, s.integer("kernel"));
            case "identity" -> new Mapping.Identity(source, in);
            case "recurrent", "recurrent_diagonal" -> {
                int delay = s.integer("delay");
                if (delay != 1) {
                    throw s.error("delay", "delay is " + delay + "; a recurrent synapse reads its layer's spikes of the"
                            + " previous step, delay 1");
                }
                yield new Mapping.Recurrent(source, in, s.integer("units"), kind.equals("recurrent_diagonal"));
            }
            case "conv1d" -> new Mapping.Conv1d(source, in, s.integer("filters"), s.integer("kernel"),
                    s.integer("stride"), s.integer("padding"));
            case "maxpool" -> new Mapping.MaxPool(source, in, s.integer("kernel"));
            default -> throw s.error("kind", "synapse kind is '" + kind + "', must be conv, dense, avgpool, identity,"
                    + " recurrent, recurrent_diagonal, conv1d or maxpool");
        };
    }
}

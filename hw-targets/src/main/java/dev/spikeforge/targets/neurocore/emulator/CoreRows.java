package dev.spikeforge.targets.neurocore.emulator;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where each synapse row lies in a core's image: {@code offsets(layer, core)[path][row]} is the
 * int16 index of the row's first value, or -1 when the core does not store it.
 */
final class CoreRows {

    private CoreRows() {
    }

    /** Assumes {@link #check} passed. */
    static int[][] offsets(Mapping.Layer l, Mapping.Core c) {
        int[][] out = new int[l.synapses().size()][];
        for (int p = 0; p < out.length; p++) {
            out[p] = new int[l.synapses().get(p).rows(l)];
            Arrays.fill(out[p], -1);
        }
        for (Mapping.Segment s : c.segments()) {
            for (int r = 0; r < s.rows().length; r++) {
                out[s.synapse()][s.rows()[r]] = s.offset() + r * s.rowLength();
            }
        }
        return out;
    }

    /** Segments within the layer's synapses, rows in range and stored once, every held neuron's row present. */
    static void check(Mapping m, Mapping.Core c, Path json, String at) throws MappingFileException {
        Mapping.Layer l = m.layers().get(c.layer());
        int[][] offsets = new int[l.synapses().size()][];
        for (int p = 0; p < offsets.length; p++) {
            offsets[p] = new int[l.synapses().get(p).rows(l)];
            Arrays.fill(offsets[p], -1);
        }
        for (int si = 0; si < c.segments().size(); si++) {
            Mapping.Segment s = c.segments().get(si);
            String sat = at + ".segments[" + si + "]";
            if (s.synapse() < 0 || s.synapse() >= offsets.length) {
                throw error(json, sat + ".synapse", "synapse " + s.synapse() + " does not exist: layer " + l.index()
                        + " has synapses 0 to " + (offsets.length - 1));
            }
            Mapping.SynapsePath path = l.synapses().get(s.synapse());
            if (s.rowLength() != path.rowLength()) {
                throw error(json, sat + ".row_length", "row_length is " + s.rowLength() + " but a row of this "
                        + path.kind() + " synapse has " + path.rowLength() + " values");
            }
            for (int r = 0; r < s.rows().length; r++) {
                int row = s.rows()[r];
                if (row < 0 || row >= offsets[s.synapse()].length) {
                    throw error(json, sat + ".rows[" + r + "]", "row " + row + " is out of range: this " + path.kind()
                            + " synapse has rows 0 to " + (offsets[s.synapse()].length - 1));
                }
                if (offsets[s.synapse()][row] >= 0) {
                    throw error(json, sat + ".rows[" + r + "]", "row " + row + " of synapse " + s.synapse()
                            + " is stored twice in the core's image");
                }
                offsets[s.synapse()][row] = s.offset() + r * s.rowLength();
            }
        }
        for (int p = 0; p < offsets.length; p++) {
            Mapping.SynapsePath path = l.synapses().get(p);
            for (int[] range : c.neurons()) {
                for (int n = range[0]; n < range[1]; n++) {
                    int row = path.rowOf(l, n);
                    if (offsets[p][row] < 0) {
                        throw error(json, at, "core " + c.id() + " holds neuron " + n + " of layer " + l.index() + " (" + l.name()
                                + "), which needs row " + row + " of synapse " + p + " (" + path.kind()
                                + ") but the core's image does not store it");
                    }
                }
            }
        }
        for (Mapping.Segment s : c.segments()) {
            if (l.synapses().get(s.synapse()) instanceof Mapping.MaxPool && s.rows().length > 0
                    && c.image()[s.offset()] != 1) {
                throw error(m.dir().resolve(c.synapseFile()), "core " + c.id() + ", int16 value " + s.offset(),
                        "a maxpool synapse's weight is " + c.image()[s.offset()] + "; max pooling adds 1 per input"
                                + " spike of its window, so the stored weight must be 1");
            }
        }
        int limit = m.numerics().weightLimit();
        short[] image = c.image();
        for (int i = 0; i < image.length; i++) {
            if (Math.abs(image[i]) > limit) {
                throw error(m.dir().resolve(c.synapseFile()), "core " + c.id() + ", int16 value " + i,
                        "weight " + image[i] + " is outside +-" + limit + " (weight_bits " + m.numerics().weightBits()
                                + ")");
            }
        }
    }

    private static MappingFileException error(Path file, String place, String problem) {
        return new MappingFileException(file, place, problem, MappingFileException.RECOMPILE);
    }
}

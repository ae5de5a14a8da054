package dev.spikeforge.targets.neurocore.emulator;

import java.util.Arrays;

/**
 * Packets per directed mesh link in one step, for the pipelined cycle model (docs/targets.md,
 * "Timing"): a packet from core position (x0, y0) to (x1, y1) takes dimension-order routing, first
 * along x, then along y, and loads every link on its way by one; a link carries one packet per
 * cycle, so the busiest link's load is a lower bound of the step's network time. Input packets
 * leave from the host's position, (0, 0) (where the placer puts the host).
 */
final class MeshLinks {

    /** Directions of a link out of a position: +x, -x, +y, -y. */
    private static final int EAST = 0;
    private static final int WEST = 1;
    private static final int NORTH = 2;
    private static final int SOUTH = 3;

    private final int width;
    private final int[] load;
    private int busiest;

    MeshLinks(Mapping m) {
        int w = Math.max(1, m.target().meshWidth());
        int h = Math.max(1, m.target().meshHeight());
        for (Mapping.Core c : m.cores()) {
            w = Math.max(w, c.x() + 1);
            h = Math.max(h, c.y() + 1);
        }
        width = w;
        load = new int[w * h * 4];
    }

    void clear() {
        Arrays.fill(load, 0);
        busiest = 0;
    }

    /** One packet from position (x, y) to core {@code to}. */
    void send(int x, int y, Mapping.Core to) {
        while (x != to.x()) {
            int dir = to.x() > x ? EAST : WEST;
            add(x, y, dir);
            x += dir == EAST ? 1 : -1;
        }
        while (y != to.y()) {
            int dir = to.y() > y ? NORTH : SOUTH;
            add(x, y, dir);
            y += dir == NORTH ? 1 : -1;
        }
    }

    private void add(int x, int y, int dir) {
        int k = ((y * width + x) << 2) | dir;
        busiest = Math.max(busiest, ++load[k]);
    }

    /** Packets on the most loaded link this step (0 when no packet left its core). */
    int busiest() {
        return busiest;
    }
}

package dev.spikeforge.targets.fpga;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An xc7 design's Fmax, estimated without place and route (none exists in an open flow for
 * 7-series here): yosys {@code sta} on the flattened {@code synth_xilinx} netlist gives the longest
 * path's arrival time in the cell library's own delays (prjxray's Artix-7 -1 figures, which yosys's
 * {@code cells_sim.v} carries in its specify blocks, read with {@code -specify} so that CARRY4, MUXF7,
 * MUXF8 and the LUT RAMs have theirs), which includes the launching clock's buffer and the start
 * cell's clock-to-out; this adds the end cell's setup time from the same library and doubles the sum
 * for routing, after Xilinx's "50/50" guideline (a routed path's logic delays make up about half
 * of it). What it leaves out: the real routing, clock skew, and any path that routing would make
 * longer than the one with the most logic. On 7-series, Vivado reports often show more than half
 * of a path in routing, so treat the figure as optimistic; docs/targets.md says so beside it.
 *
 * @param arrivalPs the longest path's arrival time at its end, in ps (logic only)
 * @param setupPs   the end cell's setup time in ps (0 when the library states none)
 * @param endpoint  the path's end, {@code cell (TYPE.PIN)}
 * @param startpoint the path's first cell after the clock tree, {@code cell (TYPE.ARC)}
 */
public record XilinxTimingEstimate(long arrivalPs, long setupPs, String endpoint, String startpoint) {

    /** How every report names the figure, with the device's name for {@code %s}. */
    static final String BASIS = "Fmax ESTIMATED for %s, not measured: yosys sta logic delay x 2 for routing,"
            + " no place and route";

    /** The factor for routing: logic is about half of a routed path. */
    static final double ROUTING_FACTOR = 2.0;

    /** The logic delay plus setup, in ps. */
    public long logicPs() {
        return arrivalPs + setupPs;
    }

    /** The Fmax with logic alone: a bound the routed design cannot beat. */
    public double logicBoundMhz() {
        return 1e6 / logicPs();
    }

    /** The estimate: logic plus as much again for routing. */
    public double fmaxMhz() {
        return 1e6 / (ROUTING_FACTOR * logicPs());
    }

    private static final Pattern LATEST = Pattern.compile("Latest arrival time in '[^']*' is (\\d+):");
    private static final Pattern STEP = Pattern.compile("^\\s+(\\d+) (.+) \\((\\w+)\\.([^)]+)\\)$");
    private static final Pattern CLOCK_TREE = Pattern.compile("BUFG|BUFGCTRL|BUFH|IBUF|IBUFG");

    /**
     * Reads yosys sta's report.
     *
     * @param sta         the text {@code sta} wrote
     * @param cellLibrary yosys's {@code xilinx/cells_sim.v}, for the end cell's setup time, or null
     * @return the estimate, or null when the report has no path
     */
    static XilinxTimingEstimate parse(String sta, String cellLibrary) {
        List<String> lines = sta.lines().toList();
        int at = -1;
        long arrival = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LATEST.matcher(lines.get(i));
            if (m.find()) {
                at = i;
                arrival = Long.parseLong(m.group(1));
            }
        }
        if (at < 0 || arrival <= 0) {
            return null;
        }
        List<Matcher> steps = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            Matcher m = STEP.matcher(lines.get(i));
            if (m.matches()) {
                steps.add(m);
            }
        }
        if (steps.isEmpty()) {
            return null;
        }
        Matcher end = steps.get(0);
        String start = "";
        for (Matcher m : steps) {
            if (CLOCK_TREE.matcher(m.group(3)).matches()) {
                break;
            }
            start = m.group(2) + " (" + m.group(3) + "." + m.group(4) + ")";
        }
        long setup = cellLibrary == null ? 0 : setupPs(cellLibrary, end.group(3), end.group(4));
        return new XilinxTimingEstimate(arrival, setup, end.group(2) + " (" + end.group(3) + "." + end.group(4) + ")", start);
    }

    private static final Pattern SETUP = Pattern.compile(
            "\\$setup\\s*\\(\\s*(\\w+)\\s*(?:\\[\\d+\\])?\\s*,[^;]*,\\s*(?:/\\*[^*]*\\*/\\s*)?(-?\\d+)\\s*\\)");

    /**
     * The largest {@code $setup} time the library gives {@code pin} of {@code cellType} (0 when none,
     * and never negative: yosys's library writes the negative data setups of the flip-flops as 0).
     */
    static long setupPs(String cellLibrary, String cellType, String pin) {
        Matcher module = Pattern.compile("(?m)^module " + Pattern.quote(cellType) + "\\b").matcher(cellLibrary);
        if (!module.find()) {
            return 0;
        }
        int stop = cellLibrary.indexOf("\nendmodule", module.end());
        String body = cellLibrary.substring(module.end(), stop < 0 ? cellLibrary.length() : stop);
        String base = pin.replaceAll("\\[\\d+\\]$", "");
        long best = 0;
        Matcher m = SETUP.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(base)) {
                best = Math.max(best, Long.parseLong(m.group(2)));
            }
        }
        return best;
    }

    /**
     * yosys's xc7 cell library, found beside the {@code yosys} on the path ({@code ../share/yosys}),
     * or null when it is not there (then no setup time is added, and the estimate is the arrival).
     */
    static String cellLibrary() {
        Path yosys = RtlSimulator.onPath("yosys");
        if (yosys == null) {
            return null;
        }
        try {
            Path lib = yosys.toRealPath().getParent().resolveSibling("share").resolve("yosys/xilinx/cells_sim.v");
            return Files.isReadable(lib) ? Files.readString(lib) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One line for reports: the estimate, the bound, and the path it comes from. */
    String describe() {
        return String.format(Locale.ROOT, "logic %d ps (arrival %d ps + setup %d ps) from %s to %s; logic-only bound %.1f MHz",
                logicPs(), arrivalPs, setupPs, startpoint, endpoint, logicBoundMhz());
    }
}

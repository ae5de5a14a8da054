package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.runtime.integer.RandomNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Injected faults the comparisons must catch (issue 28): each fault rewrites one rule, in the
 * generated Verilog text (before Icarus simulates it; compared with the emulator) or in the emulator
 * (through its test-only {@link FpgaEmulator.Fault}; compared with the integer model). For each
 * fault, random designs from fixed seeds are tried in order; a design the fault does not touch
 * (the rewrite finds nothing to change: no nearest leak, no partial block) is passed over, and the
 * fault must be caught within {@link #LIMIT} designs it touches. The number needed is printed.
 */
class FpgaFaultTest {

    /** Designs a fault touches within which the comparison must catch it. */
    static final int LIMIT = 12;

    /** A rewrite of one rule in the layer modules' Verilog, and the designs it needs. */
    enum RtlFault {
        /** fire on h > theta instead of h >= theta (every compare of the fire line) */
        STRICT_THRESHOLD(FpgaCases.Rounding.FLOOR, 4, v -> lines(v, "wire fire =", l -> l.replace(" >= ", " > "))),
        /**
         * the membrane's lower saturation bound one more: min + 1 where the sum is clamped (the upper
         * bound one less would be an equivalent fault: a sum clamped there is at least theta and fires,
         * and the fire and reset use the bound's own constant)
         */
        SATURATION_BOUND_OFF_BY_ONE(FpgaCases.Rounding.FLOOR, 4, v -> lines(v, " h = sat_hi ? ", FpgaFaultTest::lowerBoundMore)),
        /** every leak's right shift one place further (membrane and synaptic, shift and multiplier) */
        LEAK_SHIFT_OFF_BY_ONE(FpgaCases.Rounding.FLOOR, 4, v -> lines(v, ">>> ", FpgaFaultTest::shiftOneMore)),
        /** leak_rounding = nearest without its half LSB: the floor shift */
        NEAREST_AS_FLOOR(FpgaCases.Rounding.NEAREST, 4, v -> lines(v, "wire signed", FpgaFaultTest::noHalfLsb)),
        /** the toward-zero shift without the 2^s - 1 added to a negative value: the floor shift */
        TOWARD_ZERO_AS_FLOOR(FpgaCases.Rounding.TOWARD_ZERO, 4, v -> lines(v, "] ? $signed(", FpgaFaultTest::noTowardZero)),
        /** reset to zero where the layer subtracts the threshold, and the other way round */
        RESET_SWAPPED(FpgaCases.Rounding.FLOOR, 4, FpgaFaultTest::swapReset),
        /**
         * the last block's lane mask without its top lane: the layer's last neuron never spikes (a
         * mask with one lane more lets a lane with no memory contents through: its X values hang the
         * walk, and the simulation never ends)
         */
        LANE_MASK_BIT_WRONG(FpgaCases.Rounding.FLOOR, 8, v -> lines(v, "wire [", FpgaFaultTest::maskTopLaneOff));

        final FpgaCases.Rounding rounding;
        final int lanes;
        final UnaryOperator<String> rewrite;

        RtlFault(FpgaCases.Rounding rounding, int lanes, UnaryOperator<String> rewrite) {
            this.rounding = rounding;
            this.lanes = lanes;
            this.rewrite = rewrite;
        }
    }

    @ParameterizedTest
    @EnumSource(RtlFault.class)
    void theRtlComparisonCatchesAnInjectedFault(RtlFault fault) throws Exception {
        int touched = 0;
        for (long seed = 1; seed <= 400 && touched < LIMIT; seed++) {
            FpgaCases.Planned p = FpgaCases.plan(seed, 4, RandomNetworks.InputKind.values()[(int) (seed % 3)], fault.lanes,
                    fault.rounding, RandomNetworks.Limits.DEFAULT);
            if (p == null) {
                continue;
            }
            Path dir = Files.createTempDirectory("spikeforge-fault");
            try {
                Path good = dir.resolve("good");
                Path bad = dir.resolve("bad");
                FpgaFolder.write(p.d(), good, VerilogGenerator.Fault.NONE);
                FpgaFolder.write(p.d(), bad, VerilogGenerator.Fault.NONE);
                if (!rewrite(bad, p.d(), fault.rewrite)) {
                    continue; // the design has nothing this fault changes
                }
                touched++;
                int[][] inputs = FpgaRtlPropertyTest.inputs(p, 3, seed);
                List<FpgaEmulator.Sample> want = FpgaRtlPropertyTest.emulate(p.d(), inputs);
                String diff = RtlSimulator.firstDifference(p.d(), want,
                        RtlSimulator.run(bad, p.d(), inputs, RtlSimulator.Tool.ICARUS, null).samples(), "emulator", "faulty rtl");
                if (diff == null) {
                    continue;
                }
                // the design itself is right: the difference is the fault's
                String ok = RtlSimulator.firstDifference(p.d(), want,
                        RtlSimulator.run(good, p.d(), inputs, RtlSimulator.Tool.ICARUS, null).samples(), "emulator", "rtl");
                assertNull(ok, () -> ok + "\n" + p.c().describe(p.q()));
                System.out.printf(Locale.ROOT, "rtl fault %s caught on the %s design it touched (seed %d): %s%n", fault,
                        ordinal(touched), seed, diff);
                return;
            } finally {
                AtomicFiles.deleteTree(dir);
            }
        }
        throw new AssertionError("rtl fault " + fault + " not caught in " + touched + " designs it changed");
    }

    @ParameterizedTest
    @EnumSource(value = FpgaEmulator.Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void theIntegerModelComparisonCatchesAnInjectedEmulatorFault(FpgaEmulator.Fault fault) {
        int tried = 0;
        for (long seed = 1; seed <= 400 && tried < LIMIT; seed++) {
            FpgaCases.Planned p = FpgaCases.plan(seed, 4, RandomNetworks.InputKind.values()[(int) (seed % 3)], 4,
                    FpgaCases.Rounding.values()[(int) (seed % 3)], RandomNetworks.Limits.DEFAULT);
            if (p == null) {
                continue;
            }
            tried++;
            String ok = FpgaCases.compareWithReference(p, new FpgaEmulator(p.d()).run(p.c().input, true));
            assertNull(ok, () -> ok + "\n" + p.c().describe(p.q()));
            String diff = FpgaCases.compareWithReference(p, new FpgaEmulator(p.d(), fault).run(p.c().input, true));
            if (diff != null) {
                System.out.printf(Locale.ROOT, "emulator fault %s caught on the %s design (seed %d): %s%n", fault,
                        ordinal(tried), seed, diff);
                return;
            }
        }
        throw new AssertionError("emulator fault " + fault + " not caught in " + tried + " designs");
    }

    /** Each rewrite changes the line it is meant for in a golden module and nothing else. */
    @ParameterizedTest
    @EnumSource(RtlFault.class)
    void eachRewriteChangesOnlyItsRule(RtlFault fault) throws Exception {
        String[] modules = {"examples/golden/fpga/quick/rtl/quick_l1.v", "examples/golden/fpga/quick/rtl/quick_l3.v",
                "examples/golden/fpga/mlp/rtl/mlp_l0.v", "examples/golden/fpga/mlp/rtl/mlp_l1.v",
                "examples/golden/fpga/temporal/rtl/temporal_l0.v", "examples/golden/fpga/temporal/rtl/temporal_l1.v"};
        Path root = Golden.projectRoot();
        int changed = 0;
        for (String m : modules) {
            String v = Files.readString(root.resolve(m));
            String w = fault.rewrite.apply(v);
            String[] a = v.split("\n", -1);
            String[] b = w.split("\n", -1);
            assertTrue(a.length == b.length, fault + " changed the line count of " + m);
            for (int i = 0; i < a.length; i++) {
                if (!a[i].equals(b[i])) {
                    changed++;
                }
            }
        }
        // the goldens have no nearest or toward-zero leak: those rewrites must find nothing there
        if (fault == RtlFault.NEAREST_AS_FLOOR || fault == RtlFault.TOWARD_ZERO_AS_FLOOR) {
            assertTrue(changed == 0, fault + " changed " + changed + " lines of floor designs");
        } else {
            assertNotEquals(0, changed, fault + " changed no line of the golden modules");
        }
    }

    /** Rewrites every layer module of the folder; whether anything changed. */
    private static boolean rewrite(Path folder, FpgaDesign d, UnaryOperator<String> rewrite) throws Exception {
        boolean changed = false;
        for (FpgaLayer l : d.layers()) {
            Path file = folder.resolve("rtl").resolve(VerilogGenerator.moduleName(d, l) + ".v");
            assertTrue(Files.exists(file), file::toString);
            String v = Files.readString(file);
            String w = rewrite.apply(v);
            if (!w.equals(v)) {
                AtomicFiles.writeString(file, w);
                changed = true;
            }
        }
        return changed;
    }

    private static String lines(String v, String marker, UnaryOperator<String> line) {
        StringBuilder b = new StringBuilder();
        String[] all = v.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            b.append(all[i].contains(marker) ? line.apply(all[i]) : all[i]);
            if (i + 1 < all.length) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static final Pattern CONST = Pattern.compile("\\$signed\\((\\d+)'h([0-9a-f]+)\\)");

    /** The second $signed(W'hK) of the line (the clamp's lower bound) as K + 1. */
    private static String lowerBoundMore(String line) {
        Matcher m = CONST.matcher(line);
        if (!m.find() || !m.find()) {
            return line;
        }
        int width = Integer.parseInt(m.group(1));
        long k = Long.parseUnsignedLong(m.group(2), 16) + 1;
        long mask = width >= 64 ? -1L : (1L << width) - 1;
        return line.substring(0, m.start()) + "$signed(" + width + "'h" + Long.toHexString(k & mask) + ")"
                + line.substring(m.end());
    }

    private static final Pattern SHIFT = Pattern.compile(">>> (\\d+)");

    /** A leak's {@code >>> s} as {@code >>> s + 1}; a wrap's {@code (x <<< a) >>> a} is left alone. */
    private static String shiftOneMore(String line) {
        if (line.contains("<<<")) {
            return line;
        }
        Matcher m = SHIFT.matcher(line);
        return m.find() ? line.substring(0, m.start()) + ">>> " + (Integer.parseInt(m.group(1)) + 1) + line.substring(m.end())
                : line;
    }

    private static final Pattern HALF = Pattern.compile("^(\\s*wire signed \\[\\d+:0\\] \\S+ = .+ \\+ )\\$signed\\((\\d+)'h[0-9a-f]+\\);$");

    /** The nearest leak's {@code x + 2^(s-1)} (a constant added at the end of the line) as {@code x + 0}. */
    private static String noHalfLsb(String line) {
        Matcher m = HALF.matcher(line);
        return m.matches() ? m.group(1) + "$signed(" + m.group(2) + "'h0);" : line;
    }

    private static final Pattern TOWARD = Pattern.compile("\\] \\? \\$signed\\((\\d+)'h[0-9a-f]+\\) : ");

    /** The toward-zero shift's {@code x + (x[msb] ? 2^s - 1 : 0)} as {@code x + 0}. */
    private static String noTowardZero(String line) {
        Matcher m = TOWARD.matcher(line);
        return m.find() ? line.substring(0, m.start()) + "] ? $signed(" + m.group(1) + "'h0) : " + line.substring(m.end()) : line;
    }

    private static final Pattern MASK = Pattern.compile("^(\\s*wire \\[(\\d+):0\\] n3_mask = .* \\? )(\\d+)'d(\\d+)( : .*)$");

    /** The last block's mask {@code P'dA} without its top lane. */
    private static String maskTopLaneOff(String line) {
        Matcher m = MASK.matcher(line);
        if (!m.matches()) {
            return line;
        }
        long a = Long.parseUnsignedLong(m.group(4));
        return m.group(1) + m.group(3) + "'d" + Long.toUnsignedString(a & ~Long.highestOneBit(a)) + m.group(5);
    }

    private static final Pattern RESET = Pattern.compile("^(\\s*wire signed \\[(\\d+):0\\] v = fire \\? )(.*)( : h;)$");

    /**
     * The reset swapped: {@code v = fire ? 0 : h} becomes {@code v = fire ? h - theta : h} (theta as
     * the fire line compares with it) and a subtracting reset becomes {@code fire ? 0 : h}.
     */
    private static String swapReset(String v) {
        String[] all = v.split("\n", -1);
        String theta = null;
        for (int i = 0; i < all.length; i++) {
            if (all[i].contains("wire fire = ")) {
                String t = all[i].substring(all[i].lastIndexOf(">= ") + 3).replaceAll(";\\s*$", "");
                while (t.chars().filter(c -> c == ')').count() > t.chars().filter(c -> c == '(').count()) {
                    t = t.substring(0, t.length() - 1);
                }
                theta = t;
            }
            Matcher m = RESET.matcher(all[i]);
            if (m.matches() && theta != null) {
                String zero = "$signed(" + (Integer.parseInt(m.group(2)) + 1) + "'h0)";
                all[i] = m.group(1) + (m.group(3).equals(zero) ? "h - " + theta : zero) + m.group(4);
            }
        }
        return String.join("\n", all);
    }

    private static String ordinal(int n) {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }
}

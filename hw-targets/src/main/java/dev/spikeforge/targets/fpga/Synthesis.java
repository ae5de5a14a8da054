package dev.spikeforge.targets.fpga;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs yosys on an fpga folder ({@code synth_xilinx} for xc7, {@code synth_ice40} for ice40, the
 * generic {@code synth} otherwise) through a wrapper that leaves the trace ports unconnected, and
 * reads its {@code stat} output: cells per layer engine (hierarchy kept) and, after flattening and
 * removing logic that drives nothing (the trace buses), the total that would go on the device.
 * For iCE40 designs that fit, nextpnr-ice40 places and routes them and gives Fmax (measured). For
 * xc7 designs, where no open place and route exists, yosys {@code sta} gives the longest
 * register-to-register logic delay and {@link XilinxTimingEstimate} turns it into an estimated
 * Fmax, labelled as an estimate everywhere it is shown.
 */
public final class Synthesis {

    /** Resources of one module, or of the whole design. */
    public record Resources(String name, long luts, long flipFlops, long brams, long dsps, long carries, long lutRam,
                            long cells) {
    }

    /**
     * @param perModule    one row per layer engine and one for the top (control and the trace multiplexers)
     * @param total        the flattened design without the trace logic
     * @param device       the part checked against (null for generic)
     * @param fits         whether every total is within the device (false for generic)
     * @param overLimits   the resources over the device's limits, as sentences
     * @param fmaxMhz      from nextpnr-ice40 (measured) or the xc7 estimate, or NaN when neither ran
     * @param fmaxBasis    how {@code fmaxMhz} was had, as a phrase (empty when NaN)
     * @param estimate     the xc7 timing estimate, or null
     * @param nextpnrNote  why nextpnr (or the xc7 estimate) did not run or did not finish, or null
     * @param retryNote    why yosys ran a second time, or null
     */
    public record Report(String family, List<Resources> perModule, Resources total, FpgaDevices.Device device, boolean fits,
                         List<String> overLimits, double fmaxMhz, String fmaxBasis, XilinxTimingEstimate estimate,
                         String nextpnrNote, String retryNote, double seconds, Path log) {
    }

    private Synthesis() {
    }

    public static Report run(Path folder, FpgaDesign d, String deviceOverride, boolean placeAndRoute)
            throws RtlSimulator.RtlSimException, IOException {
        if (!RtlSimulator.available("yosys")) {
            throw new RtlSimulator.RtlSimException("yosys is not installed; install it with: apt-get install -y yosys");
        }
        String family = d.options().family();
        String deviceName = deviceOverride != null ? deviceOverride : d.options().effectiveDevice();
        FpgaDevices.Device device = deviceName.isEmpty() ? null : FpgaDevices.get(deviceName);
        if (device != null) {
            family = device.family();
        }
        folder = folder.toAbsolutePath();
        Path work = folder.resolve("synth-" + family);
        Files.createDirectories(work);
        String wrapper = d.top() + "_synth";
        Files.writeString(work.resolve(wrapper + ".v"), wrapper(d, wrapper));
        List<String> rtl = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder.resolve("rtl"))) {
            s.filter(p -> p.toString().endsWith(".v")).map(p -> p.toAbsolutePath().toString()).sorted().forEach(rtl::add);
        }
        rtl.add(work.resolve(wrapper + ".v").toAbsolutePath().toString());
        StringBuilder script = new StringBuilder();
        script.append("read_verilog ").append(String.join(" ", rtl)).append('\n');
        String json = work.resolve("netlist.json").toAbsolutePath().toString();
        switch (family) {
            case "xc7" -> script.append("synth_xilinx -family xc7 -top ").append(wrapper).append('\n');
            case "ice40" -> script.append("synth_ice40 -noflatten -top ").append(wrapper).append('\n');
            default -> script.append("synth -top ").append(wrapper).append('\n');
        }
        script.append("tee -o ").append(work.resolve("hierarchy.txt").toAbsolutePath()).append(" stat\n");
        script.append("flatten\nopt_clean -purge\n");
        script.append("tee -o ").append(work.resolve("total.txt").toAbsolutePath()).append(" stat\n");
        if (family.equals("ice40")) {
            script.append("write_json ").append(json).append('\n');
        }
        Path sta = work.resolve("sta.txt").toAbsolutePath();
        if (family.equals("xc7")) {
            // synth_xilinx leaves CARRY4, MUXF7, MUXF8 and the LUT RAMs without timing arcs for sta;
            // the cell library read again with its specify blocks gives them their prjxray delays
            script.append("read_verilog -lib -specify -overwrite +/xilinx/cells_sim.v\n");
            script.append("tee -o ").append(sta).append(" sta\n");
        }
        Files.writeString(work.resolve("synth.ys"), script.toString());
        long t0 = System.nanoTime();
        Path log = work.resolve("yosys.log");
        // $readmemh paths are relative to the folder
        List<String> yosys = List.of("yosys", "-q", "-l", log.toAbsolutePath().toString(), "-s",
                work.resolve("synth.ys").toAbsolutePath().toString());
        String retried = null;
        try {
            exec(yosys, folder, "synthesis with yosys", log, 4 * 3600);
        } catch (RtlSimulator.RtlSimException e) {
            // Debian's berkeley-abc (yosys 0.23) now and then aborts on a design it maps the next time
            // (seen once in about a dozen runs of the same design); one more run, said in the report
            if (!e.getMessage().contains("ABC: execution of command") || !e.getMessage().contains("return code 134")) {
                throw e;
            }
            retried = "yosys's ABC aborted (return code 134) in a first run; synthesis ran a second time";
            exec(yosys, folder, "synthesis with yosys", log, 4 * 3600);
        }
        List<Resources> modules = parseStat(Files.readString(work.resolve("hierarchy.txt")), family);
        List<Resources> flat = parseStat(Files.readString(work.resolve("total.txt")), family);
        Resources total = flat.isEmpty() ? new Resources("total", 0, 0, 0, 0, 0, 0, 0) : flat.get(flat.size() - 1);
        total = new Resources("total", total.luts(), total.flipFlops(), total.brams(), total.dsps(), total.carries(),
                total.lutRam(), total.cells());
        List<Resources> rows = new ArrayList<>();
        for (Resources r : modules) {
            if (!r.name().equals(wrapper)) {
                rows.add(r);
            }
        }
        List<String> over = new ArrayList<>();
        boolean fits = device != null;
        if (device != null) {
            fits &= within(over, "LUTs", total.luts() + total.lutRam(), device.luts());
            fits &= within(over, "flip-flops", total.flipFlops(), device.flipFlops());
            fits &= within(over, "block RAMs", total.brams(), device.brams());
            fits &= within(over, "DSPs", total.dsps(), device.dsps());
        }
        double fmax = Double.NaN;
        String basis = "";
        String note = null;
        XilinxTimingEstimate estimate = null;
        if (family.equals("xc7")) {
            estimate = XilinxTimingEstimate.parse(Files.readString(sta), XilinxTimingEstimate.cellLibrary());
            if (estimate == null) {
                note = "no timing estimate: yosys sta reported no register-to-register path (" + sta + ")";
            } else if (device != null && fits) {
                fmax = estimate.fmaxMhz();
                basis = String.format(Locale.ROOT, XilinxTimingEstimate.BASIS, device.name());
                FpgaTiming.write(folder, family, device.name(), fmax, FpgaTiming.Method.ESTIMATE);
            } else {
                note = "no timing estimate: the design does not fit " + (device == null ? "a named device" : device.name());
            }
        }
        if (family.equals("ice40")) {
            if (!placeAndRoute) {
                note = "not run (--no-pnr)";
            } else if (!fits) {
                note = "not run: the design does not fit " + (device == null ? "a named device" : device.name());
            } else if (!RtlSimulator.available("nextpnr-ice40")) {
                note = "not run: nextpnr-ice40 is not installed (apt-get install -y nextpnr-ice40)";
            } else {
                Path pnrLog = work.resolve("nextpnr.log");
                List<String> cmd = new ArrayList<>(List.of("nextpnr-ice40"));
                cmd.addAll(List.of(device.nextpnr().split(" ")));
                cmd.addAll(List.of("--json", json, "--pcf-allow-unconstrained", "--freq", "12", "--log",
                        pnrLog.toAbsolutePath().toString(), "--seed", "1"));
                try {
                    exec(cmd, work, "place and route with nextpnr-ice40", pnrLog, 4 * 3600);
                    fmax = fmax(Files.readString(pnrLog));
                } catch (RtlSimulator.RtlSimException e) {
                    note = "failed: " + e.getMessage().lines().findFirst().orElse("");
                }
                if (!Double.isNaN(fmax)) {
                    basis = String.format(Locale.ROOT, FpgaTiming.Method.NEXTPNR.basis, device.name());
                    // the latency the emulator's figures state uses it from now on
                    FpgaTiming.write(folder, family, device.name(), fmax, FpgaTiming.Method.NEXTPNR);
                }
            }
        }
        return new Report(family, rows, total, device, fits, over, fmax, basis, estimate, note, retried,
                (System.nanoTime() - t0) / 1e9, log);
    }

    private static boolean within(List<String> over, String what, long used, long limit) {
        if (used > limit) {
            over.add(String.format(Locale.ROOT, "%s: %,d of %,d (%.0f%% over)", what, used, limit, 100.0 * (used - limit) / limit));
            return false;
        }
        return true;
    }

    /** The top without its trace ports: what goes on a device. */
    static String wrapper(FpgaDesign d, String name) {
        TopGenerator t = new TopGenerator(d);
        FpgaLayer last = d.last();
        return "// Synthesis wrapper written by spikeforge synth: the accelerator without its trace ports.\n"
                + "module " + name + " (\n"
                + "    input  wire clk, rst, clear, in_we, step, step_in, step_last,\n"
                + "    input  wire [" + (t.inputEventBits() - 1) + ":0] in_event,\n"
                + "    input  wire [" + (t.readoutAddrBits() - 1) + ":0] ro_addr,\n"
                + "    output wire busy, step_done, in_err,\n"
                + "    output wire [" + (last.readoutBits() - 1) + ":0] ro_data\n"
                + ");\n"
                + "    " + d.top() + " core (.clk(clk), .rst(rst), .clear(clear), .busy(busy), .in_we(in_we), .in_event(in_event),\n"
                + "        .step(step), .step_in(step_in), .step_last(step_last), .step_done(step_done), .in_err(in_err),\n"
                + "        .ro_addr(ro_addr), .ro_data(ro_data), .sp_valid(), .sp_neuron(), .tr_valid(), .tr_neuron(), .tr_mask(), .tr_v());\n"
                + "endmodule\n";
    }

    private static final Pattern MODULE = Pattern.compile("^=== (.+) ===$");
    private static final Pattern CELL = Pattern.compile("^\\s+(\\S+)\\s+(\\d+)$");
    private static final Pattern CELLS = Pattern.compile("^\\s+Number of cells:\\s+(\\d+)$");

    /** Cells per module from yosys' stat output. */
    static List<Resources> parseStat(String text, String family) {
        List<Resources> out = new ArrayList<>();
        String module = null;
        Map<String, Long> cells = new LinkedHashMap<>();
        long total = 0;
        for (String line : text.split("\n")) {
            Matcher m = MODULE.matcher(line.trim());
            if (m.matches()) {
                if (module != null) {
                    out.add(resources(module, cells, total, family));
                }
                module = m.group(1).replace("\\", "");
                cells = new LinkedHashMap<>();
                total = 0;
                continue;
            }
            Matcher c = CELLS.matcher(line);
            if (c.matches()) {
                total = Long.parseLong(c.group(1));
                continue;
            }
            Matcher cell = CELL.matcher(line);
            if (module != null && cell.matches()) {
                cells.merge(cell.group(1), Long.parseLong(cell.group(2)), Long::sum);
            }
        }
        if (module != null && !module.equals("design hierarchy")) {
            out.add(resources(module, cells, total, family));
        }
        out.removeIf(r -> r.name().equals("design hierarchy"));
        return out;
    }

    private static Resources resources(String name, Map<String, Long> cells, long total, String family) {
        long luts = 0;
        long ffs = 0;
        long brams2 = 0; // in halves (RAMB18) for xc7
        long dsps = 0;
        long carries = 0;
        long lutram = 0;
        for (Map.Entry<String, Long> e : cells.entrySet()) {
            String c = e.getKey();
            long n = e.getValue();
            switch (family) {
                case "xc7" -> {
                    if (c.matches("LUT[1-6]")) {
                        luts += n;
                    } else if (c.matches("FD[RSCP]E")) {
                        ffs += n;
                    } else if (c.equals("RAMB36E1")) {
                        brams2 += 2 * n;
                    } else if (c.equals("RAMB18E1")) {
                        brams2 += n;
                    } else if (c.startsWith("DSP48")) {
                        dsps += n;
                    } else if (c.equals("CARRY4")) {
                        carries += n;
                    } else if (c.matches("RAM(32|64|128|256)[XM].*")) {
                        lutram += n;
                    }
                }
                case "ice40" -> {
                    if (c.equals("SB_LUT4")) {
                        luts += n;
                    } else if (c.startsWith("SB_DFF")) {
                        ffs += n;
                    } else if (c.startsWith("SB_RAM40")) {
                        brams2 += 2 * n;
                    } else if (c.equals("SB_MAC16")) {
                        dsps += n;
                    } else if (c.equals("SB_CARRY")) {
                        carries += n;
                    }
                }
                default -> {
                    if (c.contains("DFF")) {
                        ffs += n;
                    } else if (c.startsWith("$mem")) {
                        brams2 += 2 * n;
                    } else if (c.startsWith("$_")) {
                        luts += n;
                    }
                }
            }
        }
        return new Resources(name, luts, ffs, (brams2 + 1) / 2, dsps, carries, lutram, total);
    }

    static double fmax(String nextpnrLog) {
        double best = Double.NaN;
        Matcher m = Pattern.compile("Max frequency for clock '[^']*': ([0-9.]+) MHz").matcher(nextpnrLog);
        while (m.find()) {
            best = Double.parseDouble(m.group(1)); // the last report is after routing
        }
        return best;
    }

    private static void exec(List<String> cmd, Path dir, String what, Path log, long timeoutSeconds)
            throws RtlSimulator.RtlSimException, IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(".last-command.txt").toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RtlSimulator.RtlSimException(what + " took longer than " + timeoutSeconds + " s and was stopped");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RtlSimulator.RtlSimException(what + " was interrupted");
        }
        if (p.exitValue() != 0) {
            String out = Files.readString(dir.resolve(".last-command.txt"), StandardCharsets.UTF_8);
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            throw new RtlSimulator.RtlSimException(what + " failed (exit code " + p.exitValue() + "); the log is " + log + "\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
    }
}

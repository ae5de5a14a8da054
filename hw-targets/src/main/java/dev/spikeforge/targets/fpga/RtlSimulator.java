package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds and runs the generated design in an RTL simulator on given input spikes: Verilator
 * (the C++ main of {@code tb/main.cpp}, compiled once per folder and kept) or Icarus Verilog
 * (the 4-state test bench {@code tb/tb.v}). Works in {@code sim-<tool>/} inside the folder and
 * parses its {@code trace.txt} into the same {@link FpgaEmulator.Sample}s the emulator gives.
 */
public final class RtlSimulator {

    public enum Tool {
        VERILATOR("verilator", "verilator"), ICARUS("iverilog", "iverilog");

        final String command;
        final String debianPackage;

        Tool(String command, String debianPackage) {
            this.command = command;
            this.debianPackage = debianPackage;
        }

        public static Tool parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "verilator" -> VERILATOR;
                case "iverilog", "icarus" -> ICARUS;
                default -> throw new IllegalArgumentException("unknown simulator '" + s + "': use verilator or iverilog");
            };
        }
    }

    /** The simulator could not be built or run: what happened, and the fix. */
    public static final class RtlSimException extends Exception {
        private static final long serialVersionUID = 1L;

        public RtlSimException(String message) {
            super(message);
        }
    }

    /**
     * @param samples      one per input, in order
     * @param buildSeconds time spent building (0 when a previous build was reused)
     * @param runSeconds   time spent simulating
     */
    public record Result(List<FpgaEmulator.Sample> samples, double buildSeconds, double runSeconds) {
        public long cycles() {
            return samples.stream().mapToLong(FpgaEmulator.Sample::cycles).sum();
        }
    }

    private RtlSimulator() {
    }

    /** Whether the tool's command is on the PATH. */
    public static boolean available(Tool tool) {
        return available(tool.command);
    }

    /** Whether {@code command} is an executable on the PATH. */
    public static boolean available(String command) {
        return onPath(command) != null;
    }

    /** The first executable {@code command} on the PATH, or null. */
    static Path onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Runs the design of {@code folder} (already read into {@code d}) on {@code inputs}.
     *
     * @param vcd a file to write waveforms to, or null
     */
    public static Result run(Path folder, FpgaDesign d, int[][] inputs, Tool tool, Path vcd) throws RtlSimException, IOException {
        return run(folder, d, inputs, tool, vcd, true);
    }

    /**
     * As {@link #run(Path, FpgaDesign, int[][], Tool, Path)}; without {@code trace} (Verilator only) the
     * simulation writes only cycles and readouts, for speed measurements: its samples then have no
     * spikes and no membranes.
     */
    public static Result run(Path folder, FpgaDesign d, int[][] inputs, Tool tool, Path vcd, boolean trace)
            throws RtlSimException, IOException {
        if (!available(tool)) {
            throw new RtlSimException(tool.command + " is not installed; install it with: apt-get install -y " + tool.debianPackage);
        }
        folder = folder.toAbsolutePath();
        Path work = folder.resolve("sim-" + tool.name().toLowerCase(Locale.ROOT));
        Files.createDirectories(work);
        copyTree(folder.resolve("mem"), work.resolve("mem"));
        writeStimulus(d, inputs, work.resolve("stim.txt"));
        long t0 = System.nanoTime();
        List<String> rtl;
        try (Stream<Path> s = Files.list(folder.resolve("rtl"))) {
            rtl = s.filter(p -> p.toString().endsWith(".v")).map(p -> p.toAbsolutePath().toString()).sorted().toList();
        }
        double build;
        List<String> runCmd = new ArrayList<>();
        if (tool == Tool.VERILATOR) {
            boolean waves = vcd != null;
            Path binary = work.resolve("obj" + (waves ? "-trace" : "")).resolve("sim");
            Path stamp = work.resolve("obj" + (waves ? "-trace" : "")).resolve("sources.sha256");
            String sources = sourcesDigest(folder, rtl);
            if (!Files.isExecutable(binary) || !Files.exists(stamp) || !Files.readString(stamp).equals(sources)) {
                List<String> cmd = new ArrayList<>(List.of("verilator", "--cc", "--exe", "--build", "-j",
                        String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors())), "-Wno-fatal",
                        "--top-module", d.top(), "-Mdir", work.resolve("obj" + (waves ? "-trace" : "")).toString(),
                        "-o", "sim", "-CFLAGS", "-O2"));
                if (waves) {
                    cmd.add("--trace");
                }
                cmd.addAll(rtl);
                cmd.add(folder.resolve("tb/main.cpp").toAbsolutePath().toString());
                exec(cmd, work, "building the design with Verilator", 3600);
                Files.writeString(stamp, sources);
            }
            build = (System.nanoTime() - t0) / 1e9;
            runCmd.add(binary.toAbsolutePath().toString());
            if (vcd != null) {
                runCmd.add("+vcd=" + vcd.toAbsolutePath());
            }
            if (!trace) {
                runCmd.add("+notrace");
            }
        } else {
            // -s tb: the AXI4-Stream wrapper in rtl/ is another root module, which the bench does not use
            List<String> cmd = new ArrayList<>(List.of("iverilog", "-g2005", "-s", "tb", "-o", "sim.vvp",
                    folder.resolve("tb/tb.v").toAbsolutePath().toString()));
            cmd.addAll(rtl);
            exec(cmd, work, "compiling the design with Icarus Verilog", 600);
            build = (System.nanoTime() - t0) / 1e9;
            runCmd.addAll(List.of("vvp", "-n", "sim.vvp"));
            if (vcd != null) {
                runCmd.add("+vcd=" + vcd.toAbsolutePath());
            }
        }
        long t1 = System.nanoTime();
        String out;
        try {
            out = exec(runCmd, work, "simulating with " + tool.command, 24 * 3600);
        } catch (RtlSimException e) {
            // the Verilator main exits with 2 after a FATAL line (the watchdog, in_err): that line is the error
            throw fatal(work, e);
        }
        double run = (System.nanoTime() - t1) / 1e9;
        if (out.contains("FATAL")) {
            throw new RtlSimException("the test bench stopped: " + out.lines().filter(l -> l.contains("FATAL"))
                    .findFirst().orElse(out));
        }
        List<FpgaEmulator.Sample> samples = parseTrace(work.resolve("trace.txt"), d, inputs.length);
        return new Result(samples, build, run);
    }

    /**
     * What the AXI4-Stream bench received: per sample the class beat and the readout beats, and
     * the clock cycles from reset to the last packet.
     */
    public record AxisResult(int[] classes, long[][] readouts, long cycles, double buildSeconds, double runSeconds) {
    }

    /**
     * Runs the AXI4-Stream wrapper of {@code folder} under Verilator with its bench
     * ({@code tb/axis_main.cpp}) on {@code inputs}: a source with random gaps and a sink with random
     * stalls, {@code gapPercent} and {@code stallPercent} of the cycles, from {@code seed}. The
     * bench's AXI checks stop it with a FATAL line, which becomes the exception's message.
     */
    public static AxisResult runAxis(Path folder, FpgaDesign d, int[][] inputs, long seed, int gapPercent, int stallPercent)
            throws RtlSimException, IOException {
        if (!available(Tool.VERILATOR)) {
            throw new RtlSimException("verilator is not installed; install it with: apt-get install -y verilator");
        }
        folder = folder.toAbsolutePath();
        Path work = folder.resolve("sim-axis");
        Files.createDirectories(work);
        copyTree(folder.resolve("mem"), work.resolve("mem"));
        writeStimulus(d, inputs, work.resolve("stim.txt"));
        List<String> rtl;
        try (Stream<Path> s = Files.list(folder.resolve("rtl"))) {
            rtl = s.filter(p -> p.toString().endsWith(".v")).map(p -> p.toAbsolutePath().toString()).sorted().toList();
        }
        long t0 = System.nanoTime();
        Path obj = work.resolve("obj");
        Path binary = obj.resolve("sim");
        Path stamp = obj.resolve("sources.sha256");
        String sources = sourcesDigest(folder, rtl) + "axis_main.cpp "
                + FpgaFolder.sha256(Files.readAllBytes(folder.resolve("tb/axis_main.cpp"))) + "\n";
        if (!Files.isExecutable(binary) || !Files.exists(stamp) || !Files.readString(stamp).equals(sources)) {
            List<String> cmd = new ArrayList<>(List.of("verilator", "--cc", "--exe", "--build", "-j",
                    String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors())), "-Wno-fatal",
                    "--top-module", AxisGenerator.moduleName(d), "-Mdir", obj.toString(), "-o", "sim", "-CFLAGS", "-O0"));
            cmd.addAll(rtl);
            cmd.add(folder.resolve("tb/axis_main.cpp").toAbsolutePath().toString());
            exec(cmd, work, "building the AXI4-Stream wrapper with Verilator", 3600);
            Files.writeString(stamp, sources);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        String out;
        try {
            out = exec(List.of(binary.toString(), "+seed=" + seed, "+gap=" + gapPercent, "+stall=" + stallPercent), work,
                    "simulating the AXI4-Stream wrapper", 24 * 3600);
        } catch (RtlSimException e) {
            throw fatal(work, e);
        }
        double run = (System.nanoTime() - t1) / 1e9;
        if (out.contains("FATAL")) {
            throw new RtlSimException(out.lines().filter(l -> l.contains("FATAL")).findFirst().orElse(out));
        }
        int n = d.last().outC();
        int[] classes = new int[inputs.length];
        long[][] readouts = new long[inputs.length][n];
        long cycles = -1;
        boolean ended = false;
        int packets = 0;
        Path file = work.resolve("axis.txt");
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            lineNo++;
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "class" -> {
                        classes[Integer.parseInt(f[1])] = Integer.parseInt(f[2]);
                        packets++;
                    }
                    case "readout" -> readouts[Integer.parseInt(f[1])][Integer.parseInt(f[2])] = Long.parseLong(f[3]);
                    case "cycles" -> cycles = Long.parseLong(f[1]);
                    case "end" -> ended = true;
                    default -> throw new NumberFormatException("unknown record '" + f[0] + "'");
                }
            } catch (RuntimeException e) {
                throw new RtlSimException(file + ":" + lineNo + ": malformed line '" + line + "' (" + e.getMessage() + ")");
            }
        }
        if (!ended || packets != inputs.length) {
            throw new RtlSimException(file + ": the simulation ended early: " + packets + " of " + inputs.length + " packets");
        }
        return new AxisResult(classes, readouts, cycles, build, run);
    }

    /** The bench's FATAL line as the error ("the test bench stopped: FATAL: ..."), or {@code e} when the log has none. */
    private static RtlSimException fatal(Path work, RtlSimException e) throws IOException {
        Path log = work.resolve("log.txt");
        String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        return text.lines().filter(l -> l.contains("FATAL")).findFirst()
                .map(l -> new RtlSimException("the test bench stopped: " + l)).orElse(e);
    }

    private static String sourcesDigest(Path folder, List<String> rtl) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String f : rtl) {
            b.append(f).append(' ').append(FpgaFolder.sha256(Files.readAllBytes(Path.of(f)))).append('\n');
        }
        b.append("main.cpp ").append(FpgaFolder.sha256(Files.readAllBytes(folder.resolve("tb/main.cpp")))).append('\n');
        return b.toString();
    }

    /** {@code samples steps}, then per sample and step the event count and one {@code c y x value} line per event. */
    static void writeStimulus(FpgaDesign d, int[][] inputs, Path file) throws IOException {
        int c = d.inputShape()[0];
        int h = d.inputShape()[1];
        int w = d.inputShape()[2];
        int n = c * h * w;
        StringBuilder b = new StringBuilder();
        b.append(inputs.length).append(' ').append(d.timesteps()).append('\n');
        for (int[] in : inputs) {
            if (in.length != n * d.timesteps()) {
                throw new IllegalArgumentException("an input has " + in.length + " values, expected " + d.timesteps() + " x " + n);
            }
            for (int t = 0; t < d.timesteps(); t++) {
                int count = 0;
                for (int i = 0; i < n; i++) {
                    if (in[t * n + i] != 0) {
                        count++;
                    }
                }
                b.append(count).append('\n');
                for (int i = 0; i < n; i++) {
                    int v = in[t * n + i];
                    if (v != 0) {
                        b.append(i / (h * w)).append(' ').append((i / w) % h).append(' ').append(i % w).append(' ')
                                .append(v).append('\n');
                    }
                }
            }
        }
        AtomicFiles.writeString(file, b.toString());
    }

    /**
     * Parses {@code trace.txt}: every record names its sample (a wave's record its wave), since the
     * samples of a stream overlap; an incomplete or malformed trace is an exception naming the line.
     */
    static List<FpgaEmulator.Sample> parseTrace(Path file, FpgaDesign d, int samples) throws RtlSimException, IOException {
        int steps = d.timesteps();
        int layers = d.layers().size();
        long[][][][] mem = new long[samples][layers][steps][];
        List<List<List<List<long[]>>>> spikes = new ArrayList<>();
        long[][] readout = new long[samples][d.last().outC()];
        for (int s = 0; s < samples; s++) {
            List<List<List<long[]>>> perLayer = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                List<List<long[]>> perStep = new ArrayList<>();
                for (int t = 0; t < steps; t++) {
                    mem[s][l][t] = new long[d.layers().get(l).outputSize()];
                    perStep.add(new ArrayList<>());
                }
                perLayer.add(perStep);
            }
            spikes.add(perLayer);
        }
        long[] waves = new long[Schedule.waves(samples, steps, layers)];
        int wavesSeen = 0;
        boolean ended = false;
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String[] f = line.split(" ");
                try {
                    switch (f[0]) {
                        case "end" -> ended = true;
                        case "spike" -> spikes.get(Integer.parseInt(f[1])).get(Integer.parseInt(f[3])).get(Integer.parseInt(f[2]))
                                .add(new long[] {Long.parseLong(f[4]), Long.parseLong(f[5])});
                        case "mem" -> mem[Integer.parseInt(f[1])][Integer.parseInt(f[3])][Integer.parseInt(f[2])][Integer.parseInt(f[4])]
                                = Long.parseLong(f[5]);
                        case "wave" -> {
                            waves[Integer.parseInt(f[1])] = Long.parseLong(f[2]);
                            wavesSeen++;
                        }
                        case "readout" -> readout[Integer.parseInt(f[1])][Integer.parseInt(f[2])] = Long.parseLong(f[3]);
                        default -> throw new NumberFormatException("unknown record '" + f[0] + "'");
                    }
                } catch (RuntimeException e) {
                    throw new RtlSimException(file + ":" + lineNo + ": malformed trace line '" + line + "' (" + e.getMessage() + ")");
                }
                if (ended) {
                    break;
                }
            }
        }
        if (!ended || wavesSeen != waves.length) {
            throw new RtlSimException(file + ": the simulation ended early: " + wavesSeen + " of " + waves.length
                    + " waves in the trace");
        }
        List<FpgaEmulator.Sample> out = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            out.add(sample(spikes.get(s), mem[s], readout[s], Schedule.share(waves, s, steps),
                    Schedule.latency(waves, s, steps, layers)));
        }
        return out;
    }

    private static FpgaEmulator.Sample sample(List<List<List<long[]>>> spikes, long[][][] mem, long[] readout, long[] stepCycles,
                                              long latency) {
        int layers = spikes.size();
        int steps = stepCycles.length;
        int[][][] neurons = new int[layers][steps][];
        long[][][] cycles = new long[layers][steps][];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < steps; t++) {
                List<long[]> s = spikes.get(l).get(t);
                neurons[l][t] = new int[s.size()];
                cycles[l][t] = new long[s.size()];
                for (int i = 0; i < s.size(); i++) {
                    neurons[l][t][i] = (int) s.get(i)[0];
                    cycles[l][t][i] = s.get(i)[1];
                }
            }
        }
        return new FpgaEmulator.Sample(readout, stepCycles, neurons, cycles, mem, null, latency, null);
    }

    private static String exec(List<String> cmd, Path dir, String what, long timeoutSeconds) throws RtlSimException, IOException {
        Path log = dir.resolve("log.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RtlSimException(what + " took longer than " + timeoutSeconds + " s and was stopped");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RtlSimException(what + " was interrupted");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            String tail = String.join("\n", out.lines().filter(l -> !l.isBlank()).skip(Math.max(0, out.lines().count() - 15)).toList());
            throw new RtlSimException(what + " failed (exit code " + p.exitValue() + "): " + String.join(" ", cmd.subList(0,
                    Math.min(3, cmd.size()))) + " ...; the whole log is " + log + "\n" + tail);
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * The first difference between two runs of the same samples (emulator vs RTL, or two emulators):
     * readout, cycles per step, every spike with its cycle, every membrane at the end of every step.
     * Null when they agree exactly.
     */
    public static String firstDifference(FpgaDesign d, List<FpgaEmulator.Sample> want, List<FpgaEmulator.Sample> got,
                                         String wantName, String gotName) {
        if (want.size() != got.size()) {
            return want.size() + " samples from " + wantName + ", " + got.size() + " from " + gotName;
        }
        for (int s = 0; s < want.size(); s++) {
            String diff = firstDifference(d, s, want.get(s), got.get(s), wantName, gotName);
            if (diff != null) {
                return diff;
            }
        }
        return null;
    }

    /** The first difference between two runs of sample {@code s} (see the list form); null when they agree exactly. */
    public static String firstDifference(FpgaDesign d, int s, FpgaEmulator.Sample a, FpgaEmulator.Sample b, String wantName,
                                         String gotName) {
        for (int t = 0; t < d.timesteps(); t++) {
            for (int l = 0; l < d.layers().size(); l++) {
                String layer = "layer " + l + " '" + d.layers().get(l).name() + "'";
                int[] na = a.spikeNeurons()[l][t];
                int[] nb = b.spikeNeurons()[l][t];
                for (int i = 0; i < Math.max(na.length, nb.length); i++) {
                    if (i >= na.length || i >= nb.length || na[i] != nb[i] || a.spikeCycles()[l][t][i] != b.spikeCycles()[l][t][i]) {
                        return String.format(Locale.ROOT, "sample %d, step %d, %s, spike %d: %s %s, %s %s", s, t + 1, layer, i + 1,
                                wantName, i < na.length ? "neuron " + na[i] + " at cycle " + a.spikeCycles()[l][t][i] : "no spike",
                                gotName, i < nb.length ? "neuron " + nb[i] + " at cycle " + b.spikeCycles()[l][t][i] : "no spike");
                    }
                }
                if (a.membranes() != null && b.membranes() != null) {
                    long[] ma = a.membranes()[l][t];
                    long[] mb = b.membranes()[l][t];
                    for (int n = 0; n < ma.length; n++) {
                        if (ma[n] != mb[n]) {
                            return String.format(Locale.ROOT, "sample %d, step %d, %s, neuron %d: membrane %d (%s), %d (%s)",
                                    s, t + 1, layer, n, ma[n], wantName, mb[n], gotName);
                        }
                    }
                }
            }
            if (a.stepCycles()[t] != b.stepCycles()[t]) {
                return String.format(Locale.ROOT, "sample %d, step %d: its wave took %d cycles (%s), %d (%s)", s, t + 1,
                        a.stepCycles()[t], wantName, b.stepCycles()[t], gotName);
            }
        }
        if (a.latency() != b.latency()) {
            return String.format(Locale.ROOT, "sample %d: latency %d cycles (%s), %d (%s)", s, a.latency(), wantName,
                    b.latency(), gotName);
        }
        if (!Arrays.equals(a.readout(), b.readout())) {
            return String.format(Locale.ROOT, "sample %d: readout %s (%s), %s (%s)", s, Arrays.toString(a.readout()),
                    wantName, Arrays.toString(b.readout()), gotName);
        }
        return null;
    }
}

package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.targets.fpga.RtlSimulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spikeforge run MODEL}: the whole job in one command: check, train (or take
 * {@code --checkpoint}), compile for every deploy target, verify (with the RTL simulation for fpga
 * targets when Verilator is installed), profile, and one summary table; everything under
 * {@code build/<model>/}. Each step is the command of the same name, run in-process.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"The whole job: check, train (unless --checkpoint), compile for every target of the deploy block,",
                "verify (float vs integer, each emulator vs the integer model, and Verilator vs the fpga emulator),",
                "profile, and a summary table of accuracy, agreement, cycles, latency and energy per target.",
                "Every file goes under OUT (default build/NAME/): the checkpoint, compiled/, verify.json,",
                "verify.xml (JUnit), profile.json, summary.txt, and report/report.html with its plots."},
        footer = {"", "Exit codes: the first failing step's (1 a check or tolerance failed, 3 unreadable input), else 0."})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model file (.snn).")
    Path modelFile;

    @Option(names = "--checkpoint", paramLabel = "C", description = "Use this checkpoint instead of training.")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "DIR", description = "Where everything goes (default: build/NAME).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Train on the first N training samples (default: all).")
    Integer limit;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "500",
            description = "Verify and profile on the first N test samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--rtl-samples", paramLabel = "N", defaultValue = "20",
            description = "Samples the RTL simulation of fpga targets checks (default: ${DEFAULT-VALUE}; 0: none).")
    int rtlSamples;

    @Option(names = "--tolerance-agreement", paramLabel = "F", defaultValue = "0.99",
            description = "verify's class agreement tolerance (default: ${DEFAULT-VALUE}).")
    double agreement;

    @Option(names = "--tolerance-drop", paramLabel = "POINTS", defaultValue = "0.5",
            description = "verify's accuracy drop tolerance (default: ${DEFAULT-VALUE}).")
    double drop;

    @Option(names = "--data", paramLabel = "DIR", description = "Read the dataset from DIR instead of its usual place.")
    Path dataDir;

    @Option(names = "--synth", description = "Also synthesise every fpga target with yosys (minutes for larger models).")
    boolean synth;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelFiles.Loaded loaded = ModelFiles.load(modelFile, err);
        if (!loaded.ok()) {
            return loaded.exitCode();
        }
        String name = loaded.network().name();
        Path dir = out != null ? out : Path.of("build", name);
        Files.createDirectories(dir);
        List<String> data = dataDir == null ? List.of() : List.of("--data", dataDir.toString());
        int total = checkpoint == null ? 5 : 4;
        int k = 0;

        step(err, ++k, total, "check");
        int code = sub(stdout, err, "check", modelFile.toString());
        if (code != ExitCodes.OK) {
            return code;
        }
        Path ckpt = checkpoint;
        if (ckpt == null) {
            ckpt = dir.resolve(name + ".npz");
            step(err, ++k, total, "train -> " + ckpt);
            List<String> args = new ArrayList<>(List.of("train", modelFile.toString(), "--out", ckpt.toString()));
            if (limit != null) {
                args.addAll(List.of("--limit", String.valueOf(limit)));
            }
            args.addAll(data);
            code = sub(stdout, err, args.toArray(new String[0]));
            if (code != ExitCodes.OK) {
                return code;
            }
        }
        Path compiled = dir.resolve("compiled");
        step(err, ++k, total, "compile -> " + compiled);
        List<String> compileArgs = new ArrayList<>(List.of("compile", modelFile.toString(), "--checkpoint", ckpt.toString(),
                "--out", compiled.toString()));
        compileArgs.addAll(data);
        code = sub(stdout, err, compileArgs.toArray(new String[0]));
        if (code != ExitCodes.OK) {
            return code;
        }
        List<String> targets = targetOptions(loaded);
        step(err, ++k, total, "verify on " + samples + " test samples" + (targets.isEmpty() ? "" : ", " + targets.size()
                + " target(s)"));
        List<String> verifyArgs = new ArrayList<>(List.of("verify", modelFile.toString(), "--checkpoint", ckpt.toString(),
                "--samples", String.valueOf(samples), "--tolerance-agreement", String.valueOf(agreement), "--tolerance-drop",
                String.valueOf(drop), "--out", compiled.toString(), "--junit", dir.resolve("verify.xml").toString(), "--json"));
        for (String t : targets) {
            verifyArgs.addAll(List.of("--target", t));
        }
        verifyArgs.addAll(data);
        StringWriter verifyJson = new StringWriter();
        int verifyCode = sub(new PrintWriter(verifyJson), err, verifyArgs.toArray(new String[0]));
        AtomicFiles.writeString(dir.resolve("verify.json"), verifyJson.toString());
        if (verifyCode != ExitCodes.OK && verifyCode != ExitCodes.CHECK_FAILED) {
            return verifyCode;
        }
        // the RTL of fpga targets, on fewer samples (an RTL simulation is far slower than the emulator)
        List<String> rtlLines = new ArrayList<>();
        int rtlCode = ExitCodes.OK;
        if (rtlSamples > 0 && RtlSimulator.available(RtlSimulator.Tool.VERILATOR)) {
            try (var folders = Files.list(compiled)) {
                for (Path f : folders.filter(f -> f.getFileName().toString().startsWith("fpga-")).sorted().toList()) {
                    StringWriter rtl = new StringWriter();
                    int c = sub(new PrintWriter(rtl), err, "rtl-sim", f.toString(), "--model", modelFile.toString(),
                            "--samples", String.valueOf(rtlSamples));
                    rtlLines.add(f.getFileName() + ": " + rtl.toString().lines().filter(l -> l.startsWith("EQUAL")
                            || l.startsWith("DIFFERENT")).findFirst().orElse("rtl-sim exit " + c));
                    rtlCode = rtlCode == ExitCodes.OK ? c : rtlCode;
                }
            }
        } else if (rtlSamples > 0) {
            rtlLines.add("RTL simulation skipped: verilator is not installed (apt-get install -y verilator)");
        }
        if (synth) {
            try (var folders = Files.list(compiled)) {
                for (Path f : folders.filter(f -> f.getFileName().toString().startsWith("fpga-")).sorted().toList()) {
                    err.println("== synth " + f);
                    StringWriter sj = new StringWriter();
                    int c = sub(new PrintWriter(sj), err, "synth", f.toString(), "--json");
                    if (c == ExitCodes.OK || c == ExitCodes.CHECK_FAILED) {
                        JsonNode j = new ObjectMapper().readTree(sj.toString());
                        JsonNode t = j.get("total");
                        rtlLines.add(String.format(Locale.ROOT, "%s: yosys %s: %d LUTs, %d FFs, %d BRAMs, %d DSPs; %s%s",
                                f.getFileName(), j.get("family").asText(), t.get("luts").asLong(), t.get("flip_flops").asLong(),
                                t.get("brams").asLong(), t.get("dsps").asLong(), j.get("device").isNull() ? "no device named"
                                        : (j.get("fits").asBoolean() ? "fits " : "does NOT fit ") + j.get("device").asText(),
                                j.has("fmax_mhz") ? String.format(Locale.ROOT, ", Fmax %.1f MHz", j.get("fmax_mhz").asDouble()) : ""));
                    } else {
                        rtlLines.add(f.getFileName() + ": synth failed (exit " + c + ")");
                        rtlCode = rtlCode == ExitCodes.OK ? c : rtlCode;
                    }
                }
            }
        }
        step(err, ++k, total, "profile");
        Path report = dir.resolve("report");
        List<String> profileArgs = new ArrayList<>(List.of("profile", modelFile.toString(), "--checkpoint", ckpt.toString(),
                "--samples", String.valueOf(samples), "--out", compiled.toString(), "--json", "--html", report.toString(),
                "--accuracy-vs-steps"));
        for (String t : targets) {
            profileArgs.addAll(List.of("--target", t));
        }
        if (targets.isEmpty()) {
            profileArgs.add("--no-targets");
        }
        profileArgs.addAll(data);
        StringWriter profileJson = new StringWriter();
        code = sub(new PrintWriter(profileJson), err, profileArgs.toArray(new String[0]));
        if (code != ExitCodes.OK) {
            return code;
        }
        AtomicFiles.writeString(dir.resolve("profile.json"), profileJson.toString());
        String summary = summary(name, ckpt, new ObjectMapper().readTree(verifyJson.toString()),
                new ObjectMapper().readTree(profileJson.toString()), rtlLines, dir);
        AtomicFiles.writeString(dir.resolve("summary.txt"), summary);
        stdout.print(summary);
        stdout.flush();
        return verifyCode != ExitCodes.OK ? verifyCode : rtlCode;
    }

    /** The deploy block's targets as --target options, each as written. */
    private static List<String> targetOptions(ModelFiles.Loaded loaded) {
        List<String> out = new ArrayList<>();
        loaded.network().deploy().ifPresent(d -> d.targets().forEach(t -> out.add(t.family() + "(" + String.join(", ",
                t.args().stream().map(Object::toString).toList()) + ")")));
        return out;
    }

    private static void step(PrintWriter err, int k, int total, String what) {
        err.printf(Locale.ROOT, "== [%d/%d] %s%n", k, total, what);
        err.flush();
    }

    private static int sub(PrintWriter out, PrintWriter err, String... args) {
        int code = Main.commandLine(out, err, false).execute(args);
        out.flush();
        return code;
    }

    static String summary(String name, Path ckpt, JsonNode verify, JsonNode profile, List<String> rtl, Path dir) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nspikeforge run: model %s, checkpoint %s, %d test samples%n", name, ckpt,
                verify.get("samples").asInt()));
        b.append(String.format(Locale.ROOT, "accuracy: float %.2f%%, integer %.2f%%; class agreement %.2f%%; verify %s%n",
                100 * verify.get("float_accuracy").asDouble(), 100 * verify.get("integer_accuracy").asDouble(),
                100 * verify.get("agreement").asDouble(), verify.get("passed").asBoolean() ? "PASS" : "FAIL: "
                        + String.join("; ", java.util.stream.StreamSupport.stream(verify.get("failures").spliterator(), false)
                        .map(JsonNode::asText).toList())));
        JsonNode est = profile.get("energy_estimate_45nm");
        b.append(String.format(Locale.ROOT, "45 nm estimates per inference: ANN %s, SNN %s compute only; %s and %s with SRAM%n",
                ProfileCommand.joules(est.get("ann_compute_j").asDouble()), ProfileCommand.joules(est.get("snn_compute_j").asDouble()),
                ProfileCommand.joules(est.get("ann_with_sram_j").asDouble()), ProfileCommand.joules(est.get("snn_with_sram_j").asDouble())));
        b.append(String.format(Locale.ROOT, "%-52s %8s %14s %12s %14s %14s%n", "target", "exact", "cycles/inf", "latency",
                "inferences/s", "energy/inf"));
        for (JsonNode t : profile.get("targets")) {
            JsonNode e = t.get("energy_estimate_j");
            b.append(String.format(Locale.ROOT, "%-52s %8s %14.0f %12s %14.1f %14s%n", t.get("target").asText(),
                    t.get("exact_samples").asInt() + "/" + verify.get("samples").asInt(), t.get("cycles_per_inference").asDouble(),
                    ProfileCommand.seconds(t.get("seconds_per_inference").asDouble()), t.get("inferences_per_second").asDouble(),
                    e == null ? "not modelled" : ProfileCommand.joules(e.get("total").asDouble()) + " (est.)"));
        }
        for (String r : rtl) {
            b.append(r.contains(": yosys ") || r.contains("synth failed") ? "synth: " : "RTL: ").append(r).append('\n');
        }
        b.append("files: ").append(dir).append("/ (compiled/, verify.json, verify.xml, profile.json, summary.txt, report/)\n");
        b.append("HTML report: ").append(dir.resolve("report").resolve("report.html")).append('\n');
        return b.toString();
    }
}

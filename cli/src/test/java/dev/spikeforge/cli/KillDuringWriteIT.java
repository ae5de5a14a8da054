package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during {@code compile --out} and {@code train}, through the packaged jar: at each rename
 * that publishes an output (injected with {@code -Dspikeforge.fault.rename=N}, which halts the JVM
 * as kill -9 would) and at random moments (SIGKILL from outside). After every kill the output
 * folder must be the old complete folder or the new complete folder, file by file by SHA-256 (a
 * kill between the two renames of the swap may leave the folder missing with its old copy aside,
 * which the next command, here {@code emulate}, puts back), and {@code train --resume} after a
 * killed train must end with the bits of an uninterrupted run.
 *
 * <p>The longer variant: {@code scripts/kill-compile.sh 20} runs this test with
 * {@code -Dspikeforge.kills=20} random kills of compile and prints the tally.
 */
class KillDuringWriteIT {

    static final int RANDOM_KILLS = Integer.getInteger("spikeforge.kills", 4);

    @TempDir
    static Path dir;
    static Path model;
    static Path ckA;
    static Path ckB;
    static Map<String, String> oldFolder;
    static Map<String, String> newFolder;
    static Path refOld;

    record Run(int exit, String err) {
    }

    static Process start(List<String> jvm, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(CheckJarIT.JAR.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile());
        b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.redirectError(dir.resolve("last-err.txt").toFile());
        Process p = b.start();
        p.getOutputStream().close();
        return p;
    }

    static Run run(List<String> jvm, String... args) throws Exception {
        Process p = start(jvm, args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + List.of(args));
        return new Run(p.exitValue(), Files.readString(dir.resolve("last-err.txt")));
    }

    static List<String> fault(int n) {
        return List.of("-Dspikeforge.fault.rename=" + n);
    }

    @BeforeAll
    static void trainTwoCheckpoints() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, """
                model bars
                input 1x8x8
                timesteps 6
                neuron lif  = LIF(beta = 0.875, threshold = 1.0, reset = zero)
                neuron pool = IF(threshold = 0.75, reset = zero)
                layers {
                    c = conv(4, kernel = 3, padding = 1) -> lif
                    p = avgpool(2) -> pool
                    h = dense(16) -> lif
                    out = readout(4)
                }
                train {
                    method    = surrogate
                    dataset   = idx(path = "bars")
                    epochs    = 2
                    batch     = 32
                    optimizer = adam(lr = 0.01)
                    seed      = 5
                }
                deploy {
                    weights  = int(8, per_channel)
                    membrane = int(16)
                    leak     = multiplier(12)
                    target neurocore(preset = loihi_like)
                    target fpga(family = xc7, lanes = 8)
                }
                """);
        ckA = dir.resolve("a.npz");
        ckB = dir.resolve("b.npz");
        Run a = run(List.of(), "train", "bars.snn", "--threads", "2", "--epochs", "1", "--out", "a.npz");
        assertEquals(0, a.exit(), a.err());
        Run b = run(List.of(), "train", "bars.snn", "--threads", "2", "--out", "b.npz");
        assertEquals(0, b.exit(), b.err());
        refOld = dir.resolve("ref-old");
        assertEquals(0, run(List.of(), "compile", "bars.snn", "--checkpoint", "a.npz", "--out", "ref-old").exit());
        assertEquals(0, run(List.of(), "compile", "bars.snn", "--checkpoint", "b.npz", "--out", "ref-new").exit());
        oldFolder = digests(refOld);
        newFolder = digests(dir.resolve("ref-new"));
        assertFalse(oldFolder.equals(newFolder), "the two checkpoints must give different folders");
        assertTrue(newFolder.keySet().stream().anyMatch(k -> k.startsWith("neurocore-")), newFolder.keySet().toString());
        assertTrue(newFolder.keySet().stream().anyMatch(k -> k.startsWith("fpga-")), newFolder.keySet().toString());
    }

    /** Relative path to SHA-256 of every file under {@code folder}; empty when it does not exist. */
    static Map<String, String> digests(Path folder) throws Exception {
        Map<String, String> m = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return m;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (InputStream in = Files.newInputStream(p)) {
                    md.update(in.readAllBytes());
                }
                m.put(folder.relativize(p).toString(), HexFormat.of().formatHex(md.digest()));
            }
        }
        return m;
    }

    /** A fresh copy of the old complete output at {@code out}. */
    static void oldOutput(Path out) throws Exception {
        AtomicFiles.deleteTree(out);
        try (Stream<Path> s = Files.walk(refOld)) {
            for (Path p : s.toList()) {
                Files.copy(p, out.resolve(refOld.relativize(p).toString()));
            }
        }
    }

    enum State { OLD, NEW, OTHER }

    static State state(Path out) throws Exception {
        Map<String, String> d = digests(out);
        return d.equals(oldFolder) ? State.OLD : d.equals(newFolder) ? State.NEW : State.OTHER;
    }

    /**
     * What the folder is after a kill as it lies; when it is missing (the moment between the two
     * renames of the swap, its old copy aside), what it is after the next command (emulate) read it.
     */
    static State afterKill(Path out, String when) throws Exception {
        State raw = state(out);
        if (raw != State.OTHER) {
            return raw;
        }
        assertFalse(Files.exists(out), when + ": a mix of old and new files: " + digests(out));
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".old-")),
                    when + ": the folder is missing and no old copy is aside");
        }
        Run e = run(List.of(), "emulate", out.getFileName() + "/neurocore-loihi_like", "--model", "bars.snn",
                "--samples", "4");
        assertEquals(0, e.exit(), when + ": emulate after the kill: " + e.err());
        State settled = state(out);
        assertTrue(settled != State.OTHER, when + ": after emulate, neither old nor new: " + digests(out));
        return settled;
    }

    /** The staging folders, old copies and temporary files of killed runs are gone (the lock file stays). */
    static void noLeftovers(Path out, String when) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            List<String> left = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("." + out.getFileName() + ".") && !n.endsWith(".lock")).toList();
            assertEquals(List.of(), left, when + ": leftovers of killed runs");
        }
    }

    @Test
    void compileKilledAtEachRenameLeavesTheOldOrTheNewCompleteFolder() throws Exception {
        Path out = dir.resolve("out-renames");
        int n = 1;
        List<State> seen = new ArrayList<>();
        for (;; n++) {
            oldOutput(out);
            Run r = run(fault(n), "compile", "bars.snn", "--checkpoint", "b.npz", "--out", out.getFileName().toString());
            if (r.exit() == 0) {
                assertEquals(State.NEW, state(out), "an uninterrupted compile");
                noLeftovers(out, "after the compile that ran through");
                break;
            }
            assertEquals(137, r.exit(), "rename " + n + ": " + r.err());
            seen.add(afterKill(out, "kill at rename " + n));
            assertTrue(n < 50, "the compile never finished");
        }
        // the integer model's four files, two target folders and the two renames of the swap
        assertTrue(n > 8, "only " + (n - 1) + " renames were broken");
        // every kill before the swap's last rename leaves the old folder; that rename commits
        assertEquals(State.OLD, seen.get(seen.size() - 1));
        System.out.println("compile killed at each of " + (n - 1) + " renames: " + seen);
    }

    @Test
    void compileKilledAtRandomMomentsLeavesTheOldOrTheNewCompleteFolder() throws Exception {
        Path out = dir.resolve("out-random");
        Random rnd = new Random(Long.getLong("spikeforge.kills.seed", 22L));
        oldOutput(out);
        long t0 = System.nanoTime();
        assertEquals(0, run(List.of(), "compile", "bars.snn", "--checkpoint", "b.npz", "--out", "timing").exit());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // kill moments uniform in [from, to] times an uninterrupted run's wall time
        String[] window = System.getProperty("spikeforge.kills.window", "0:1.1").split(":");
        double from = Double.parseDouble(window[0]);
        double to = Double.parseDouble(window[1]);
        Map<String, Integer> tally = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int k = 0; k < RANDOM_KILLS; k++) {
            oldOutput(out);
            Process p = start(List.of(), "compile", "bars.snn", "--checkpoint", "b.npz", "--out", out.getFileName().toString());
            long at = (long) ((from + rnd.nextDouble() * (to - from)) * millis);
            boolean finished = p.waitFor(at, TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly(); // SIGKILL
                p.waitFor(60, TimeUnit.SECONDS);
            }
            String what;
            try {
                boolean missing = !Files.exists(out);
                State s = finished ? state(out) : afterKill(out, "kill at " + at + " ms");
                what = finished ? "finished before the kill, " + s : s + (missing ? " (missing until the next command)" : "");
                if (s == State.OTHER) {
                    problems.add("kill at " + at + " ms: " + digests(out));
                }
            } catch (AssertionError e) {
                what = "OTHER";
                problems.add(e.getMessage());
            }
            tally.merge(what, 1, Integer::sum);
        }
        String line = "compile killed at " + RANDOM_KILLS + " random moments in [" + from + ", " + to + "] x " + millis
                + " ms (an uninterrupted run): " + tally;
        System.out.println(line);
        Files.writeString(Path.of(System.getProperty("spikeforge.kills.report", dir.resolve("kills.txt").toString())),
                line + "\n", StandardCharsets.UTF_8);
        assertEquals(List.of(), problems, line);
        assertEquals(0, run(List.of(), "compile", "bars.snn", "--checkpoint", "b.npz", "--out", out.getFileName().toString())
                .exit());
        noLeftovers(out, "after a compile that ran through");
    }

    /** The files every complete build folder of `run` holds. */
    static final List<String> RUN_FILES = List.of("summary.txt", "verify.json", "verify.xml", "profile.json",
            "report/report.html", "compiled/model.json", "compiled/neurocore-loihi_like/mapping.json",
            "compiled/fpga-xc7-p8/fpga.json");

    static String[] runArgs(String checkpoint, String out) {
        return new String[] {"run", "bars.snn", "--checkpoint", checkpoint, "--samples", "8", "--rtl-samples", "0",
            "--tolerance-agreement", "0", "--tolerance-drop", "100", "--out", out};
    }

    /**
     * `run`'s build folder after a kill and the next command that reads it (emulate settles it):
     * byte for byte the earlier build folder, or a complete new one (every file of a run, its
     * summary naming the new checkpoint, no unfinished marker, a compiled folder that emulates).
     */
    static State runFolderAfterKill(Path out, Map<String, String> old, String when) throws Exception {
        Run e = run(List.of(), "emulate", out.getFileName() + "/compiled/neurocore-loihi_like", "--model", "bars.snn",
                "--samples", "2");
        Map<String, String> now = digests(out);
        if (now.equals(old)) {
            assertEquals(0, e.exit(), when + ": emulate of the old folder: " + e.err());
            return State.OLD;
        }
        assertFalse(now.containsKey(AtomicFiles.INCOMPLETE), when + ": still unfinished after a reader settled it");
        for (String f : RUN_FILES) {
            assertTrue(now.containsKey(f), when + ": neither the old folder nor a complete new one; no " + f + " in "
                    + now.keySet());
        }
        if (!Files.readString(out.resolve("summary.txt")).contains("b.npz")) {
            Map<String, String> differ = new TreeMap<>(now);
            differ.entrySet().removeIf(x -> x.getValue().equals(old.get(x.getKey())));
            List<String> gone = old.keySet().stream().filter(k -> !now.containsKey(k)).toList();
            throw new AssertionError(when + ": the old summary, but not the old folder: changed or new " + differ.keySet()
                    + ", missing " + gone + "; emulate said " + e.err());
        }
        assertEquals(0, e.exit(), when + ": emulate of the new folder: " + e.err());
        return State.NEW;
    }

    @Test
    void runKilledAtItsRenamesLeavesTheOldOrTheNewCompleteBuildFolder() throws Exception {
        Path ref = dir.resolve("run-old");
        assertEquals(0, run(List.of(), runArgs("a.npz", ref.getFileName().toString())).exit());
        Map<String, String> old = digests(ref);
        Path out = dir.resolve("run-out");
        List<Integer> kills = new ArrayList<>(List.of(1, 2, 3, 4, 6, 9, 13, 18, 24, 31));
        List<String> seen = new ArrayList<>();
        int finishedAt = -1;
        for (int i = 0; i < kills.size(); i++) {
            int n = kills.get(i);
            AtomicFiles.deleteTree(out);
            copyTree(ref, out);
            Run r = run(fault(n), runArgs("b.npz", out.getFileName().toString()));
            if (r.exit() != 137) {
                assertEquals(0, r.exit(), "rename " + n + ": " + r.err());
                finishedAt = n;
                break;
            }
            seen.add(n + ":" + runFolderAfterKill(out, old, "kill at rename " + n));
        }
        assertTrue(finishedAt > 0, "run made more than " + kills.get(kills.size() - 1) + " renames");
        // the last renames before the end: the commit of the build folder among them
        for (int n = finishedAt - 1; n > 0 && n > finishedAt - 4; n--) {
            if (kills.contains(n)) {
                continue;
            }
            AtomicFiles.deleteTree(out);
            copyTree(ref, out);
            Run r = run(fault(n), runArgs("b.npz", out.getFileName().toString()));
            if (r.exit() == 137) {
                seen.add(n + ":" + runFolderAfterKill(out, old, "kill at rename " + n));
            }
        }
        System.out.println("run killed at renames: " + seen);
        assertTrue(seen.stream().anyMatch(x -> x.endsWith("OLD")), seen.toString());
        noLeftovers(out, "after the kills");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void trainKilledAtEachCheckpointAndAtRandomResumesToTheSameBits() throws Exception {
        Checkpoint straight = CheckpointReader.read(ckB);
        Random rnd = new Random(7);
        List<String> how = new ArrayList<>(List.of("rename 1", "rename 2", "random"));
        for (String kill : how) {
            Path ck = dir.resolve("k.npz");
            Files.deleteIfExists(ck);
            Run r;
            if (kill.startsWith("rename")) {
                r = run(fault(Integer.parseInt(kill.substring(7))), "train", "bars.snn", "--threads", "2", "--out", "k.npz");
                assertEquals(137, r.exit(), kill + ": " + r.err());
            } else {
                Process p = start(List.of(), "train", "bars.snn", "--threads", "2", "--out", "k.npz");
                if (!p.waitFor(1500 + rnd.nextInt(3000), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(60, TimeUnit.SECONDS);
                }
            }
            if (Files.exists(ck)) {
                Checkpoint partial = CheckpointReader.read(ck); // complete, whatever the moment
                assertFalse(partial.names().isEmpty(), kill);
                r = run(List.of(), "train", "bars.snn", "--threads", "2", "--resume", "k.npz", "--out", "k.npz");
            } else {
                r = run(List.of(), "train", "bars.snn", "--threads", "2", "--out", "k.npz");
            }
            assertEquals(0, r.exit(), kill + ": " + r.err());
            Checkpoint resumed = CheckpointReader.read(ck);
            assertEquals(straight.names(), resumed.names(), kill);
            for (String name : straight.names()) {
                if (name.startsWith("optimizer.")) {
                    assertArrayEquals(straight.array(name).orElseThrow().doubles(), resumed.array(name).orElseThrow().doubles(),
                            0, kill + ": " + name);
                } else {
                    assertArrayEquals(straight.array(name).orElseThrow().floats(), resumed.array(name).orElseThrow().floats(),
                            0, kill + ": " + name);
                }
            }
            try (Stream<Path> s = Files.list(dir)) {
                List<String> tmp = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".k.npz.") && n.endsWith(".tmp"))
                        .toList();
                assertEquals(List.of(), tmp, kill + ": temporary files of the killed run");
            }
        }
    }

    @Test
    void aSecondWriterIsRefusedAtOnceWithExit3() throws Exception {
        Process first = start(List.of(), "train", "bars.snn", "--threads", "2", "--epochs", "30", "--out", "busy.npz");
        try {
            Path lock = dir.resolve(".busy.npz.lock");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(lock) && Files.size(lock) > 0) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            long t0 = System.nanoTime();
            Run second = run(List.of(), "train", "bars.snn", "--threads", "2", "--out", "busy.npz");
            assertEquals(ExitCodes.INPUT_ERROR, second.exit(), second.err());
            assertTrue(second.err().contains("lock file " + lock), second.err());
            assertTrue(second.err().contains("pid " + first.pid()), second.err());
            assertTrue((System.nanoTime() - t0) / 1e9 < 20, "refused at once");
            assertFalse(second.err().contains("Exception"), second.err());
        } finally {
            first.destroyForcibly();
            first.waitFor(60, TimeUnit.SECONDS);
        }
        // the killed writer's lock is taken over without a word
        Run after = run(List.of(), "train", "bars.snn", "--threads", "2", "--epochs", "1", "--out", "busy.npz");
        assertEquals(0, after.exit(), after.err());
    }
}

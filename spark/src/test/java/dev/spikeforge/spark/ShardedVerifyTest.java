package dev.spikeforge.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.cli.Main;
import dev.spikeforge.cli.ShardedVerifier;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.TrainSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import dev.spikeforge.pipeline.VerifyShard;
import dev.spikeforge.pipeline.report.VerifyReport;
import dev.spikeforge.runtime.data.BarsDataset;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --master}: a verification cut into ranges of samples, each verified in its own
 * session (as a Spark task does), merged in sample order, equals the one-process verification in
 * every field but the timings, through the pipeline, through Spark on local[2] and through the
 * command line's text, JSON and JUnit output.
 */
class ShardedVerifyTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path checkpoint;
    static SparkSession spark;

    /** Three targets: a chip under its own (pipelined) timing, an FPGA, and the odd chip, which differs on purpose. */
    static final List<String> TARGETS = List.of("loihi_like", "fpga(lanes = 4)", "oddchip(every = 4)");

    @BeforeAll
    static void trained() throws Exception {
        System.setProperty("java.awt.headless", "true");
        BarsDataset.write(dir.resolve("bars"), 256, 200);
        model = dir.resolve("bars.snn");
        Files.writeString(model, SweepTest.MODEL);
        checkpoint = dir.resolve("bars.npz");
        Pipeline p = Pipeline.builder().build();
        p.train(p.load(model), TrainSettings.DEFAULTS.to(checkpoint));
        spark = SweepMain.session("local[2]", "ShardedVerifyTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** A session that compiles the model for {@code targets} into {@code out}, as the driver and every task do. */
    static Compiled compiled(Pipeline p, List<String> targets, Path out) throws PipelineException {
        LoadedModel m = p.load(model);
        Trained t = p.checkpoint(m, checkpoint);
        return p.compile(t, QuantSettings.DEPLOY, p.targets(m, targets), CompileSettings.targetsOnly(out));
    }

    /** Each range verified in a session of its own, one thread, compiled into a folder of its own: what a task does. */
    static List<VerifyShard> shards(VerifySettings s, int n, int size, String name) throws PipelineException {
        List<VerifyShard> out = new ArrayList<>();
        for (VerifyShard.Range r : VerifyShard.ranges(n, size)) {
            Pipeline task = Pipeline.builder().threads(1).build();
            Compiled c = compiled(task, TARGETS, dir.resolve(name + "-" + r.from()));
            out.add(task.verifyShard(c, s, r.from(), r.to()));
        }
        return out;
    }

    @Test
    void rangesMergedInSampleOrderEqualOnePassInEveryFieldButTheTimings() throws Exception {
        Pipeline p = Pipeline.builder().threads(2).build();
        Compiled c = compiled(p, TARGETS, dir.resolve("one"));
        for (int n : new int[] {150, 200}) {
            VerifySettings s = VerifySettings.samples(n);
            Verification one = p.verify(c, s);
            assertEquals(n, one.samples());
            Verification.TargetProof odd = one.targets().get(2);
            assertTrue(odd.exact() > 0 && odd.exact() < n, "the odd chip differs on some samples: " + odd.exact());
            assertTrue(odd.first().sample() < 32, "its first difference is in the first range: " + odd.first());
            assertEquals(n, one.targets().get(0).exact(), "loihi_like's emulator equals its integer model");
            assertEquals(n, one.targets().get(1).exact(), "the fpga emulator equals its integer model");
            assertNotNull(one.targets().get(0).ownTiming(), "loihi_like runs pipelined, the model sequentially");
            assertNull(one.targets().get(1).ownTiming());
            // 32 (the smallest), 64 and 96 (last range short: 150 and 200 are no multiples of them), 256 (one range)
            for (int size : new int[] {32, 64, 96, 256}) {
                List<VerifyShard> shards = shards(s, n, size, "t" + n + "-" + size);
                assertEquals((n + size - 1) / size, shards.size());
                Verification merged = p.mergeShards(c, s, shards, 1.0);
                assertSame(one, merged, "n = " + n + ", ranges of " + size);
                if (shards.size() > 1) {
                    List<VerifyShard> reversed = new ArrayList<>(shards);
                    Collections.reverse(reversed);
                    assertSame(one, p.mergeShards(c, s, reversed, 1.0), "merged from a reversed list: sorted by range");
                }
            }
        }
    }

    /**
     * The comparison above notices a merge that puts ranges in the wrong order: the first two ranges'
     * results exchanged (each relabelled as the other's range, so that they pass the merge's checks)
     * give another verification.
     */
    @Test
    void rangesMergedOutOfOrderGiveAnotherVerification() throws Exception {
        Pipeline p = Pipeline.builder().threads(2).build();
        Compiled c = compiled(p, TARGETS, dir.resolve("order"));
        VerifySettings s = VerifySettings.samples(64);
        Verification one = p.verify(c, s);
        List<VerifyShard> shards = shards(s, 64, 32, "order");
        VerifyShard a = shards.get(0);
        VerifyShard b = shards.get(1);
        List<VerifyShard> swapped = List.of(relabel(b, a), relabel(a, b));
        PipelineException e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, swapped, 1.0));
        assertTrue(e.getMessage().contains("read other test samples"), e.getMessage());
        // with the test samples' digest relabelled too, only the comparison can tell
        List<VerifyShard> disguised = List.of(relabel(b, a, a.data()), relabel(a, b, b.data()));
        Verification wrong = p.mergeShards(c, s, disguised, 1.0);
        AssertionError caught = assertThrows(AssertionError.class, () -> assertSame(one, wrong, "swapped"));
        assertTrue(caught.getMessage().contains("predictions") || caught.getMessage().contains("per sample"),
                caught.getMessage());
    }

    private static VerifyShard relabel(VerifyShard v, VerifyShard as) {
        return relabel(v, as, v.data());
    }

    /** {@code v}'s results under {@code as}'s range (and the test samples' digest {@code data}). */
    private static VerifyShard relabel(VerifyShard v, VerifyShard as, String data) {
        List<VerifyShard.Target> ts = new ArrayList<>();
        for (VerifyShard.Target t : v.targets()) {
            ts.add(new VerifyShard.Target(t.target(), t.folder(), t.perSample(), t.emulator(),
                    t.ownTiming() == null ? null : moved(t.ownTiming(), as.from())));
        }
        return new VerifyShard(as.from(), as.to(), v.total(), data, moved(v.comparison(), as.from()), ts, v.seconds(),
                v.threads());
    }

    private static FloatIntegerComparison.Tally moved(FloatIntegerComparison.Tally t, int from) {
        return new FloatIntegerComparison.Tally(from, t.samples(), t.floatCorrect(), t.integerCorrect(), t.agree(),
                t.floatCounts(), t.integerCounts(), t.layerSynapticOps(), t.integerNanos(), t.floatPredictions(),
                t.integerPredictions());
    }

    @Test
    void theMergeRefusesGapsOverlapsMisalignedRangesAndShardsOfOtherInputs() throws Exception {
        Pipeline p = Pipeline.builder().threads(2).build();
        Compiled c = compiled(p, TARGETS, dir.resolve("refuse"));
        VerifySettings s = VerifySettings.samples(100);
        List<VerifyShard> shards = shards(s, 100, 32, "refuse");
        assertEquals(4, shards.size());

        List<VerifyShard> gap = List.of(shards.get(0), shards.get(2), shards.get(3));
        PipelineException e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, gap, 0));
        assertEquals(PipelineException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("the shard of samples 64 to 95 leaves samples 32 to 63 out"), e.getMessage());
        List<VerifyShard> twice = List.of(shards.get(0), shards.get(1), shards.get(1), shards.get(2), shards.get(3));
        e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, twice, 0));
        assertTrue(e.getMessage().contains("the shard of samples 32 to 63 overlaps the one before it"), e.getMessage());
        List<VerifyShard> shortOfTheEnd = shards.subList(0, 3);
        e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, shortOfTheEnd, 0));
        assertTrue(e.getMessage().contains("samples 96 to 99 are left out"), e.getMessage());
        e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, List.of(), 0));
        assertTrue(e.getMessage().contains("no shards"), e.getMessage());

        // a range that would make the float model run other batches than one pass does
        e = assertThrows(PipelineException.class, () -> p.verifyShard(c, s, 10, 42));
        assertEquals(PipelineException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("samples 10 to 41: a shard must start at a multiple of 32"), e.getMessage());
        e = assertThrows(PipelineException.class, () -> p.verifyShard(c, s, 0, 40));
        assertTrue(e.getMessage().contains("end at one or at the last sample (100)"), e.getMessage());
        e = assertThrows(PipelineException.class, () -> p.verifyShard(c, s, 96, 101));
        assertTrue(e.getMessage().contains("are not a range of the 100 samples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VerifyShard.ranges(100, 33));

        // a task whose machine has other test samples: its own train split as the test split
        Path other = dir.resolve("other-bars");
        Files.createDirectories(other);
        for (String kind : new String[] {"images-idx3", "labels-idx1"}) {
            Files.copy(dir.resolve("bars/train-" + kind + "-ubyte.gz"), other.resolve("train-" + kind + "-ubyte.gz"));
            Files.copy(dir.resolve("bars/train-" + kind + "-ubyte.gz"), other.resolve("t10k-" + kind + "-ubyte.gz"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Pipeline elsewhere = Pipeline.builder().threads(1).dataDir(other).build();
        VerifyShard foreign = elsewhere.verifyShard(compiled(elsewhere, TARGETS, dir.resolve("refuse-other")), s, 32, 64);
        List<VerifyShard> withForeign = List.of(shards.get(0), foreign, shards.get(2), shards.get(3));
        e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, withForeign, 0));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().contains("the shard of samples 32 to 63 read other test samples"), e.getMessage());

        // a task that compiled other files (other weight bits)
        Pipeline sixBits = Pipeline.builder().threads(1).build();
        LoadedModel m = sixBits.load(model);
        Compiled six = sixBits.compile(sixBits.checkpoint(m, checkpoint), new QuantSettings(6, null),
                sixBits.targets(m, TARGETS), CompileSettings.targetsOnly(dir.resolve("refuse-six")));
        VerifyShard sixShard = sixBits.verifyShard(six, s, 0, 32);
        List<VerifyShard> withSix = List.of(sixShard, shards.get(1), shards.get(2), shards.get(3));
        e = assertThrows(PipelineException.class, () -> p.mergeShards(c, s, withSix, 0));
        assertTrue(e.getMessage().contains("the shard of samples 0 to 31 compiled target loihi_like into other files than "
                + dir.resolve("refuse").resolve("neurocore-loihi_like")), e.getMessage());

        // the RTL does not run in shards
        VerifySettings rtl = s.withRtl("iverilog", 10, false, null);
        assertNotNull(p.unshardable(c, rtl));
        e = assertThrows(PipelineException.class, () -> p.verifyShard(c, rtl, 0, 32));
        assertTrue(e.getMessage().contains("the RTL simulation (--rtl, --vcd) runs on one machine only"), e.getMessage());
        assertNull(p.unshardable(c, s));
    }

    @Test
    void onSparkLocalTwoTheShardsMergeIntoTheOnePassVerification() throws Exception {
        Pipeline p = Pipeline.builder().threads(2).build();
        Compiled c = compiled(p, TARGETS, dir.resolve("spark"));
        VerifySettings s = VerifySettings.samples(170);
        Verification one = p.verify(c, s);
        ShardedVerifier.Job job = new ShardedVerifier.Job("local[2]", model, Files.readString(model), checkpoint,
                QuantSettings.DEPLOY, TARGETS, null, null, p.version());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ShardedVerify sv = new ShardedVerify(new PrintStream(log, true, StandardCharsets.UTF_8));
        // ranges of 64: two whole and one of 42; and the default size for local[2], four ranges of 64, the last of 42
        for (int size : new int[] {64, 0}) {
            Verification merged = sv.run(p, c, s, ShardedVerify.job(job, s), spark, size);
            assertSame(one, merged, "ranges of " + size);
            assertEquals(1, merged.threads(), "a task's cores");
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("verify bars: 170 samples in 3 task(s) of up to 64 on local[2]"),
                log.toString(StandardCharsets.UTF_8));
        assertEquals(64, VerifyShard.size(170, 4));
        assertEquals(2528, VerifyShard.size(10_000, 4));
        assertEquals(32, VerifyShard.size(5, 4));
    }

    @Test
    void aTaskWhoseCheckpointDiffersFailsTheVerificationWithOneLine() throws Exception {
        Pipeline p = Pipeline.builder().threads(2).build();
        Compiled c = compiled(p, List.of(), dir.resolve("changed"));
        VerifySettings s = VerifySettings.samples(64);
        Path copy = dir.resolve("changed.npz");
        Files.copy(checkpoint, copy);
        ShardedVerifier.Job job = new ShardedVerifier.Job("local[2]", model, Files.readString(model), copy,
                QuantSettings.DEPLOY, List.of(), null, null, p.version());
        VerifyJob vj = ShardedVerify.job(job, s);
        Files.write(copy, new byte[] {1, 2, 3});
        ShardedVerify sv = new ShardedVerify(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        PipelineException e = assertThrows(PipelineException.class, () -> sv.run(p, c, s, vj, spark, 32));
        assertEquals(PipelineException.Kind.INPUT, e.kind());
        assertTrue(e.getMessage().startsWith(copy + ": the checkpoint changed since the verification started"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    // ---- the command line -------------------------------------------------------------------------

    record Run(int exit, String out, String err) {
    }

    static Run cli(ShardedVerifier sharded, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), sharded);
        return new Run(code, out.toString(), err.toString());
    }

    static String[] verify(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("verify", model.toString(), "--checkpoint", checkpoint.toString(),
                "--tolerance-agreement", "0.5", "--tolerance-drop", "50", "--out", out.toString()));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    static String[] targets(String... more) {
        List<String> a = new ArrayList<>();
        for (String t : TARGETS) {
            a.add("--target");
            a.add(t);
        }
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theCommandPrintsTheSameTextJsonAndJunitWithMasterButForTheTimings() throws Exception {
        ShardedVerify sv = new ShardedVerify(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path out = dir.resolve("cli-compiled");
        // text, every sample (200, not a multiple of 32); the odd chip fails it (exit 1)
        String[] text = verify(out, targets("--junit", dir.resolve("one.xml").toString()));
        Run one = cli(null, text);
        Run sharded = cli(sv, concat(verify(out, targets("--junit", dir.resolve("sharded.xml").toString())), "--master",
                "local[2]"));
        assertEquals(1, one.exit(), one.err());
        assertEquals(one.exit(), sharded.exit(), sharded.err());
        assertTrue(one.out().contains("oddchip(every = 4) emulator: ") && one.out().contains("first difference: sample"),
                one.out());
        assertEquals(withoutTimings(one.out()), withoutTimings(sharded.out()));
        assertNotEquals(one.out(), "");
        String junitOne = Files.readString(dir.resolve("one.xml")).replaceFirst(" time=\"[0-9.]+\"", "");
        String junitSharded = Files.readString(dir.resolve("sharded.xml")).replaceFirst(" time=\"[0-9.]+\"", "");
        assertEquals(junitOne, junitSharded);
        assertTrue(junitOne.contains("<failure message=\"sample "), junitOne);

        // JSON on 150 samples, without targets: passes (exit 0)
        Run jsonOne = cli(null, verify(out, "--samples", "150", "--json"));
        Run jsonSharded = cli(sv, verify(out, "--samples", "150", "--json", "--master=local[2]"));
        assertEquals(0, jsonOne.exit(), jsonOne.err());
        assertEquals(0, jsonSharded.exit(), jsonSharded.err());
        assertEquals(withoutTimings(json(jsonOne.out())), withoutTimings(json(jsonSharded.out())));
        // and with the targets
        Run jsonTargets = cli(null, verify(out, targets("--samples", "150", "--json")));
        Run jsonTargetsSharded = cli(sv, verify(out, targets("--samples", "150", "--json", "--master", "local[2]")));
        assertEquals(1, jsonTargets.exit());
        assertEquals(1, jsonTargetsSharded.exit(), jsonTargetsSharded.err());
        JsonNode a = withoutTimings(json(jsonTargets.out()));
        assertEquals(a, withoutTimings(json(jsonTargetsSharded.out())));
        assertEquals(3, a.path("targets").size());
        assertTrue(a.path("targets").get(0).has("energy_per_inference_j"), a.toString());
    }

    @Test
    void masterIsRefusedWithAMessageWhereItCannotRun() throws Exception {
        Path out = dir.resolve("refused-compiled");
        // the main jar: no Spark
        Run r = cli(null, verify(out, "--master", "local[2]"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--master verifies on Apache Spark, which this jar (spikeforge.jar) does not contain;"
                + " run it through the launcher, ./spikeforge verify MODEL --checkpoint C --master local[2]"), r.err());
        assertEquals("", r.out());
        ShardedVerify sv = new ShardedVerify(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        // the RTL
        r = cli(sv, verify(out, "--target", "fpga(lanes = 4)", "--rtl", "--master", "local[2]"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--rtl and --vcd cannot run with --master"), r.err());
        // a URL Spark does not take
        r = cli(sv, verify(out, "--samples", "32", "--master", "bogus://x"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("spikeforge verify: --master bogus://x is not a Spark master URL; use local[N]"),
                r.err());
        // the help names it
        r = cli(null, "verify", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--master=URL") && r.out().contains("spikeforge-spark.jar"), r.out());
    }

    @Test
    void theSparkJarsMainSendsSweepAndVerifyOnAndRefusesAnythingElse() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, SparkMain.run(new String[] {"check", "x.snn"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'check' is not one of its commands"), err.toString());
        assertEquals(2, SparkMain.run(new String[] {}, o, e));
        assertEquals(0, SparkMain.run(new String[] {"--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("verify MODEL --checkpoint C --master URL"));
        out.reset();
        assertEquals(0, SparkMain.run(new String[] {"sweep", "--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: spikeforge sweep"), out.toString());
        out.reset();
        assertEquals(0, SparkMain.run(new String[] {"verify", "--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: spikeforge verify"), out.toString());
    }

    // ---- comparison helpers -------------------------------------------------------------------------

    /** The text without what depends on time: the integer model's line, the emulators' rates. */
    static String withoutTimings(String text) {
        return text.lines().filter(l -> !l.startsWith("integer model: ")).map(l -> l.replaceAll(
                "; emulator [^;]* cycles/s per thread;", "; emulator (rate);")).reduce("", (a, b) -> a + b + "\n");
    }

    static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    /** The document without its timings and threads. */
    static JsonNode withoutTimings(JsonNode doc) {
        ObjectNode d = (ObjectNode) doc.deepCopy();
        d.remove(List.of("integer_seconds", "seconds", "integer_threads"));
        for (JsonNode t : d.path("targets")) {
            ((ObjectNode) t).remove("emulator_cycles_per_second_per_thread");
        }
        return d;
    }

    /**
     * Every field of two verifications but the timings (the integer model's seconds, the
     * comparison's, the emulators') and the threads; and the text and JSON reports without them.
     */
    static void assertSame(Verification want, Verification got, String what) {
        assertEquals(want.samples(), got.samples(), what + ": samples");
        assertEquals(want.tolerances(), got.tolerances(), what + ": tolerances");
        assertComparison(want.comparison(), got.comparison(), what);
        assertEquals(want.targets().size(), got.targets().size(), what + ": targets");
        for (int i = 0; i < want.targets().size(); i++) {
            Verification.TargetProof w = want.targets().get(i);
            Verification.TargetProof g = got.targets().get(i);
            String t = what + ", " + w.target();
            assertEquals(w.target(), g.target(), t);
            assertEquals(w.family(), g.family(), t);
            assertEquals(w.folder(), g.folder(), t + ": folder");
            assertEquals(w.timing(), g.timing(), t + ": timing");
            assertEquals(w.perSample(), g.perSample(), t + ": results per sample");
            assertEquals(w.exact(), g.exact(), t + ": exact");
            assertEquals(w.first(), g.first(), t + ": first difference");
            assertEquals(untimed(w.figures()), untimed(g.figures()), t + ": figures");
            assertEquals(w.rtl(), g.rtl(), t + ": rtl");
            assertEquals(w.rtlNote(), g.rtlNote(), t + ": rtl note");
            assertEquals(w.ownTiming() == null, g.ownTiming() == null, t + ": own timing");
            if (w.ownTiming() != null) {
                assertComparison(w.ownTiming(), g.ownTiming(), t + " own timing");
            }
        }
        assertEquals(want.failures(), got.failures(), what + ": failures");
        assertEquals(withoutTimings(String.join("\n", VerifyReport.text(want))),
                withoutTimings(String.join("\n", VerifyReport.text(got))), what + ": text");
        assertEquals(withoutTimings(VerifyReport.json(want)), withoutTimings(VerifyReport.json(got)), what + ": JSON");
        assertEquals(VerifyReport.junit(want).replaceFirst(" time=\"[0-9.]+\"", ""),
                VerifyReport.junit(got).replaceFirst(" time=\"[0-9.]+\"", ""), what + ": JUnit");
    }

    static void assertComparison(FloatIntegerComparison.Result w, FloatIntegerComparison.Result g, String what) {
        assertEquals(w.samples(), g.samples(), what + ": samples");
        assertArrayEquals(w.floatPredictions(), g.floatPredictions(), what + ": float predictions");
        assertArrayEquals(w.integerPredictions(), g.integerPredictions(), what + ": integer predictions");
        assertEquals(w.floatAccuracy(), g.floatAccuracy(), 0, what + ": float accuracy");
        assertEquals(w.integerAccuracy(), g.integerAccuracy(), 0, what + ": integer accuracy");
        assertEquals(w.agreement(), g.agreement(), 0, what + ": agreement");
        assertEquals(w.layers(), g.layers(), what + ": per-layer counts and correlations");
        assertArrayEquals(w.layerSynapticOps(), g.layerSynapticOps(), what + ": synaptic ops");
    }

    private static void assertArrayEquals(int[] w, int[] g, String what) {
        if (!Arrays.equals(w, g)) {
            throw new AssertionError(what + " differ: " + Arrays.toString(w) + " and " + Arrays.toString(g));
        }
    }

    private static void assertArrayEquals(long[] w, long[] g, String what) {
        if (!Arrays.equals(w, g)) {
            throw new AssertionError(what + " differ: " + Arrays.toString(w) + " and " + Arrays.toString(g));
        }
    }

    private static TargetFigures untimed(TargetFigures f) {
        return new TargetFigures(f.samples(), f.resources(), f.meanCycles(), f.minCycles(), f.maxCycles(), f.meanStepCycles(),
                f.maxStepCycles(), f.clock(), f.energy(), f.counters(), f.layers(), f.notes(), 0, f.cycleModel());
    }

    @Test
    void talliesOfConsecutiveRangesAddUpInOrderAndRefuseAnythingElse() {
        FloatIntegerComparison.Tally a = new FloatIntegerComparison.Tally(0, 2, 1, 2, 1, new long[][] {{1, 2}, null},
                new long[][] {{3, 4}, {5}}, new long[] {10, 20}, 7, new int[] {1, 2}, new int[] {1, 3});
        FloatIntegerComparison.Tally b = new FloatIntegerComparison.Tally(2, 3, 3, 0, 2, new long[][] {{10, 20}, {1}},
                new long[][] {{30, 40}, {50}}, new long[] {1, 2}, 5, new int[] {4, 5, 6}, new int[] {4, 0, 6});
        FloatIntegerComparison.Tally ab = a.then(b);
        assertEquals(0, ab.from());
        assertEquals(5, ab.samples());
        assertEquals(4, ab.floatCorrect());
        assertEquals(2, ab.integerCorrect());
        assertEquals(3, ab.agree());
        assertEquals(List.of(11L, 22L), Arrays.stream(ab.floatCounts()[0]).boxed().toList());
        assertNull(ab.floatCounts()[1], "a layer the float engine did not record in one range is left out");
        assertEquals(List.of(55L), Arrays.stream(ab.integerCounts()[1]).boxed().toList());
        assertEquals(List.of(11L, 22L), Arrays.stream(ab.layerSynapticOps()).boxed().toList());
        assertEquals(12, ab.integerNanos());
        assertEquals(List.of(1, 2, 4, 5, 6), Arrays.stream(ab.floatPredictions()).boxed().toList());
        assertEquals(List.of(1, 3, 4, 0, 6), Arrays.stream(ab.integerPredictions()).boxed().toList());
        assertEquals(List.of(1, 2), Arrays.stream(a.floatPredictions()).boxed().toList(), "the parts are not changed");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.then(a));
        assertTrue(e.getMessage().contains("the next range must start at 5"), e.getMessage());
    }
}

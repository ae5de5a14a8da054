package dev.spikeforge.spark;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded sweep on a small model trained on the synthetic bars set. */
class SweepTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path checkpoint;
    static SparkSession spark;

    static final String MODEL = """
            model bars
            input 1x8x8
            timesteps 8
            neuron lif  = LIF(beta = 0.875, threshold = 1.0, reset = zero)
            neuron pool = IF(threshold = 0.75, reset = zero)
            layers {
                c = conv(4, kernel = 3, padding = 1) -> lif
                p = avgpool(2) -> pool
                h = dense(16) -> lif
                out = readout(4)
            }
            train {
                method    = spike_bp
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
            }
            """;

    static final List<String> TARGETS = List.of("neurocore(preset = loihi_like, timing = sequential)", "fpga(lanes = 4)");

    @BeforeAll
    static void trained() throws Exception {
        System.setProperty("java.awt.headless", "true");
        BarsDataset.write(dir.resolve("bars"), 256, 128);
        model = dir.resolve("bars.snn");
        Files.writeString(model, MODEL);
        checkpoint = dir.resolve("bars.npz");
        Pipeline p = Pipeline.builder().build();
        p.train(p.load(model), TrainSettings.DEFAULTS.to(checkpoint));
        spark = SweepMain.session("local[2]", "SweepTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Path grid(String name, String json) throws Exception {
        Path g = dir.resolve(name);
        Files.writeString(g, json);
        return g;
    }

    static Sweep.Result sweep(Path grid, Path out) throws Exception {
        Sweep.Prepared prep = Sweep.prepare(new Sweep.Request(model, grid, null, out, null, null, "spikeforge test"));
        return Sweep.run(prep, spark, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void theEmbeddedSweepGivesTheRowsOfItsPointsRunOneAfterAnotherThroughThePipeline() throws Exception {
        Path g = grid("four.json", """
                {"checkpoint": "bars.npz", "samples": 48,
                 "grid": {"bits": [4, 8], "granularity": ["per_layer", "per_channel"], "qat_epochs": [0]},
                 "targets": ["neurocore(preset = loihi_like, timing = sequential)", "fpga(lanes = 4)"]}
                """);
        Path out = dir.resolve("four");
        Sweep.Result r = sweep(g, out);
        assertEquals(4, r.rows().size());
        assertEquals(4, r.ran());
        int i = 0;
        for (int bits : new int[] {4, 8}) {
            for (String gran : new String[] {"per_layer", "per_channel"}) {
                SweepRow row = r.rows().get(i);
                assertEquals(i, row.point());
                assertEquals(bits, row.bits());
                assertEquals(gran, row.granularity());
                assertEquals(64, row.hash().length());
                // the same point, one after another, through the pipeline directly
                Pipeline p = Pipeline.builder().threads(1).build();
                LoadedModel m = p.load(model);
                Trained t = p.checkpoint(m, checkpoint);
                Compiled c;
                try {
                    c = p.compile(t, new QuantSettings(bits, PointRunner.granularity(gran)), p.targets(m, TARGETS),
                            CompileSettings.targetsOnly(dir.resolve("direct-" + i)));
                } catch (PipelineException e) {
                    throw new AssertionError(e.getMessage() + "\n" + dev.spikeforge.compiler.diag.DiagnosticRenderer.render(
                            e.source(), e.diagnostics()) + "\nrow: " + row, e);
                }
                Verification v = p.verify(c, VerifySettings.samples(48));
                assertEquals(48, row.samples());
                assertEquals(v.comparison().floatAccuracy(), row.floatAccuracy());
                assertEquals(v.comparison().integerAccuracy(), row.integerAccuracy());
                assertEquals(v.comparison().agreement(), row.agreement());
                assertEquals(v.passed() ? "passed" : "failed", row.status(), row.error());
                assertEquals(2, row.targets().size());
                for (int k = 0; k < 2; k++) {
                    Verification.TargetProof tp = v.targets().get(k);
                    TargetFigures f = tp.figures();
                    SweepRow.TargetCells cell = row.targets().get(k);
                    assertEquals(tp.target(), cell.target());
                    assertEquals(tp.exact(), cell.exact());
                    assertEquals(48, cell.exact(), "every emulator equals its integer model");
                    assertEquals(f.meanCycles(), cell.cycles());
                    assertEquals(f.meanSeconds(), cell.latencySeconds());
                    assertEquals(f.energy() == null ? null : f.energy().total(), cell.energyJoules());
                }
                i++;
            }
        }
        assertNotNull(r.rows().get(0).targets().get(0).energyJoules(), "the neurocore target models energy");
        // the outputs
        List<String> csv = Files.readAllLines(out.resolve("rows.csv"));
        assertEquals(5, csv.size());
        assertTrue(csv.get(0).startsWith("point,hash,model_sha256,checkpoint_sha256,bits,granularity,qat_epochs,samples,"
                + "status,error,float_accuracy,"
                + "integer_accuracy,agreement,target1,target1_exact,target1_cycles,target1_latency_s,target1_energy_j,"
                + "target2,"), csv.get(0));
        assertTrue(csv.get(1).contains(",loihi_like (sequential),48,") && csv.get(1).contains(",\"fpga(lanes = 4, family = generic)\",48,"), csv.get(1));
        List<Row> parquet = spark.read().parquet(out.resolve("rows.parquet").toString()).orderBy("point").collectAsList();
        assertEquals(4, parquet.size());
        for (int k = 0; k < 4; k++) {
            SweepRow row = r.rows().get(k);
            Row pr = parquet.get(k);
            assertEquals(row.hash(), pr.getAs("hash"));
            assertEquals(dev.spikeforge.compiler.io.Checksums.sha256(Files.readAllBytes(checkpoint)),
                    pr.getAs("checkpoint_sha256"));
            assertEquals(dev.spikeforge.compiler.io.Checksums.sha256(Files.readAllBytes(model)), pr.getAs("model_sha256"));
            assertEquals(row.integerAccuracy(), pr.<Double>getAs("integer_accuracy"));
            assertEquals(row.targets().get(1).cycles(), pr.<Double>getAs("target2_cycles"));
            assertEquals(row.targets().get(0).exact(), pr.<Long>getAs("target1_exact"));
        }
        String html = Files.readString(out.resolve("pareto.html"));
        assertTrue(html.contains("Pareto front") || html.contains("front point"), html);
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(html.contains("Against energy per inference"));
        assertTrue(html.contains("Against latency per inference"));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary files left");
        }
        // a second run of the same sweep runs nothing and writes the same rows
        Sweep.Result again = sweep(g, out);
        assertEquals(0, again.ran());
        assertEquals(4, again.reused());
        assertEquals(r.rows(), again.rows());
    }

    @Test
    void aQatPointFineTunesTheCheckpointWithItsFormatsAsThePipelineDoes() throws Exception {
        Path g = grid("qat.json", """
                {"checkpoint": "bars.npz", "samples": 64, "grid": {"bits": [3], "granularity": ["per_layer"],
                 "qat_epochs": [0, 1]}, "targets": ["fpga(lanes = 4)"]}
                """);
        Sweep.Result r = sweep(g, dir.resolve("qat"));
        assertEquals(2, r.rows().size());
        SweepRow plain = r.rows().get(0);
        SweepRow qat = r.rows().get(1);
        assertEquals(0, plain.qatEpochs());
        assertEquals(1, qat.qatEpochs());
        assertFalse(plain.hash().equals(qat.hash()));
        // the same fine-tuning through the pipeline directly
        Pipeline p = Pipeline.builder().threads(1).build();
        LoadedModel m = p.load(model);
        Trained t = p.checkpoint(m, checkpoint);
        float[] before = t.parameters().tensors().get("h.weight").clone();
        QuantSettings qs = new QuantSettings(3, PointRunner.granularity("per_layer"));
        Trained tuned = p.fineTune(t, qs, 1);
        assertArrayEquals(before, t.parameters().tensors().get("h.weight"), "fine-tuning leaves the checkpoint's weights");
        assertEquals(1, tuned.epochs().size());
        Compiled c = p.compile(tuned, qs, p.targets(m, List.of("fpga(lanes = 4)")),
                CompileSettings.targetsOnly(dir.resolve("direct-qat")));
        Verification v = p.verify(c, VerifySettings.samples(64));
        assertEquals(v.comparison().floatAccuracy(), qat.floatAccuracy());
        assertEquals(v.comparison().integerAccuracy(), qat.integerAccuracy());
        assertEquals(v.comparison().agreement(), qat.agreement());
        assertEquals(64, qat.targets().get(0).exact());
        // 3-bit weights: the fine-tuned float model is the fake-quantised one, so it agrees with its
        // integer model better than the plain checkpoint does with its own
        assertFalse(plain.floatAccuracy().equals(qat.floatAccuracy()) && plain.agreement().equals(qat.agreement()),
                "fine-tuning changed the model: " + plain + " / " + qat);
        assertTrue(qat.agreement() >= plain.agreement(), plain.agreement() + " -> " + qat.agreement());
    }

    @Test
    void aSweepThatSynthesisesHasTheResourcesOfEachHardwareDesign() throws Exception {
        // the README's test command installs yosys (scripts/require.sh): a missing one fails, as for Verilator
        assertTrue(dev.spikeforge.targets.fpga.RtlSimulator.available("yosys"),
                "yosys is not installed (apt-get install -y yosys)");
        Path g = grid("synth.json", """
                {"checkpoint": "bars.npz", "samples": 16, "synth": true, "grid": {"bits": [8], "granularity": ["per_layer"]},
                 "targets": ["fpga(family = ice40, lanes = 4)", "neurocore(preset = loihi_like, timing = sequential)"]}
                """);
        Path out = dir.resolve("synth");
        Sweep.Result r = sweep(g, out);
        SweepRow row = r.rows().get(0);
        assertEquals("passed".equals(row.status()) || "failed".equals(row.status()), true, row.error());
        SweepRow.TargetCells fpga = row.targets().get(0);
        assertNull(row.targets().get(1).luts(), "the neurocore target has no hardware design to synthesise");
        // the same design synthesised directly
        Pipeline p = Pipeline.builder().threads(1).build();
        LoadedModel m = p.load(model);
        Compiled c = p.compile(p.checkpoint(m, checkpoint), new QuantSettings(8, PointRunner.granularity("per_layer")),
                p.targets(m, List.of("fpga(family = ice40, lanes = 4)")), CompileSettings.targetsOnly(dir.resolve("direct-synth")));
        var folder = c.targets().get(0).folder().folder();
        var report = dev.spikeforge.pipeline.Folders.synthesise(dev.spikeforge.compiler.target.TargetFamily.named("fpga")
                .orElseThrow().read(folder), null, false);
        assertEquals(report.total().luts(), fpga.luts());
        assertEquals(report.total().brams(), fpga.brams());
        assertEquals(report.total().dsps(), fpga.dsps());
        assertTrue(fpga.luts() > 0, "LUTs: " + fpga.luts());
        String header = Files.readAllLines(out.resolve("rows.csv")).get(0);
        assertTrue(header.contains(",target1_energy_j,target1_luts,target1_brams,target1_dsps,target2,"), header);
        Row pr = spark.read().parquet(out.resolve("rows.parquet").toString()).collectAsList().get(0);
        assertEquals(fpga.luts(), pr.<Long>getAs("target1_luts"));
        assertNull(pr.getAs("target2_luts"));
        assertTrue(Files.readString(out.resolve("pareto.html")).contains("Against LUTs"));
        // synthesis is part of the point's inputs: the same point without it is another row
        assertFalse(prep(g, out).job().hash(8, "per_layer", 0).equals(Sweep.prepare(new Sweep.Request(model,
                grid("nosynth.json", Files.readString(g).replace("\"synth\": true, ", "")), null, out, null, null,
                "spikeforge test")).job().hash(8, "per_layer", 0)));
    }

    private static Sweep.Prepared prep(Path grid, Path out) throws Exception {
        return Sweep.prepare(new Sweep.Request(model, grid, null, out, null, null, "spikeforge test"));
    }

    @Test
    void anInterruptedSweepResumesRunningOnlyThePointsWithoutARow() throws Exception {
        Path g = grid("two.json", """
                {"checkpoint": "bars.npz", "samples": 32, "grid": {"bits": [6], "granularity": ["per_layer", "per_channel"]},
                 "targets": ["fpga(lanes = 4)"]}
                """);
        Path out = dir.resolve("two");
        Sweep.Result first = sweep(g, out);
        assertEquals(2, first.ran());
        Path kept = out.resolve("points").resolve(first.rows().get(0).hash() + ".json");
        Path lost = out.resolve("points").resolve(first.rows().get(1).hash() + ".json");
        byte[] keptBytes = Files.readAllBytes(kept);
        var keptTime = Files.getLastModifiedTime(kept);
        Files.delete(lost);   // as if the sweep had been killed before the second point finished
        Sweep.Result second = sweep(g, out);
        assertEquals(1, second.ran(), "only the point without a row runs again");
        assertEquals(1, second.reused());
        assertArrayEquals(keptBytes, Files.readAllBytes(kept));
        assertEquals(keptTime, Files.getLastModifiedTime(kept));
        assertTrue(Files.exists(lost));
        for (int k = 0; k < 2; k++) {
            assertEquals(first.rows().get(k).withoutWallTime(), second.rows().get(k).withoutWallTime());
        }
        // a damaged point file is not a row: that point runs again
        Files.writeString(lost, "{\"schema\": \"spikeforge.sweep-row/1\", \"hash\": ");
        assertEquals(1, sweep(g, out).ran());
        // a different checkpoint is a different input: every point's hash changes
        SweepJob job = Sweep.prepare(new Sweep.Request(model, g, null, out, null, null, "spikeforge test")).job();
        SweepJob changed = new SweepJob(job.modelPath(), job.modelText(), job.checkpointPath(), "0".repeat(64),
                job.samples(), job.targets(), job.version(), job.dataDir(), job.pointsDir(), job.synth());
        assertEquals(first.rows().get(0).hash(), job.hash(6, "per_layer", 0));
        assertFalse(changed.hash(6, "per_layer", 0).equals(job.hash(6, "per_layer", 0)));
        SweepJob otherSamples = new SweepJob(job.modelPath(), job.modelText(), job.checkpointPath(), job.checkpointSha256(),
                33, job.targets(), job.version(), job.dataDir(), job.pointsDir(), job.synth());
        assertFalse(otherSamples.hash(6, "per_layer", 0).equals(job.hash(6, "per_layer", 0)));
    }

    @Test
    void aSecondSweepIntoTheSameFolderIsRefusedAndAKilledWritersStagingIsRemoved() throws Exception {
        Path g = grid("one.json", "{\"checkpoint\": \"bars.npz\", \"samples\": 16, \"grid\": {\"bits\": [8]}}");
        Path out = dir.resolve("one");
        Files.createDirectories(out.resolve(".rows.parquet.stage-killed"));
        Files.writeString(out.resolve(".rows.parquet.stage-killed/part-0.parquet"), "half");
        var other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var lock = other.submit(() -> dev.spikeforge.compiler.io.OutputLock.acquire(out)).get();
            SweepException e = org.junit.jupiter.api.Assertions.assertThrows(SweepException.class, () -> sweep(g, out));
            assertEquals(SweepException.INPUT, e.exitCode());
            assertTrue(e.getMessage().contains("is writing it"), e.getMessage());
            other.submit(() -> {
                lock.close();
                return null;
            }).get();
        } finally {
            other.shutdown();
        }
        assertEquals(1, sweep(g, out).ran());
        assertFalse(Files.exists(out.resolve(".rows.parquet.stage-killed")));
    }

    @Test
    void aPointTheFormatsCannotHoldIsARowWithItsError() throws Exception {
        Path narrow = dir.resolve("narrow.snn");
        Files.writeString(narrow, MODEL.replace("membrane = int(16)", "membrane = int(4)"));
        Path g = grid("narrow.json", "{\"checkpoint\": \"bars.npz\", \"samples\": 16, \"grid\": {\"bits\": [8]}}");
        Sweep.Prepared prep = Sweep.prepare(new Sweep.Request(narrow, g, null, dir.resolve("narrow"), null, null, "t"));
        Sweep.Result r = Sweep.run(prep, spark, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        SweepRow row = r.rows().get(0);
        assertEquals("error", row.status());
        assertTrue(row.error().contains("E502"), row.error());
        assertNull(row.integerAccuracy());
    }
}

package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and eval through the CLI, in-process, on a small synthetic IDX dataset. */
class TrainCommandTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    /** Four classes of 8x8 bars, as MNIST-format IDX files (gzipped, like the Debian package). */
    @BeforeAll
    static void dataset() throws IOException {
        data = dir.resolve("bars");
        Files.createDirectories(data);
        BarsDataset.write(data, 256, 64);
        model = dir.resolve("bars.snn");
        Files.writeString(model, """
                model bars
                input 1x8x8
                timesteps 6
                neuron lif  = LIF(beta = 0.875, threshold = 1.0)
                neuron pool = IF(threshold = 0.75)
                layers {
                    c = conv(4, kernel = 3, padding = 1) -> lif
                    p = avgpool(2) -> pool
                    h = dense(16) -> lif dropout 0.25
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
                """);
    }

    /**
     * train estimates memory again before it allocates, at the batch it will use: a batch of 10^8
     * is cut to the 256 training samples and trains, where check refuses it (E800); 2 million
     * steps are refused by both, with the same E800 and exit 1 (262,143 x 32 x 256 values fit in an int).
     */
    @Test
    void trainChecksMemoryAtTheBatchItWillUse() throws Exception {
        String text = Files.readString(model);
        Path bigBatch = dir.resolve("bigbatch.snn");
        Files.writeString(bigBatch, text.replace("batch     = 32", "batch     = 100000000").replace("epochs    = 2",
                "epochs    = 1"));
        assertEquals(ExitCodes.CHECK_FAILED, CliRun.of("check", bigBatch.toString()).exit());
        CliRun ok = CliRun.of("train", bigBatch.toString(), "--out", dir.resolve("big.npz").toString());
        assertEquals(ExitCodes.OK, ok.exit(), ok.err());
        Path longRun = dir.resolve("long.snn");
        Files.writeString(longRun, text.replace("timesteps 6", "timesteps 2000000"));
        CliRun refused = CliRun.of("train", longRun.toString(), "--out", dir.resolve("long.npz").toString());
        assertEquals(ExitCodes.CHECK_FAILED, refused.exit(), refused.err());
        assertTrue(refused.err().contains("long.snn:16:17: error[E800]: training needs an array of"), refused.err());
        assertTrue(refused.err().contains("at most 262143 time steps (now 2000000)"), refused.err());
        assertFalse(Files.exists(dir.resolve("long.npz")));
    }

    @Test
    void trainWritesACheckpointThatEvalReads() throws Exception {
        Path out = dir.resolve("a.npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", out.toString(), "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(2, doc.get("epochs").size());
        assertTrue(doc.get("epochs").get(1).get("test_accuracy").asDouble() > 0.5, r.out());
        assertTrue(r.err().contains("epoch 2/2: test accuracy"), r.err());
        CliRun e = CliRun.of("eval", model.toString(), "--checkpoint", out.toString(), "--json");
        assertEquals(ExitCodes.OK, e.exit(), e.err());
        JsonNode ev = new ObjectMapper().readTree(e.out());
        assertEquals(64, ev.get("samples").asInt());
        assertEquals(doc.get("epochs").get(1).get("test_accuracy").asDouble(), ev.get("accuracy").asDouble(), 1e-12);
        assertTrue(ev.get("layers").get("c").get("firing_rate").asDouble() > 0);
    }

    /**
     * augment = [shift(1), hflip]: train says what it does, trains to other weights than the file
     * without it, and a run interrupted after epoch 1 and resumed ends with the straight run's
     * weights (the draws are the epoch's, not the run's).
     */
    @Test
    void augmentIsAnnouncedChangesTrainingAndResumesExactly() throws Exception {
        Path a = dir.resolve("augment.snn");
        Files.writeString(a, Files.readString(model).replace("seed      = 5", "seed      = 5\n    augment   = [shift(1), hflip]"));
        Path straight = dir.resolve("augment.npz");
        CliRun r = CliRun.of("train", a.toString(), "--out", straight.toString(), "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("== augment = [shift(1), hflip]: each training image mirrored left to right half the"
                + " time, then moved by -1..1 pixels down and across, drawn anew every epoch; test and validation images"
                + " as they are"), r.err());
        Path plain = dir.resolve("augment-plain.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--out", plain.toString()).exit());
        Path resumed = dir.resolve("augment-resumed.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", a.toString(), "--epochs", "1", "--out", resumed.toString()).exit());
        CliRun two = CliRun.of("train", a.toString(), "--epochs", "2", "--resume", resumed.toString(), "--out",
                resumed.toString());
        assertEquals(ExitCodes.OK, two.exit(), two.err());
        float[] w = weights(straight, "h.weight");
        assertArrayEquals(w, weights(resumed, "h.weight"), "resumed after epoch 1");
        assertFalse(java.util.Arrays.equals(w, weights(plain, "h.weight")), "augment changed nothing");
    }

    private static float[] weights(Path checkpoint, String name) throws Exception {
        return dev.spikeforge.runtime.checkpoint.CheckpointReader.read(checkpoint).array(name).orElseThrow().floats();
    }

    /**
     * validation = 0.25 holds a quarter of each class out of training (65 of 256: the bars have no
     * groups, and each class's share is rounded),
     * reports its accuracy after every epoch (text, table and JSON); a share that holds out nothing
     * (1% of 8 samples) is refused with the file, the place and a fix.
     */
    @Test
    void aValidationShareIsHeldOutAndReportedEveryEpoch() throws Exception {
        Path v = dir.resolve("valid.snn");
        Files.writeString(v, Files.readString(model).replace("seed      = 5", "seed      = 5\n    validation = 0.25"));
        CliRun r = CliRun.of("train", v.toString(), "--out", dir.resolve("valid.npz").toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("== validation: 65 of 256 training samples held out, the same share of each class"),
                r.err());
        assertTrue(r.err().matches("(?s).*epoch 2/2: test accuracy [0-9.]+% \\(64 samples\\), validation [0-9.]+%"
                + " \\(65 samples\\).*"), r.err());
        assertTrue(r.out().contains("test acc  valid acc  samples/s"), r.out());
        CliRun j = CliRun.of("train", v.toString(), "--out", dir.resolve("valid2.npz").toString(), "--json");
        JsonNode doc = new ObjectMapper().readTree(j.out());
        JsonNode first = doc.get("epochs").get(0);
        JsonNode last = doc.get("epochs").get(1);
        assertEquals(65, last.get("validation_samples").asInt());
        assertTrue(last.get("validation_accuracy").asDouble() > 0.25, j.out());
        // the best epoch's checkpoint: the earlier of equal accuracies, its weights that epoch's
        int best = last.get("validation_accuracy").asDouble() > first.get("validation_accuracy").asDouble() ? 2 : 1;
        Path bestFile = dir.resolve("valid2-best.npz");
        assertEquals(bestFile.toString(), doc.get("best_checkpoint").asText());
        assertTrue(j.err().contains("== best validation accuracy"), j.err());
        CliRun e = CliRun.of("eval", v.toString(), "--checkpoint", bestFile.toString(), "--json");
        assertEquals(ExitCodes.OK, e.exit(), e.err());
        assertEquals(doc.get("epochs").get(best - 1).get("test_accuracy").asDouble(),
                new ObjectMapper().readTree(e.out()).get("accuracy").asDouble(), 1e-12, "the best file holds epoch " + best);
        // interrupted after epoch 1 and resumed: the best file is the better of epoch 1 (read back from
        // the file) and epoch 2, as in the straight run
        Path resumed = dir.resolve("valid3.npz");
        CliRun one = CliRun.of("train", v.toString(), "--epochs", "1", "--out", resumed.toString(), "--json");
        assertEquals(ExitCodes.OK, one.exit(), one.err());
        CliRun two = CliRun.of("train", v.toString(), "--epochs", "2", "--resume", resumed.toString(), "--out",
                resumed.toString(), "--json");
        assertEquals(ExitCodes.OK, two.exit(), two.err());
        double a1 = new ObjectMapper().readTree(one.out()).get("epochs").get(0).get("validation_accuracy").asDouble();
        double a2 = new ObjectMapper().readTree(two.out()).get("epochs").get(0).get("validation_accuracy").asDouble();
        assertEquals(first.get("validation_accuracy").asDouble(), a1, 1e-12);
        assertEquals(last.get("validation_accuracy").asDouble(), a2, 1e-12);
        assertEquals(best, dev.spikeforge.runtime.checkpoint.CheckpointReader.read(dir.resolve("valid3-best.npz"))
                .manifest().path("epochs_done").asInt(), "the resumed run's best epoch");
        // a fresh run to the same file without validation removes the earlier run's best file
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--epochs", "1", "--out",
                dir.resolve("valid2.npz").toString()).exit());
        assertFalse(Files.exists(bestFile), "a stale best-epoch checkpoint was left beside a new run's");
        Path tiny = dir.resolve("tiny.snn");
        Files.writeString(tiny, Files.readString(v).replace("0.25", "0.01"));
        CliRun few = CliRun.of("train", tiny.toString(), "--limit", "8", "--out", dir.resolve("few.npz").toString());
        assertEquals(ExitCodes.USAGE, few.exit(), few.err());
        assertTrue(few.err().contains("tiny.snn:19:18: error: validation = 0.01 of 8 training samples holds out none"),
                few.err());
        assertFalse(Files.exists(dir.resolve("few.npz")));
    }

    /**
     * Two epochs straight, against one epoch then --resume to two. The model's learning rate is
     * constant, so a run told to stop after epoch 1 is exactly an interrupted 2-epoch run.
     */
    @Test
    void aResumedRunEndsWithTheSameWeightsBitForBit() throws Exception {
        Path straight = dir.resolve("straight.npz");
        Path afterOne = dir.resolve("after-one.npz");
        Path resumed = dir.resolve("resumed.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--out", straight.toString(), "--threads", "2").exit());
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--epochs", "1", "--out", afterOne.toString(),
                "--threads", "2").exit());
        CliRun r = CliRun.of("train", model.toString(), "--epochs", "2", "--resume", afterOne.toString(), "--out",
                resumed.toString(), "--threads", "2");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("epoch 2/2") && !r.err().contains("epoch 1/2"), r.err());
        Checkpoint a = CheckpointReader.read(straight);
        Checkpoint c = CheckpointReader.read(resumed);
        assertEquals(a.names(), c.names());
        for (String name : a.names()) {
            if (name.startsWith("optimizer.")) {
                assertArrayEquals(a.array(name).orElseThrow().doubles(), c.array(name).orElseThrow().doubles(), 0, name);
            } else {
                assertArrayEquals(a.array(name).orElseThrow().floats(), c.array(name).orElseThrow().floats(), 0, name);
            }
        }
    }

    /**
     * --fine-tune runs QAT epochs from a checkpoint with the given formats: the checkpoint stays as
     * it was, the same fine-tuning twice gives the same weights bit for bit, the 3-bit integer model
     * of the fine-tuned weights agrees with its float model at least as well as the plain
     * checkpoint's, and the options that only make sense together are refused apart.
     */
    @Test
    void fineTuningRunsQatEpochsFromACheckpointWithTheGivenFormats() throws Exception {
        Path base = dir.resolve("ft-base.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--epochs", "1", "--out", base.toString()).exit());
        byte[] before = Files.readAllBytes(base);
        Path tuned = dir.resolve("ft-tuned.npz");
        CliRun r = CliRun.of("train", model.toString(), "--fine-tune", base.toString(), "--qat-epochs", "1", "--bits", "3",
                "--per-layer", "--out", tuned.toString(), "--json");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.err().contains("qat epoch 1/1"), r.err());
        assertEquals(1, new ObjectMapper().readTree(r.out()).get("epochs").size(), r.out());
        assertArrayEquals(before, Files.readAllBytes(base), "the checkpoint fine-tuned from is unchanged");
        Path again = dir.resolve("ft-again.npz");
        assertEquals(ExitCodes.OK, CliRun.of("train", model.toString(), "--fine-tune", base.toString(), "--bits", "3",
                "--per-layer", "--out", again.toString()).exit());
        Checkpoint a = CheckpointReader.read(tuned);
        Checkpoint b = CheckpointReader.read(again);
        Checkpoint plain = CheckpointReader.read(base);
        boolean changed = false;
        for (String name : a.names()) {
            if (!name.startsWith("optimizer.") && !name.startsWith("qat.")) {
                assertArrayEquals(a.array(name).orElseThrow().floats(), b.array(name).orElseThrow().floats(), 0, name);
                changed |= !java.util.Arrays.equals(a.array(name).orElseThrow().floats(),
                        plain.array(name).orElseThrow().floats());
            }
        }
        assertTrue(changed, "fine-tuning changed the weights");
        double plainAgreement = agreement(base);
        double tunedAgreement = agreement(tuned);
        assertTrue(tunedAgreement >= plainAgreement, plainAgreement + " -> " + tunedAgreement);
        // options that go together
        CliRun lone = CliRun.of("train", model.toString(), "--qat-epochs", "2");
        assertEquals(ExitCodes.USAGE, lone.exit());
        assertTrue(lone.err().contains("--qat-epochs") && lone.err().contains("--fine-tune"), lone.err());
        CliRun both = CliRun.of("train", model.toString(), "--fine-tune", base.toString(), "--resume", base.toString());
        assertEquals(ExitCodes.USAGE, both.exit());
        assertTrue(both.err().contains("excludes --resume"), both.err());
        CliRun zero = CliRun.of("train", model.toString(), "--fine-tune", base.toString(), "--qat-epochs", "0");
        assertEquals(ExitCodes.USAGE, zero.exit());
        CliRun missing = CliRun.of("train", model.toString(), "--fine-tune", dir.resolve("none.npz").toString());
        assertEquals(ExitCodes.INPUT_ERROR, missing.exit(), missing.err());
        assertTrue(missing.err().contains("none.npz"), missing.err());
    }

    /**
     * Direct input (analog pixels, bytes in the integer model): quantisation-aware fine-tuning
     * computes the first layer's integer current from the bytes (docs/semantics.md section 4.13), so
     * the fine-tuned float model makes the integer model's decisions and verify passes with its
     * default tolerances at 100% agreement.
     */
    @Test
    void fineTuningADirectInputModelMakesItsFloatModelTheIntegerModel() throws Exception {
        Path direct = dir.resolve("bars-direct.snn");
        Files.writeString(direct, Files.readString(model).replace("model bars", "model bars_direct")
                .replace("input 1x8x8", "input 1x8x8 encode direct"));
        Path base = dir.resolve("direct-base.npz");
        CliRun plain = CliRun.of("train", direct.toString(), "--epochs", "1", "--out", base.toString());
        assertEquals(ExitCodes.OK, plain.exit(), plain.err());
        Path tuned = dir.resolve("direct-tuned.npz");
        CliRun r = CliRun.of("train", direct.toString(), "--fine-tune", base.toString(), "--bits", "4", "--per-layer",
                "--out", tuned.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        CliRun v = CliRun.of("verify", direct.toString(), "--checkpoint", tuned.toString(), "--bits", "4", "--per-layer",
                "--json", "--out", dir.resolve("v-direct").toString());
        assertEquals(ExitCodes.OK, v.exit(), v.err());
        com.fasterxml.jackson.databind.JsonNode doc = new ObjectMapper().readTree(v.out());
        assertEquals(1.0, doc.get("agreement").asDouble(), 0, v.out());
        assertEquals(doc.get("float_accuracy").asDouble(), doc.get("integer_accuracy").asDouble(), 0, v.out());
    }

    private static double agreement(Path checkpoint) throws Exception {
        CliRun v = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--bits", "3", "--per-layer",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--json", "--out",
                dir.resolve("v-" + checkpoint.getFileName()).toString());
        assertEquals(ExitCodes.OK, v.exit(), v.err());
        return new ObjectMapper().readTree(v.out()).get("agreement").asDouble();
    }

    /** A learning rate that overflows the float weights: one line naming the batch and the fix, exit 1. */
    @Test
    void aDivergingRunStopsWithOneLineAndExitOne() throws Exception {
        Path diverging = dir.resolve("diverging.snn");
        Files.writeString(diverging, Files.readString(model).replace("adam(lr = 0.01)", "sgd(lr = 1e38)"));
        Path out = dir.resolve("diverging.npz");
        CliRun r = CliRun.of("train", diverging.toString(), "--out", out.toString());
        assertEquals(ExitCodes.CHECK_FAILED, r.exit(), r.err());
        String line = r.err().lines().filter(l -> l.contains("error:")).findFirst().orElse("");
        assertTrue(line.startsWith(diverging + ": error: training diverged: the "), r.err());
        assertTrue(line.contains("in epoch 1, batch "), line);
        assertTrue(line.contains("no checkpoint was written; lower the optimizer's lr"), line);
        assertEquals(1, r.err().lines().filter(l -> l.contains("error")).count(), r.err());
        assertTrue(!Files.exists(out), "no checkpoint of a diverged first epoch");
    }

    @Test
    void aCorruptDatasetIsOneLineAndExitThree() throws IOException {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                      "t10k-labels-idx1-ubyte"}) {
            Files.write(broken.resolve(f), new byte[] {0, 0, 8, 3, 0, 0});
        }
        CliRun r = CliRun.of("train", model.toString(), "--data", broken.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte"), r.err());
    }

    @Test
    void aCorruptOrForeignCheckpointIsOneLineAndExitThree() throws IOException {
        Path junk = dir.resolve("junk.npz");
        Files.write(junk, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        CliRun r = CliRun.of("eval", model.toString(), "--checkpoint", junk.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit());
        assertTrue(r.err().startsWith("spikeforge eval: error: " + junk), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}

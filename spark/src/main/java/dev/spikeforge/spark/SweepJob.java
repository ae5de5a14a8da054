package dev.spikeforge.spark;

import dev.spikeforge.compiler.io.Checksums;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What every task of a sweep shares, shipped to the executors: the model's text (the file's path
 * only places its dataset and is read from nowhere else), the checkpoint by path and content hash
 * (a task refuses a checkpoint whose bytes changed), the verification samples, the targets, the
 * version and the folder the point files go to.
 *
 * @param dataDir   the datasets' folder override, or null
 * @param pointsDir the folder of the per-point rows ({@code DIR/points})
 * @param synth     synthesise each target that has a hardware design (LUTs, BRAM, DSPs in the row)
 */
public record SweepJob(String modelPath, String modelText, String checkpointPath, String checkpointSha256, int samples,
                       List<String> targets, String version, String dataDir, String pointsDir, boolean synth)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public SweepJob {
        targets = new ArrayList<>(targets);
    }

    /**
     * One point as a task receives it: its place, the effective formats (the deploy block's where the
     * grid leaves a dimension out) and its hash.
     */
    public record Point(int index, int bits, String granularity, int qatEpochs, String hash) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The text the point's hash is taken over: every input that can change its row. */
    String hashInput(int bits, String granularity, int qatEpochs) {
        return "spikeforge sweep point/1\n"
                + "version " + version + "\n"
                + "model " + modelSha256() + "\n"
                + "checkpoint " + checkpointSha256 + "\n"
                + "bits " + bits + "\n"
                + "granularity " + granularity + "\n"
                + "qat_epochs " + qatEpochs + "\n"
                + "samples " + samples + "\n"
                + "targets " + String.join(" | ", targets) + "\n"
                + (synth ? "synth yes\n" : "");   // absent when false: the hashes of sweeps without synthesis stay
    }

    /** SHA-256 (hex) of the model's text. */
    public String modelSha256() {
        return sha256(modelText.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 (hex) of the point's inputs. */
    public String hash(int bits, String granularity, int qatEpochs) {
        return sha256(hashInput(bits, granularity, qatEpochs).getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        return Checksums.sha256(bytes);
    }
}

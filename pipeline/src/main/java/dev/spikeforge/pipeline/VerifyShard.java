package dev.spikeforge.pipeline;

import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One consecutive range of a verification's samples, verified on its own
 * ({@link Pipeline#verifyShard}) so that the ranges can run on different machines, and merged in
 * sample order ({@link Pipeline#mergeShards}) into the {@link Verification} that one
 * {@link Pipeline#verify} over all the samples gives, equal in every field but the wall times.
 * It holds raw counts and per-sample values, never averages (averages of averages, and floating
 * sums grouped otherwise, would differ in the last bits), and what the merging side checks that
 * the shard saw the same inputs it did: the test samples' bytes and every target folder's files.
 * Serializable, to travel from the task that verified the range to the driver.
 *
 * @param from       the range's first sample
 * @param to         one past its last sample
 * @param total      the samples of the whole verification, as this shard's session counted them
 * @param data       SHA-256 of the range's test samples (labels and pixels) as this shard read them
 * @param comparison the float model against the integer model on the range: raw counts
 * @param targets    per compiled target, in the compiled order
 * @param seconds    wall time of the range's float/integer comparison
 * @param threads    threads this shard's engines used
 */
public record VerifyShard(int from, int to, int total, String data, FloatIntegerComparison.Tally comparison,
                          List<Target> targets, double seconds, int threads) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * A range starts at a multiple of this, and ends at one or at the last sample: the float model
     * runs batches of this many samples, and its sums (ND4J's products and convolutions) may round
     * differently in a batch of another size or grouping, so every batch of a shard must be one of
     * the single pass's.
     */
    public static final int ALIGNMENT = Proving.VERIFY_BATCH;

    public VerifyShard {
        targets = List.copyOf(targets);
    }

    /**
     * One target's part of the range.
     *
     * @param target     the target's name
     * @param folder     per file of the compiled folder the shard's emulator read (path relative to the folder,
     *                   with {@code /}): its SHA-256
     * @param perSample  per sample of the range, null when the emulator equalled the integer model, else the first
     *                   difference (samples numbered in the whole verification)
     * @param emulator   the emulator's tally ({@link dev.spikeforge.compiler.target.TargetEmulator#tally()})
     * @param ownTiming  when the target runs another timing than the model's, the float model against its integer
     *                   model under it on the range; else null
     */
    public record Target(String target, Map<String, String> folder, List<Verification.Mismatch> perSample,
                         Serializable emulator, FloatIntegerComparison.Tally ownTiming) implements Serializable {

        private static final long serialVersionUID = 1L;

        public Target {
            folder = Collections.unmodifiableMap(new TreeMap<>(folder));
            perSample = Collections.unmodifiableList(new ArrayList<>(perSample));   // nulls allowed
        }
    }

    /** A range of samples, {@code from .. to - 1}. */
    public record Range(int from, int to) implements Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            return "samples " + from + " to " + (to - 1);
        }
    }

    /**
     * {@code samples} cut into consecutive ranges of {@code size} samples, the last one shorter when
     * they do not divide evenly.
     *
     * @param size a positive multiple of {@link #ALIGNMENT}
     */
    public static List<Range> ranges(int samples, int size) {
        if (size < ALIGNMENT || size % ALIGNMENT != 0) {
            throw new IllegalArgumentException("a shard's size must be a positive multiple of " + ALIGNMENT + ", got " + size);
        }
        List<Range> out = new ArrayList<>();
        for (int from = 0; from < samples; from += size) {
            out.add(new Range(from, (int) Math.min((long) from + size, samples)));
        }
        return out;
    }

    /**
     * The size of ranges that cut {@code samples} into about {@code parts} ranges: their even share
     * rounded up to a multiple of {@link #ALIGNMENT}, so never more than {@code parts} ranges (fewer
     * when the samples are few).
     */
    public static int size(int samples, int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be at least 1, got " + parts);
        }
        long share = Math.max(1, ((long) samples + parts - 1) / parts);
        return (int) Math.min(Integer.MAX_VALUE / ALIGNMENT * ALIGNMENT, (share + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
    }
}

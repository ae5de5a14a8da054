package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to real checkpoints (stored, deflated with data descriptors, with a zip64
 * end): flipped bytes, 16- and 32-bit fields set to edge values, truncations and appended bytes.
 * Reading must give the checkpoint or a CheckpointException, nothing else, and quickly. Set
 * {@code -Dspikeforge.mutations=N} for a longer run than the default.
 */
class CheckpointMutationTest {

    private static final int DEFAULT_MUTATIONS = 3000;
    private static final long[] EDGES = {0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFFL, 0xFFFF_FFFFL, 0x8000_0000L, 30, 46};

    @TempDir
    Path dir;

    @Test
    void damagedArchivesGiveACheckpointOrACheckpointExceptionOnly() throws Exception {
        NdArray w = NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NdArray m = NdArray.ofDoubles(new double[] {0.5, -0.5}, 2);
        Path written = dir.resolve("base.npz");
        CheckpointWriter.write(written, Checkpoint.builder().put("w", w).put("optimizer.first.w", m).build());
        List<byte[]> bases = List.of(Files.readAllBytes(written),
                ZipBytes.builder().putArray("w", w).putArray("m", m).putManifest().deflated(),
                ZipBytes.builder().putArray("w", w).putManifest().stored());
        int n = Integer.getInteger("spikeforge.mutations", DEFAULT_MUTATIONS);
        Random rng = new Random(22);
        Path file = dir.resolve("m.npz");
        long slowest = 0;
        int read = 0;
        for (int i = 0; i < n; i++) {
            byte[] zip = mutate(bases.get(i % bases.size()).clone(), rng);
            Files.write(file, zip);
            long start = System.nanoTime();
            try {
                CheckpointReader.read(file);
                read++;
            } catch (CheckpointException expected) {
                // the documented failure
            } catch (Throwable t) {
                Path kept = dir.resolve("failing-" + i + ".npz");
                Files.write(kept, zip);
                throw new AssertionError("mutation " + i + " (" + kept + ") threw " + t, t);
            }
            slowest = Math.max(slowest, System.nanoTime() - start);
        }
        // A hang or a buffer sized by a damaged header takes many seconds; a sound read takes
        // milliseconds. 10 s tells them apart even when a loaded machine pauses this thread.
        if (slowest > 10_000_000_000L) {
            fail("the slowest read took " + slowest / 1_000_000 + " ms");
        }
        System.out.println("CheckpointMutationTest: " + n + " damaged archives, " + read + " still read (damage in "
                + "unused fields), slowest read " + slowest / 1_000_000 + " ms");
    }

    private static byte[] mutate(byte[] zip, Random rng) {
        int kinds = 1 + rng.nextInt(3);
        for (int k = 0; k < kinds; k++) {
            switch (rng.nextInt(6)) {
                case 0 -> zip[rng.nextInt(zip.length)] ^= (byte) (1 << rng.nextInt(8));
                case 1 -> zip[rng.nextInt(zip.length)] = (byte) rng.nextInt(256);
                case 2 -> {
                    int at = rng.nextInt(Math.max(1, zip.length - 4));
                    ZipLayout.putInt(zip, at, EDGES[rng.nextInt(EDGES.length)]);
                }
                case 3 -> {
                    int at = rng.nextInt(Math.max(1, zip.length - 2));
                    ZipLayout.putShort(zip, at, (int) EDGES[rng.nextInt(EDGES.length)]);
                }
                case 4 -> zip = Arrays.copyOf(zip, rng.nextInt(zip.length + 1));
                default -> zip = Arrays.copyOf(zip, zip.length + 1 + rng.nextInt(64));
            }
            if (zip.length < 4) {
                return zip;
            }
        }
        return zip;
    }
}

package dev.spikeforge.runtime.data;

import dev.spikeforge.runtime.encode.SplitMix64;

/**
 * The order in which one epoch visits the training samples: a permutation of 0..n-1 that depends
 * only on (run seed, epoch), so a run can be repeated and resumed on any machine.
 *
 * <p>The algorithm is fixed, because changing it changes every trained model: Durstenfeld's
 * Fisher-Yates shuffle (Knuth, TAOCP vol. 2, 3.4.2, algorithm P) of the identity, from the last
 * index down, where position {@code i} swaps with {@code j = rng.nextInt(i + 1)} and {@code rng}
 * is {@code SplitMix64.forPurpose(runSeed, PURPOSE_SHUFFLE, epoch)}. One draw per position
 * 1..n-1, none for position 0.
 */
public final class Shuffler {

    /**
     * The {@link SplitMix64#forPurpose} purpose of shuffling: the ASCII bytes of "shuffle",
     * big-endian. Each purpose is a word, so streams for other uses (dropout, initial weights)
     * take their own word and never share a stream with this one.
     */
    public static final long PURPOSE_SHUFFLE = 0x73_68_75_66_66_6C_65L;

    private Shuffler() {
    }

    /**
     * @param epoch the epoch's index as the training loop counts it (the first epoch is 0)
     * @return a new array holding each of 0..n-1 once
     */
    public static int[] permutation(long runSeed, long epoch, int n) {
        return permutation(runSeed, PURPOSE_SHUFFLE, epoch, n);
    }

    /**
     * The same shuffle from the stream {@code SplitMix64.forPurpose(runSeed, purpose, index)}: for
     * other seeded choices of samples (the validation hold-out, {@link DatasetSplits#holdOut}).
     */
    public static int[] permutation(long runSeed, long purpose, long index, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 rng = SplitMix64.forPurpose(runSeed, purpose, index);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}

package dev.spikeforge.compiler.diag;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "did you mean ...?": the closest candidate by edit distance, if it is close enough. */
public final class Suggestions {

    /** Words longer than this get no suggestion (only a case-insensitive match). */
    static final int MAX_COMPARED = 64;

    private Suggestions() {
    }

    /**
     * The candidate nearest to {@code word}: a case-insensitive equal wins; otherwise the
     * smallest optimal-string-alignment distance, accepted when it is at most a third of the
     * longer word (at least 1, so one typo in a short word still finds its match). Ties go to
     * the earlier candidate, so callers list candidates in a meaningful order. Words longer than
     * {@value #MAX_COMPARED} characters are compared only case-insensitively.
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (c.equals(word)) {
                continue;
            }
            if (c.equalsIgnoreCase(word)) {
                return Optional.of(c);
            }
            if (word.length() > MAX_COMPARED || c.length() > MAX_COMPARED) {
                continue; // the distance costs length x length; nobody mistypes a name that long
            }
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            int limit = Math.max(1, Math.max(word.length(), c.length()) / 3);
            if (d <= limit && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** "; did you mean 'x'?" or "" when nothing is close. */
    public static String didYouMean(String word, Collection<String> candidates) {
        return closest(word, candidates).map(c -> "; did you mean '" + c + "'?").orElse("");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}

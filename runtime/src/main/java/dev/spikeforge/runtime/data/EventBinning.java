package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.ir.Shape;

/**
 * Bins one recording into T time steps of event counts, the rule of Tonic's
 * {@code ToFrame(sensor_size, n_time_bins = T)} (overlap 0; tonic/slicers.py SliceByTimeBins):
 *
 * <pre>
 *   t0 = t[0], D = t[N-1] - t0, w = D // T        (floor division; integer for integer t)
 *   bin i (i = 0..T-1) holds the events with  t0 + i*w  <=  t  <  t0 + i*w + w
 * </pre>
 *
 * so bins are half-open, of equal width w, starting at the first event. Consequences, all as in
 * Tonic: events at or after t0 + T*w fall in no bin, and that always includes the last event
 * (t[N-1] = t0 + D >= t0 + T*w); when D < T (for instance all events at one timestamp, or one
 * event) w = 0 and every bin is empty. For float t the window and bounds are computed in doubles
 * as numpy does (Python's float floor division, then {@code i * w + t0} and {@code start + w});
 * float32 times are widened to double first, where numpy would compute in float32.
 *
 * <p>Where spikeforge differs from Tonic: a recording without events gives T empty bins
 * (Tonic's ToFrame does the same; its functional to_frame_numpy fails); a count above 255 is
 * stored as 255 (Tonic's frames are int16); every event is checked against the sensor, also
 * those that fall in no bin, and p outside 0..C-1 is an error (Tonic maps a one-polarity
 * recording's single p value to 0, and indexes a p of -1 as the last channel); integer bounds are
 * exact 64-bit integers (Tonic's too, up to 2^53 where numpy may compare in float64).
 *
 * <p>The sensor is the model's input shape: {@code C x H x W} is C polarities (1 or 2) of an
 * H x W sensor, {@code C x L} is C polarities of a 1-D sensor of L positions (y must be 0), and a
 * flat {@code N} is one polarity of a 1-D sensor of N positions. Event (p, y, x) is input
 * {@code (p * H + y) * W + x} (H = 1 for 1-D sensors): channel-major, the IR's flatten order
 * (docs/semantics.md section 9). The result of {@link #bin} is T x (C*H*W) bytes, row t = bin t.
 */
public final class EventBinning {

    /** The largest count a bin stores; more events are stored as this. */
    public static final int MAX_COUNT = 255;

    private final Shape input;
    private final int polarities;
    private final int height;
    private final int width;
    private final int bins;
    private final int inputs;
    private final boolean oneDimensional;

    /**
     * @throws IllegalArgumentException when the shape is not an event sensor (more than 2
     *         channels, rank other than 1..3) or T x inputs does not fit an array; callers that
     *         take the shape from a user say so in their own words ({@link EventDataset})
     */
    public EventBinning(Shape input, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1: " + bins);
        }
        int rank = input.rank();
        if (rank == 3) {
            polarities = input.dim(0);
            height = input.dim(1);
            width = input.dim(2);
            oneDimensional = false;
        } else if (rank == 2) {
            polarities = input.dim(0);
            height = 1;
            width = input.dim(1);
            oneDimensional = true;
        } else if (rank == 1) {
            polarities = 1;
            height = 1;
            width = input.dim(0);
            oneDimensional = true;
        } else {
            throw new IllegalArgumentException("an event input is N, CxL or CxHxW, not " + input);
        }
        if (polarities < 1 || polarities > 2) {
            throw new IllegalArgumentException("an event input has 1 or 2 polarity channels, not " + polarities
                    + " (" + input + ")");
        }
        long n = (long) polarities * height * width;
        if (n * bins > IdxReader.MAX_ELEMENTS) {
            throw new IllegalArgumentException(bins + " bins of " + n + " inputs do not fit one array");
        }
        this.input = input;
        this.bins = bins;
        this.inputs = (int) n;
    }

    public int bins() {
        return bins;
    }

    /** Inputs per bin: C * H * W. */
    public int inputs() {
        return inputs;
    }

    public int polarities() {
        return polarities;
    }

    /** The sensor as Tonic writes sensor_size, for messages: "34 x 34, 2 polarities". */
    public String sensorText() {
        return (oneDimensional ? width + " positions" : width + " x " + height + " (x by y)") + ", "
                + polarities + (polarities == 1 ? " polarity" : " polarities");
    }

    /** The input index of event (p, y, x). */
    public int index(int p, int y, int x) {
        return (p * height + y) * width + x;
    }

    /** The bins of a recording: T x {@link #inputs()} counts, row-major (bin, then input), each 0..255. */
    public byte[] bin(EventFile events) throws DatasetException {
        byte[] out = new byte[bins * inputs];
        binInto(events, out, 0);
        return out;
    }

    /** {@link #bin} written into {@code out} at {@code offset}, which must hold zeros there. */
    public void binInto(EventFile events, byte[] out, int offset) throws DatasetException {
        int n = events.count();
        int[] index = new int[n];
        for (int e = 0; e < n; e++) {
            index[e] = checkedIndex(events, e);
        }
        if (n == 0) {
            return;
        }
        if (!events.floatTime()) {
            long first = events.time(0);
            long last = events.time(n - 1);
            if (last - first < 0) {
                throw new DatasetException(events.file(), "the time span from t = " + first + " to t = " + last
                        + " does not fit 64 bits", "subtract the first timestamp from t");
            }
        }
        for (int i = 0; i < bins; i++) {
            int[] range = range(events, i);
            int row = offset + i * inputs;
            for (int e = range[0]; e < range[1]; e++) {
                int at = row + index[e];
                if ((out[at] & 0xFF) < MAX_COUNT) {
                    out[at]++;
                }
            }
        }
    }

    /**
     * The bin of each event by the same rule, -1 for an event in no bin (for tests and tools).
     * Float bounds may overlap by a rounding step, as in Tonic; an event in two bins gets the later.
     */
    public int[] binOf(EventFile events) {
        int n = events.count();
        int[] bin = new int[n];
        java.util.Arrays.fill(bin, -1);
        if (n == 0) {
            return bin;
        }
        for (int i = 0; i < bins; i++) {
            int[] range = range(events, i);
            for (int e = range[0]; e < range[1]; e++) {
                bin[e] = i;
            }
        }
        return bin;
    }

    /** Events [lo, hi) of bin i: numpy's searchsorted (side left) of the bin's start and end. */
    private int[] range(EventFile events, int i) {
        int n = events.count();
        if (events.floatTime()) {
            double[] t = events.floatTimes();
            double w = floorDivide(t[n - 1] - t[0], bins);
            double start = (double) i * w + t[0];
            return new int[] {lowerBound(t, start), lowerBound(t, start + w)};
        }
        long[] t = events.times();
        long w = (t[n - 1] - t[0]) / bins;
        long start = t[0] + i * w;
        return new int[] {lowerBound(t, start), lowerBound(t, start + w)};
    }

    private int checkedIndex(EventFile events, int e) throws DatasetException {
        int p = events.p(e);
        int y = events.y(e);
        int x = events.x(e);
        String fix = "declare the model's input as the sensor of the recordings (input " + polarities + "x"
                + (oneDimensional ? "" : "H" + "x") + "W with W above every x" + (oneDimensional ? "" : ", H above every y")
                + "), or crop the events to the sensor";
        if (x >= width) {
            throw new DatasetException(events.file(), "x of event " + e + " is " + x + " (the first outside the "
                    + "sensor); the model's input " + input + " is a sensor of " + sensorText() + ", so x must be below "
                    + width, fix);
        }
        if (y >= height) {
            String problem = oneDimensional
                    ? "y of event " + e + " is " + y + " (the first not 0); the model's input " + input
                            + " is a 1-D sensor of " + sensorText() + ", so y must be 0"
                    : "y of event " + e + " is " + y + " (the first outside the sensor); the model's input " + input
                            + " is a sensor of " + sensorText() + ", so y must be below " + height;
            throw new DatasetException(events.file(), problem, oneDimensional
                    ? "declare a 2-D sensor (input " + polarities + "xHxW) for events with y" : fix);
        }
        if (p >= polarities) {
            throw new DatasetException(events.file(), "p of event " + e + " is " + p + " (the first outside the "
                    + "sensor); the model's input " + input + " has " + polarities + " polarity channel"
                    + (polarities == 1 ? "" : "s") + ", so p must be " + (polarities == 1 ? "0" : "0 or 1"),
                    polarities == 1 ? "declare 2 channels (input 2x...) for ON and OFF events, or drop the p field"
                            : "map polarities to 0 (OFF) and 1 (ON)");
        }
        return index(p, y, x);
    }

    /** Python's (and numpy's) float floor division a // b for a >= 0, b > 0: floor((a - fmod(a, b)) / b). */
    static double floorDivide(double a, int b) {
        double mod = a % b;
        double div = (a - mod) / b;
        if (div == 0) {
            return 0.0;
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    /** The first index whose time is not below {@code value} (numpy's searchsorted, side left). */
    static int lowerBound(long[] t, long value) {
        return firstNotBelow(t.length, i -> t[i] < value);
    }

    static int lowerBound(double[] t, double value) {
        return firstNotBelow(t.length, i -> t[i] < value);
    }

    /** Binary search over 0..n-1 for the first index where {@code below} turns false (it is monotone). */
    private static int firstNotBelow(int n, java.util.function.IntPredicate below) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (below.test(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

package dev.spikeforge.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spikeforge.compiler.ir.Shape;
import dev.spikeforge.runtime.data.EventFile.Column;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader, the writer and the binning against numpy itself (Debian's /usr/bin/python3 with
 * python3-numpy; missing, the test fails with the install command, as the checkpoint interop
 * tests do): numpy writes every supported dtype in both byte orders and the reader gets its
 * values, {@link EventFile#toNpy} writes numpy's bytes, and frames computed with numpy by Tonic's
 * ToFrame(n_time_bins) rule (tonic/slicers.py SliceByTimeBins with ToFrame's overlap 0, then
 * np.add.at as tonic/functional/to_frame.py; Tonic itself is not installed here) equal the bins.
 */
class EventNumpyInteropTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    private String python(String script) throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing; install Debian's numpy: apt-get install -y python3-numpy");
        }
        Path out = dir.resolve("py.out");
        Path err = dir.resolve("py.err");
        Process p = new ProcessBuilder(PYTHON.toString(), "-I", "-c", script).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("python did not finish in 120 s");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("python failed (apt-get install -y python3-numpy if numpy is missing):\n" + stderr);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static final String WRITE_ALL_DTYPES = """
            import numpy as np
            ints = ['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8']
            k = 0
            for order in '<>':
                for c in ints:
                    d = ('|' if c.endswith('1') else order) + c
                    v = [0, 1, 1, 0] if c == 'b1' else [0, 1, 100, 127]
                    a = np.zeros(4, dtype=[('x', d), ('y', d), ('t', order + 'i8'), ('p', d)])
                    a['x'] = v; a['y'] = v[::-1]; a['t'] = [-3, 0, 0, 2**40]; a['p'] = [0, 1, 1, 0]
                    np.save('c%d.npy' % k, a); print('c%d.npy' % k, d, order + 'i8'); k += 1
                for c in ints[1:] + ['f4', 'f8']:
                    d = ('|' if c.endswith('1') else order) + c
                    a = np.zeros(4, dtype=[('t', d), ('x', order + 'u2')])
                    a['t'] = [0, 5, 5, 120.5 if c[0] == 'f' else 120]; a['x'] = [7, 8, 9, 10]
                    np.save('c%d.npy' % k, a); print('c%d.npy' % k, d, order + 'u2'); k += 1
            """;

    @Test
    void readsWhatNumpyWritesInEveryDtypeAndWritesNumpysBytes() throws Exception {
        String listing = python(WRITE_ALL_DTYPES);
        int files = 0;
        for (String line : listing.strip().split("\n")) {
            String[] w = line.split(" ");
            Path file = dir.resolve(w[0]);
            byte[] numpyBytes = Files.readAllBytes(file);
            EventFile f = EventFile.read(file);
            assertEquals(4, f.count(), line);
            List<Column> same;
            if (f.hasY()) {
                String d = w[1];
                long[] v = d.endsWith("b1") ? new long[] {0, 1, 1, 0} : new long[] {0, 1, 100, 127};
                for (int e = 0; e < 4; e++) {
                    assertEquals(v[e], f.x(e), line);
                    assertEquals(v[3 - e], f.y(e), line);
                    assertEquals(new long[] {0, 1, 1, 0}[e], f.p(e), line);
                    assertEquals(new long[] {-3, 0, 0, 1L << 40}[e], f.time(e), line);
                }
                same = List.of(Column.ints("x", d, v), Column.ints("y", d, new long[] {v[3], v[2], v[1], v[0]}),
                        Column.ints("t", w[2], -3, 0, 0, 1L << 40), Column.ints("p", d, 0, 1, 1, 0));
            } else {
                boolean floating = w[1].charAt(1) == 'f';
                double last = floating ? 120.5 : 120;
                for (int e = 0; e < 4; e++) {
                    assertEquals(7 + e, f.x(e), line);
                    assertEquals(new double[] {0, 5, 5, last}[e], f.timeDouble(e), line);
                }
                Column t = floating ? Column.floats("t", w[1], 0, 5, 5, last) : Column.ints("t", w[1], 0, 5, 5, 120);
                same = List.of(t, Column.ints("x", w[2], 7, 8, 9, 10));
            }
            assertArrayEquals(numpyBytes, EventFile.toNpy(same), line);
            files++;
        }
        assertEquals(2 * (9 + 10), files);
    }

    private static final String TONIC_FRAMES = """
            import numpy as np, sys
            # Tonic's ToFrame(sensor_size=(W, H, C), n_time_bins=T), overlap 0, written out.
            for line in open('cases.txt'):
                name, T, C, H, W = line.split()
                T, C, H, W = int(T), int(C), int(H), int(W)
                ev = np.load(name)
                frames = np.zeros((T, C, H, W), dtype=np.int64)
                if len(ev) > 0:
                    t = ev['t']
                    window = (t[-1] - t[0]) // T * (1 + 0)
                    stride = window * (1 - 0)
                    starts = np.arange(T) * stride + t[0]
                    lo = np.searchsorted(t, starts)
                    hi = np.searchsorted(t, starts + window)
                    for i in range(T):
                        s = ev[lo[i]:hi[i]]
                        np.add.at(frames, (i, s['p'].astype(int), s['y'], s['x']), 1)
                print(name, ' '.join(str(v) for v in frames.ravel()))
            """;

    @Test
    void binsEqualTonicsToFrameRuleComputedByNumpy() throws Exception {
        Random r = new Random(42);
        List<String> cases = new ArrayList<>();
        List<EventFile> files = new ArrayList<>();
        List<EventBinning> binnings = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            int n = k < 6 ? k : r.nextInt(80);
            int bins = 1 + r.nextInt(k % 5 == 0 ? 3 : 12);
            boolean floating = k % 3 == 2;
            long[] x = new long[n];
            long[] y = new long[n];
            long[] p = new long[n];
            long[] t = new long[n];
            double[] tf = new double[n];
            long now = k % 4 == 0 ? 1_700_000_000_000_000L : r.nextInt(50);
            double fnow = k % 4 == 0 ? 1e9 + 0.1 : r.nextDouble() * 3;
            int gap = k % 7 == 0 ? 0 : 1 + r.nextInt(20);
            for (int e = 0; e < n; e++) {
                x[e] = r.nextInt(5);
                y[e] = r.nextInt(3);
                p[e] = r.nextInt(2);
                now += r.nextInt(gap + 1);
                fnow += r.nextInt(gap + 1) * 0.1;
                t[e] = now;
                tf[e] = fnow;
            }
            Column times = floating ? Column.floats("t", "<f8", tf) : Column.ints("t", "<i8", t);
            byte[] npy = EventFile.toNpy(List.of(Column.ints("x", "<i2", x), Column.ints("y", "<i2", y), times,
                    Column.ints("p", "|b1", p)));
            String name = "case" + k + ".npy";
            Files.write(dir.resolve(name), npy);
            cases.add(name + " " + bins + " 2 3 5");
            files.add(EventFile.read(dir.resolve(name)));
            binnings.add(new EventBinning(Shape.chw(2, 3, 5), bins));
        }
        Files.write(dir.resolve("cases.txt"), cases);
        String[] lines = python(TONIC_FRAMES).strip().split("\n");
        assertEquals(cases.size(), lines.length);
        for (int k = 0; k < lines.length; k++) {
            String[] w = lines[k].split(" ");
            byte[] ours = binnings.get(k).bin(files.get(k));
            assertEquals(ours.length, w.length - 1, w[0]);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(Integer.parseInt(w[i + 1]), ours[i] & 0xFF, w[0] + " value " + i);
            }
        }
    }
}

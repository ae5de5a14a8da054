package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Shape;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the event kernels against ND4J's on LeNet5's weight layers, one batch (3,200 rows) of
 * random 0/1 inputs at a given density, the measurement behind {@link EventKernels}' thresholds
 * (docs/benchmarks.md, "Event-driven inference"). Not a test: run it by hand after
 * {@code mvn -B -ntp -o -q test-compile -pl runtime -am} and {@code ./spikeforge --version}, as
 * {@code java --add-modules jdk.incubator.vector -cp "runtime/target/test-classes:runtime/target/classes:cli/target/lib/*"
 * dev.spikeforge.runtime.engine.EventKernelsBench LAYER DENSITY REPS}, LAYER one of c1, c2 (the
 * convolutions), f1 (800 -> 200) and mlp (784 -> 500), in scripts/native-env.sh's environment.
 */
public final class EventKernelsBench {

    private EventKernelsBench() {
    }

    public static void main(String[] a) {
        if (a.length != 3) {
            System.err.println("usage: EventKernelsBench c1|c2|f1|mlp|chain DENSITY REPS");
            System.exit(2);
        }
        String which = a[0];
        double dens = Double.parseDouble(a[1]);
        int reps = Integer.parseInt(a[2]);
        int rows = 3200;
        Random rnd = new Random(1);
        Nd4j.getRandom().setSeed(1);
        Layers.Scratch sc = (key, shape) -> Nd4j.create(DataType.FLOAT, shape);
        if (which.equals("chain")) {
            // c1's neurons, its 2x2 average pooling and the pooling's neurons on stored currents (EventKernels.fire)
            int o = 24, f = 20, steps = 25;
            INDArray cur = Nd4j.rand(DataType.FLOAT, rows, o, o, f).muli(0.6);
            INDArray spikes = Nd4j.create(DataType.FLOAT, rows, o, o, f);
            INDArray pooled = Nd4j.create(DataType.FLOAT, rows, o / 2, o / 2, f);
            NeuronDynamics.Params lif = new NeuronDynamics.Params(0.9, 1.0, true);
            NeuronDynamics.Params ifn = new NeuronDynamics.Params(1.0, 0.75, true);
            float[] table = {0f, 0.25f, 0.5f, 0.75f, 1f};
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                long[] a1 = EventKernels.fire(cur, new EventKernels.Chain(lif, spikes, 0, null, null, null), steps);
                long t1 = System.nanoTime();
                long[] a2 = EventKernels.fire(cur, new EventKernels.Chain(lif, null, 2, table, ifn, pooled), steps);
                long t2 = System.nanoTime();
                float[][] rowsS = new float[64][o * o * f];
                for (float[] rs : rowsS) {
                    for (int i = 0; i < rs.length; i++) rs[i] = rnd.nextDouble() < 0.23 ? 1f : 0f;
                }
                float[] rowsum = new float[o * f], pc = new float[o * o * f / 4];
                boolean div = EventKernels.divides(table, 2);
                long t3 = System.nanoTime();
                for (int q = 0; q < rows; q++) {
                    EventKernels.poolRow(Simd.enabled(), rowsS[q % 64], o, f, 2, o / 2, o / 2, table, div, rowsum, pc);
                }
                long t4 = System.nanoTime();
                System.out.printf("pooling alone, one thread: %.1f ms (divide %s)%n", (t4 - t3) / 1e6, div);
                System.out.printf("chain: neurons %.1f ms (%d spikes), neurons+pool+neurons %.1f ms (%d, %d spikes)%n",
                        (t1 - t0) / 1e6, a1[0], (t2 - t1) / 1e6, a2[0], a2[1]);
            }
            return;
        }
        if (which.equals("c1") || which.equals("c2")) {
            boolean c1 = which.equals("c1");
            int c = c1 ? 1 : 20, h = c1 ? 28 : 12, f = c1 ? 20 : 50, k = 5, o = h - k + 1;
            Conv2dNode node = new Conv2dNode("c", "c", Origin.NONE, Shape.chw(f, o, o), c, f, k, 1, 0, true);
            INDArray x = Nd4j.create(DataType.FLOAT, rows, h, h, c);
            float[] xv = new float[rows * h * h * c];
            for (int i = 0; i < xv.length; i++) xv[i] = rnd.nextDouble() < dens ? 1f : 0f;
            x.assign(Nd4j.createFromArray(xv).reshape(rows, h, h, c));
            INDArray w = Nd4j.rand(DataType.FLOAT, f, c, k, k).subi(0.5);
            INDArray b = Nd4j.rand(DataType.FLOAT, f);
            INDArray out1 = Nd4j.create(DataType.FLOAT, rows, o, o, f);
            INDArray out2 = Nd4j.create(DataType.FLOAT, rows, o, o, f);
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                Layers.conv(node, x, true, w, b, out1, sc);
                long t1 = System.nanoTime();
                EventKernels.conv(node, x, w, b, out2);
                long t2 = System.nanoTime();
                double dd = EventKernels.density(x, rows);
                long t3 = System.nanoTime();
                System.out.printf("%s dens %.2f: onednn %.1f ms, event %.1f ms, sampled density scan %.1f ms, maxdiff %g%n", which, dens,
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, out1.sub(out2).amaxNumber().doubleValue());
            }
        } else {
            int in = which.equals("f1") ? 800 : 784, out = which.equals("f1") ? 200 : 500;
            INDArray x = Nd4j.create(DataType.FLOAT, rows, in);
            float[] xv = new float[rows * in];
            for (int i = 0; i < xv.length; i++) xv[i] = rnd.nextDouble() < dens ? 1f : 0f;
            x.assign(Nd4j.createFromArray(xv).reshape(rows, in));
            INDArray w = Nd4j.rand(DataType.FLOAT, out, in).subi(0.5);
            INDArray b = Nd4j.rand(DataType.FLOAT, out);
            INDArray o1 = Nd4j.create(DataType.FLOAT, rows, out);
            INDArray o2 = Nd4j.create(DataType.FLOAT, rows, out);
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                Layers.dense(x, w, b, rows, o1);
                long t1 = System.nanoTime();
                EventKernels.dense(x, w, b, rows, o2);
                long t2 = System.nanoTime();
                System.out.printf("%s dens %.2f: blas %.1f ms, event %.1f ms, maxdiff %g%n", which, dens,
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6, o1.sub(o2).amaxNumber().doubleValue());
            }
        }
    }
}

package dev.spikeforge.examples.bench;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How fast ND4J (oneDNN, OpenBLAS) runs the dense operations of the speed benchmark's models on
 * this machine, each alone: the floor under a training batch that the Java kernels cannot lower.
 * Shapes are those of one batch of 128 samples at T = 25 (3,200 rows): LeNet5's convolutions and
 * products (seed 003 table 4.2) and the 784-500-10 MLP's first layer. Inputs are random; timings
 * of dense arithmetic do not depend on the values.
 *
 * <p>Run by scripts/bench-kernels.sh (java's source-file mode, the jar's libraries on the class
 * path). Prints per operation the best of REPS timed runs after two warm-up runs, and its rate in
 * GFLOP/s (2 x multiply-adds of the dense operation / time).
 */
public final class KernelThroughput {

    private static final int ROWS = 3200;

    private KernelThroughput() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Nd4j.getRandom().setSeed(7);
        INDArray img = spikes(ROWS, 1, 28, 28);
        INDArray w1 = Nd4j.randn(DataType.FLOAT, 20, 1, 5, 5);
        INDArray c1 = Nd4j.create(DataType.FLOAT, ROWS, 20, 24, 24);
        INDArray p1 = spikes(ROWS, 20, 12, 12);
        INDArray w2 = Nd4j.randn(DataType.FLOAT, 50, 20, 5, 5);
        INDArray c2 = Nd4j.create(DataType.FLOAT, ROWS, 50, 8, 8);
        INDArray g2 = Nd4j.randn(DataType.FLOAT, ROWS, 50, 8, 8);
        INDArray gp1 = Nd4j.create(DataType.FLOAT, ROWS, 20, 12, 12);
        INDArray gw2 = Nd4j.create(DataType.FLOAT, 50, 20, 5, 5);
        INDArray p1h = p1.permute(0, 2, 3, 1).dup('c');
        INDArray w2h = w2.permute(0, 2, 3, 1).dup('c');
        INDArray c2h = Nd4j.create(DataType.FLOAT, ROWS, 8, 8, 50);
        INDArray p2 = spikes(ROWS, 800);
        INDArray wf = Nd4j.randn(DataType.FLOAT, 200, 800);
        INDArray f1 = Nd4j.create(DataType.FLOAT, ROWS, 200);
        INDArray x = spikes(ROWS, 784);
        INDArray wm = Nd4j.randn(DataType.FLOAT, 500, 784);
        INDArray hm = Nd4j.create(DataType.FLOAT, ROWS, 500);
        INDArray gm = Nd4j.randn(DataType.FLOAT, ROWS, 500);
        INDArray gwm = Nd4j.create(DataType.FLOAT, 500, 784);

        INDArray imgh = img.reshape('c', ROWS, 28, 28, 1); // one channel: NCHW and NHWC are the same memory
        INDArray w1h = w1.permute(0, 2, 3, 1).dup('c');
        INDArray c1h = Nd4j.create(DataType.FLOAT, ROWS, 24, 24, 20);
        INDArray g2h = g2.permute(0, 2, 3, 1).dup('c');
        INDArray gp1h = Nd4j.create(DataType.FLOAT, ROWS, 12, 12, 20);
        INDArray gw2h = Nd4j.create(DataType.FLOAT, 50, 5, 5, 20);

        System.out.printf("%d rows (batch 128 x T = 25), float32, best of %d runs%n", ROWS, reps);
        time("LeNet5 c1 conv2d forward, NCHW", 20L * 24 * 24 * 25, reps,
                () -> Nd4j.exec(conv("conv2d", 0, 1, img, w1).addOutputs(c1).build()));
        time("LeNet5 c1 conv2d forward, NHWC (the engine's)", 20L * 24 * 24 * 25, reps,
                () -> Nd4j.exec(conv("conv2d", 1, 2, imgh, w1h).addOutputs(c1h).build()));
        time("  its output copied back to NCHW", 0, reps, () -> c1.assign(c1h.permute(0, 3, 1, 2)));
        time("LeNet5 c2 conv2d forward, NCHW", 50L * 8 * 8 * 500, reps,
                () -> Nd4j.exec(conv("conv2d", 0, 1, p1, w2).addOutputs(c2).build()));
        time("LeNet5 c2 conv2d forward, NHWC (the engine's)", 50L * 8 * 8 * 500, reps,
                () -> Nd4j.exec(conv("conv2d", 1, 2, p1h, w2h).addOutputs(c2h).build()));
        time("  its input copied to NHWC", 0, reps, () -> p1h.assign(p1.permute(0, 2, 3, 1)));
        time("  its output copied back to NCHW", 0, reps, () -> c2.assign(c2h.permute(0, 3, 1, 2)));
        time("LeNet5 c2 conv2d_bp, NCHW (the engine's)", 2 * 50L * 8 * 8 * 500, reps,
                () -> Nd4j.exec(conv("conv2d_bp", 0, 1, p1, w2, g2).addOutputs(gp1, gw2).build()));
        time("LeNet5 c2 conv2d_bp, NHWC", 2 * 50L * 8 * 8 * 500, reps,
                () -> Nd4j.exec(conv("conv2d_bp", 1, 2, p1h, w2h, g2h).addOutputs(gp1h, gw2h).build()));
        time("LeNet5 c2 input gradient alone (deconv2d, NCHW)", 50L * 8 * 8 * 500, reps,
                () -> Nd4j.exec(conv("deconv2d", 0, 1, g2, w2).addOutputs(gp1).build()));
        time("LeNet5 f1 product, 800 -> 200 (run three times a batch)", 800L * 200, reps,
                () -> Nd4j.gemm(p2, wf, f1, false, true, 1.0, 0.0));
        time("MLP layer 1 product, 784 -> 500", 784L * 500, reps,
                () -> Nd4j.gemm(x, wm, hm, false, true, 1.0, 0.0));
        time("MLP layer 1 weight gradient, 500 x 784", 784L * 500, reps,
                () -> Nd4j.gemm(gm, x, gwm, true, false, 1.0, 1.0));
    }

    private static INDArray spikes(long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).lt(0.25).castTo(DataType.FLOAT);
    }

    /**
     * libnd4j conv2d integer arguments: kernel 5, stride 1, no padding, VALID, data format (0 NCHW,
     * 1 NHWC) and weight format (1 OIYX, 2 OYXI). For deconv2d, weight format 1 is [in, out, kH, kW]
     * of the transposed convolution, the forward's OIYX array as it is.
     */
    private static DynamicCustomOp.DynamicCustomOpsBuilder conv(String op, int dataFormat, int weightFormat,
                                                               INDArray... inputs) {
        return DynamicCustomOp.builder(op).addInputs(inputs)
                .addIntegerArguments(5, 5, 1, 1, 0, 0, 1, 1, 0, dataFormat, weightFormat);
    }

    /** Best time of {@code reps} runs after two warm-ups; macsPerRow multiply-adds per row (0: a copy, no rate). */
    private static void time(String what, long macsPerRow, int reps, Runnable op) {
        op.run();
        op.run();
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        if (macsPerRow == 0) {
            System.out.printf(Locale.ROOT, "%-58s %8.1f ms%n", what, best / 1e6);
            return;
        }
        double gflops = 2.0 * macsPerRow * ROWS / best;
        System.out.printf(Locale.ROOT, "%-58s %8.1f ms %7.1f GFLOP/s%n", what, best / 1e6, gflops);
    }
}

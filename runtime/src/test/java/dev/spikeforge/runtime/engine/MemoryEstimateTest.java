package dev.spikeforge.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.source.SourceFile;
import dev.spikeforge.runtime.encode.SplitMix64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {

    private static final String NEURONS = FloatModelTest.NEURONS_FOR_CHECKS;
    private static final String SURROGATE = "surrogate(shape = fast_sigmoid, slope = 25)";

    static Network net(String body, int steps, String method, int batch) {
        String text = "model m\ninput " + body.substring(0, body.indexOf('\n')) + "\ntimesteps " + steps + "\n" + NEURONS
                + body.substring(body.indexOf('\n') + 1) + "\ntrain {\n method = " + method
                + "\n dataset = fashion_mnist\n epochs = 1\n batch = " + batch + "\n optimizer = adam(lr = 1e-3)\n"
                + " loss = mse\n seed = 1\n}\n";
        Compilation c = SnnFrontEnd.compile(new SourceFile("m.snn", text));
        assertTrue(c.ok(), c.diagnostics().toString() + "\n" + text);
        return c.network();
    }

    private static final String CONV = "1x28x28\nlayers { c1 = conv(8, kernel = 5) -> a\np1 = avgpool(2) -> pool\n"
            + "c2 = conv(6, kernel = 3) -> a dropout 0.2\nf1 = dense(32) -> a\nout = readout(10) }";
    private static final String RESIDUAL = "3x8x8\nlayers { r = residual { a1 = conv(4, kernel = 3, padding = 1) -> a\n"
            + " a2 = conv(4, kernel = 3, padding = 1) } skip conv(4, kernel = 1) -> i\np = avgpool(2) -> pool\n"
            + "out = readout(3, mode = count) -> a }";
    private static final String MLP = "100\nlayers { h = dense(50) -> a\nout = readout(10) }";
    /** Issue 23: recurrent layers (full, diagonal) of CUBA neurons, conv1d and max pooling. */
    private static final String TEMPORAL = "2x30\nneuron syn = CUBA(alpha = 0.75, beta = 0.875)\nlayers {\n"
            + "c = conv1d(4, kernel = 3, padding = 1) -> syn\nmaxpool(2)\nh = dense(24, recurrent = true) -> syn\n"
            + "g = dense(12, recurrent = diagonal) -> a\nout = readout(10) }";

    /**
     * The off-heap part is an upper bound of what the engine really holds after one training
     * step (its reused buffers, weights and biases), and not a loose one.
     */
    @ParameterizedTest
    @CsvSource({"conv, surrogate", "conv, spike_bp", "residual, surrogate", "mlp, surrogate", "mlp, asf",
            "temporal, surrogate"})
    void boundsTheArraysOfATrainingStep(String which, String keyword) {
        String body = which.equals("conv") ? CONV : which.equals("residual") ? RESIDUAL : which.equals("temporal")
                ? TEMPORAL : MLP;
        String method = keyword.equals("surrogate") ? SURROGATE : keyword;
        int batch = 16;
        Network net = net(body, 6, method, batch);
        FloatModel model = new FloatModel(net, Parameters.initialise(net, 1));
        TrainingStep step = new TrainingStep(model, net.train().get());
        int size = (int) net.nodes().get(0).shape().size();
        float[] input = new float[6 * batch * size];
        SplitMix64 rng = new SplitMix64(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = rng.nextDouble() < 0.3 ? 1 : 0;
        }
        int[] labels = new int[batch];
        step.run(input, batch, labels, 7);
        long held = model.arrayBytes();
        MemoryEstimate e = MemoryEstimate.of(net, batch);
        System.out.printf("%s %s: estimate %d, held %d, ratio %.2f%n", which, method, (long) e.trainingOffHeap(), held,
                e.trainingOffHeap() / held);
        assertTrue(e.trainingOffHeap() >= held, which + " " + method + ": estimate " + e.trainingOffHeap() + " < held " + held);
        assertTrue(e.trainingOffHeap() <= 4 * held, which + " " + method + ": estimate " + e.trainingOffHeap()
                + " more than 4x held " + held);
    }

    /**
     * Quantisation-aware training on direct input also holds the input's bytes and the first
     * layer's integer sums (FloatModel.analogExact, two channels so that the bytes' channels-last
     * copy is held too): still within the estimate.
     */
    @Test
    void boundsTheArraysOfAQuantisationAwareStepOnDirectInput() {
        String text = "model m\ninput 2x12x12 encode direct\ntimesteps 4\n" + NEURONS
                + "layers { c1 = conv(6, kernel = 3) -> a\nf1 = dense(16) -> a\nout = readout(4) }\n"
                + "train {\n method = " + SURROGATE + "\n dataset = fashion_mnist\n epochs = 1\n batch = 16\n"
                + " optimizer = adam(lr = 1e-3)\n loss = mse\n seed = 1\n qat_epochs = 1\n}\n"
                + "deploy {\n weights = int(8)\n membrane = int(24)\n}\n";
        Compilation c = SnnFrontEnd.compile(new SourceFile("m.snn", text));
        assertTrue(c.ok(), c.diagnostics().toString());
        Network net = c.network();
        int batch = 16;
        FloatModel model = new FloatModel(net, Parameters.initialise(net, 1));
        TrainingStep step = new TrainingStep(model, net.train().get());
        dev.spikeforge.runtime.train.FakeQuantizer.Quantised q = new dev.spikeforge.runtime.train.FakeQuantizer(net,
                dev.spikeforge.compiler.quant.QuantOptions.from(net.deploy().get())).quantise(step.weights());
        step.setWeights(q.weights());
        model.integerExact(IntegerExact.of(q.network()));
        int size = (int) net.nodes().get(0).shape().size();
        float[] input = new float[4 * batch * size];
        SplitMix64 rng = new SplitMix64(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (rng.nextInt(256) / 255.0);
        }
        step.run(input, batch, new int[batch], 7);
        long held = model.arrayBytes();
        MemoryEstimate e = MemoryEstimate.of(net, batch);
        assertTrue(e.trainingOffHeap() >= held, "estimate " + e.trainingOffHeap() + " < held " + held);
        assertTrue(e.trainingOffHeap() <= 4 * held, "estimate " + e.trainingOffHeap() + " more than 4x held " + held);
    }

    @Test
    void aBatchOfInputSpikesPastTheEnginesArrayLimitIsAHardProblem() {
        // a billion weights fit one array (the front end refuses more, E404); 64 x 100 steps of a
        // million input values do not
        Network net = net("1000000\nlayers { h = dense(1000) -> a\nout = readout(10) }", 100, SURROGATE, 64);
        MemoryEstimate e = MemoryEstimate.of(net);
        assertEquals(1_000_010_000L, e.parameters()); // 10^6 x 1000 + 1000 x 10, no biases
        String problem = e.hardProblem(null);
        assertNotNull(problem);
        assertTrue(problem.contains("an array of 6,400,000,000 values"), problem);
        assertTrue(problem.contains("at most 2,147,483,647 values"), problem);
    }

    @Test
    void aSmallModelHasNoProblemAndNoWarning() {
        MemoryEstimate e = MemoryEstimate.of(net(MLP, 25, SURROGATE, 128));
        MemoryEstimate.Machine small = new MemoryEstimate.Machine(1L << 30, 4L << 30);
        assertNull(e.hardProblem(small));
        assertEquals(java.util.List.of(), e.warnings(small));
    }

    /** T = 1000 on a large input: refused above the machine's memory, with a batch and a T that do fit. */
    @Test
    void aThousandStepsOnALargeInputNamesABatchAndStepsThatFit() {
        Network net = net("3x32x32\nlayers { c1 = conv(16, kernel = 3, padding = 1) -> a\nc2 = conv(16, kernel = 3,"
                + " padding = 1) -> a\nout = readout(10) }", 1000, SURROGATE, 64);
        MemoryEstimate e = MemoryEstimate.of(net);
        MemoryEstimate.Machine machine = new MemoryEstimate.Machine(4L << 30, 16L << 30);
        assertTrue(e.trainingTotal() > 16.0 * (1L << 30), MemoryEstimate.bytes(e.trainingTotal()));
        String problem = e.hardProblem(machine);
        assertNotNull(problem);
        assertTrue(problem.contains("more than this machine's 16.0 GiB of memory"), problem);
        Matcher m = Pattern.compile("a batch of at most (\\d+) \\(now 64\\).*at most (\\d+) time steps \\(now 1000\\)")
                .matcher(problem);
        assertTrue(m.find(), problem);
        int batch = Integer.parseInt(m.group(1));
        assertTrue(MemoryEstimate.of(net, batch).trainingTotal() <= machine.physical());
        assertTrue(MemoryEstimate.of(net, batch + 1).trainingTotal() > machine.physical());
        assertEquals(2, e.warnings(machine).size(), e.warnings(machine).toString()); // training and inference
    }

    @Test
    void aHeapOverTheJvmsMaximumIsAWarningNamingXmx() {
        MemoryEstimate e = MemoryEstimate.of(net(MLP, 25, SURROGATE, 128));
        MemoryEstimate.Machine tiny = new MemoryEstimate.Machine(1000, 64L << 30);
        assertNull(e.hardProblem(tiny));
        assertTrue(e.warnings(tiny).get(0).contains("SPIKEFORGE_JAVA_OPTS=-Xmx1g"), e.warnings(tiny).toString());
    }
}

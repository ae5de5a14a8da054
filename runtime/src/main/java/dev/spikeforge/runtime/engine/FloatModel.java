package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.AvgPoolNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.DropoutNode;
import dev.spikeforge.compiler.ir.FlattenNode;
import dev.spikeforge.compiler.ir.InputNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronNode;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutMode;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.ir.ResidualAddNode;
import dev.spikeforge.compiler.ir.Shape;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The float model of SEMANTICS.md sections 1-2 for inference. Multi-step: each weight layer runs
 * once on all T steps folded into its batch (T*B rows, time-major), through ND4J (oneDNN
 * convolution, BLAS gemm into preallocated outputs); only the neuron recurrence loops over time,
 * in {@link NeuronDynamics}. Zero-delay feed-forward: a spike of step t reaches the next layer in
 * step t, which folding preserves because every layer's rows are computed before the next layer's
 * recurrence runs.
 */
public final class FloatModel {

    private final Network net;
    private final int steps;
    private final Map<String, INDArray> weights = new HashMap<>();
    private final Map<String, INDArray> biases = new HashMap<>();

    public FloatModel(Network net, Parameters params) {
        this.net = net;
        this.steps = net.timesteps();
        for (Node n : net.nodes()) {
            if (n instanceof Conv2dNode c) {
                weights.put(n.name(), Nd4j.createFromArray(params.weight(n.name()))
                        .reshape('c', c.filters(), c.inChannels(), c.kernel(), c.kernel()));
            } else if (n instanceof DenseNode || n instanceof ReadoutNode) {
                int out = Parameters.outputs(n);
                weights.put(n.name(), Nd4j.createFromArray(params.weight(n.name())).reshape('c', out, Parameters.fanIn(n)));
            }
            float[] b = params.bias(n.name());
            if (b != null) {
                biases.put(n.name(), Nd4j.createFromArray(b));
            }
        }
    }

    /**
     * @param input  T * batch * inputSize values, time-major (see InputEncoder)
     * @param record names of nodes whose activations to return
     */
    public ForwardResult forward(float[] input, int batch, Set<String> record) {
        int rows = steps * batch;
        Map<String, INDArray> acts = new HashMap<>();
        Map<String, float[]> recorded = new LinkedHashMap<>();
        Map<String, Long> spikeCounts = new LinkedHashMap<>();
        float[] readout = null;
        int classes = 0;
        for (Node n : net.nodes()) {
            INDArray out;
            if (n instanceof InputNode in) {
                out = Nd4j.createFromArray(input).reshape('c', rowShape(rows, in.shape()));
            } else if (n instanceof ReadoutNode r) {
                classes = r.classes();
                readout = readout(r, first(acts, n), batch, spikeCounts);
                out = null;
            } else {
                out = layer(n, acts, rows, batch, spikeCounts);
            }
            if (out != null) {
                acts.put(n.name(), out);
                if (record.contains(n.name())) {
                    recorded.put(n.name(), out.dup('c').data().asFloat());
                }
            }
        }
        if (readout == null) {
            throw new IllegalStateException("network '" + net.name() + "' has no readout; verify() it first");
        }
        return new ForwardResult(batch, classes, readout, recorded, spikeCounts);
    }

    private INDArray layer(Node n, Map<String, INDArray> acts, int rows, int batch, Map<String, Long> spikeCounts) {
        INDArray in = first(acts, n);
        if (n instanceof Conv2dNode c) {
            return conv(c, in, rows);
        } else if (n instanceof AvgPoolNode p) {
            return avgpool(p, in, rows);
        } else if (n instanceof DenseNode d) {
            return dense(n.name(), in, rows, d.units());
        } else if (n instanceof FlattenNode f) {
            return contiguous(in).reshape('c', rows, f.shape().size());
        } else if (n instanceof NeuronNode nn) {
            INDArray current = contiguous(in);
            INDArray spikes = Nd4j.create(DataType.FLOAT, current.shape(), 'c');
            NeuronDynamics.run(nn.neuron(), current.data().asNioFloat(), spikes.data().asNioFloat(), null, steps,
                    (int) (current.length() / steps));
            spikeCounts.put(n.name(), (long) spikes.sumNumber().doubleValue());
            return spikes;
        } else if (n instanceof DropoutNode) {
            return in; // evaluation: dropout is the identity
        } else if (n instanceof ResidualAddNode) {
            INDArray skip = acts.get(net.inputsOf(n).get(1).name());
            return contiguous(in).dup('c').addi(contiguous(skip));
        }
        throw new IllegalStateException("no float rule for node kind " + n.kind());
    }

    private INDArray conv(Conv2dNode c, INDArray in, int rows) {
        Shape s = c.shape();
        INDArray out = Nd4j.create(DataType.FLOAT, new long[] {rows, s.channels(), s.height(), s.width()}, 'c');
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.kernel()).kW(c.kernel()).sH(c.stride()).sW(c.stride())
                .pH(c.padding()).pW(c.padding()).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        INDArray bias = biases.get(c.name());
        INDArray[] inputs = bias == null ? new INDArray[] {contiguous(in), weights.get(c.name())}
                : new INDArray[] {contiguous(in), weights.get(c.name()), bias};
        Nd4j.exec(new Conv2D(inputs, new INDArray[] {out}, cfg));
        return out;
    }

    /** I = (1/K^2) * sum of the K x K window, stride K, floor at the edges. */
    private static INDArray avgpool(AvgPoolNode p, INDArray in, int rows) {
        INDArray src = contiguous(in);
        long[] is = src.shape();
        int ch = (int) is[1];
        int h = (int) is[2];
        int w = (int) is[3];
        int k = p.kernel();
        int oh = h / k;
        int ow = w / k;
        INDArray out = Nd4j.create(DataType.FLOAT, new long[] {rows, ch, oh, ow}, 'c');
        FloatBuffer x = src.data().asNioFloat();
        FloatBuffer y = out.data().asNioFloat();
        float scale = 1f / (k * k);
        for (int plane = 0; plane < rows * ch; plane++) {
            int ib = plane * h * w;
            int ob = plane * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0;
                    for (int dy = 0; dy < k; dy++) {
                        int r = ib + (oy * k + dy) * w + ox * k;
                        for (int dx = 0; dx < k; dx++) {
                            sum += x.get(r + dx);
                        }
                    }
                    y.put(ob + oy * ow + ox, sum * scale);
                }
            }
        }
        return out;
    }

    private INDArray dense(String name, INDArray in, int rows, int units) {
        INDArray x = contiguous(in).reshape('c', rows, in.length() / rows);
        INDArray out = Nd4j.create(DataType.FLOAT, new long[] {rows, units}, 'c');
        Nd4j.gemm(x, weights.get(name), out, false, true, 1.0, 0.0);
        INDArray bias = biases.get(name);
        if (bias != null) {
            out.addiRowVector(bias);
        }
        return out;
    }

    private float[] readout(ReadoutNode r, INDArray in, int batch, Map<String, Long> spikeCounts) {
        INDArray current = dense(r.name(), in, steps * batch, r.classes());
        int width = batch * r.classes();
        float[] out = new float[width];
        FloatBuffer i = current.data().asNioFloat();
        if (r.mode() == ReadoutMode.ACCUMULATE) {
            NeuronDynamics.accumulate(i, out, steps, width);
        } else if (r.mode() == ReadoutMode.MEMBRANE) {
            NeuronDynamics.membrane(i, (float) r.beta(), out, steps, width);
        } else {
            INDArray spikes = Nd4j.create(DataType.FLOAT, current.shape(), 'c');
            NeuronDynamics.run(r.neuron(), i, spikes.data().asNioFloat(), null, steps, width);
            NeuronDynamics.count(spikes.data().asNioFloat(), out, steps, width);
            spikeCounts.put(r.name(), (long) spikes.sumNumber().doubleValue());
        }
        return out;
    }

    private INDArray first(Map<String, INDArray> acts, Node n) {
        return acts.get(net.inputsOf(n).get(0).name());
    }

    /** A c-ordered array whose buffer starts at its first element, so buffer index = element index. */
    private static INDArray contiguous(INDArray a) {
        if (a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()) {
            return a;
        }
        return a.dup('c');
    }

    private static long[] rowShape(int rows, Shape s) {
        long[] shape = new long[s.rank() + 1];
        shape[0] = rows;
        for (int i = 0; i < s.rank(); i++) {
            shape[i + 1] = s.dim(i);
        }
        return shape;
    }
}

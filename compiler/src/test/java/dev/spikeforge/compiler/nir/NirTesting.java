package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.dsl.SnnFrontEnd;
import dev.spikeforge.compiler.ir.Conv1dNode;
import dev.spikeforge.compiler.ir.Conv2dNode;
import dev.spikeforge.compiler.ir.DenseNode;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Node;
import dev.spikeforge.compiler.ir.ReadoutNode;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared helpers of the NIR tests: models from text, random weights, small graphs. */
final class NirTesting {

    private NirTesting() {
    }

    static Network compile(String text) {
        Compilation c = SnnFrontEnd.compile(new SourceFile("test.snn", text), dev.spikeforge.compiler.testing.TargetFamilies.INSTALLED);
        if (!c.ok()) {
            throw new AssertionError("model does not compile: " + c.diagnostics() + "\n" + text);
        }
        return c.network();
    }

    /** Random float weights (and biases) for every synaptic node, keyed as checkpoints key them. */
    static Map<String, float[]> weights(Network net, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            int count;
            int out;
            boolean bias;
            if (n instanceof Conv2dNode c) {
                count = (int) c.weightCount();
                out = c.filters();
                bias = c.bias();
            } else if (n instanceof Conv1dNode c) {
                count = (int) c.weightCount();
                out = c.filters();
                bias = c.bias();
            } else if (n instanceof DenseNode d) {
                count = d.units() * d.inFeatures();
                out = d.units();
                bias = d.bias();
                if (d.isRecurrent()) {
                    w.put(n.name() + ".recurrent", gaussian(r, (int) d.recurrent().weights(d.units())));
                }
            } else if (n instanceof ReadoutNode ro) {
                count = ro.classes() * ro.inFeatures();
                out = ro.classes();
                bias = ro.bias();
            } else {
                continue;
            }
            w.put(n.name() + ".weight", gaussian(r, count));
            if (bias) {
                w.put(n.name() + ".bias", gaussian(r, out));
            }
        }
        return w;
    }

    static float[] gaussian(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (r.nextGaussian() * 0.3);
        }
        return f;
    }

    /** A chain graph: the nodes in order, each feeding the next. */
    static NirGraph chain(Map<String, NirValue> metadata, Object... nameAndNode) {
        Map<String, NirElement> nodes = new LinkedHashMap<>();
        List<NirEdge> edges = new ArrayList<>();
        String last = null;
        for (int i = 0; i < nameAndNode.length; i += 2) {
            String name = (String) nameAndNode[i];
            nodes.put(name, (NirElement) nameAndNode[i + 1]);
            if (last != null) {
                edges.add(new NirEdge(last, name));
            }
            last = name;
        }
        return new NirGraph(nodes, edges, metadata);
    }

    static NirNode node(String type, Object... keyAndValue) {
        Map<String, NirValue> ps = new LinkedHashMap<>();
        for (int i = 0; i < keyAndValue.length; i += 2) {
            ps.put((String) keyAndValue[i], (NirValue) keyAndValue[i + 1]);
        }
        return new NirNode(type, ps);
    }

    /** A float32 array of {@code n} copies of {@code v}, as snnTorch writes per-neuron parameters. */
    static NirValue.NirArray f32(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return NirValue.NirArray.float32(f, n);
    }
}

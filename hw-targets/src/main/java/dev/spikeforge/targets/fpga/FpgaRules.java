package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.quant.QuantLayer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.quant.Synapse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The design rules of the generated accelerator, one method each, named as a sentence. Each
 * violation names the layer, the limit, how far over it is, and a fix. None needs trained weights
 * except where noted, so {@code check} runs them before training.
 */
public final class FpgaRules {

    /** One broken rule: the rule's sentence, the layer ("model" for the whole network), what and how to fix. */
    public record Violation(String rule, String layer, String problem, String fix) {
    }

    public static final String CHAIN = "The accelerator runs a chain of dense, conv and pool layers";
    public static final String SCALES = "Thresholds are per layer or per output channel";
    public static final String STRIDE = "Conv strides are powers of two";
    public static final String WIDTH = "Membrane arithmetic fits 62 bits";
    public static final String SHIFT = "A shift leak is narrower than the membrane";
    public static final String MEMORY = "The on-chip memories fit the named device";
    public static final String LANES = "A lanes list names every layer";

    private FpgaRules() {
    }

    /** The sentence for a lanes list whose length is not the layer count. */
    static String lanesCountProblem(FpgaOptions o, int layers) {
        return "lanes = " + o.lanesText() + " gives " + o.layerLanes().size() + " lane count"
                + (o.layerLanes().size() == 1 ? "" : "s") + " for " + layers + " layers";
    }

    public static List<Violation> check(QuantizedNetwork q, FpgaOptions o) {
        List<Violation> out = new ArrayList<>();
        chain(q, out);
        if (!out.isEmpty()) {
            return out; // the remaining rules read the plan, which needs a chain
        }
        scales(q, out);
        stride(q, out);
        if (!o.layerLanes().isEmpty() && o.layerLanes().size() != q.layers().size()) {
            out.add(new Violation(LANES, q.layers().get(Math.min(o.layerLanes().size(), q.layers().size()) - 1).layer(),
                    lanesCountProblem(o, q.layers().size()), "one power of two per layer, in layer order ("
                    + String.join(", ", q.layers().stream().map(l -> l.layer()).toList()) + "), or one value for all"));
            return out; // the plan needs a lane count per layer
        }
        FpgaDesign d = FpgaDesign.layout(q, o);
        width(d, out);
        shift(d, out);
        memory(d, out);
        return out;
    }

    /**
     * Every layer reads exactly the one before it (the input for the first) through one dense, conv
     * or pool (average or max, 2-D) synapse; a dense layer may also read its own spikes of the
     * previous step (recurrence).
     */
    static void chain(QuantizedNetwork q, List<Violation> out) {
        for (int i = 0; i < q.layers().size(); i++) {
            QuantLayer l = q.layers().get(i);
            List<Synapse> recurrent = l.synapses().stream().filter(s -> s instanceof Synapse.Recurrent).toList();
            int feedForward = l.synapses().size() - recurrent.size();
            if (feedForward != 1 || recurrent.size() > 1) {
                out.add(new Violation(CHAIN, l.layer(), "it sums " + feedForward
                        + " paths (a residual block); the accelerator's layer engines read one source each",
                        "deploy this model to a neurocore target, or write it without residual blocks"));
                continue;
            }
            Synapse s = FpgaDesign.feedForward(l);
            if (s instanceof Synapse.Identity) {
                out.add(new Violation(CHAIN, l.layer(), "an identity path has no layer engine",
                        "write the model without residual blocks"));
            } else if (s instanceof Synapse.Conv1d) {
                out.add(new Violation(CHAIN, l.layer(), "conv1d is not in the FPGA engines (the conv engine's kernels"
                        + " are square, K x K)", "use a dense layer over the C x L input, or target loihi_like"));
            } else if (s.inShape().isSequence() && !(s instanceof Synapse.Dense)) {
                out.add(new Violation(CHAIN, l.layer(), "a 1-D " + s.kind() + " is not in the FPGA engines (the pool"
                        + " engine pools K x K windows of a C x H x W map)", "use a dense layer over the C x L input, or"
                        + " target loihi_like"));
            } else if (s.source() != i - 1) {
                out.add(new Violation(CHAIN, l.layer(), "it reads layer " + s.source() + ", not the layer before it",
                        "write the model as a plain chain of layers"));
            } else if (!recurrent.isEmpty() && (!(s instanceof Synapse.Dense) || recurrent.get(0).source() != i)) {
                out.add(new Violation(CHAIN, l.layer(), "only a dense layer engine feeds its own spikes back",
                        "make the recurrent layer dense, or target loihi_like"));
            }
        }
    }

    static void scales(QuantizedNetwork q, List<Violation> out) {
        for (QuantLayer l : q.layers()) {
            if (l.channels() != 1 && l.channels() != l.features()) {
                out.add(new Violation(SCALES, l.layer(), l.channels() + " scale channels for " + l.features()
                        + " output channels", "use weights = int(B, per_layer) or int(B, per_channel)"));
            }
        }
    }

    static void stride(QuantizedNetwork q, List<Violation> out) {
        for (QuantLayer l : q.layers()) {
            if (FpgaDesign.feedForward(l) instanceof Synapse.Conv c && Integer.bitCount(c.stride()) != 1) {
                int lower = Integer.highestOneBit(c.stride());
                out.add(new Violation(STRIDE, l.layer(), "stride " + c.stride()
                        + " needs a divider in the event walker", "use stride " + lower + " or " + lower * 2));
            }
        }
    }

    static void width(FpgaDesign d, List<Violation> out) {
        for (FpgaLayer l : d.layers()) {
            long m = Math.max(l.leak().m(), l.hasCurrent() ? l.synapticLeak().m() : 0);
            int need = l.accBits() + (m > 0 ? 65 - Long.numberOfLeadingZeros(m) : 0);
            if (need > 62) {
                out.add(new Violation(WIDTH, l.name(), String.format(Locale.ROOT,
                        "membranes of %d bits%s need %d bits, %d over the limit of 62", l.accBits(),
                        m > 0 ? " times the leak multiplier" : "", need, need - 62),
                        "use a narrower membrane (membrane = int(M)) or fewer weight bits"));
            }
        }
    }

    static void shift(FpgaDesign d, List<Violation> out) {
        for (FpgaLayer l : d.layers()) {
            if (l.leak().kind().equals("shift") && l.leak().k() > l.accBits() - 2) {
                out.add(new Violation(SHIFT, l.name(), "shift " + l.leak().k() + " against " + l.accBits()
                        + "-bit membranes (limit " + (l.accBits() - 2) + ")", "use a beta further from 1, or a wider membrane"));
            }
            if (l.hasCurrent() && l.synapticLeak().kind().equals("shift") && l.synapticLeak().k() > l.accBits() - 2) {
                out.add(new Violation(SHIFT, l.name(), "synaptic shift " + l.synapticLeak().k() + " against " + l.accBits()
                        + "-bit currents (limit " + (l.accBits() - 2) + ")", "use an alpha further from 1, or a wider membrane"));
            }
        }
    }

    /** Total memory bits against the device's block RAM (a coarse bound; synth reports what yosys infers). */
    static void memory(FpgaDesign d, List<Violation> out) {
        String device = d.options().effectiveDevice();
        if (device.isEmpty()) {
            return;
        }
        FpgaDevices.Device dev = FpgaDevices.get(device);
        long bits = memoryBits(d);
        if (bits > dev.bramBits()) {
            out.add(new Violation(MEMORY, "model", String.format(Locale.ROOT,
                    "%,d bits of weights, membranes and event buffers against %,d bits of block RAM on %s (%.0f%% over)",
                    bits, dev.bramBits(), dev.name(), 100.0 * (bits - dev.bramBits()) / dev.bramBits()),
                    "use fewer weight bits or a narrower membrane, or name a larger device (device = "
                            + largerDevice(dev, bits) + ")"));
        }
    }

    public static long memoryBits(FpgaDesign d) {
        long bits = 0;
        for (FpgaLayer l : d.layers()) {
            bits += l.eventMemoryBits();
            bits += (long) l.memoryWords() * l.lanes() * l.accBits() * (l.hasCurrent() ? 2 : 1);
            bits += (long) l.weightWords() * l.lanes() * l.weightBits();
            bits += (long) l.blocks() * l.lanes() * (l.biasBits() + l.thetaBits());
        }
        return bits;
    }

    private static String largerDevice(FpgaDevices.Device dev, long bits) {
        return FpgaDevices.all().stream().filter(x -> x.family().equals(dev.family()) && x.bramBits() >= bits)
                .map(FpgaDevices.Device::name).findFirst().orElse("a part of another family");
    }

    /** The rule sentences, for docs and listing. */
    public static List<String> rules() {
        return List.of(CHAIN, SCALES, STRIDE, WIDTH, SHIFT, MEMORY);
    }
}

package dev.spikeforge.compiler.ir;

import java.util.List;

/**
 * The {@code deploy} block: the integer formats to compile to (docs/semantics.md section 4.2) and
 * the targets to compile for. Target arguments are kept as written; each target family reads its
 * own.
 *
 * @param currentBits the width of a CUBA layer's synaptic current ({@code current_bits}, section
 *                    4.9); the membrane's width when the block does not set it
 * @param timing      when a layer's spikes reach the next layer ({@code timing}, section 2.7):
 *                    the timing of training and of the float and integer models; a target runs
 *                    them under its own timing when it declares another
 */
public record DeploySpec(Origin origin, int weightBits, Granularity granularity, int membraneBits, Leak leak,
                         Overflow overflow, List<TargetRequest> targets, int currentBits, Timing timing) {

    public DeploySpec {
        targets = List.copyOf(targets);
        java.util.Objects.requireNonNull(timing, "timing");
    }

    /** A sequential deploy block. */
    public DeploySpec(Origin origin, int weightBits, Granularity granularity, int membraneBits, Leak leak,
                      Overflow overflow, List<TargetRequest> targets, int currentBits) {
        this(origin, weightBits, granularity, membraneBits, leak, overflow, targets, currentBits, Timing.SEQUENTIAL);
    }

    /** This block under another timing. */
    public DeploySpec withTiming(Timing t) {
        return new DeploySpec(origin, weightBits, granularity, membraneBits, leak, overflow, targets, currentBits, t);
    }

    /** A deploy block whose synaptic current is as wide as its membrane. */
    public DeploySpec(Origin origin, int weightBits, Granularity granularity, int membraneBits, Leak leak,
                      Overflow overflow, List<TargetRequest> targets) {
        this(origin, weightBits, granularity, membraneBits, leak, overflow, targets, membraneBits);
    }

    /** One scale per layer, or one per output channel. */
    public enum Granularity implements Keyword {
        PER_LAYER,
        PER_CHANNEL;
    }

    public enum Overflow implements Keyword {
        SATURATE,
        WRAP;
    }

    /** How the integer membrane leaks. */
    public sealed interface Leak {
        String describe();
    }

    /** h = v - (v >> k) + I: beta = 1 - 2^-k, k chosen per layer from its beta. */
    public record ShiftLeak() implements Leak {
        @Override
        public String describe() {
            return "shift";
        }
    }

    /** h = ((v * m) >> F) + I: m = round(beta * 2^F). */
    public record MultiplierLeak(int fractionBits) implements Leak {
        @Override
        public String describe() {
            return "multiplier(" + fractionBits + ")";
        }
    }

    /** h = v + I: integrate-and-fire only. */
    public record NoLeak() implements Leak {
        @Override
        public String describe() {
            return "none";
        }
    }

    /** {@code target NAME(key = value, ...)}. */
    public record TargetRequest(String family, Origin origin, List<Value.Arg> args) {
        public TargetRequest {
            args = List.copyOf(args);
        }
    }

    /** The shift k of docs/semantics.md section 4.5: round(-log2(1 - beta)), at least 1. */
    public static int shiftFor(double beta) {
        return (int) Math.max(1, Math.round(-Math.log(1 - beta) / Math.log(2)));
    }

    /**
     * The beta a float model runs a neuron with: a LIF, or a CUBA with beta below 1, under a {@code
     * leak = shift} deploy block takes the beta the shift represents, under {@code multiplier(F)} the
     * m / 2^F the multiplier stores (hardware-aware training), every other neuron its own.
     */
    public static double effectiveBeta(NeuronDefinition d, java.util.Optional<DeploySpec> deploy) {
        boolean leaky = d.model() == NeuronModel.LIF || d.model() == NeuronModel.CUBA && d.beta() < 1;
        if (leaky && deploy.map(x -> x.leak() instanceof ShiftLeak).orElse(false)) {
            return betaOfShift(shiftFor(d.beta()));
        }
        if (leaky && deploy.isPresent() && deploy.get().leak() instanceof MultiplierLeak ml) {
            return betaOfMultiplier(d.beta(), ml.fractionBits());
        }
        return d.beta();
    }

    /**
     * The beta that {@code multiplier(F)} stores for {@code beta}: m / 2^F with m = round_half_away(beta
     * 2^F) (docs/semantics.md section 4.5); {@code beta} itself when m falls outside 1..2^F - 1, which
     * the verifier refuses (E501).
     */
    public static double betaOfMultiplier(double beta, int fractionBits) {
        double one = Math.scalb(1.0, fractionBits);
        double m = Math.floor(beta * one + 0.5); // half away from zero for beta > 0, as the quantiser rounds
        return m >= 1 && m < one ? m / one : beta;
    }

    /**
     * The alpha a float model runs a CUBA neuron's synaptic current with: under {@code leak = shift}
     * the alpha the shift represents, 1 - 2^-k (the synaptic decay is stored in the leak form too,
     * docs/semantics.md section 4.9), else its own; 0 for neurons without synaptic current.
     */
    public static double effectiveAlpha(NeuronDefinition d, java.util.Optional<DeploySpec> deploy) {
        if (d.hasSynapticCurrent() && deploy.map(x -> x.leak() instanceof ShiftLeak).orElse(false)) {
            return betaOfShift(shiftFor(d.alpha()));
        }
        if (d.hasSynapticCurrent() && deploy.isPresent() && deploy.get().leak() instanceof MultiplierLeak ml) {
            return betaOfMultiplier(d.alpha(), ml.fractionBits());
        }
        return d.alpha();
    }

    /** The beta that a shift leak of k represents: 1 - 2^-k. */
    public static double betaOfShift(int k) {
        return 1 - Math.pow(2, -k);
    }
}

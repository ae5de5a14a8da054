package dev.spikeforge.compiler.diag;

/**
 * The one catalogue of diagnostic codes. docs/language.md lists every entry (a test checks it),
 * and the golden corpus of invalid models exercises every entry (another test checks that).
 * Codes are stable: a code is never reused for a different problem.
 */
public enum ErrorCode {
    // E1xx: characters and syntax
    E100(Severity.ERROR, "unexpected-token", "A token appears where the grammar does not allow it."),
    E101(Severity.ERROR, "missing-token", "A required token (a brace, parenthesis, '=' or a name) is missing."),
    E102(Severity.ERROR, "invalid-character", "A character that is not part of the language."),
    E103(Severity.ERROR, "unterminated-string", "A string literal has no closing quote on its line."),
    E104(Severity.ERROR, "unterminated-comment", "A /* comment has no closing */."),
    E105(Severity.ERROR, "nesting-too-deep", "Brackets, parentheses and braces nested deeper than 64 levels."),
    E106(Severity.ERROR, "too-many-errors", "A file has more than 100 diagnostics: the first 100 are listed, then how many more there are."),

    // E2xx: statements, names and parameters
    E200(Severity.ERROR, "model-not-first", "`model NAME` must be the first statement of a file."),
    E201(Severity.ERROR, "duplicate-statement", "A statement that may appear once (model, input, timesteps, layers, train, deploy) appears twice."),
    E202(Severity.ERROR, "missing-statement", "A required statement (model, input or layers) is missing."),
    E203(Severity.ERROR, "missing-readout", "The layers block has no readout layer."),
    E204(Severity.ERROR, "extra-readout", "More than one readout layer."),
    E205(Severity.ERROR, "layer-after-readout", "A layer follows the readout; the readout must be the last layer."),
    E206(Severity.ERROR, "duplicate-name", "Two layers, or two neuron definitions, share one name."),
    E207(Severity.ERROR, "unknown-neuron", "`-> NAME` names no `neuron NAME = ...` definition."),
    E208(Severity.ERROR, "unknown-layer-kind", "A layer kind other than conv, conv1d, avgpool, maxpool, dense, flatten, readout or residual."),
    E209(Severity.ERROR, "unknown-neuron-model", "A neuron model other than LIF, IF or CUBA."),
    E210(Severity.ERROR, "unknown-parameter", "A parameter that the layer, neuron model or option does not take."),
    E211(Severity.ERROR, "missing-parameter", "A required parameter is missing (for example conv without kernel, CUBA without alpha or tau_syn)."),
    E212(Severity.ERROR, "duplicate-parameter", "The same parameter is given twice."),
    E213(Severity.ERROR, "too-many-arguments", "More positional arguments than the layer or option takes."),
    E214(Severity.ERROR, "unknown-setting", "A key in a train or deploy block that the block does not have."),
    E215(Severity.ERROR, "unknown-option", "A value that is not one of the choices of its setting (reset, encode, method, mode, ...)."),
    E216(Severity.ERROR, "neuron-required", "A conv, conv1d, dense or avgpool layer (or a residual block) has no `-> NEURON`."),
    E217(Severity.ERROR, "neuron-not-allowed", "A `-> NEURON` where none may stand (flatten, maxpool, a non-spiking readout, the last layer inside a residual block)."),
    E218(Severity.ERROR, "dropout-not-allowed", "`dropout P` on a layer that has no neuron of its own."),
    E219(Severity.ERROR, "empty-residual", "A residual block with no layer inside its braces."),
    E220(Severity.ERROR, "unknown-target", "A deploy target family that spikeforge does not know."),
    E221(Severity.ERROR, "pool-neuron-not-if", "An avgpool layer whose neuron is not IF: spiking average pooling integrates without leak."),
    E222(Severity.ERROR, "recurrent-without-neuron", "A recurrent dense layer without a neuron of its own to feed back (the last layer of a residual block)."),
    E223(Severity.ERROR, "maxpool-needs-spikes", "A maxpool whose input is not spikes of 0 and 1 (the direct or bipolar input, a current): the OR of a window needs spikes."),

    // E3xx: values
    E300(Severity.ERROR, "wrong-type", "A value of the wrong type (a name where a number is expected, a fraction where an integer is expected, ...)."),
    E301(Severity.ERROR, "out-of-range", "A number outside its allowed range (beta outside (0, 1), alpha outside [0, 1), threshold <= 0, dropout >= 1, ...)."),
    E302(Severity.ERROR, "conflicting-parameters", "Two values that exclude each other (beta and tau; alpha and tau_syn; events bins other than timesteps; augment with encode events)."),

    // E4xx: shapes
    E400(Severity.ERROR, "kernel-too-large", "A conv, conv1d, avgpool or maxpool kernel is larger than its (padded) input."),
    E401(Severity.ERROR, "needs-spatial-input", "A layer receives the wrong kind of shape: conv and avgpool need CxHxW, conv1d CxL, maxpool either; a flat input cannot reach them."),
    E402(Severity.ERROR, "residual-shape-mismatch", "The main path and the skip path of a residual block end in different shapes."),
    E403(Severity.ERROR, "bad-input-shape", "An input shape that is not N, CxL or CxHxW with every size >= 1."),
    E404(Severity.ERROR, "size-too-large", "A layer's values or weights are more than the engines can index (2,147,483,639 per array)."),

    // E5xx: training and deployment combinations
    E500(Severity.ERROR, "method-readout-mismatch", "The training method cannot train this readout (spike_bp and asf need a non-spiking readout)."),
    E501(Severity.ERROR, "leak-not-representable", "A layer's beta or alpha cannot be stored in the deploy block's leak form (a LIF or CUBA with `leak = none`, or a multiplier with too few fraction bits)."),
    E502(Severity.ERROR, "threshold-over-membrane", "A quantised threshold is larger than the membrane format can hold."),
    E503(Severity.ERROR, "accumulator-too-wide", "A layer's per-step current, or the readout over T steps, needs more than 64 bits."),
    E504(Severity.ERROR, "non-finite-weight", "A trained weight or bias is NaN or infinite (the training run diverged)."),
    E505(Severity.ERROR, "method-needs-time", "spike_bp and asf sum over time; they cannot train synaptic currents (CUBA), recurrent layers or pipelined timing."),
    E506(Severity.ERROR, "maxpool-window-wraps", "A maxpool's window holds more spikes than a wrapping membrane holds, so a full window would wrap below the threshold instead of firing."),

    // E7xx: targets
    E700(Severity.ERROR, "design-rule", "The model breaks a design rule of a deploy target (a capacity, a register width, a numeric mode)."),
    E701(Severity.ERROR, "unknown-target-spec", "A deploy target names a preset or spec file that does not exist or cannot be read."),

    // E8xx: resources
    E800(Severity.ERROR, "memory-over-limit", "Training one batch would need more memory than spikeforge can use on any machine (an array over 2^31-1 values, or over 1 TiB)."),

    // W6xx: warnings
    W600(Severity.WARNING, "pool-drops-edge", "avgpool(K) or maxpool(K) on a size that K does not divide: the last rows, columns or values are dropped."),
    W601(Severity.WARNING, "stride-drops-edge", "A strided conv or conv1d whose windows do not cover the last rows, columns or values of its input."),
    W602(Severity.WARNING, "unused-neuron", "A neuron definition that no layer uses."),
    W603(Severity.WARNING, "leak-changes-beta", "`leak = shift` represents beta (or a CUBA neuron's alpha) as 1 - 2^-k; training uses that value instead of the declared one."),
    W604(Severity.WARNING, "loss-method-mismatch", "A loss other than the one the training method was designed for (spike_bp and asf use mse)."),
    W605(Severity.WARNING, "memory-over-machine", "Training or inference would need more memory than this machine has, or more heap than the JVM may use.");

    private final Severity severity;
    private final String slug;
    private final String description;

    ErrorCode(Severity severity, String slug, String description) {
        this.severity = severity;
        this.slug = slug;
        this.description = description;
    }

    public Severity severity() {
        return severity;
    }

    /** A short kebab-case name, stable like the code. */
    public String slug() {
        return slug;
    }

    public String description() {
        return description;
    }
}

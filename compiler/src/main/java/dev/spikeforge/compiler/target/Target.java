package dev.spikeforge.compiler.target;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One resolved target (a request of a deploy block or of {@code --target}): its numerics, its
 * design rules and its compiler. Every option a target needs comes from its own request, never from
 * another target's (docs/semantics.md section 4.12: a target's differences are named fields of its
 * numerics).
 */
public interface Target {

    /** The family that resolved it. */
    String family();

    /** How reports name it, e.g. {@code loihi_like} or {@code fpga(lanes = 8, family = xc7, device = xc7a35t)}. */
    String name();

    /** The folder it compiles into under the output folder, e.g. {@code neurocore-loihi_like}. */
    String folderName();

    /**
     * The integer formats this target's model is quantised to: the deploy block's formats
     * ({@code deploy}, with command-line overrides) with the target's own arithmetic (its shift
     * rounding) put in.
     */
    QuantOptions quantOptions(QuantOptions deploy);

    /**
     * The design rules, as E700 diagnostics at the request's position.
     *
     * @param weightsKnown false when {@code q} is the shape-only quantisation of
     *                     {@link dev.spikeforge.compiler.quant.Quantizer#quantizeShapes} (what {@code check}
     *                     runs before training): its synapses have no weight arrays and its biases,
     *                     thresholds and currents are those of weights all 1.0, so rules that depend on
     *                     weight values are skipped and no rule may read a synapse's weights or allocate
     *                     per parameter
     */
    List<Diagnostic> designRules(QuantizedNetwork q, boolean weightsKnown);

    /**
     * Maps {@code q} (quantised with {@link #quantOptions}) and writes the folder
     * {@code outDir/folderName()} atomically: a reader never sees half an old and half a new folder.
     * {@code outDir} is the staging folder of the whole output (see OutputFolder), which is swapped
     * in after every target has written its folder; the paths of the result and its report lines
     * are moved to the output folder then.
     *
     * @param rates spikes per neuron per step of each layer of {@code q} (measured on training
     *              samples), which placement may weigh traffic by; null when unknown
     * @throws TargetException when a design rule fails (exit 1)
     * @throws IOException when the folder cannot be written, e.g. a full disk (exit 3)
     */
    CompiledTarget compile(QuantizedNetwork q, Path outDir, double[] rates) throws TargetException, IOException;
}

package dev.spikeforge.compiler.target;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A family of targets ({@code neurocore}, {@code fpga}), found through {@link ServiceLoader}: it
 * reads its own arguments of a {@code target NAME(...)} line, checks its design rules, and writes
 * its artifact folder.
 */
public interface TargetFamily {

    /** The family name as written after {@code target}. */
    String family();

    /**
     * The design rules of the target a request names, as diagnostics at the request's position
     * (E700 per violation, E701 when the request itself cannot be resolved).
     *
     * @param weightsKnown false when {@code q} was quantised from placeholder weights: rules that
     *                     depend on weight values are skipped
     * @param modelDir     the model file's folder, against which a spec file path is resolved
     */
    List<Diagnostic> designRules(QuantizedNetwork q, DeploySpec.TargetRequest request, boolean weightsKnown,
                                 Path modelDir);

    /** Whether right shifts of this target round toward zero (the quantiser records it). */
    boolean shiftTowardZero(DeploySpec.TargetRequest request, Path modelDir);

    /**
     * Maps and writes the target's folder under {@code outDir} (named by {@link #folderName}).
     *
     * @param rates spikes per neuron per step of each layer of {@code q} (e.g. measured on training
     *              samples), which placement weighs traffic by; null when unknown (every neuron
     *              then counts once)
     * @return lines describing what was written (resources, placement), for the command's output
     * @throws TargetException when a design rule fails or the folder cannot be written
     */
    List<String> compile(QuantizedNetwork q, DeploySpec.TargetRequest request, Path outDir, Path modelDir,
                         double[] rates) throws TargetException;

    /** The folder a request compiles into, e.g. {@code neurocore-loihi_like}. */
    String folderName(DeploySpec.TargetRequest request);

    /** Every family on the class path. */
    static List<TargetFamily> all() {
        return ServiceLoader.load(TargetFamily.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The family named {@code name}, or null. */
    static TargetFamily named(String name) {
        return all().stream().filter(f -> f.family().equals(name)).findFirst().orElse(null);
    }
}

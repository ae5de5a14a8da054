package dev.spikeforge.compiler.target;

import dev.spikeforge.compiler.io.FileProblemException;
import dev.spikeforge.compiler.ir.DeploySpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A family of targets, found through {@link ServiceLoader}: everything about one kind of hardware
 * lives behind this interface, in the family's own package. It reads its own arguments of a
 * {@code target NAME(...)} line into a {@link Target}, and reads back the folders its targets
 * write ({@link DeployedTarget}). A new family is a new package and one line in
 * {@code META-INF/services/dev.spikeforge.compiler.target.TargetFamily}; nothing else names it.
 */
public interface TargetFamily {

    /** The family name as written after {@code target} in a deploy block. */
    String name();

    /**
     * A bare word given for {@code --target} that this family claims (a preset name, a spec file),
     * as the request it stands for; empty when the word is not this family's.
     */
    default Optional<DeploySpec.TargetRequest> shorthand(String word) {
        return Optional.empty();
    }

    /**
     * The target a request names, its arguments read and checked.
     *
     * @param modelDir the model file's folder, against which a file a request names is resolved
     * @throws TargetException with E701 diagnostics at the request's position when the request
     *                         cannot be resolved (an unknown argument, a spec file that cannot be read)
     */
    Target resolve(DeploySpec.TargetRequest request, Path modelDir) throws TargetException;

    /** Whether {@code folder} looks like one of this family's compiled folders (its marker file is there). */
    boolean owns(Path folder);

    /**
     * A compiled folder read back from its files alone, every file checked against its checksum
     * and its numerics against the target's own.
     */
    DeployedTarget read(Path folder) throws FileProblemException;

    /** What {@code spikeforge targets} lists for this family (presets, devices). */
    TargetCatalogue catalogue();

    /** Every family on the class path, in the order of the service files. */
    static List<TargetFamily> all() {
        return ServiceLoader.load(TargetFamily.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The names of every family on the class path. */
    static List<String> names() {
        return all().stream().map(TargetFamily::name).toList();
    }

    /** The family named {@code name}. */
    static Optional<TargetFamily> named(String name) {
        return all().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The family whose folder {@code folder} is. */
    static Optional<TargetFamily> owning(Path folder) {
        return all().stream().filter(f -> f.owns(folder)).findFirst();
    }
}

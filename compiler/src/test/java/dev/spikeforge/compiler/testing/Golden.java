package dev.spikeforge.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison, byte for byte. Regenerate on purpose with
 * {@code mvn test -Dspikeforge.updateGolden=true} and review the diff before committing.
 */
public final class Golden {

    private Golden() {
    }

    public static boolean updating() {
        return Boolean.getBoolean("spikeforge.updateGolden");
    }

    public static void assertMatches(Path golden, String actual) {
        try {
            if (updating()) {
                Files.createDirectories(golden.toAbsolutePath().getParent());
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(golden)) {
                fail("golden file " + golden + " is missing; create it with -Dspikeforge.updateGolden=true and review it");
            }
            String expected = Files.readString(golden, StandardCharsets.UTF_8);
            assertEquals(expected, actual, "output differs from golden file " + golden
                    + " (regenerate with -Dspikeforge.updateGolden=true if the change is intended)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project root, found from the working directory of a module's tests. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/models"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}

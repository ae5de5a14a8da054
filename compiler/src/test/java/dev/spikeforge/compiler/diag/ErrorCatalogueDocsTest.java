package dev.spikeforge.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/language.md documents every code of the catalogue, with its name and an example section. */
class ErrorCatalogueDocsTest {

    @Test
    void everyCodeHasATableRowAndAnExample() throws IOException {
        String doc = Files.readString(Golden.projectRoot().resolve("docs/language.md"));
        List<String> missing = new ArrayList<>();
        for (ErrorCode c : ErrorCode.values()) {
            String row = "| `" + c.name() + "` | " + c.slug() + " | " + c.severity().label() + " |";
            String section = "#### " + c.name() + " " + c.slug();
            if (!doc.contains(row) || !doc.contains(section)) {
                missing.add(c.name());
            }
        }
        assertTrue(missing.isEmpty(), "docs/language.md lacks the table row or example section of " + missing);
    }
}

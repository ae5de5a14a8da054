package dev.spikeforge.compiler.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.FileProblemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What {@code spikeforge targets} shows of a family: its presets or devices, and one of them in full. */
public interface TargetCatalogue {

    /** The family's presets or devices, one row each. */
    FigureTable table();

    /** Lines printed after the table (how to see one in full, how to add your own). */
    List<String> footer();

    /** The table as JSON fields of {@code spikeforge targets --json}. */
    void json(ObjectNode doc);

    /**
     * One preset, device or file of this family in full, or empty when {@code word} is not this family's.
     *
     * @param dir the folder a file name is resolved against
     * @throws FileProblemException when {@code word} is this family's but cannot be read
     */
    Optional<Description> describe(String word, Path dir) throws FileProblemException;

    /** Why {@code word} is not one of this family's, with what is: the message when no family claims it. */
    String notFound(String word);

    /** One entry in full: text lines and its JSON. */
    record Description(List<String> text, ObjectNode json) {
    }
}

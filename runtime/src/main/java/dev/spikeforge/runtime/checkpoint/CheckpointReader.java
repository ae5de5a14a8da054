package dev.spikeforge.runtime.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a checkpoint written by {@link CheckpointWriter}, or a numpy.savez / savez_compressed
 * archive with a spikeforge manifest added, STORED or DEFLATED.
 *
 * <p>Every problem is a {@link CheckpointException} naming the file, the entry and the fix. The
 * checks go from the outside in, so that the first message is about the real cause: the file itself
 * (a regular file within {@link #MAX_CHECKPOINT_BYTES}), the zip structure ({@link ZipArchive}:
 * every local header against the central directory, sizes and offsets inside the file, no
 * overlaps, the end record), duplicate entries, the manifest and its format (a file of another
 * format is reported as that, not as a broken array), unknown entries, then each array, whose size
 * and CRC-32 are checked as it is read (a flipped bit in a weight would otherwise load silently).
 *
 * <p>Entries other than {@code NAME.npy} and {@code manifest.json} are refused, not ignored: the
 * format holds nothing else, and a reader that skipped them would let a trainer that loads and
 * saves again drop them without a word.
 */
public final class CheckpointReader {

    /** A manifest holds source text, settings and metrics; anything larger is not a manifest. */
    private static final int MAX_MANIFEST_BYTES = 64 << 20;
    /**
     * The largest checkpoint read: 4 GiB. A trained parameter takes 20 bytes (float32 weight and
     * Adam's two float64 moments), so this holds a model of 200 million parameters, far more than
     * the float engine trains in memory; a larger file is not a checkpoint of a model it can run.
     */
    public static final long MAX_CHECKPOINT_BYTES = 4L << 30;
    private static final String DAMAGED = "the file is damaged; use an earlier checkpoint";

    private final Path file;
    private final ZipArchive zip;

    private CheckpointReader(Path file, ZipArchive zip) {
        this.file = file;
        this.zip = zip;
    }

    /**
     * @throws CheckpointException when the file is not a readable, valid checkpoint; a path that is
     *         not a regular file (a folder, a pipe, a device) or is over {@link #MAX_CHECKPOINT_BYTES}
     *         is refused before it is opened
     */
    public static Checkpoint read(Path file) throws CheckpointException {
        try {
            InputFiles.check(file, "checkpoint", MAX_CHECKPOINT_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw new CheckpointException(file, e.problem(), e.help(), e);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() > MAX_CHECKPOINT_BYTES) {
                throw new CheckpointException(file, "the checkpoint grew to " + InputFiles.bytes(channel.size())
                        + " while it was opened, over the limit of " + InputFiles.bytes(MAX_CHECKPOINT_BYTES),
                        "give a file that is not being written");
            }
            ZipArchive zip;
            try {
                zip = ZipArchive.open(channel);
            } catch (ZipArchive.Damaged e) {
                throw e.noEndRecord ? ArchiveProblems.damaged(file, e)
                        : new CheckpointException(file, "is a corrupt zip archive: " + e.getMessage(), DAMAGED, e);
            }
            return new CheckpointReader(file, zip).read();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + CheckpointWriter.reason(e),
                    "check the path and the file's permissions", e);
        }
    }

    private Checkpoint read() throws CheckpointException {
        List<ZipArchive.Entry> entries = entries();
        ZipArchive.Entry manifestEntry = null;
        for (ZipArchive.Entry e : entries) {
            if (e.getName().equals(Checkpoint.MANIFEST_ENTRY)) {
                manifestEntry = e;
            }
        }
        if (manifestEntry == null) {
            throw new CheckpointException(file, "has no " + Checkpoint.MANIFEST_ENTRY + " entry, so it is a plain numpy .npz ("
                    + entries.size() + " entries), not a spikeforge checkpoint",
                    "write checkpoints with spikeforge; to import numpy arrays, add a manifest.json that holds "
                    + "{\"format\": \"" + Checkpoint.FORMAT + "\"}");
        }
        ObjectNode manifest = manifest(manifestEntry);
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (ZipArchive.Entry e : entries) {
            if (e != manifestEntry && !e.getName().endsWith(".npy")) {
                throw new CheckpointException(file, "entry '" + e.getName() + "' is neither an array (NAME.npy) nor "
                        + Checkpoint.MANIFEST_ENTRY, "a checkpoint holds nothing else; remove the entry (zip -d "
                        + file + " '" + e.getName() + "') and keep other files next to the checkpoint");
            }
        }
        for (ZipArchive.Entry e : entries) {
            if (e != manifestEntry) {
                arrays.put(arrayName(e), array(e));
            }
        }
        try {
            return Checkpoint.of(arrays, manifest);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage(), DAMAGED, e);
        }
    }

    /** The entries in archive order, after refusing duplicate names (numpy would keep only one). */
    private List<ZipArchive.Entry> entries() throws CheckpointException {
        List<ZipArchive.Entry> out = zip.entries();
        Map<String, Integer> counts = new HashMap<>();
        for (ZipArchive.Entry e : out) {
            int n = counts.merge(e.getName(), 1, Integer::sum);
            if (n == 2) {
                long total = out.stream().filter(x -> x.getName().equals(e.getName())).count();
                throw new CheckpointException(file, "entry '" + e.getName() + "' appears " + total + " times",
                        "the archive was appended to after it was written; numpy and spikeforge would each pick "
                        + "one of them. Rewrite it with one entry per name");
            }
        }
        return out;
    }

    private ObjectNode manifest(ZipArchive.Entry entry) throws CheckpointException {
        if (entry.getSize() > MAX_MANIFEST_BYTES) {
            throw new CheckpointException(file, Checkpoint.MANIFEST_ENTRY + " is " + entry.getSize()
                    + " bytes, more than a manifest can be (" + MAX_MANIFEST_BYTES + ")", DAMAGED);
        }
        byte[] bytes;
        try (InputStream in = zip.open(entry)) {
            // The size was checked above, and the stream checks it and the CRC-32 at its end.
            bytes = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw unreadable(entry, e);
        }
        JsonNode json;
        try {
            json = ManifestJson.parse(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new CheckpointException(file, Checkpoint.MANIFEST_ENTRY + " is not valid JSON" + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""),
                    "the manifest was edited or damaged; restore it from a copy of the checkpoint", e);
        }
        if (json == null || !json.isObject()) {
            throw new CheckpointException(file, Checkpoint.MANIFEST_ENTRY + " holds " + kind(json)
                    + ", not a JSON object", "a manifest is an object that starts with \"format\": \""
                    + Checkpoint.FORMAT + "\"");
        }
        checkFormat(json.get("format"));
        return (ObjectNode) json;
    }

    private void checkFormat(JsonNode format) throws CheckpointException {
        if (format == null) {
            throw new CheckpointException(file, Checkpoint.MANIFEST_ENTRY + " has no \"format\" field, so this is not a "
                    + "spikeforge checkpoint", "a spikeforge manifest holds \"format\": \"" + Checkpoint.FORMAT
                    + "\"; this file was written by another tool");
        }
        if (!format.isTextual()) {
            throw new CheckpointException(file, "manifest \"format\" is " + kind(format) + " " + format
                    + ", not the string \"" + Checkpoint.FORMAT + "\"", DAMAGED);
        }
        if (!format.textValue().equals(Checkpoint.FORMAT)) {
            throw new CheckpointException(file, "checkpoint format is \"" + format.textValue() + "\"; this spikeforge reads \""
                    + Checkpoint.FORMAT + "\"", "the file was written by another tool or another version of "
                    + "spikeforge; read it with the version that wrote it");
        }
    }

    private String arrayName(ZipArchive.Entry entry) throws CheckpointException {
        String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
        Optional<String> problem = ArrayNames.problem(name);
        if (problem.isPresent()) {
            throw new CheckpointException(file, "entry '" + entry.getName() + "': " + problem.get(),
                    "save the array under another name");
        }
        return name;
    }

    private NdArray array(ZipArchive.Entry entry) throws CheckpointException {
        try (InputStream in = zip.open(entry)) {
            // Npy reads to the end of the stream, where the stream checks the size and CRC-32.
            return Npy.read(in, entry.getSize());
        } catch (NpyFormatException e) {
            throw new CheckpointException(file, "entry '" + entry.getName() + "' is not a valid .npy array: "
                    + e.getMessage(), "the entry is damaged or was not written by numpy.save; use an earlier checkpoint", e);
        } catch (IOException | RuntimeException e) {
            throw unreadable(entry, e);
        }
    }

    private CheckpointException unreadable(ZipArchive.Entry entry, Exception e) {
        return new CheckpointException(file, "entry '" + entry.getName() + "' is corrupt: " + CheckpointWriter.reason(e),
                DAMAGED, e);
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isNumber()) {
            return "a number";
        }
        if (n.isBoolean()) {
            return "a boolean";
        }
        if (n.isNull()) {
            return "null";
        }
        return n.isTextual() ? "a string" : "an object";
    }
}

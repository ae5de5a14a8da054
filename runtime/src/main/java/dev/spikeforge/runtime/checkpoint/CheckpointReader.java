package dev.spikeforge.runtime.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a checkpoint written by {@link CheckpointWriter}, or a numpy.savez / savez_compressed
 * archive with a spikeforge manifest added, STORED or DEFLATED.
 *
 * <p>Every problem is a {@link CheckpointException} naming the file, the entry and the fix. The
 * checks go from the outside in, so that the first message is about the real cause: the zip
 * structure, duplicate entries, the manifest and its format (a file of another format is reported
 * as that, not as a broken array), unknown entries, then each array, whose CRC-32 is checked too
 * (Java's ZipFile does not, and a flipped bit in a weight would otherwise load silently).
 *
 * <p>Entries other than {@code NAME.npy} and {@code manifest.json} are refused, not ignored: the
 * format holds nothing else, and a reader that skipped them would let a trainer that loads and
 * saves again drop them without a word.
 */
public final class CheckpointReader {

    /** A manifest holds source text, settings and metrics; anything larger is not a manifest. */
    private static final int MAX_MANIFEST_BYTES = 64 << 20;
    private static final String DAMAGED = "the file is damaged; use an earlier checkpoint";

    private final Path file;
    private final ZipFile zip;

    private CheckpointReader(Path file, ZipFile zip) {
        this.file = file;
        this.zip = zip;
    }

    /** @throws CheckpointException when the file is not a readable, valid checkpoint */
    public static Checkpoint read(Path file) throws CheckpointException {
        if (!Files.exists(file)) {
            throw new CheckpointException(file, "no such file", "check the path; `spikeforge train` writes checkpoints");
        }
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file, "is a folder, not a checkpoint file", "give the path of a .npz file");
        }
        ZipFile zip = ArchiveProblems.open(file);
        try (zip) {
            return new CheckpointReader(file, zip).read();
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be closed: " + CheckpointWriter.reason(e), null, e);
        }
    }

    private Checkpoint read() throws CheckpointException {
        List<ZipEntry> entries = entries();
        ZipEntry manifestEntry = null;
        for (ZipEntry e : entries) {
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
        for (ZipEntry e : entries) {
            if (e != manifestEntry && !e.getName().endsWith(".npy")) {
                throw new CheckpointException(file, "entry '" + e.getName() + "' is neither an array (NAME.npy) nor "
                        + Checkpoint.MANIFEST_ENTRY, "a checkpoint holds nothing else; remove the entry (zip -d "
                        + file + " '" + e.getName() + "') and keep other files next to the checkpoint");
            }
        }
        for (ZipEntry e : entries) {
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

    /** The entries in archive order, after refusing duplicate names (ZipFile would show only one). */
    private List<ZipEntry> entries() throws CheckpointException {
        List<ZipEntry> out;
        try {
            out = new ArrayList<>(Collections.list(zip.entries()));
        } catch (RuntimeException e) {
            throw ArchiveProblems.damaged(file, e);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (ZipEntry e : out) {
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

    private ObjectNode manifest(ZipEntry entry) throws CheckpointException {
        if (entry.getSize() > MAX_MANIFEST_BYTES) {
            throw new CheckpointException(file, Checkpoint.MANIFEST_ENTRY + " is " + entry.getSize()
                    + " bytes, more than a manifest can be (" + MAX_MANIFEST_BYTES + ")", DAMAGED);
        }
        byte[] bytes;
        try (InputStream raw = zip.getInputStream(entry)) {
            CheckedInputStream in = new CheckedInputStream(raw, new CRC32());
            bytes = in.readNBytes(MAX_MANIFEST_BYTES);
            checkCrc(entry, in);
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

    private String arrayName(ZipEntry entry) throws CheckpointException {
        String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
        Optional<String> problem = ArrayNames.problem(name);
        if (problem.isPresent()) {
            throw new CheckpointException(file, "entry '" + entry.getName() + "': " + problem.get(),
                    "save the array under another name");
        }
        return name;
    }

    private NdArray array(ZipEntry entry) throws CheckpointException {
        try (InputStream raw = zip.getInputStream(entry)) {
            CheckedInputStream in = new CheckedInputStream(raw, new CRC32());
            NdArray a = Npy.read(in, entry.getSize());
            checkCrc(entry, in);
            return a;
        } catch (NpyFormatException e) {
            throw new CheckpointException(file, "entry '" + entry.getName() + "' is not a valid .npy array: "
                    + e.getMessage(), "the entry is damaged or was not written by numpy.save; use an earlier checkpoint", e);
        } catch (IOException | RuntimeException e) {
            throw unreadable(entry, e);
        }
    }

    private void checkCrc(ZipEntry entry, CheckedInputStream in) throws IOException {
        long actual = in.getChecksum().getValue();
        if (entry.getCrc() != -1 && actual != entry.getCrc()) {
            throw new IOException(String.format("its CRC-32 is %08x, the archive records %08x", actual, entry.getCrc()));
        }
    }

    private CheckpointException unreadable(ZipEntry entry, Exception e) {
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

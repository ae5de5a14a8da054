package dev.spikeforge.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.TargetFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzes a compiled target folder one file at a time. The folder is a real one that
 * {@code spikeforge compile} wrote (a test resource under {@code folders/}); a working copy is
 * made once per JVM. An input is
 * <pre>
 *   byte 0:  bits 0-5 pick the file (index into the folder's files sorted by path, modulo their count);
 *            bit 6 set: "splice", the input changes part of the file (below) instead of all of it;
 *            bit 7 set: "reseal", write the file's new size and SHA-256 into the folder's description,
 *            so the mutation gets past the checksum check to the parser behind it
 *   rest:    the file's new content; when splicing, bytes 1-2 are an offset into the file (big-endian,
 *            modulo its length + 1), byte 3 how many of its bytes to replace there, and the rest
 *            what replaces them
 * </pre>
 * Splicing lets a few bytes of input change one field deep in a 10 KB mapping.json, which a
 * whole new file would have to spell out entirely.
 * After each input the two files it changed are restored.
 */
final class FolderFuzzing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TargetFamily family;
    private final Path work;
    private final String description;
    private final List<String> files;

    private FolderFuzzing(TargetFamily family, Path work, String description, List<String> files) {
        this.family = family;
        this.work = work;
        this.description = description;
        this.files = files;
    }

    /** A working copy of the resource folder {@code folders/NAME}, read by the family {@code familyName}. */
    static FolderFuzzing of(String familyName, String name, String description) {
        TargetFamily family = TargetFamily.named(familyName)
                .orElseThrow(() -> new IllegalStateException("no target family " + familyName + " on the class path"));
        URL url = FolderFuzzing.class.getResource("folders/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource folders/" + name + " is missing");
        }
        try {
            Path pristine = Paths.get(url.toURI());
            Path work = Files.createTempDirectory(Fuzzing.scratch(), name + "-");
            List<String> files = new ArrayList<>();
            try (Stream<Path> all = Files.walk(pristine)) {
                for (Path p : all.filter(Files::isRegularFile).toList()) {
                    String rel = pristine.relativize(p).toString().replace('\\', '/');
                    files.add(rel);
                    Path copy = work.resolve(rel);
                    Files.createDirectories(copy.getParent());
                    Files.copy(p, copy);
                }
            }
            files.sort(null);
            if (!files.contains(description)) {
                throw new IllegalStateException("folders/" + name + " has no " + description);
            }
            return new FolderFuzzing(family, work, description, List.copyOf(files));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The folder's files in the order byte 0 of an input counts them. */
    List<String> files() {
        return files;
    }

    /** Applies {@code data} to the working copy, reads the folder, and restores the copy. */
    DeployedTarget read(byte[] data) throws Exception {
        if (data.length == 0) {
            return family.read(work);
        }
        String rel = files.get((data[0] & 0x3f) % files.size());
        boolean splice = (data[0] & 0x40) != 0;
        boolean reseal = (data[0] & 0x80) != 0 && !rel.equals(description);
        Path file = work.resolve(rel);
        Path desc = work.resolve(description);
        byte[] oldContent = Files.readAllBytes(file);
        byte[] oldDescription = Files.readAllBytes(desc);
        byte[] content = splice ? spliced(oldContent, data) : Arrays.copyOfRange(data, 1, data.length);
        try {
            Files.write(file, content);
            if (reseal) {
                Files.write(desc, resealed(oldDescription, rel, content));
            }
            return family.read(work);
        } finally {
            Files.write(file, oldContent);
            Files.write(desc, oldDescription);
        }
    }

    /** {@code file} with the part that a splicing input names replaced by the input's payload. */
    static byte[] spliced(byte[] file, byte[] data) {
        int offset = data.length > 2 ? (((data[1] & 0xff) << 8) | (data[2] & 0xff)) % (file.length + 1) : 0;
        int replace = Math.min(data.length > 3 ? data[3] & 0xff : 0, file.length - offset);
        int payload = Math.max(0, data.length - 4);
        byte[] out = new byte[file.length - replace + payload];
        System.arraycopy(file, 0, out, 0, offset);
        if (payload > 0) {
            System.arraycopy(data, 4, out, offset, payload);
        }
        System.arraycopy(file, offset + replace, out, offset + payload, file.length - offset - replace);
        return out;
    }

    /**
     * The description with {@code rel}'s checksum (and size, where it records one) set for
     * {@code content}: the files list is either an object path -> sha256 (fpga.json) or an array of
     * {path, bytes, sha256} (mapping.json).
     */
    private static byte[] resealed(byte[] description, String rel, byte[] content) throws IOException {
        JsonNode root = JSON.readTree(description);
        JsonNode list = root.path("files");
        String sha = sha256(content);
        if (list.isObject()) {
            ((ObjectNode) list).put(rel, sha);
        } else if (list.isArray()) {
            for (JsonNode entry : list) {
                if (entry.isObject() && rel.equals(entry.path("path").asText())) {
                    ((ObjectNode) entry).put("bytes", content.length);
                    ((ObjectNode) entry).put("sha256", sha);
                }
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

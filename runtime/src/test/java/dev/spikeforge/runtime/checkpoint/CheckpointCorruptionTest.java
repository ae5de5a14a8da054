package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every damaged or foreign file is a CheckpointException that names the file, the problem and a fix. */
class CheckpointCorruptionTest {

    private static final NdArray W = NdArray.of(new float[] {1, 2, 3}, 3);

    @TempDir
    Path dir;

    @Test
    void aFileCutInHalf() throws Exception {
        Path file = dir.resolve("half.npz");
        CheckpointWriter.write(file, CheckpointFileTest.lenetLike());
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        CheckpointException e = failure(file);
        assertTrue(e.problem().startsWith("is a truncated or corrupt zip archive ("), e.problem());
        assertTrue(e.help().contains("use an earlier checkpoint"), e.help());
    }

    @Test
    void randomBytes() throws Exception {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        noise[0] = 0x12;
        noise[1] = 0x34;
        noise[2] = 0x56;
        noise[3] = 0x78;
        Path file = write("noise.npz", noise);
        CheckpointException e = failure(file);
        assertTrue(e.problem().startsWith("is not a zip archive (it starts with the bytes 12 34 56 78 "), e.problem());
        assertTrue(e.help().startsWith("a checkpoint is the .npz archive"), e.help());
    }

    @Test
    void anEmptyFileAFolderAMissingFileAndALoneNpy() throws Exception {
        assertEquals("is empty (0 bytes)", failure(write("empty.npz", new byte[0])).problem());
        assertEquals("the checkpoint is a folder, not a file", failure(dir).problem());
        assertEquals("no such checkpoint", failure(dir.resolve("nothing.npz")).problem());
        assertEquals("is a single .npy array, not a .npz checkpoint archive",
                failure(write("w.npy", Npy.toBytes(W))).problem());
    }

    @Test
    void aZipWithoutManifest() throws Exception {
        Path file = write("plain.npz", ZipBytes.builder().putArray("w", W).putArray("b", W).stored());
        CheckpointException e = failure(file);
        assertEquals("has no manifest.json entry, so it is a plain numpy .npz (2 entries), not a spikeforge checkpoint",
                e.problem());
        assertTrue(e.help().contains("{\"format\": \"spikeforge.checkpoint/1\"}"), e.help());
    }

    @Test
    void aManifestOfAnotherFormat() throws Exception {
        Path file = write("other.npz", ZipBytes.builder().putArray("w", W).putManifest("{\"format\": \"other/2\"}").stored());
        CheckpointException e = failure(file);
        assertEquals("checkpoint format is \"other/2\"; this spikeforge reads \"spikeforge.checkpoint/1\"", e.problem());
        assertTrue(e.help().contains("another tool or another version of spikeforge"), e.help());
    }

    @Test
    void manifestsThatAreNotAFormattedJsonObject() throws Exception {
        assertEquals("manifest.json is not valid JSON at line 1, column 12: Unexpected character ('}' (code 125)): "
                + "expected a value", failure(manifest("{\"format\": }")).problem());
        assertTrue(failure(manifest("{\"format\": \"spikeforge.checkpoint/1\"} trailing")).problem()
                .startsWith("manifest.json is not valid JSON"));
        assertTrue(failure(manifest("{\"format\": \"a\", \"format\": \"b\"}")).problem()
                .contains("Duplicate field 'format'"));
        assertEquals("manifest.json holds an array, not a JSON object", failure(manifest("[1, 2]")).problem());
        assertEquals("manifest.json holds nothing, not a JSON object", failure(manifest("")).problem());
        assertEquals("manifest.json has no \"format\" field, so this is not a spikeforge checkpoint",
                failure(manifest("{\"epoch\": 3}")).problem());
        assertEquals("manifest \"format\" is a number 1, not the string \"spikeforge.checkpoint/1\"",
                failure(manifest("{\"format\": 1}")).problem());
    }

    private Path manifest(String json) throws Exception {
        return write("m.npz", ZipBytes.builder().putArray("w", W).putManifest(json).stored());
    }

    @Test
    void anEntryWithABrokenNpyHeader() throws Exception {
        byte[] npy = Npy.toBytes(W);
        byte[] broken = NpyTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3], }", new byte[12]);
        Path file = write("header.npz", ZipBytes.builder().put("c1.weight.npy", broken).putManifest().stored());
        CheckpointException e = failure(file);
        assertEquals("entry 'c1.weight.npy' is not a valid .npy array: header 'shape' is a list, not a tuple of sizes "
                + "such as (3, 4), (5,) or ()", e.problem());
        npy[0] = 'X';
        CheckpointException magic = failure(write("magic.npz", ZipBytes.builder().put("c1.weight.npy", npy).putManifest().stored()));
        assertEquals("entry 'c1.weight.npy' is not a valid .npy array: does not start with the .npy magic \\x93NUMPY "
                + "(first bytes: 58 4e 55 4d 50 59 01 00)", magic.problem());
    }

    @Test
    void anNpyWithTruncatedData() throws Exception {
        byte[] npy = Npy.toBytes(W);
        byte[] cut = Arrays.copyOf(npy, npy.length - 6);
        for (byte[] zip : new byte[][] {
            ZipBytes.builder().put("c1.weight.npy", cut).putManifest().stored(),
            ZipBytes.builder().put("c1.weight.npy", cut).putManifest().deflated(),
        }) {
            CheckpointException e = failure(write("cut.npz", zip));
            assertEquals("entry 'c1.weight.npy' is not a valid .npy array: data is truncated: shape (3,) of float32 "
                    + "needs 12 bytes, found 6", e.problem());
        }
    }

    @Test
    void aFlippedBitIsCaughtByTheCrc() throws Exception {
        Path file = dir.resolve("flip.npz");
        CheckpointWriter.write(file, Checkpoint.builder().put("w", W).build());
        byte[] zip = Files.readAllBytes(file);
        int data = 30 + "w.npy".length() + 128;
        zip[data + 5] ^= 0x10;
        Files.write(file, zip);
        CheckpointException e = failure(file);
        assertTrue(e.problem().matches("entry 'w.npy' is corrupt: its CRC-32 is [0-9a-f]{8}, the archive records [0-9a-f]{8}"),
                e.problem());
    }

    @Test
    void duplicateEntries() throws Exception {
        byte[] zip = ZipBytes.builder().putArray("w", W).putArray("v", W).putManifest().stored();
        CheckpointException e = failure(write("dup.npz", ZipBytes.replace(zip, "v.npy", "w.npy")));
        assertEquals("entry 'w.npy' appears 2 times", e.problem());
    }

    /** Decision: entries that are neither NAME.npy nor manifest.json are refused, not skipped. */
    @Test
    void unknownEntriesAndUnusableNames() throws Exception {
        CheckpointException e = failure(write("extra.npz",
                ZipBytes.builder().putArray("w", W).put("notes.txt", "hi").putManifest().stored()));
        assertEquals("entry 'notes.txt' is neither an array (NAME.npy) nor manifest.json", e.problem());
        assertTrue(e.help().contains("zip -d"), e.help());
        assertEquals("entry 'sub/' is neither an array (NAME.npy) nor manifest.json", failure(write("folder.npz",
                ZipBytes.builder().put("sub/", new byte[0]).putManifest().stored())).problem());
        CheckpointException slash = failure(write("slash.npz",
                ZipBytes.builder().putArray("sub/w", W).putManifest().stored()));
        assertTrue(slash.problem().startsWith("entry 'sub/w.npy': array name 'sub/w' contains a '/'"), slash.problem());
    }

    @Test
    void messagesStartWithTheFileAndEndWithAHelpLine() throws Exception {
        Path file = write("other.npz", ZipBytes.builder().putManifest("{\"format\": \"other/2\"}").stored());
        CheckpointException e = failure(file);
        assertEquals(file + ": checkpoint format is \"other/2\"; this spikeforge reads \"spikeforge.checkpoint/1\"\n"
                + "  = help: the file was written by another tool or another version of spikeforge; read it with the "
                + "version that wrote it", e.getMessage());
        assertEquals(file, e.file());
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** Reading fails with a CheckpointException whose message names the file and has a help line. */
    private static CheckpointException failure(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": " + e.problem()), e.getMessage());
        assertTrue(e.getMessage().contains("\n  = help: "), e.getMessage());
        return e;
    }
}

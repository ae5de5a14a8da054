package dev.spikeforge.runtime.checkpoint;

import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_CRC;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_CSIZE;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_DISK;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_FLAGS;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_METHOD;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_NAME;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_OFFSET;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.CEN_USIZE;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.END_CEN_OFFSET;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.END_CEN_SIZE;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.END_DISK;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.END_ENTRIES;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.END_ENTRIES_HERE;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.LOCAL_CRC;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.LOCAL_CSIZE;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.LOCAL_METHOD;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.LOCAL_NAME;
import static dev.spikeforge.runtime.checkpoint.ZipLayout.LOCAL_USIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint is refused when its zip structure is inconsistent in any way numpy's zipfile
 * reader would refuse, and in the ways it does not check but a reader should (sizes, CRCs and
 * methods of the local header against the central directory, overlaps, the end record). Every
 * damaged file is made by patching bytes of a real checkpoint, as a flipped bit on a disk would.
 */
class CheckpointZipStructureTest {

    private static final NdArray W = NdArray.of(new float[] {1, 2, 3}, 3);
    private static final NdArray V = NdArray.of(new float[] {4, 5, 6, 7}, 4);

    @TempDir
    Path dir;

    private byte[] good() throws Exception {
        Path file = dir.resolve("good.npz");
        CheckpointWriter.write(file, Checkpoint.builder().put("w", W).put("v", V).build());
        byte[] zip = Files.readAllBytes(file);
        assertEquals(Checkpoint.builder().put("w", W).put("v", V).build(), CheckpointReader.read(file));
        return zip;
    }

    /** The reproducer: one byte of a name in the central directory. numpy: BadZipFile. */
    @Test
    void aCentralDirectoryNameThatDiffersFromTheLocalHeader() throws Exception {
        byte[] zip = good();
        ZipLayout z = new ZipLayout(zip);
        zip[z.central.get(1) + CEN_NAME] = 'u';
        String p = damaged(zip);
        assertEquals("is a corrupt zip archive: entry 'u.npy' is named 'v.npy' in its local header at byte "
                + z.local.get(1), p);
    }

    @Test
    void aLocalHeaderNameThatDiffersFromTheCentralDirectory() throws Exception {
        byte[] zip = good();
        ZipLayout z = new ZipLayout(zip);
        zip[z.local.get(0) + LOCAL_NAME] = 'x';
        assertTrue(damaged(zip).endsWith("entry 'w.npy' is named 'x.npy' in its local header at byte 0"));
    }

    @Test
    void localHeaderFieldsThatDisagreeWithTheCentralDirectory() throws Exception {
        byte[] crc = good();
        ZipLayout z = new ZipLayout(crc);
        long recorded = ZipLayout.getInt(crc, z.central.get(0) + CEN_CRC);
        ZipLayout.putInt(crc, z.local.get(0) + LOCAL_CRC, recorded ^ 1);
        assertEquals(String.format("is a corrupt zip archive: entry 'w.npy': its local header at byte 0 records CRC-32 "
                + "%08x, the central directory %08x", recorded ^ 1, recorded), damaged(crc));

        byte[] size = good();
        ZipLayout.putInt(size, z.local.get(0) + LOCAL_CSIZE, 1);
        assertTrue(damaged(size).endsWith("entry 'w.npy': its local header at byte 0 records compressed size 1, "
                + "the central directory 140"), damaged(size));

        byte[] usize = good();
        ZipLayout.putInt(usize, z.local.get(1) + LOCAL_USIZE, 7);
        assertTrue(damaged(usize).endsWith("entry 'v.npy': its local header at byte " + z.local.get(1)
                + " records uncompressed size 7, the central directory 144"), damaged(usize));

        byte[] method = good();
        ZipLayout.putShort(method, z.local.get(0) + LOCAL_METHOD, 8);
        assertTrue(damaged(method).endsWith("entry 'w.npy': its local header at byte 0 records compression method 8, "
                + "the central directory 0"), damaged(method));
    }

    @Test
    void sizesAndOffsetsOutsideTheFile() throws Exception {
        byte[] huge = good();
        ZipLayout z = new ZipLayout(huge);
        ZipLayout.putInt(huge, z.central.get(1) + CEN_CSIZE, 0x7FFF_FFF0L);
        ZipLayout.putInt(huge, z.central.get(1) + CEN_USIZE, 0x7FFF_FFF0L);
        ZipLayout.putInt(huge, z.local.get(1) + LOCAL_CSIZE, 0x7FFF_FFF0L);
        ZipLayout.putInt(huge, z.local.get(1) + LOCAL_USIZE, 0x7FFF_FFF0L);
        assertTrue(damaged(huge).contains("entry 'v.npy' ends at byte "), damaged(huge));
        assertTrue(damaged(huge).endsWith(", past the start of the central directory at byte " + z.central.get(0)),
                damaged(huge));

        byte[] offset = good();
        ZipLayout.putInt(offset, z.central.get(0) + CEN_OFFSET, 0xFFFF_FF00L);
        assertTrue(damaged(offset).endsWith("entry 'w.npy' has its local header at byte 4294967040, "
                + "past the start of the central directory at byte " + z.central.get(0)), damaged(offset));

        byte[] stored = good();
        ZipLayout.putInt(stored, z.central.get(0) + CEN_USIZE, 200);
        assertTrue(damaged(stored).endsWith("entry 'w.npy' is stored (not compressed) but records 140 bytes "
                + "compressed and 200 uncompressed"), damaged(stored));
    }

    @Test
    void overlappingEntries() throws Exception {
        byte[] zip = good();
        ZipLayout z = new ZipLayout(zip);
        // Both entries point at the first local header, with its name, CRC and sizes: one stretch
        // of bytes read twice, the pattern of "overlapping" zip bombs.
        System.arraycopy(zip, z.central.get(0) + CEN_CRC, zip, z.central.get(1) + CEN_CRC, 12);
        ZipLayout.putInt(zip, z.central.get(1) + CEN_OFFSET, 0);
        zip[z.central.get(1) + CEN_NAME] = 'w';
        String p = damaged(zip);
        assertTrue(p.startsWith("is a corrupt zip archive: entries 'w.npy' and 'w.npy' overlap"), p);
    }

    @Test
    void duplicateNamesAreStillRefused() throws Exception {
        byte[] zip = ZipBytes.replace(good(), "v.npy", "w.npy");
        CheckpointException e = failure(write(zip));
        assertEquals("entry 'w.npy' appears 2 times", e.problem());
    }

    @Test
    void anInconsistentEndRecord() throws Exception {
        byte[] count = good();
        ZipLayout z = new ZipLayout(count);
        ZipLayout.putShort(count, z.end + END_ENTRIES, 4);
        ZipLayout.putShort(count, z.end + END_ENTRIES_HERE, 4);
        assertTrue(damaged(count).contains("the end record counts 4 entries"), damaged(count));

        byte[] here = good();
        ZipLayout.putShort(here, z.end + END_ENTRIES_HERE, 2);
        assertTrue(damaged(here).contains("2 entries on this disk and 3 in all"), damaged(here));

        byte[] disk = good();
        ZipLayout.putShort(disk, z.end + END_DISK, 1);
        assertTrue(damaged(disk).contains("spans several disks"), damaged(disk));

        byte[] cenDisk = good();
        ZipLayout.putShort(cenDisk, z.central.get(2) + CEN_DISK, 3);
        assertTrue(damaged(cenDisk).contains("spans several disks"), damaged(cenDisk));

        byte[] size = good();
        ZipLayout.putInt(size, z.end + END_CEN_SIZE, ZipLayout.getInt(size, z.end + END_CEN_SIZE) - 1);
        assertTrue(damaged(size).contains("central directory"), damaged(size));

        byte[] offset = good();
        ZipLayout.putInt(offset, z.end + END_CEN_OFFSET, ZipLayout.getInt(offset, z.end + END_CEN_OFFSET) + 2);
        assertTrue(damaged(offset).contains("central directory"), damaged(offset));

        byte[] trailing = Arrays.copyOf(good(), good().length + 5);
        assertTrue(damaged(trailing).startsWith("is a truncated or corrupt zip archive ("), damaged(trailing));
    }

    @Test
    void encryptedAndOtherMethodsAreRefused() throws Exception {
        byte[] encrypted = good();
        ZipLayout z = new ZipLayout(encrypted);
        ZipLayout.putShort(encrypted, z.central.get(0) + CEN_FLAGS, 1);
        assertTrue(damaged(encrypted).endsWith("entry 'w.npy' is encrypted"), damaged(encrypted));

        byte[] bzip = good();
        ZipLayout.putShort(bzip, z.central.get(0) + CEN_METHOD, 12);
        ZipLayout.putShort(bzip, z.local.get(0) + LOCAL_METHOD, 12);
        assertTrue(damaged(bzip).endsWith("entry 'w.npy' uses compression method 12; numpy.savez stores (0) and "
                + "numpy.savez_compressed deflates (8)"), damaged(bzip));
    }

    /**
     * A deflated entry that claims far more bytes than its compressed data can give: refused from
     * the sizes alone, before a buffer of the claimed size is allocated.
     */
    @Test
    void aDeflatedEntryThatClaimsMoreThanDeflateCanGive() throws Exception {
        int claimed = 2_000_000_000;
        byte[] npy = NpyTest.npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (" + (claimed - 128) + ",), }",
                new byte[16]);
        byte[] zip = ZipBytes.builder().put("w.npy", npy).putManifest().deflated();
        ZipLayout z = new ZipLayout(zip);
        ZipLayout.putInt(zip, z.central.get(0) + CEN_USIZE, claimed);
        String p = damaged(zip);
        assertTrue(p.contains("entry 'w.npy' claims 2000000000 bytes from "), p);
        assertTrue(p.endsWith("more than deflate can give (1032 to 1)"), p);
    }

    /** The end as numpy writes it for large archives: zip64 end record, locator, end record of markers. */
    private static byte[] withZip64End(byte[] zip, long entriesInZip64) {
        ZipLayout z = new ZipLayout(zip);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(z.end + 56 + 20 + 22).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(zip, 0, z.end);
        long cenSize = ZipLayout.getInt(zip, z.end + END_CEN_SIZE);
        long cenOffset = ZipLayout.getInt(zip, z.end + END_CEN_OFFSET);
        b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entriesInZip64).putLong(entriesInZip64).putLong(cenSize).putLong(cenOffset);
        b.putInt(0x07064b50).putInt(0).putLong(z.end).putInt(1);
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        return b.array();
    }

    @Test
    void aZip64EndRecordIsReadAndChecked() throws Exception {
        byte[] zip = withZip64End(good(), 3);
        Path file = write(zip);
        assertEquals(Checkpoint.builder().put("w", W).put("v", V).build(), CheckpointReader.read(file));
        String numpy = PythonNumpy.run(dir, String.join("\n",
                "import sys",
                "import numpy as np",
                "with np.load(sys.argv[1]) as z:",
                "    print(z['w'].tolist(), z['v'].tolist())"), file.toString());
        assertEquals("[1.0, 2.0, 3.0] [4.0, 5.0, 6.0, 7.0]", numpy.strip());

        String p = damaged(withZip64End(good(), 5));
        assertTrue(p.contains("the end record counts 5 entries"), p);
        byte[] badLocator = withZip64End(good(), 3);
        ZipLayout.putInt(badLocator, badLocator.length - 22 - 20 + 8, 7);
        assertTrue(damaged(badLocator).contains("the zip64 end locator points at byte 7"), damaged(badLocator));
    }

    @Test
    void aDataDescriptorThatDisagrees() throws Exception {
        byte[] zip = ZipBytes.builder().put("w.npy", Npy.toBytes(W)).putManifest().deflated();
        assertEquals(W, CheckpointReader.read(write(zip)).array("w").orElseThrow());
        ZipLayout z = new ZipLayout(zip);
        // ZipOutputStream writes a descriptor (signature, CRC-32, sizes) just before the next header.
        int descriptor = z.local.get(1) - 16;
        assertEquals(0x08074b50L, ZipLayout.getInt(zip, descriptor));
        ZipLayout.putInt(zip, descriptor + 12, 999);
        assertTrue(damaged(zip).endsWith("entry 'w.npy': its data descriptor at byte " + descriptor
                + " records uncompressed size 999, the central directory 140"), damaged(zip));
    }

    @Test
    void aPipeADeviceAndAFolderAreNotOpened() throws Exception {
        Path fifo = dir.resolve("fifo.npz");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        assertTrue(failure(fifo).problem().startsWith("the checkpoint is not a regular file ("), failure(fifo).problem());
        Path zero = Files.createSymbolicLink(dir.resolve("zero.npz"), Path.of("/dev/zero"));
        assertEquals("the checkpoint is not a regular file (a device: /dev/zero)", failure(zero).problem());
        assertEquals("the checkpoint is a folder, not a file", failure(dir).problem());
    }

    /** A sparse file one byte over the cap is refused from its size, without reading it. */
    @Test
    void aCheckpointOverTheCap() throws Exception {
        Path big = dir.resolve("big.npz");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(CheckpointReader.MAX_CHECKPOINT_BYTES + 1);
        }
        CheckpointException e = failure(big);
        assertEquals("the checkpoint is 4.0 GiB, over the limit of 4.0 GiB", e.problem());
    }

    /** numpy itself refuses the reproducer, so refusing it keeps both readers in agreement. */
    @Test
    void numpyRefusesTheReproducerToo() throws Exception {
        byte[] zip = good();
        ZipLayout z = new ZipLayout(zip);
        zip[z.central.get(1) + CEN_NAME] = 'u';
        Path file = write(zip);
        String out = PythonNumpy.run(dir, String.join("\n",
                "import sys, zipfile",
                "import numpy as np",
                "try:",
                "    with np.load(sys.argv[1]) as z:",
                "        z['u']",
                "    print('read')",
                "except zipfile.BadZipFile as e:",
                "    print('BadZipFile')"), file.toString());
        assertEquals("BadZipFile", out.strip());
    }

    private Path write(byte[] zip) throws Exception {
        Path file = Files.createTempFile(dir, "damaged", ".npz");
        Files.write(file, zip);
        return file;
    }

    /** The problem reported for {@code zip}, after checking that the help says what to do. */
    private String damaged(byte[] zip) throws Exception {
        CheckpointException e = failure(write(zip));
        assertTrue(e.help().contains("use an earlier checkpoint"), e.help());
        return e.problem();
    }

    private static CheckpointException failure(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": " + e.problem()), e.getMessage());
        return e;
    }
}

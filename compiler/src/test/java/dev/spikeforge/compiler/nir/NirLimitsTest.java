package dev.spikeforge.compiler.nir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.testing.Golden;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NIR file costs what its size allows: no header can make the reader allocate more than the file
 * holds (or, for compressed data, more than the stated limit), and groups, datasets and nesting
 * are bounded. Every refusal is one NirFormatException naming the place in the file.
 */
class NirLimitsTest {

    @TempDir
    Path dir;

    /** Bytes this thread allocates while {@code r} runs. */
    private static long allocated(Runnable r) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        r.run();
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    private NirFormatException refused(NirStore store, Path p) {
        NirFormatException[] e = new NirFormatException[1];
        long bytes = allocated(() -> e[0] = assertThrows(NirFormatException.class, () -> store.read(p)));
        assertTrue(bytes < 64L << 20, "the refusal allocated " + bytes + " bytes");
        assertTrue(e[0].oneLine().startsWith(p + ": "), e[0].oneLine());
        return e[0];
    }

    /** Input -> Affine (weight 3 x 7) -> Output, written as spikeforge writes it. */
    private Path affine(String name) throws Exception {
        Map<String, NirElement> nodes = new LinkedHashMap<>();
        nodes.put("input", new NirNode("Input", Map.of("shape", NirArray.int64(7))));
        nodes.put("aff", new NirNode("Affine", Map.of("weight", NirArray.float32(new float[21], 3, 7),
                "bias", NirArray.float32(new float[3], 3))));
        nodes.put("output", new NirNode("Output", Map.of("shape", NirArray.int64(3))));
        Path p = dir.resolve(name);
        NirStore.standard().write(p, new NirFile("1.0.7", new NirGraph(nodes,
                List.of(new NirEdge("input", "aff"), new NirEdge("aff", "output")), Map.of())));
        return p;
    }

    /**
     * Replaces every place where the dimensions (a, b) are stored as two little-endian 8-byte
     * lengths (the dataspace's dimensions and maximum dimensions), and mends the checksum of a
     * version 2 object header around them, so that only the dimensions are wrong.
     */
    private static void redimension(Path p, long a, long b, long newA, long newB) throws Exception {
        byte[] bytes = Files.readAllBytes(p);
        byte[] find = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).array();
        byte[] put = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(newA).putLong(newB).array();
        int found = 0;
        for (int i = 0; i + 16 <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + 16, find, 0, 16)) {
                System.arraycopy(put, 0, bytes, i, 16);
                mendChecksum(bytes, i);
                found++;
            }
        }
        assertTrue(found >= 1, "dimensions not found");
        Files.write(p, bytes);
    }

    /** Recomputes the Jenkins checksum of the version 2 object header ("OHDR") that holds offset {@code at}, if any. */
    private static void mendChecksum(byte[] b, int at) {
        for (int o = at; o >= 0; o--) {
            if (b[o] == 'O' && b[o + 1] == 'H' && b[o + 2] == 'D' && b[o + 3] == 'R') {
                int flags = b[o + 5] & 0xff;
                int pos = o + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
                int sizeBytes = 1 << (flags & 3);
                long size = 0;
                for (int k = sizeBytes - 1; k >= 0; k--) {
                    size = (size << 8) | (b[pos + k] & 0xff);
                }
                int end = pos + sizeBytes + (int) size;
                if (at < end) {
                    int sum = io.jhdf.checksum.ChecksumUtils.checksum(java.util.Arrays.copyOfRange(b, o, end));
                    ByteBuffer.wrap(b, end, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(sum);
                }
                return;
            }
        }
    }

    private static Path reference(Path dir) throws Exception {
        Path p = dir.resolve("reference.nir");
        Files.copy(Golden.projectRoot().resolve("compiler/src/test/resources/nir/nir-1.0.7-reference.nir"), p);
        return p;
    }

    @Test
    void aDatasetOfNirsOwnWriterClaimingGigabytesIsRefused() throws Exception {
        Path p = reference(dir);
        redimension(p, 3, 4, 3, 1L << 28); // fc1's weight
        NirFormatException e = refused(NirStore.standard(), p);
        assertTrue(e.problem().contains("/node/nodes/fc1/weight has dimensions [3, 268435456] of 4-byte values, which would need"
                + " 3.0 GiB, more than the whole file (49.8 KiB)"), e.oneLine());
    }

    @Test
    void aDatasetClaimingGigabytesIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Path p = affine("huge.nir");
        redimension(p, 3, 7, 3, 1L << 28); // 3 x 268 million float32: 3 GiB from a file of a few KiB
        NirFormatException e = refused(NirStore.standard(), p);
        assertTrue(e.problem().contains("/node/nodes/aff/weight has dimensions [3, 268435456] of 4-byte values, which would need"
                + " 3.0 GiB, more than the whole file"), e.oneLine());
    }

    @Test
    void dimensionsBeyondTwoToThe31ValuesAreRefused() throws Exception {
        Path p = affine("overflow.nir");
        redimension(p, 3, 7, 1L << 40, 1L << 40);
        NirFormatException e = refused(NirStore.standard(), p);
        assertTrue(e.oneLine().contains("/node/nodes/aff/weight"), e.oneLine());
    }

    /** The same graph with the weight chunked and deflated, written with jHDF directly. */
    private Path chunked(String name) throws Exception {
        Path p = dir.resolve(name);
        try (WritableHdfFile f = HdfFile.write(p)) {
            f.putDataset("version", "1.0.7");
            WritableGroup n = f.putGroup("node");
            n.putDataset("type", "NIRGraph");
            WritableGroup ns = n.putGroup("nodes");
            WritableGroup in = ns.putGroup("input");
            in.putDataset("type", "Input");
            in.putDataset("shape", new long[] {7});
            WritableGroup aff = ns.putGroup("aff");
            aff.putDataset("type", "Affine");
            aff.putDataset("weight", new float[3][7], DatasetCreationOptions.builder().chunkDimensions(3, 7).deflate().build());
            aff.putDataset("bias", new float[3]);
            WritableGroup out = ns.putGroup("output");
            out.putDataset("type", "Output");
            out.putDataset("shape", new long[] {3});
            n.putDataset("edges", new String[][] {{"input", "aff"}, {"aff", "output"}});
        }
        return p;
    }

    @Test
    void compressedDataIsBoundedByTheStatedLimit() throws Exception {
        Path p = chunked("deflated.nir");
        assertEquals(3, NirStore.standard().read(p).graph().nodes().size()); // the file as written reads
        redimension(p, 3, 7, 3, 1L << 28);
        NirFormatException e = refused(NirStore.standard(), p);
        assertTrue(e.problem().contains("/node/nodes/aff/weight has dimensions [3, 268435456] of 4-byte values (3.0 GiB);"
                + " with the datasets before it the file expands to"), e.oneLine());
        assertTrue(e.problem().contains("over the limit of 256.0 MiB"), e.oneLine());
    }

    @Test
    void allDatasetsTogetherAreBoundedToo() throws Exception {
        Path p = affine("small.nir");
        NirStore tight = new JhdfNirStore(new JhdfNirStore.Limits(JhdfNirStore.MAX_FILE_BYTES, 64, 1000, 32));
        NirFormatException e = refused(tight, p);
        assertTrue(e.problem().contains("over the limit of 64 bytes"), e.oneLine());
    }

    @Test
    void aFileOverTheSizeLimitIsNotRead() throws Exception {
        Path p = affine("big.nir");
        NirStore tight = new JhdfNirStore(new JhdfNirStore.Limits(1000, JhdfNirStore.MAX_EXPANDED_BYTES, 1000, 32));
        NirFormatException e = refused(tight, p);
        assertTrue(e.problem().contains("the NIR file is " + InputFilesText.size(p) + ", over the limit of 1000 bytes"), e.oneLine());
    }

    @Test
    void aFolderIsNotAFile() throws Exception {
        Path p = Files.createDirectory(dir.resolve("folder.nir"));
        assertTrue(refused(NirStore.standard(), p).problem().contains("is a folder, not a file"));
    }

    @Test
    void groupsAndDatasetsAreCounted() throws Exception {
        Path p = affine("counted.nir");
        NirStore tight = new JhdfNirStore(new JhdfNirStore.Limits(JhdfNirStore.MAX_FILE_BYTES, JhdfNirStore.MAX_EXPANDED_BYTES,
                5, 32));
        assertTrue(refused(tight, p).problem().contains("beyond the limit of 5 groups and datasets in one file"));
    }

    @Test
    void graphsNestedBeyondTheLimitAreRefused() throws Exception {
        NirGraph g = new NirGraph(Map.of("input", new NirNode("Input", Map.of("shape", NirArray.int64(2))),
                "output", new NirNode("Output", Map.of("shape", NirArray.int64(2)))),
                List.of(new NirEdge("input", "output")), Map.of());
        for (int i = 0; i < 6; i++) {
            Map<String, NirElement> nodes = new LinkedHashMap<>();
            nodes.put("input", new NirNode("Input", Map.of("shape", NirArray.int64(2))));
            nodes.put("sub", g);
            nodes.put("output", new NirNode("Output", Map.of("shape", NirArray.int64(2))));
            g = new NirGraph(nodes, List.of(new NirEdge("input", "sub"), new NirEdge("sub", "output")), Map.of());
        }
        Path p = dir.resolve("deep.nir");
        NirStore.standard().write(p, new NirFile("1.0.7", g));
        NirStore.standard().read(p); // 6 levels are within the standard limit
        NirStore tight = new JhdfNirStore(new JhdfNirStore.Limits(JhdfNirStore.MAX_FILE_BYTES, JhdfNirStore.MAX_EXPANDED_BYTES,
                1000, 4));
        assertTrue(refused(tight, p).problem().contains("nests graphs 5 deep, beyond the limit of 4"));
    }

    /**
     * Files a fuzzing run found (NIR's own reference file with 1 to 4 bytes changed): each made the
     * reader allocate 0.2 to 1 GiB or run out of a 1 GiB heap before it read from memory with its
     * datasets checked. Each now reads or is refused, allocating little.
     */
    @Test
    void fuzzFoundFilesAllocateLittle() throws Exception {
        byte[] reference = Files.readAllBytes(Golden.projectRoot().resolve("compiler/src/test/resources/nir/nir-1.0.7-reference.nir"));
        int[][] patches = {
            {34202, 0x4, 44051, 0x4}, {28167, 0xe0, 31346, 0x5d}, {24459, 0xff, 28652, 0xc2, 31355, 0x1, 45724, 0xf},
            {7898, 0x7f, 12395, 0x7f, 13387, 0x7f, 23411, 0x66}, {2427, 0xff, 17051, 0x7f, 32183, 0xff, 47536, 0x5b},
            {12800, 0xff, 33131, 0x7f, 35749, 0x80}, {13839, 0x27, 17324, 0x20, 23560, 0x32, 44811, 0x3a}, {27651, 0x7f},
            {6193, 0xff, 43103, 0x7f}, {17901, 0x7a, 23435, 0x10, 49463, 0x7f}, {6035, 0x7f, 23847, 0x7f, 24489, 0xf1, 40387, 0x7f},
            {7283, 0x7f, 11749, 0x40, 14561, 0x20, 42999, 0xff}, {13343, 0x7f, 14439, 0x8, 36854, 0x3c}, {14982, 0xff},
            {11280, 0xdf, 22112, 0xe1, 50499, 0x18}, {37438, 0x6c, 48703, 0x31}, {803, 0xe1, 19319, 0xf5, 34939, 0x20, 40857, 0x1},
            {6907, 0x20, 10588, 0x7f, 41822, 0x1, 42038, 0x61}, {577, 0xff, 21920, 0xe5, 34067, 0x20},
            {1755, 0xff, 16799, 0xc6, 29067, 0x19, 34845, 0x10},
        };
        for (int k = 0; k < patches.length; k++) {
            byte[] b = reference.clone();
            for (int i = 0; i < patches[k].length; i += 2) {
                b[patches[k][i]] = (byte) patches[k][i + 1];
            }
            Path p = dir.resolve("fuzz" + k + ".nir");
            Files.write(p, b);
            long bytes = allocated(() -> {
                try {
                    NirStore.standard().read(p);
                } catch (NirFormatException e) {
                    assertTrue(e.oneLine().startsWith(p + ": "), e.oneLine());
                }
            });
            assertTrue(bytes < 64L << 20, "patch " + k + " allocated " + bytes + " bytes");
        }
    }

    /** The size as InputFiles writes it. */
    private static final class InputFilesText {
        static String size(Path p) throws Exception {
            return dev.spikeforge.compiler.io.InputFiles.bytes(Files.size(p));
        }
    }
}

package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NpyTest {

    /*
     * Golden .npy files written by numpy 1.24.2 (Debian bookworm's python3-numpy, Python 3.11.2),
     * produced with:
     *
     *   /usr/bin/python3 -I -c "import numpy as np, io
     *   for a in [np.arange(6, dtype='<f4').reshape(2, 3), np.array([1, -2, 3], dtype='<i8'),
     *             np.array(0.5, dtype='<f8'), np.zeros((2, 0), dtype='|u1'), np.array([True, False, True])]:
     *       b = io.BytesIO(); np.save(b, a); print(b.getvalue().hex())"
     *
     * in that order, each hex string pasted below in 96-character pieces (no byte was edited).
     *
     * Each header is "{'descr': ..., 'fortran_order': False, 'shape': ..., }", then numpy's
     * 21 - len(str(shape[0])) growth spaces, then alignment spaces and '\n' to 128 bytes.
     */
    private static final String F32_2X3 = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020200a000000000000803f0000004000004040"
            + "000080400000a040";
    private static final String I64_3 = "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020200a0100000000000000feffffffffffffff"
            + "0300000000000000";
    private static final String F64_SCALAR = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020200a000000000000e03f";
    private static final String U8_2X0 = "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028322c2030292c207d202020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020200a";
    private static final String BOOL_3 = "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73"
            + "652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020200a010001";

    @Test
    void writesExactlyTheBytesNumpyWrites() {
        assertGolden(F32_2X3, NdArray.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3));
        assertGolden(I64_3, NdArray.ofLongs(new long[] {1, -2, 3}, 3));
        assertGolden(F64_SCALAR, NdArray.ofDoubles(new double[] {0.5}));
        assertGolden(U8_2X0, NdArray.ofUnsignedBytes(new byte[0], 2, 0));
        assertGolden(BOOL_3, NdArray.ofBooleans(new boolean[] {true, false, true}, 3));
    }

    private static void assertGolden(String hex, NdArray array) {
        byte[] golden = HexFormat.of().parseHex(hex);
        assertEquals(hex, HexFormat.of().formatHex(Npy.toBytes(array)), "bytes of " + array);
        assertEquals(array, fromBytes(golden));
    }

    @Test
    void thePreambleIsAlignedTo64Bytes() {
        for (int rank = 0; rank <= NdArray.MAX_RANK; rank++) {
            int[] shape = new int[rank];
            Arrays.fill(shape, 1);
            byte[] p = Npy.preamble(DType.INT16, shape);
            assertEquals(0, p.length % 64, "rank " + rank);
            assertEquals('\n', p[p.length - 1]);
            assertEquals(p.length - 10, (p[8] & 0xFF) | (p[9] & 0xFF) << 8);
        }
    }

    @Test
    void roundTripsEveryDtypeAndShape() {
        int[][] shapes = {{}, {0}, {5}, {2, 3, 4}, {3, 0, 2}};
        for (DType t : DType.values()) {
            for (int[] shape : shapes) {
                NdArray a = Samples.of(t, 17, shape);
                NdArray back = fromBytes(Npy.toBytes(a));
                assertEquals(a, back, t + " " + NdArray.shapeString(shape));
                assertArrayEquals(a.toLittleEndian(), back.toLittleEndian());
            }
        }
    }

    @Test
    void readsWhatOtherWritersWrite() {
        byte[] data = NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toLittleEndian();
        NdArray expected = NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        // Python 2's numpy: double quotes possible, 2L, keys in another order, no trailing comma.
        assertEquals(expected, fromBytes(npy(1, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<f4\"}", data)));
        // cnpy and others: no spaces in the tuple.
        assertEquals(expected, fromBytes(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,3), }", data)));
        // Versions 2.0 (4-byte length) and 3.0 (UTF-8 header).
        assertEquals(expected, fromBytes(npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data)));
        assertEquals(expected, fromBytes(npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data)));
        // Streams of unknown length take the other path.
        assertEquals(expected, assertDoesNotThrowRead(Npy.toBytes(expected)));
    }

    @Test
    void refusesFortranOrder() {
        String m = error(npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new byte[24]));
        assertTrue(m.startsWith("Fortran-ordered arrays are not supported"), m);
        assertTrue(m.contains("numpy.ascontiguousarray"), m);
    }

    @Test
    void refusesUnsupportedDtypesWithTheListOfSupportedOnes() {
        String big = error(npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        assertEquals("big-endian arrays ('>f4') are not supported; convert with a.astype('<f4')", big);
        String complex = error(npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        assertEquals("unsupported dtype '<c8'; supported: <f4 (float32), <f8 (float64), |i1 (int8), |u1 (uint8), "
                + "<i2 (int16), <i4 (int32), <i8 (int64), |b1 (bool)", complex);
        String structured = error(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        assertTrue(structured.startsWith("structured (record) dtypes are not supported"), structured);
        String object = error(npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        assertTrue(object.startsWith("unsupported dtype '|O'"), object);
    }

    @Test
    void refusesMalformedHeaders() {
        assertEquals("header has no 'shape' key; a .npy header has 'descr', 'fortran_order' and 'shape'",
                error(npy(1, "{'descr': '<f4', 'fortran_order': False, }", new byte[4])));
        assertEquals("header has an unexpected key 'extra'; a .npy header has exactly 'descr', 'fortran_order' and 'shape'",
                error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", new byte[4])));
        assertEquals("header 'shape' is (5), an integer in Python; a 1-D shape is written (5,), not a tuple of sizes "
                + "such as (3, 4), (5,) or ()",
                error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5), }", new byte[20])));
        assertEquals("header 'fortran_order' is the string 'no', not True or False",
                error(npy(1, "{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }", new byte[4])));
        String broken = error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,", new byte[4]));
        assertTrue(broken.startsWith("header is not a valid .npy dict (header ends early at character "), broken);
        String negative = error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", new byte[0]));
        assertTrue(negative.startsWith("header is not a valid .npy dict (expected a non-negative integer size"), negative);
        String huge = error(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", new byte[0]));
        assertTrue(huge.startsWith("header shape is unusable: shape (100000, 100000) of float64 is larger than one "
                + "Java array can hold"), huge);
    }

    @Test
    void refusesABadMagicVersionOrPreamble() {
        assertEquals("does not start with the .npy magic \\x93NUMPY (first bytes: 50 4b 03 04 14 00 00 00)",
                error(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0}));
        assertEquals("does not start with the .npy magic \\x93NUMPY (first bytes: none, it is empty)", error(new byte[0]));
        byte[] v4 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        v4[6] = 4;
        assertEquals("is .npy version 4.0; spikeforge reads versions 1.0, 2.0 and 3.0", error(v4));
        byte[] whole = Npy.toBytes(NdArray.of(new float[] {1}, 1));
        assertEquals("ends inside the .npy header (40 of 118 bytes)", error(Arrays.copyOf(whole, 50)));
    }

    @Test
    void dataMustBeExactlyAsLongAsTheShapeSays() {
        byte[] whole = Npy.toBytes(NdArray.of(new float[] {1, 2, 3}, 3));
        byte[] cut = Arrays.copyOf(whole, whole.length - 6);
        assertEquals("data is truncated: shape (3,) of float32 needs 12 bytes, found 6", error(cut));
        byte[] longer = Arrays.copyOf(whole, whole.length + 2);
        assertEquals("data is longer than its shape: shape (3,) of float32 needs 12 bytes, found 14", error(longer));
        // The same checks when the length is not known in advance.
        assertEquals("data is truncated: shape (3,) of float32 needs 12 bytes, found 6", streamError(cut));
        assertEquals("data is longer than its shape: shape (3,) of float32 needs 12 bytes, found 14", streamError(longer));
        byte[] badBool = Npy.toBytes(NdArray.ofBooleans(new boolean[] {true}, 1));
        badBool[badBool.length - 1] = 7;
        assertEquals("data is invalid: bool element 0 is the byte 7; numpy bools are 0 or 1", error(badBool));
    }

    /** A .npy with this header text, padded as numpy pads it, for any version. */
    static byte[] npy(int major, String dict, byte[] data) {
        byte[] header = dict.getBytes(major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int padding = 64 - (prefix + header.length + 1) % 64;
        int length = header.length + padding + 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        out.write(length & 0xFF);
        out.write(length >>> 8);
        if (major > 1) {
            out.write(0);
            out.write(0);
        }
        out.writeBytes(header);
        out.writeBytes(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A 19-digit size overflows a long: it is a header error, not a NumberFormatException. */
    @Test
    void aSizeTooLongForALongIsAHeaderError() {
        String m = error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999999999,), }", new byte[4]));
        assertTrue(m.contains("size has too many digits"), m);
        String ok = error(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999999999,), }", new byte[4]));
        assertTrue(!ok.contains("too many digits"), ok);
    }

    private static NdArray fromBytes(byte[] npy) {
        try {
            return Npy.fromBytes(npy);
        } catch (NpyFormatException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static NdArray assertDoesNotThrowRead(byte[] npy) {
        try {
            return Npy.read(new ByteArrayInputStream(npy));
        } catch (IOException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String error(byte[] npy) {
        return assertThrows(NpyFormatException.class, () -> Npy.fromBytes(npy)).getMessage();
    }

    private static String streamError(byte[] npy) {
        return assertThrows(NpyFormatException.class, () -> Npy.read(new ByteArrayInputStream(npy))).getMessage();
    }
}

package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NdArrayTest {

    @Test
    void everyFactoryKeepsItsDtypeShapeAndValues() {
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, NdArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).floats());
        assertArrayEquals(new double[] {0.5, -1}, NdArray.ofDoubles(new double[] {0.5, -1}, 2).doubles());
        assertArrayEquals(new byte[] {-128, 127}, NdArray.ofBytes(new byte[] {-128, 127}, 2).bytes());
        assertArrayEquals(new byte[] {(byte) 255, 0}, NdArray.ofUnsignedBytes(new byte[] {(byte) 255, 0}, 2).bytes());
        assertArrayEquals(new short[] {Short.MIN_VALUE, 7}, NdArray.ofShorts(new short[] {Short.MIN_VALUE, 7}, 2).shorts());
        assertArrayEquals(new int[] {Integer.MAX_VALUE, -1}, NdArray.ofInts(new int[] {Integer.MAX_VALUE, -1}, 1, 2).ints());
        assertArrayEquals(new long[] {Long.MIN_VALUE}, NdArray.ofLongs(new long[] {Long.MIN_VALUE}, 1).longs());
        assertArrayEquals(new boolean[] {true, false}, NdArray.ofBooleans(new boolean[] {true, false}, 2).booleans());

        NdArray a = NdArray.ofInts(new int[6], 2, 3);
        assertEquals(DType.INT32, a.dtype());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals(2, a.rank());
        assertEquals(6, a.size());
        assertEquals("int32 (2, 3)", a.toString());
    }

    @Test
    void storesElementsLittleEndianInCOrder() {
        NdArray a = NdArray.ofInts(new int[] {1, 0x01020304}, 2);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 4, 3, 2, 1}, a.toLittleEndian());
        assertEquals(a, NdArray.fromLittleEndian(DType.INT32, a.toLittleEndian(), 2));
    }

    @Test
    void aScalarHasShapeEmptyAndOneElement() {
        NdArray s = NdArray.ofDoubles(new double[] {2.5});
        assertEquals(0, s.rank());
        assertEquals(1, s.size());
        assertEquals("float64 ()", s.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NdArray.of(new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("shape () holds 1 elements, the data has 3"), e.getMessage());
        assertTrue(e.getMessage().contains("give the shape"), e.getMessage());
    }

    /** Decision: zero-size arrays are allowed, as numpy allows them (an empty bias, a 0-row buffer). */
    @Test
    void zeroSizeArraysAreAllowed() {
        NdArray empty = NdArray.of(new float[0], 0);
        assertEquals(0, empty.size());
        assertArrayEquals(new int[] {0}, empty.shape());
        assertEquals(0, NdArray.ofLongs(new long[0], 3, 0, 2).size());
        assertNotEquals(empty, NdArray.of(new float[0], 0, 1));
    }

    @Test
    void refusesAShapeThatDoesNotFitTheData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NdArray.of(new float[5], 2, 3));
        assertEquals("shape (2, 3) holds 6 elements, the data has 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(new float[0], -1));
        assertThrows(IllegalArgumentException.class, () -> NdArray.of(new float[1], new int[33]));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> NdArray.fromLittleEndian(DType.FLOAT64, new byte[0], 65536, 65536));
        assertTrue(big.getMessage().contains("larger than one Java array can hold"), big.getMessage());
    }

    @Test
    void typedAccessorsRefuseAnotherDtype() {
        NdArray a = NdArray.ofInts(new int[] {1}, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, a::floats);
        assertEquals("floats() called on a int32 array (<i4); use the accessor of its dtype or toLittleEndian()",
                e.getMessage());
        assertThrows(IllegalStateException.class, a::doubles);
        assertThrows(IllegalStateException.class, a::bytes);
        assertThrows(IllegalStateException.class, a::longs);
        assertThrows(IllegalStateException.class, a::shorts);
        assertThrows(IllegalStateException.class, a::booleans);
        assertThrows(IllegalStateException.class, () -> NdArray.of(new float[] {1}, 1).ints());
    }

    @Test
    void isImmutable() {
        float[] data = {1, 2};
        int[] shape = {2};
        NdArray a = NdArray.of(data, shape);
        data[0] = 99;
        shape[0] = 1;
        a.floats()[1] = 99;
        a.shape()[0] = 7;
        a.toLittleEndian()[0] = 1;
        assertArrayEquals(new float[] {1, 2}, a.floats());
        assertArrayEquals(new int[] {2}, a.shape());
    }

    @Test
    void equalityIsBitwise() {
        float nanA = Float.intBitsToFloat(0x7fc00001);
        float nanB = Float.intBitsToFloat(0x7fc00002);
        assertEquals(NdArray.of(new float[] {nanA}, 1), NdArray.of(new float[] {nanA}, 1));
        assertNotEquals(NdArray.of(new float[] {nanA}, 1), NdArray.of(new float[] {nanB}, 1));
        assertNotEquals(NdArray.of(new float[] {0.0f}, 1), NdArray.of(new float[] {-0.0f}, 1));
        assertNotEquals(NdArray.of(new float[] {1, 2}, 2), NdArray.of(new float[] {1, 2}, 1, 2));
        assertNotEquals(NdArray.ofBytes(new byte[] {1}, 1), NdArray.ofUnsignedBytes(new byte[] {1}, 1));
        assertEquals(NdArray.ofLongs(new long[] {5}, 1).hashCode(), NdArray.ofLongs(new long[] {5}, 1).hashCode());
    }

    @Test
    void boolBytesMustBeZeroOrOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NdArray.fromLittleEndian(DType.BOOL, new byte[] {0, 2}, 2));
        assertEquals("bool element 1 is the byte 2; numpy bools are 0 or 1", e.getMessage());
    }

    @Test
    void dtypesKnowTheirNumpyTypeStrings() {
        assertEquals("<f4", DType.FLOAT32.descr());
        assertEquals("|b1", DType.BOOL.descr());
        assertEquals(DType.INT8, DType.fromDescr("|i1").orElseThrow());
        assertEquals(DType.UINT8, DType.fromDescr("<u1").orElseThrow());
        assertEquals(DType.INT64, DType.fromDescr("<i8").orElseThrow());
        assertTrue(DType.fromDescr(">i8").isEmpty());
        assertTrue(DType.fromDescr("<c8").isEmpty());
    }
}

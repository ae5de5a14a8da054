package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Random arrays of random shapes survive .npy and whole checkpoint files bit for bit. */
class CheckpointPropertyTest {

    /** Values a float array must keep exactly: signed zeros, infinities, NaNs with payloads, subnormals. */
    private static final int[] SPECIAL_FLOAT_BITS = {
        0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff,
        0x7fc12345, 0x00000001, 0x80000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000,
    };

    private static final long[] SPECIAL_DOUBLE_BITS = {
        0L, 0x8000000000000000L, 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
        0x7ff0000000000001L, 0x7ff8dead0000beefL, 1L, 0x000fffffffffffffL, 0x7fefffffffffffffL,
    };

    @Property
    void floatArraysRoundTripThroughNpy(@ForAll("floatArrays") NdArray a) throws Exception {
        NdArray back = Npy.fromBytes(Npy.toBytes(a));
        assertArrayEquals(a.shape(), back.shape());
        assertSameFloats(a.floats(), back.floats());
        // The stored bytes never pass through a float register, so they are identical, NaN payloads included.
        assertArrayEquals(a.toLittleEndian(), back.toLittleEndian());
        assertEquals(a, back);
    }

    @Property
    void doubleArraysRoundTripThroughNpy(@ForAll("doubleArrays") NdArray a) throws Exception {
        NdArray back = Npy.fromBytes(Npy.toBytes(a));
        double[] x = a.doubles();
        double[] y = back.doubles();
        for (int i = 0; i < x.length; i++) {
            assertTrue(Double.doubleToRawLongBits(x[i]) == Double.doubleToRawLongBits(y[i])
                    || Double.isNaN(x[i]) && Double.isNaN(y[i]), "element " + i);
        }
        assertEquals(a, back);
    }

    @Property(tries = 60)
    void checkpointsRoundTripThroughFiles(@ForAll("floatArrays") NdArray f, @ForAll("doubleArrays") NdArray d,
            @ForAll("shapes") int[] shape, @ForAll long seed) throws Exception {
        Checkpoint c = Checkpoint.builder()
                .put("f", f)
                .put("d", d)
                .put("i", Samples.of(DType.values()[Math.floorMod(seed, DType.values().length)], seed, shape))
                .build();
        Path dir = Files.createTempDirectory("checkpoint-property");
        try {
            Path file = dir.resolve("c.npz");
            CheckpointWriter.write(file, c);
            assertEquals(c, CheckpointReader.read(file));
            assertEquals(List.of(file), Files.list(dir).toList());
        } finally {
            Files.deleteIfExists(dir.resolve("c.npz"));
            Files.delete(dir);
        }
    }

    /** Raw bits equal, or both NaN: the JVM may quiet a signalling NaN when it handles a float. */
    private static void assertSameFloats(float[] x, float[] y) {
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) {
            assertTrue(Float.floatToRawIntBits(x[i]) == Float.floatToRawIntBits(y[i])
                    || Float.isNaN(x[i]) && Float.isNaN(y[i]),
                    "element " + i + ": " + Integer.toHexString(Float.floatToRawIntBits(x[i])) + " vs "
                    + Integer.toHexString(Float.floatToRawIntBits(y[i])));
        }
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(0, 5).list().ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    }

    @Provide
    Arbitrary<NdArray> floatArrays() {
        Arbitrary<Float> values = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().map(Float::intBitsToFloat)),
                Tuple.of(2, Arbitraries.of(Arrays.stream(SPECIAL_FLOAT_BITS).boxed().toList())
                        .map(Float::intBitsToFloat)),
                Tuple.of(1, Arbitraries.integers().between(1, 0x007fffff).map(Float::intBitsToFloat)),
                Tuple.of(2, Arbitraries.floats()));
        return shapes().flatMap(shape -> values.list().ofSize(product(shape)).map(l -> {
            float[] data = new float[l.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = l.get(i);
            }
            return NdArray.of(data, shape);
        }));
    }

    @Provide
    Arbitrary<NdArray> doubleArrays() {
        Arbitrary<Double> values = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().map(Double::longBitsToDouble)),
                Tuple.of(2, Arbitraries.of(Arrays.stream(SPECIAL_DOUBLE_BITS).boxed().toList())
                        .map(Double::longBitsToDouble)),
                Tuple.of(2, Arbitraries.doubles()));
        return shapes().flatMap(shape -> values.list().ofSize(product(shape)).map(l -> NdArray.ofDoubles(
                l.stream().mapToDouble(Double::doubleValue).toArray(), shape)));
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}

package dev.spikeforge.runtime.checkpoint;

import dev.spikeforge.runtime.encode.SplitMix64;

/** Deterministic test arrays of any dtype and shape, from a seed. */
final class Samples {

    private Samples() {
    }

    static NdArray of(DType dtype, long seed, int... shape) {
        long n = dtype.itemSize();
        for (int d : shape) {
            n *= d;
        }
        byte[] data = new byte[(int) n];
        SplitMix64 r = new SplitMix64(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) r.nextLong();
        }
        if (dtype == DType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                data[i] &= 1;
            }
        }
        return NdArray.fromLittleEndian(dtype, data, shape);
    }
}

package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Timing;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Set;

/** Specs for tests: a roomy chip, and copies of it with single fields changed. */
final class TestSpecs {

    private TestSpecs() {
    }

    /** A chip large enough for every small test network, with no limit that matters. */
    static NeurocoreSpec roomy() {
        return new NeurocoreSpec("roomy", "test chip", 8, 8, 64, 4096, 4096, 0, 1L << 24, 0, 1, 16, 32,
                DeploySpec.Overflow.SATURATE, Set.of("shift", "multiplier", "none"), false, false, 24, false, true, 16,
                32, Set.of("shift", "multiplier", "none"), true, true, true, 0, 0,
                Set.of("zero", "subtract"), 0, 0, 0, 0, 0, 0, true, true, false,
                100, 1, 2, 3, 10, 1.0, 2.0, 3.0, 0.0, Timing.SEQUENTIAL, 0, false, Map.of());
    }

    /** {@code base} with the named record components replaced (name, value, name, value, ...). */
    static NeurocoreSpec with(NeurocoreSpec base, Object... changes) {
        try {
            RecordComponent[] rc = NeurocoreSpec.class.getRecordComponents();
            Object[] values = new Object[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                values[i] = rc[i].getAccessor().invoke(base);
                types[i] = rc[i].getType();
            }
            for (int c = 0; c < changes.length; c += 2) {
                boolean found = false;
                for (int i = 0; i < rc.length; i++) {
                    if (rc[i].getName().equals(changes[c])) {
                        values[i] = changes[c + 1];
                        found = true;
                    }
                }
                if (!found) {
                    throw new IllegalArgumentException("no component " + changes[c]);
                }
            }
            Constructor<NeurocoreSpec> k = NeurocoreSpec.class.getDeclaredConstructor(types);
            return k.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}

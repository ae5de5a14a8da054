package dev.spikeforge.runtime.engine;

/**
 * Whether the float kernels run on Java's Vector API. In Java 17 that API is the incubator module
 * {@value #MODULE}: a JVM has it only when started with {@code --add-modules jdk.incubator.vector}
 * (the launcher does this for the commands that run the float engine), and then prints one
 * warning line at start. Without the module, or with {@code -Dspikeforge.simd=false}, the plain
 * loops run. Both compute the same IEEE operations in the same order per element, so they give
 * the same bits; only the speed differs (C2 in Java 17 does not vectorise the float-double
 * conversions and the sign-bit test of the plain loops). {@code SimdKernelsTest} pins the equality.
 *
 * <p>The classes that name the Vector API are loaded only when this says yes, so a JVM without
 * the module never resolves them.
 */
final class Simd {

    static final String MODULE = "jdk.incubator.vector";

    private static final boolean ON = ModuleLayer.boot().findModule(MODULE).isPresent()
            && !"false".equalsIgnoreCase(System.getProperty("spikeforge.simd", "true"));

    private Simd() {
    }

    /** True when the Vector API kernels are in use in this JVM. */
    static boolean enabled() {
        return ON;
    }
}

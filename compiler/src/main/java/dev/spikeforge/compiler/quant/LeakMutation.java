package dev.spikeforge.compiler.quant;

/**
 * A test-only seam into the integer model's leak code (spikeforge issue 28): it lets a test break
 * {@link QuantLeak.Multiplier#apply} on purpose and show that a target's emulator, which must
 * compute its leak itself, then differs from the integer model. Production never sets it, so the
 * leak behaves exactly as docs/semantics.md section 4.5 says; package-private, so that only code of
 * this package (a test helper declared in it) can set it.
 *
 * <p>The flag is volatile: a test sets it before the worker threads of a run start and clears it
 * after they end. It is one JVM-wide switch, so a test that sets it must not run beside another
 * test that runs the integer model.
 */
final class LeakMutation {

    /**
     * While true, {@link QuantLeak.Multiplier#apply} rounds {@code (v * m) >> F} to nearest, ties up,
     * instead of toward minus infinity (or toward zero): the mutation of issue 28.
     */
    static volatile boolean multiplierToNearest;

    private LeakMutation() {
    }
}

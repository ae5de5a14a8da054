package dev.spikeforge.compiler.testing;

import java.util.List;

/**
 * The target family names the language tests compile against. The compiler module alone has no
 * family on its class path (the hw-targets module registers them), so the corpus names the ones a
 * full installation has; the cli's tests check that the installed list is this one.
 */
public final class TargetFamilies {

    public static final List<String> INSTALLED = List.of("neurocore", "fpga");

    private TargetFamilies() {
    }
}

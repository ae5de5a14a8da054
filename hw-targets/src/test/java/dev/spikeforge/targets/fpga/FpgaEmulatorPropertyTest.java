package dev.spikeforge.targets.fpga;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.spikeforge.runtime.integer.RandomNetworks;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * The FPGA emulator (registers stepped cycle by cycle) equals the integer reference model exactly on
 * random chain networks: every spike, every membrane at the end of every step, the readout; and
 * its cycle count equals the closed-form formula (the emulator checks that itself on every step).
 */
class FpgaEmulatorPropertyTest {

    @Property(tries = 300, maxDiscardRatio = 5)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void emulatorEqualsTheIntegerReference(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int steps,
                                           @ForAll RandomNetworks.InputKind encoding, @ForAll @IntRange(min = 0, max = 4) int lanesLog) {
        FpgaCases.Planned p = FpgaCases.plan(seed, steps, encoding, 1 << lanesLog);
        Assume.that(p != null);
        FpgaEmulator.Sample got = new FpgaEmulator(p.d()).run(p.c().input, true);
        Statistics.label("layers").collect(p.d().layers().size());
        Statistics.label("spikes").collect(got.spikes(0) > 0);
        String diff = FpgaCases.compareWithReference(p, got);
        assertNull(diff, () -> diff + "\n" + p.c().describe(p.q()));
    }
}

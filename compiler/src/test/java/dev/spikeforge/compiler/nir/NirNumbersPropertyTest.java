package dev.spikeforge.compiler.nir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikeforge.compiler.dsl.SnnText;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.NeuronDefinition;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Neuron constants through NIR: spikeforge's own files give back beta and the threshold exactly
 * (the doubles, not just close) for any threshold and dt and any beta written with at most 12
 * decimals; snnTorch-style float32 files give back the short decimal the model was written with.
 */
class NirNumbersPropertyTest {

    @Provide
    Arbitrary<Double> betas() {
        return Arbitraries.oneOf(
                // any beta written with at most 12 decimals (docs/nir.md: 1 - beta is exact to about 1e-16)
                Arbitraries.longs().between(1, 999_999_999_999L).map(i -> new BigDecimal(i).movePointLeft(12).doubleValue()),
                Arbitraries.integers().between(1, 9999).map(i -> i / 10000.0),
                Arbitraries.integers().between(1, 16).map(k -> 1 - Math.pow(2, -k)));
    }

    @Provide
    Arbitrary<Double> thresholds() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(1e-3, 100).ofScale(17),
                Arbitraries.integers().between(1, 400).map(i -> i / 4.0));
    }

    @Provide
    Arbitrary<Double> dts() {
        return Arbitraries.oneOf(Arbitraries.of(1e-4, 1e-3, 1.0, 5e-4), Arbitraries.doubles().between(1e-6, 1e-2).ofScale(20));
    }

    private static Network model(double beta, double theta, String reset) {
        return NirTesting.compile("model m\ninput 3\ntimesteps 2\n"
                + "neuron a = LIF(beta = " + SnnText.number(beta) + ", threshold = " + SnnText.number(theta)
                + ", reset = " + reset + ")\n"
                + "neuron b = IF(threshold = " + SnnText.number(theta) + ")\n"
                + "layers {\n h = dense(2) -> a\n g = dense(2) -> b\n out = readout(2, mode = membrane, beta = "
                + SnnText.number(beta) + ")\n}\n");
    }

    @Property(tries = 300)
    void ownFilesGiveBackTheExactDoubles(@ForAll("betas") double beta, @ForAll("thresholds") double theta,
                                         @ForAll("dts") double dt) throws Exception {
        Network net = model(beta, theta, beta < 0.5 ? "zero" : "subtract");
        NirExport.Result e = NirExport.export(net, NirTesting.weights(net, 1), dt, "test");
        NirImport.Result r = NirImport.convert(java.nio.file.Path.of("p.nir"), e.file(), NirImport.Options.DEFAULTS);
        Network back = NirTesting.compile(r.source());
        for (NeuronDefinition d : net.neurons()) {
            NeuronDefinition b = back.neurons().stream().filter(x -> x.theta() == d.theta() && x.model() == d.model())
                    .findFirst().orElseThrow(() -> new AssertionError(r.source()));
            assertEquals(d.beta(), b.beta(), r.source());
            assertEquals(d.reset(), b.reset(), r.source());
        }
        assertEquals(net.readouts().get(0).beta(), back.readouts().get(0).beta(), r.source());
    }

    /** CUBA neurons (issue 23): alpha comes back as exactly as beta, with a recurrent layer feeding them. */
    @Property(tries = 200)
    void ownCubaFilesGiveBackTheExactDoubles(@ForAll("betas") double alpha, @ForAll("betas") double beta,
                                             @ForAll("thresholds") double theta, @ForAll("dts") double dt) throws Exception {
        Network net = NirTesting.compile("model m\ninput 3\ntimesteps 2\n"
                + "neuron a = CUBA(alpha = " + SnnText.number(alpha) + ", beta = " + SnnText.number(beta) + ", threshold = "
                + SnnText.number(theta) + ", reset = subtract)\n"
                + "layers {\n h = dense(2, recurrent = true) -> a\n out = readout(2)\n}\n");
        NirExport.Result e = NirExport.export(net, NirTesting.weights(net, 1), dt, "test");
        NirImport.Result r = NirImport.convert(java.nio.file.Path.of("p.nir"), e.file(), NirImport.Options.DEFAULTS);
        NeuronDefinition d = net.neurons().get(0);
        NeuronDefinition b = NirTesting.compile(r.source()).neurons().get(0);
        assertEquals(d.alpha(), b.alpha(), r.source());
        assertEquals(d.beta(), b.beta(), r.source());
        assertEquals(d.theta(), b.theta(), r.source());
    }

    @Property(tries = 300)
    void snnTorchFloat32FilesGiveBackTheirShortDecimals(@ForAll("shortBetas") String beta,
                                                         @ForAll("shortThresholds") String theta) throws Exception {
        float b = Float.parseFloat(beta);
        NirImport.Result r = NirImport.convert(java.nio.file.Path.of("t.nir"),
                new NirFile("1.0.7", NirMappingTest.snnTorchStyle(b, Float.parseFloat(theta))), NirImport.Options.DEFAULTS);
        Network back = NirTesting.compile(r.source());
        assertEquals(new BigDecimal(beta).doubleValue(), back.neurons().get(0).beta(), r.source());
        assertEquals(new BigDecimal(theta).doubleValue(), back.neurons().get(0).theta(), r.source());
    }

    @Provide
    Arbitrary<String> shortBetas() {
        return Arbitraries.integers().between(1, 999).map(i -> new BigDecimal(i).movePointLeft(3).stripTrailingZeros()
                .toPlainString());
    }

    @Provide
    Arbitrary<String> shortThresholds() {
        return Arbitraries.integers().between(1, 5000).map(i -> new BigDecimal(i).movePointLeft(2).stripTrailingZeros()
                .toPlainString());
    }
}

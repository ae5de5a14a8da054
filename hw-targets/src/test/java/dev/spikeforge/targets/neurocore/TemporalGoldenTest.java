package dev.spikeforge.targets.neurocore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.testing.Golden;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.targets.neurocore.emulator.Mapping;
import dev.spikeforge.targets.neurocore.emulator.MappingFiles;
import dev.spikeforge.targets.neurocore.emulator.NeurocoreEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mapping.json and report.json of a small temporal network (conv1d with a synaptic current, max
 * pooling, a fully recurrent CUBA layer and a diagonally recurrent one; {@link TemporalNets#fixed})
 * on loihi_like with 6 neurons per core, so that the recurrent layers span 2 cores, against golden
 * files; writing twice gives the same bytes; the folder read back runs as the integer reference.
 */
class TemporalGoldenTest {

    @TempDir
    Path dir;

    @Test
    void temporalMappingOnLoihiEqualsGolden() throws Exception {
        NeurocoreSpec spec = TestSpecs.with(NeurocoreSpecs.preset("loihi_like"), "name", "loihi_like_6_per_core",
                "neuronsPerCore", 6);
        QuantizedNetwork q = TemporalNets.fixed(14, spec.shiftTowardZero(), true).withTiming(spec.timing());
        List<DesignRules.Result> rules = DesignRules.check(q, spec, true);
        assertTrue(rules.stream().allMatch(DesignRules.Result::passed), rules.toString());
        NeurocoreMapper.Mapping m = NeurocoreMapper.map(q, spec, DesignRules.cuts(q, spec), null);
        MappingWriter.write(m, rules, dir.resolve("a"));
        MappingWriter.write(m, rules, dir.resolve("b"));
        Path golden = Golden.projectRoot().resolve("examples/golden/neurocore");
        Golden.assertMatches(golden.resolve("temporal-loihi_like.mapping.json"), Files.readString(dir.resolve("a/mapping.json")));
        Golden.assertMatches(golden.resolve("temporal-loihi_like.report.json"), Files.readString(dir.resolve("a/report.json")));
        try (var files = Files.list(dir.resolve("a/cores"))) {
            for (Path f : files.toList()) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("b/cores").resolve(f.getFileName())),
                        f.toString());
            }
        }
        Mapping read = MappingFiles.read(dir.resolve("a"));
        // h1 (10 units, fully recurrent) on 2 cores: each core routes its spikes to itself and to the other
        Mapping.Layer h1 = read.layers().get(2);
        assertEquals(2, h1.cores().length);
        for (int c : h1.cores()) {
            List<Integer> to = read.cores().get(c).routes().stream().map(Mapping.Route::toCore).toList();
            for (int other : h1.cores()) {
                assertTrue(to.contains(other), "core " + c + " routes to " + to + ", not to core " + other + " of h1");
            }
        }
        // h2 (6 units, diagonal) fits one core: it routes its spikes to itself only
        Mapping.Layer h2 = read.layers().get(3);
        assertEquals(1, h2.cores().length);
        assertTrue(read.cores().get(h2.cores()[0]).routes().stream().anyMatch(r -> r.toCore() == h2.cores()[0]));
        NeurocoreEmulator emu = new NeurocoreEmulator(read);
        IntegerSimulator sim = new IntegerSimulator(q);
        SplittableRandom rnd = new SplittableRandom(7);
        int[] all = IntStream.range(0, q.layers().size()).toArray();
        long spikes = 0;
        for (int s = 0; s < 10; s++) {
            int[] input = TemporalNets.input(rnd, q, 0.4);
            var want = sim.run(input, all);
            var got = emu.run(input, true);
            TemporalEmulatorPropertyTest.compare(q, want, got, "sample " + s);
            spikes += Arrays.stream(want.spikes()).sum();
        }
        assertTrue(spikes > 0, "the network spiked");
    }
}

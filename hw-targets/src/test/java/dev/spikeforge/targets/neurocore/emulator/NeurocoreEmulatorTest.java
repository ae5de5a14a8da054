package dev.spikeforge.targets.neurocore.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The emulator against a whole-layer integer loop, on mapping folders written by hand. */
class NeurocoreEmulatorTest {

    @TempDir
    Path tmp;

    /**
     * Every membrane and spike of every layer at every step, the readout and the synaptic ops; adds
     * each layer's spikes to {@code spikes} so a test can check that every layer was exercised.
     */
    static void assertMatches(TestNet net, NeurocoreEmulator emu, int[] input, String what, long[] spikes) {
        TestNet.Result ref = net.reference(input);
        EmulatedSample s = emu.run(input, true);
        for (int l = 0; l < net.layers.size(); l++) {
            for (int t = 0; t < net.timesteps; t++) {
                for (int n = 0; n < net.layers.get(l).size(); n++) {
                    String at = what + ": layer " + l + ", step " + (t + 1) + ", neuron " + n;
                    assertEquals(ref.spikes()[l][t][n], s.spikes()[l][t][n], "spike at " + at);
                    assertEquals(ref.membranes()[l][t][n], s.membranes()[l][t][n], "membrane at " + at);
                    spikes[l] += s.spikes()[l][t][n];
                }
            }
        }
        assertArrayEquals(ref.readout(), s.readout(), what + ": readout");
        assertEquals(dev.spikeforge.compiler.target.TargetSample.argmax(ref.readout()), s.prediction(), what + ": prediction");
        assertEquals(ref.synapticOps(), s.totalSynapticOps(), what + ": synaptic ops");
    }

    /** input 6 -> dense 5 (cores 0 and 1) -> dense 3 readout (core 2). */
    static TestNet denseNet(String variant, Random rnd) {
        TestNet net = new TestNet();
        net.timesteps = 7;
        TestNet.L h = net.dense("h", -1, 5, TestNet.randomWeights(rnd, 30, 40));
        h.threshold = TestNet.fill(1, 30);
        h.bias = new long[] {2};
        h.leak = "shift";
        h.k = 2;
        TestNet.L out = net.dense("out", 0, 3, TestNet.randomWeights(rnd, 15, 20));
        out.role = "readout_accumulate";
        switch (variant) {
            case "default" -> { }
            case "greater_wrap_toward_zero" -> {
                net.compare = ">";
                net.overflow = "wrap";
                net.membraneBits = 6;
                net.rounding = "toward_zero";
                net.encoding = "bipolar";
                h.threshold = TestNet.fill(1, 19);
                h.reset = "zero";
                h.leak = "multiplier";
                h.m = 3;
                h.f = 2;
                out.role = "readout_membrane";
                out.leak = "shift";
                out.k = 1;
            }
            case "count_direct" -> {
                net.encoding = "direct";
                net.valueLimit = 255;
                net.membraneBits = 12;
                net.weightBits = 6;
                h.syn.get(0).w = TestNet.randomWeights(rnd, 30, 31);
                out.syn.get(0).w = TestNet.randomWeights(rnd, 15, 31);
                h.threshold = TestNet.fill(1, 1500);
                out.role = "readout_count";
                out.threshold = TestNet.fill(1, 10);
                out.channels = 3;
                out.threshold = new long[] {10, 20, 5};
                out.bias = new long[] {1};
            }
            default -> throw new IllegalArgumentException(variant);
        }
        return net;
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "greater_wrap_toward_zero", "count_direct"})
    void denseNetworkOnThreeCoresEqualsTheWholeLayerLoop(String variant) throws Exception {
        Random rnd = new Random(variant.hashCode());
        TestNet net = denseNet(variant, rnd);
        Path dir = new MappingFolder(net).core(0, 1, 0, new int[] {0, 3}).core(0, 0, 1, new int[] {3, 5})
                .core(1, 1, 1, new int[] {0, 3}).write(tmp.resolve("dense"));
        Mapping m = MappingFiles.read(dir);
        assertEquals(3, m.cores().size());
        // the routes as written: the input to both hidden cores, each hidden core to the readout core
        assertEquals(2, m.inputRoutes().size());
        assertEquals(2, m.cores().get(0).routes().get(0).toCore());
        assertArrayEquals(new int[] {3, 5}, m.cores().get(1).routes().get(0).sources()[0]);
        NeurocoreEmulator emu = new NeurocoreEmulator(m);
        long[] spikes = new long[2];
        for (int s = 0; s < 12; s++) {
            assertMatches(net, emu, net.randomInput(rnd, 0.5), variant + " sample " + s, spikes);
        }
        assertTrue(spikes[0] > 0 && (!variant.equals("count_direct") || spikes[1] > 0), "spikes " + spikes[0]);
        assertTrue(variant.equals("default") || net.overflows > 0, "the membrane saturated or wrapped");
    }

    /** input [2, 8, 8] -> conv 4x3x3 pad 1 (filter groups and row bands) -> avgpool 2 (row bands) -> dense 3. */
    @Test
    void convAndPoolSplitByFilterGroupsAndRowBandsEqualTheWholeLayerLoop() throws Exception {
        Random rnd = new Random(5);
        TestNet net = new TestNet();
        net.timesteps = 5;
        net.inShape = new int[] {2, 8, 8};
        TestNet.L c1 = net.conv("c1", -1, 4, 3, 1, 1, TestNet.randomWeights(rnd, 4 * 2 * 9, 30));
        c1.threshold = new long[] {40, 50, 30, 45};
        c1.bias = new long[] {1, -2, 0, 3};
        c1.leak = "shift";
        c1.k = 3;
        net.avgpool("p1", 0, 2, 3);
        TestNet.L out = net.dense("out", 1, 3, TestNet.randomWeights(rnd, 3 * 64, 25));
        out.role = "readout_accumulate";
        Path dir = new MappingFolder(net)
                .core(0, 0, 0, new int[] {0, 128})                           // filters 0-1
                .core(0, 1, 0, new int[] {128, 160}, new int[] {192, 224})   // filters 2-3, rows 0-3
                .core(0, 2, 0, new int[] {160, 192}, new int[] {224, 256})   // filters 2-3, rows 4-7
                .core(1, 0, 1, new int[] {0, 8}, new int[] {16, 24}, new int[] {32, 40}, new int[] {48, 56})
                .core(1, 1, 1, new int[] {8, 16}, new int[] {24, 32}, new int[] {40, 48}, new int[] {56, 64})
                .core(2, 3, 3, new int[] {0, 3})
                .write(tmp.resolve("conv"));
        NeurocoreEmulator emu = new NeurocoreEmulator(MappingFiles.read(dir));
        long[] spikes = new long[3];
        for (int s = 0; s < 6; s++) {
            assertMatches(net, emu, net.randomInput(rnd, 0.4), "sample " + s, spikes);
        }
        assertTrue(spikes[0] > 0 && spikes[1] > 0, java.util.Arrays.toString(spikes));
    }

    /** Two paths into one layer (conv + identity skip), a strided conv, a membrane readout. */
    @Test
    void residualSumAndStridedConvEqualTheWholeLayerLoop() throws Exception {
        Random rnd = new Random(9);
        TestNet net = new TestNet();
        net.timesteps = 6;
        net.inShape = new int[] {2, 6, 6};
        TestNet.L a = net.conv("a", -1, 3, 3, 1, 1, TestNet.randomWeights(rnd, 3 * 2 * 9, 40));
        a.threshold = new long[] {35, 35, 35};
        TestNet.L b = net.conv("b", 0, 3, 3, 1, 1, TestNet.randomWeights(rnd, 3 * 3 * 9, 30));
        b.threshold = new long[] {30, 40, 50};
        b.reset = "zero";
        TestNet.S skip = new TestNet.S();
        skip.kind = "identity";
        skip.source = 0;
        skip.inShape = new int[] {3, 6, 6};
        skip.w = new int[] {20, -10, 15};
        b.syn.add(skip);
        TestNet.L c = net.conv("c", 1, 2, 3, 2, 0, TestNet.randomWeights(rnd, 2 * 3 * 9, 30));
        c.threshold = new long[] {25, 25};
        c.leak = "multiplier";
        c.m = 7;
        c.f = 3;
        TestNet.L out = net.dense("out", 2, 4, TestNet.randomWeights(rnd, 4 * 8, 20));
        out.role = "readout_membrane";
        out.leak = "shift";
        out.k = 2;
        Path dir = new MappingFolder(net)
                .core(0, 0, 0, new int[] {0, 108})
                .core(1, 1, 0, new int[] {0, 36})
                .core(1, 0, 1, new int[] {36, 108})
                .core(2, 2, 2, new int[] {0, 8})
                .core(3, 3, 0, new int[] {0, 4})
                .write(tmp.resolve("res"));
        NeurocoreEmulator emu = new NeurocoreEmulator(MappingFiles.read(dir));
        long[] spikes = new long[4];
        for (int s = 0; s < 6; s++) {
            assertMatches(net, emu, net.randomInput(rnd, 0.5), "sample " + s, spikes);
        }
        assertTrue(spikes[0] > 0 && spikes[1] > 0 && spikes[2] > 0, java.util.Arrays.toString(spikes));
    }

    @Test
    void aSpikeThatNoRouteCarriesNeverArrives() throws Exception {
        Random rnd = new Random(3);
        TestNet net = denseNet("default", rnd);
        net.layers.get(0).threshold = TestNet.fill(1, 5);
        MappingFolder folder = new MappingFolder(net).core(0, 1, 0, new int[] {0, 3}).core(0, 0, 1, new int[] {3, 5})
                .core(1, 1, 1, new int[] {0, 3});
        Path full = folder.write(tmp.resolve("full"));
        Path cut = folder.write(tmp.resolve("cut"), root -> ((com.fasterxml.jackson.databind.node.ArrayNode)
                root.get("cores").get(0).get("routes")).removeAll());
        NeurocoreEmulator good = new NeurocoreEmulator(MappingFiles.read(full));
        NeurocoreEmulator broken = new NeurocoreEmulator(MappingFiles.read(cut));
        int[] input = net.randomInput(rnd, 0.6);
        EmulatedSample g = good.run(input, true);
        EmulatedSample b = broken.run(input, true);
        assertArrayEquals(net.reference(input).readout(), g.readout());
        assertArrayEquals(g.spikes()[0][0], b.spikes()[0][0], "the hidden layer itself is unchanged");
        assertTrue(b.synapticOps()[2] < g.synapticOps()[2], "core 2 receives fewer packets");
        assertTrue(b.packets() < g.packets());
        assertTrue(!java.util.Arrays.equals(g.readout(), b.readout()), "the readout misses core 0's spikes");
    }

    /** input 2 -> dense 2 (cores 0 at (1,0), 1 at (0,1)) -> dense 1 accumulate (core 2 at (1,1)), T = 2. */
    static TestNet handNet() {
        TestNet net = new TestNet();
        net.timesteps = 2;
        net.inShape = new int[] {2};
        TestNet.L h = net.dense("h", -1, 2, new int[] {3, 0, 1, 1});
        h.threshold = new long[] {2};
        TestNet.L out = net.dense("out", 0, 1, new int[] {1, 2});
        out.role = "readout_accumulate";
        return net;
    }

    static void handFigures(MappingFolder f) {
        f.target.put("clock_mhz", 100.0);
        f.target.put("cycles_per_synaptic_op", 2);
        f.target.put("cycles_per_neuron_update", 3);
        f.target.put("cycles_per_hop", 5);
        f.target.put("barrier_cycles", 7);
        f.target.put("synaptic_op_pj", 10.0);
        f.target.put("neuron_update_pj", 20.0);
        f.target.put("spike_hop_pj", 30.0);
        f.target.put("static_mw", 1.0);
    }

    @Test
    void timingAndEnergyOfATinyCaseComputedByHand() throws Exception {
        TestNet net = handNet();
        MappingFolder f = new MappingFolder(net).core(0, 1, 0, new int[] {0, 1}).core(0, 0, 1, new int[] {1, 2})
                .core(1, 1, 1, new int[] {0, 1});
        handFigures(f);
        Mapping m = MappingFiles.read(f.write(tmp.resolve("hand")));
        // step 1: input (1, 0). Host: i0 to cores 0 and 1 (1 hop each). Core 0: 1 op, h = 3 >= 2 fires, v = 1;
        //   core 1: 1 op, h = 1. Layer 0: 1 op x 2 + 1 neuron x 3 + 1 hop x 5 = 10. Core 0's spike: 1 hop to
        //   core 2: 1 op, acc = 1. Layer 1: 2 + 3 + 5 = 10. Step: 10 + 10 + barrier 7 = 27.
        // step 2: input (1, 1): 4 packets. Core 0: 2 ops, h = 1 + 3 = 4 fires, v = 2; core 1: 2 ops,
        //   h = 1 + 2 = 3 fires, v = 1. Layer 0: 4 + 3 + 5 = 12. Two spikes, 1 hop each, to core 2: 2 ops,
        //   acc = 1 + 1 + 2 = 4. Layer 1: 4 + 3 + 5 = 12. Step: 12 + 12 + 7 = 31.
        EmulatedSample s = new NeurocoreEmulator(m).run(new int[] {1, 0, 1, 1}, true);
        assertArrayEquals(new long[] {4}, s.readout());
        assertArrayEquals(new long[] {27, 31}, s.stepCycles());
        assertEquals(58, s.cycles());
        assertEquals(31, s.maxStepCycles());
        assertArrayEquals(new long[] {22, 22}, s.layerCycles());
        assertArrayEquals(new long[] {3, 3, 3}, s.synapticOps());
        assertArrayEquals(new long[] {2, 2, 2}, s.neuronUpdates());
        assertArrayEquals(new long[] {12, 12, 12}, s.busyCycles());
        assertEquals(9, s.packets());
        assertEquals(6, s.inputPackets());
        assertEquals(9, s.hops());
        assertArrayEquals(new int[] {1, 0, 0}, s.spikesSent()[0]);
        assertArrayEquals(new int[] {1, 1, 0}, s.spikesSent()[1]);
        assertEquals(12 / 58.0, s.utilisation(0), 1e-12);
        assertEquals(9 * 10e-12, s.energy().synapticJ(), 1e-24);
        assertEquals(6 * 20e-12, s.energy().neuronJ(), 1e-24);
        assertEquals(9 * 30e-12, s.energy().routingJ(), 1e-24);
        assertEquals(1e-3 * 58 / 100e6, s.energy().staticJ(), 1e-24);
        assertEquals(0, s.spikeLimit().violations());

        EmulationSummary sum = EmulationSummary.of(m, List.of(s, s));
        assertEquals(29.0, sum.meanStepCycles(), 1e-12);
        assertEquals(31, sum.maxStepCycles());
        assertEquals(58.0, sum.meanCycles(), 1e-12);
        assertEquals(58e-8, sum.meanSeconds(), 1e-20);
        assertEquals(0, sum.layers().get(0).slowestCore(), "a tie goes to the lowest core id");
        assertEquals(12 / 58.0, sum.layers().get(0).slowestUtilisation(), 1e-12);
        assertEquals(2, sum.layers().get(1).slowestCore());
        assertEquals(22.0, sum.layers().get(1).meanCycles(), 1e-12);
        assertEquals(s.energy().totalJ(), sum.meanEnergy().totalJ(), 1e-24);
        assertEquals(9.0, sum.meanHops(), 1e-12);
    }

    /**
     * The same tiny case pipelined (docs/targets.md, "Timing and energy model"), cycles_per_hop 1 so
     * that a link carrying two packets outlasts the longest route, and a host link of 2 (then 3)
     * cycles per input spike.
     */
    @Test
    void pipelinedTimingOfATinyCaseComputedByHand() throws Exception {
        TestNet net = handNet();
        MappingFolder f = new MappingFolder(net).core(0, 1, 0, new int[] {0, 1}).core(0, 0, 1, new int[] {1, 2})
                .core(1, 1, 1, new int[] {0, 1});
        handFigures(f);
        f.target.put("cycles_per_hop", 1);
        f.target.put("timing", "pipelined");
        f.target.put("input_cycles_per_spike", 2);
        Mapping m = MappingFiles.read(f.write(tmp.resolve("pipelined")));
        // step 1: input (1, 0): host packets to cores 0 (1,0) and 1 (0,1). Every core takes its packets first:
        //   core 0 1 op, fires (h = 3); core 1 1 op (h = 1); core 2 none yet. Work: 1 x 2 + 1 x 3 = 5, 5, 0 + 3 = 3.
        //   Network: every route 1 hop (1 cycle), every link 1 packet: 1. Host: 2 packets x 2 = 4.
        //   Step: max(5 + 1, 4) + 7 = 13. Core 0's spike waits for step 2.
        // step 2: input (1, 1): 4 host packets, two on each link out of (0, 0). Core 0: 2 ops, fires (h = 4);
        //   core 1: 2 ops, fires (h = 3); core 2: 1 op, the spike of step 1 (acc = 1). Work 7, 7, 5.
        //   Network: max(1 hop x 1, busiest link 2) = 2. Host 4 x 2 = 8. Step: max(7 + 2, 8) + 7 = 16.
        //   The two spikes of step 2 are sent (and counted) but read by no step.
        EmulatedSample s = new NeurocoreEmulator(m).run(new int[] {1, 0, 1, 1}, true);
        assertArrayEquals(new long[] {1}, s.readout());
        assertArrayEquals(new long[] {13, 16}, s.stepCycles());
        assertEquals(29, s.cycles());
        assertArrayEquals(new long[] {12, 8}, s.layerCycles());
        assertArrayEquals(new long[] {3, 3, 1}, s.synapticOps());
        assertArrayEquals(new long[] {12, 12, 8}, s.busyCycles());
        assertEquals(9, s.packets());
        assertEquals(6, s.inputPackets());
        assertArrayEquals(new int[] {1, 0, 0}, s.spikesSent()[0]);
        assertArrayEquals(new int[] {1, 1, 0}, s.spikesSent()[1]);

        f.target.put("input_cycles_per_spike", 3);
        EmulatedSample slowHost = new NeurocoreEmulator(MappingFiles.read(f.write(tmp.resolve("slow-host"))))
                .run(new int[] {1, 0, 1, 1}, true);
        // the host link sets the pace: step 1 max(6, 6) + 7, step 2 max(9, 12) + 7
        assertArrayEquals(new long[] {13, 19}, slowHost.stepCycles());
        assertArrayEquals(s.readout(), slowHost.readout());

        // core_schedule "serial" (one processor, as Xylo's inference core): the same spikes, a step takes the sum
        // of the cores' work: step 1 max(5 + 5 + 3 + 1, 4) + 7 = 21, step 2 max(7 + 7 + 5 + 2, 8) + 7 = 28
        f.target.put("input_cycles_per_spike", 2);
        f.target.put("core_schedule", "serial");
        EmulatedSample serial = new NeurocoreEmulator(MappingFiles.read(f.write(tmp.resolve("serial"))))
                .run(new int[] {1, 0, 1, 1}, true);
        assertArrayEquals(new long[] {21, 28}, serial.stepCycles());
        assertArrayEquals(new long[] {24, 8}, serial.layerCycles(), "a layer's cycles are its cores' work summed");
        assertArrayEquals(s.readout(), serial.readout());
        assertArrayEquals(s.busyCycles(), serial.busyCycles());
        f.target.put("core_schedule", "sideways");
        MappingFileException bad = assertThrows(MappingFileException.class,
                () -> MappingFiles.read(f.write(tmp.resolve("sideways"))));
        assertTrue(bad.getMessage().contains("core_schedule is 'sideways', expected \"parallel\" or \"serial\""),
                bad.getMessage());
    }

    /**
     * pack_layers (xylo_like's hidden population): cores before the readout may share a mesh position, one
     * physical core; without it, or with the readout, a shared position is refused with its place.
     */
    @Test
    void coresShareAMeshPositionOnlyUnderPackLayersAndNeverWithTheReadout() throws Exception {
        MappingFolder f = new MappingFolder(handNet()).core(0, 1, 0, new int[] {0, 1}).core(0, 1, 0, new int[] {1, 2})
                .core(1, 1, 1, new int[] {0, 1});
        handFigures(f);
        MappingFileException apart = assertThrows(MappingFileException.class,
                () -> MappingFiles.read(f.write(tmp.resolve("shared-apart"))));
        assertTrue(apart.getMessage().contains("mesh position (1, 0) is also core 0's"), apart.getMessage());
        f.target.put("pack_layers", true);
        Mapping m = MappingFiles.read(f.write(tmp.resolve("shared")));
        assertEquals(3, m.cores().size());
        assertEquals(2, m.physicalCores());
        // the same arithmetic as on cores apart (the tiny case computed by hand above): the readout is 4
        assertArrayEquals(new long[] {4}, new NeurocoreEmulator(m).run(new int[] {1, 0, 1, 1}, true).readout());
        MappingFolder g = new MappingFolder(handNet()).core(0, 1, 0, new int[] {0, 1}).core(0, 0, 1, new int[] {1, 2})
                .core(1, 1, 0, new int[] {0, 1});
        handFigures(g);
        g.target.put("pack_layers", true);
        MappingFileException readout = assertThrows(MappingFileException.class,
                () -> MappingFiles.read(g.write(tmp.resolve("shared-readout"))));
        assertTrue(readout.getMessage().contains("mesh position (1, 0) is also core 0's (with pack_layers only the layers"
                + " before the readout share a core)"), readout.getMessage());
    }

    @Test
    void aCoreSendingMoreSpikesThanTheLimitIsReported() throws Exception {
        MappingFolder f = new MappingFolder(handNet()).core(0, 1, 0, new int[] {0, 2}).core(1, 1, 1, new int[] {0, 1});
        f.target.put("max_spikes_per_core_per_step", 1);
        Mapping m = MappingFiles.read(f.write(tmp.resolve("limit")));
        EmulatedSample s = new NeurocoreEmulator(m).run(new int[] {1, 0, 1, 1}, false);
        assertEquals(new EmulatedSample.SpikeLimit(1, 1, 0, 2, 2), s.spikeLimit());
        EmulationSummary sum = EmulationSummary.of(m, List.of(new NeurocoreEmulator(m).run(new int[] {0, 0, 0, 0},
                false), s));
        assertEquals(new EmulationSummary.SpikeLimitTotals(1, 1, 1, 1, 0, 2, 2), sum.spikeLimit());
        assertEquals(null, s.membranes(), "nothing recorded without record");
    }

    @Test
    void samplesRunOnThreadsGiveTheSameResultsInOrder() throws Exception {
        Random rnd = new Random(11);
        TestNet net = denseNet("default", rnd);
        Path dir = new MappingFolder(net).core(0, 1, 0, new int[] {0, 3}).core(0, 0, 1, new int[] {3, 5})
                .core(1, 1, 1, new int[] {0, 3}).write(tmp.resolve("threads"));
        NeurocoreEmulator emu = new NeurocoreEmulator(MappingFiles.read(dir));
        int[][] inputs = new int[9][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = net.randomInput(rnd, 0.5);
        }
        List<EmulatedSample> one = emu.run(inputs, 1);
        List<EmulatedSample> two = emu.run(inputs, 2);
        List<Long> cyclesOne = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            assertArrayEquals(net.reference(inputs[i]).readout(), two.get(i).readout());
            assertArrayEquals(one.get(i).readout(), two.get(i).readout());
            assertArrayEquals(one.get(i).stepCycles(), two.get(i).stepCycles());
            cyclesOne.add(one.get(i).cycles());
        }
        assertTrue(cyclesOne.stream().anyMatch(c -> c > 0));
    }
}

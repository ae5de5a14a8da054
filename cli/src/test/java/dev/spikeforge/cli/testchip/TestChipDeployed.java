package dev.spikeforge.cli.testchip;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A test chip folder read back: it runs the integer model it names and counts cycles per spike. */
final class TestChipDeployed implements DeployedTarget {

    private final Path folder;
    private final int cycles;
    private final QuantizedNetwork q;

    TestChipDeployed(Path folder, int cycles, QuantizedNetwork q) {
        this.folder = folder;
        this.cycles = cycles;
        this.q = q;
    }

    @Override
    public String family() {
        return TestChipFamily.NAME;
    }

    @Override
    public String name() {
        return "testchip(cycles = " + cycles + ")";
    }

    @Override
    public Path folder() {
        return folder;
    }

    @Override
    public String model() {
        return q.name();
    }

    @Override
    public Input input() {
        return new Input(q.inputSize(), q.timesteps(), q.encoding().kind().keyword());
    }

    @Override
    public TargetEmulator emulator() {
        return new TargetEmulator() {
            private final List<Long> done = new ArrayList<>();

            @Override
            public List<TargetSample> run(int[][] inputs, int threads, boolean record) {
                int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
                List<SampleResult> rs = new IntegerSimulator(q).run(inputs, threads, new IntegerSimulator.Recording(
                        IntegerSimulator.Detail.FULL, all));
                List<TargetSample> out = new ArrayList<>();
                for (SampleResult r : rs) {
                    long c = cycles * Arrays.stream(r.spikes()).sum();
                    done.add(c);
                    out.add(new TargetSample() {
                        public long[] readout() {
                            return r.readout();
                        }

                        public int prediction() {
                            return r.prediction();
                        }

                        public long cycles() {
                            return c;
                        }

                        public byte[][][] spikes() {
                            return r.spikeRecord();
                        }

                        public long[][][] membranes() {
                            return r.membraneRecord();
                        }
                    });
                }
                return out;
            }

            @Override
            public TargetFigures figures() {
                double mean = done.stream().mapToLong(Long::longValue).average().orElse(0);
                long min = done.stream().mapToLong(Long::longValue).min().orElse(0);
                long max = done.stream().mapToLong(Long::longValue).max().orElse(0);
                return new TargetFigures(done.size(), "1 test chip", mean, min, max, mean / q.timesteps(), max,
                        new TargetFigures.Clock(50, false), null, List.of(), FigureTable.empty(),
                        List.of("energy: not modelled for the test chip"), 0);
            }
        };
    }
}

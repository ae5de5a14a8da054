package dev.spikeforge.spark.oddchip;

import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.FigureTable;
import dev.spikeforge.compiler.target.TargetEmulator;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.compiler.target.TargetSample;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** An odd chip folder read back: the integer model, with the readout of every K-th input spike count off by one. */
final class OddChipDeployed implements DeployedTarget {

    private final Path folder;
    private final int every;
    private final QuantizedNetwork q;

    OddChipDeployed(Path folder, int every, QuantizedNetwork q) {
        this.folder = folder;
        this.every = every;
        this.q = q;
    }

    @Override
    public String family() {
        return OddChipFamily.NAME;
    }

    @Override
    public String name() {
        return "oddchip(every = " + every + ")";
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

    /** The tally: per sample its cycles and its energy, in order. */
    record Tally(long[] cycles, double[] energy, long nanos) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    @Override
    public TargetEmulator emulator() {
        return new TargetEmulator() {
            private final List<Long> cycles = new ArrayList<>();
            private final List<Double> energy = new ArrayList<>();
            private long nanos;

            @Override
            public List<TargetSample> run(int[][] inputs, int threads, boolean record) {
                long start = System.nanoTime();
                int[] all = java.util.stream.IntStream.range(0, q.layers().size()).toArray();
                List<SampleResult> rs = new IntegerSimulator(q).run(inputs, threads, new IntegerSimulator.Recording(
                        IntegerSimulator.Detail.FULL, all));
                List<TargetSample> out = new ArrayList<>();
                for (int i = 0; i < rs.size(); i++) {
                    SampleResult r = rs.get(i);
                    long spikes = Arrays.stream(r.spikes()).sum();
                    long inputSpikes = Arrays.stream(inputs[i]).filter(v -> v != 0).count();
                    long[] readout = r.readout().clone();
                    if (inputSpikes % every == 0) {
                        readout[readout.length - 1]++;
                    }
                    long c = 3 * spikes + 1;
                    cycles.add(c);
                    energy.add(spikes * 1.7e-12 + inputSpikes * 0.3e-12 + 1e-10 / 3);
                    out.add(new TargetSample() {
                        public long[] readout() {
                            return readout;
                        }

                        public int prediction() {
                            return TargetSample.argmax(readout);
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
                nanos += System.nanoTime() - start;
                return out;
            }

            @Override
            public TargetFigures figures() {
                int n = cycles.size();
                double d = Math.max(1, n);
                long total = 0;
                double joules = 0;
                for (int i = 0; i < n; i++) {
                    total += cycles.get(i);
                    joules += energy.get(i);
                }
                long min = cycles.stream().mapToLong(Long::longValue).min().orElse(0);
                long max = cycles.stream().mapToLong(Long::longValue).max().orElse(0);
                return new TargetFigures(n, "1 odd chip", total / d, min, max, total / d / q.timesteps(), max,
                        new TargetFigures.Clock(50, false), new TargetFigures.Energy(Map.of("compute", joules / d), Map.of()),
                        List.of(new TargetFigures.Counter("spikes_per_inference", "spikes", (total - n) / 3.0 / d)),
                        FigureTable.empty(), List.of("the odd chip differs on purpose"), nanos / 1e9);
            }

            @Override
            public Serializable tally() {
                return new Tally(cycles.stream().mapToLong(Long::longValue).toArray(),
                        energy.stream().mapToDouble(Double::doubleValue).toArray(), nanos);
            }

            @Override
            public void absorb(Serializable tally) {
                if (!(tally instanceof Tally t)) {
                    throw new IllegalArgumentException("not an odd chip's tally");
                }
                Arrays.stream(t.cycles()).forEach(cycles::add);
                Arrays.stream(t.energy()).forEach(energy::add);
                nanos += t.nanos();
            }
        };
    }
}

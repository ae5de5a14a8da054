package dev.spikeforge.cli;

import dev.spikeforge.compiler.diag.Diagnostic;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.Origin;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.quant.QuantOptions;
import dev.spikeforge.compiler.quant.Quantizer;
import dev.spikeforge.compiler.quant.QuantizedNetwork;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.integer.IntegerSimulator;
import dev.spikeforge.runtime.integer.SampleResult;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import dev.spikeforge.compiler.source.SourcePos;
import dev.spikeforge.compiler.target.TargetException;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.runtime.engine.Parameters;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The deploy targets of a model (or of --target options), their design rules and their folders. */
final class Targets {

    private Targets() {
    }

    /**
     * A valid model with deploy targets gets each target's design rules that do not depend on
     * trained weights (capacities, widths, modes), judged on placeholder weights, so that a model
     * that cannot fit is known before training. Other compilations are returned as they are.
     */
    static Compilation withDesignRules(Compilation c) {
        if (!c.ok() || c.network().deploy().isEmpty() || c.network().deploy().get().targets().isEmpty()) {
            return c;
        }
        Network net = c.network();
        Map<String, float[]> placeholder = new java.util.LinkedHashMap<>();
        Parameters.sizes(net).forEach((k, n) -> {
            float[] w = new float[n];
            java.util.Arrays.fill(w, 1f);
            placeholder.put(k, w);
        });
        QuantOptions opt = QuantOptions.from(net.deploy().get());
        Quantizer.Result q = Quantizer.quantize(net, placeholder, opt);
        if (!q.ok()) {
            return c;
        }
        Path dir = Path.of(c.source().name()).toAbsolutePath().getParent();
        List<Diagnostic> all = new ArrayList<>(c.diagnostics());
        for (DeploySpec.TargetRequest r : net.deploy().get().targets()) {
            TargetFamily family = TargetFamily.named(r.family());
            if (family != null) {
                all.addAll(family.designRules(q.network(), r, false, dir));
            }
        }
        return new Compilation(c.source(), net, dev.spikeforge.compiler.diag.Diagnostics.sorted(all));
    }

    /**
     * The requests to compile: the --target options, else the deploy block's. An option is written
     * as in a deploy block without the word target ({@code fpga(lanes = 16, family = xc7)},
     * {@code neurocore(preset = speck_like)}), or is a neurocore preset name or spec file.
     */
    static List<DeploySpec.TargetRequest> requests(Network net, List<String> overrides) {
        if (overrides != null && !overrides.isEmpty()) {
            List<DeploySpec.TargetRequest> out = new ArrayList<>();
            for (String o : overrides) {
                out.add(request(o));
            }
            return out;
        }
        return net.deploy().map(DeploySpec::targets).orElse(List.of());
    }

    /** One --target option as a request (see {@link #requests}). */
    static DeploySpec.TargetRequest request(String option) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\((.*)\\))?\\s*")
                .matcher(option);
        if (m.matches() && TargetFamily.named(m.group(1)) != null) {
            List<Value.Arg> args = new ArrayList<>();
            String inner = m.group(2) == null ? "" : m.group(2).trim();
            if (!inner.isEmpty()) {
                for (String part : inner.split(",")) {
                    String[] kv = part.split("=", 2);
                    String key = kv.length == 2 ? kv[0].trim() : null;
                    String text = (kv.length == 2 ? kv[1] : kv[0]).trim().replaceAll("^\"|\"$", "");
                    Value value = text.matches("-?[0-9]+") ? new Value.Num(Double.parseDouble(text), true, text, SourcePos.NONE)
                            : new Value.Text(text, SourcePos.NONE);
                    args.add(new Value.Arg(key, SourcePos.NONE, value));
                }
            }
            return new DeploySpec.TargetRequest(m.group(1), Origin.NONE, args);
        }
        return new DeploySpec.TargetRequest("neurocore", Origin.NONE,
                List.of(new Value.Arg("preset", SourcePos.NONE, new Value.Text(option, SourcePos.NONE))));
    }

    /**
     * Spikes per neuron per step of each layer of the integer model on the first {@code n}
     * training samples (evaluation spikes of the run seed): what placement weighs traffic by.
     */
    static double[] firingRates(Network net, QuantizedNetwork q, ImageDataset train, int n, long seed, int threads) {
        int count = Math.min(n, train.count());
        int[] idx = java.util.stream.IntStream.range(0, count).toArray();
        float[] input = InputEncoder.encode(net, train, idx, seed);
        int[][] ints = FloatIntegerComparison.integerInputs(input, count, q.inputSize(), q.timesteps(),
                q.encoding().kind() == dev.spikeforge.compiler.ir.Encoding.Kind.DIRECT);
        long[] spikes = new long[q.layers().size()];
        for (SampleResult r : new IntegerSimulator(q).run(ints, threads, IntegerSimulator.Recording.none())) {
            for (int l = 0; l < spikes.length; l++) {
                spikes[l] += r.spikes()[l];
            }
        }
        double[] rates = new double[spikes.length];
        for (int l = 0; l < rates.length; l++) {
            rates[l] = spikes[l] / ((double) count * q.timesteps() * q.layers().get(l).size());
        }
        return rates;
    }

    static Path modelDir(ModelFiles.Loaded loaded) {
        Path p = Path.of(loaded.compilation().source().name()).toAbsolutePath().getParent();
        return p == null ? Path.of(".").toAbsolutePath() : p;
    }

    /**
     * Quantises for each target (with its shift rounding), checks its rules and writes its folder.
     *
     * @return exit code: OK, or CHECK_FAILED when a target's rules fail or its folder cannot be written
     */
    static int compileAll(ModelFiles.Loaded loaded, QuantOptions base, Map<String, float[]> weights,
                          List<String> overrides, Path outDir, double[] rates, List<String> lines, PrintWriter err) {
        Network net = loaded.network();
        int exit = ExitCodes.OK;
        for (DeploySpec.TargetRequest r : requests(net, overrides)) {
            TargetFamily family = TargetFamily.named(r.family());
            if (family == null) {
                lines.add("target " + r.family() + ": not available in this version of spikeforge (skipped)");
                continue;
            }
            Path dir = modelDir(loaded);
            QuantOptions opt = base.withShiftTowardZero(family.shiftTowardZero(r, dir));
            Quantizer.Result q = Quantizer.quantize(net, weights, opt);
            if (!q.ok()) {
                err.print(DiagnosticRenderer.render(loaded.compilation().source(), q.diagnostics()));
                exit = ExitCodes.CHECK_FAILED;
                continue;
            }
            try {
                lines.addAll(family.compile(q.network(), r, outDir, dir, rates));
            } catch (TargetException e) {
                List<Diagnostic> ds = e.diagnostics();
                if (ds.isEmpty()) {
                    err.println("spikeforge compile: error: " + e.getMessage());
                } else {
                    err.print(DiagnosticRenderer.render(loaded.compilation().source(), ds));
                }
                exit = ExitCodes.CHECK_FAILED;
            }
        }
        return exit;
    }
}

package dev.spikeforge.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.diag.DiagnosticJson;
import dev.spikeforge.compiler.diag.DiagnosticRenderer;
import dev.spikeforge.compiler.dsl.Compilation;
import dev.spikeforge.compiler.ir.IrDump;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.compiler.summary.NetworkSummary;
import dev.spikeforge.compiler.summary.SummaryJson;
import dev.spikeforge.compiler.summary.SummaryText;
import dev.spikeforge.runtime.engine.MemoryEstimate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spikeforge check FILE...}: read, build and verify models; print a summary or the diagnostics. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Check .snn model files: print a per-layer summary of each valid model,",
                "and every error and warning of each invalid one."},
        footer = {"", "Prints each model's estimated memory for a training batch and for inference; E800 refuses",
                "a batch no machine can train, W605 warns above this machine's memory.",
                "", "Exit codes: 0 all valid, 1 some model invalid, 2 usage error, 3 a file could not be read",
                "or the input is too large for this machine (out of memory or stack)."})
final class CheckCommand implements Callable<Integer> {

    static final String JSON_SCHEMA = "spikeforge.check/1";

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Model files (.snn).")
    List<Path> files;

    @Option(names = "--json", description = "Print the results as one JSON document on standard output.")
    boolean json;

    @Option(names = "--dump-ir", description = "Also print the network IR (nodes, shapes, edges, settings).")
    boolean dumpIr;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        int valid = 0;
        int invalid = 0;
        int unreadable = 0;
        Pipeline pipeline = Cli.pipeline(spec, null);
        for (Path file : files) {
            Compilation c;
            try {
                c = pipeline.check(file);
            } catch (PipelineException e) {
                unreadable++;
                if (json) {
                    ObjectNode r = results.addObject();
                    r.put("file", file.toString());
                    r.put("valid", false);
                    r.put("read_error", e.getMessage());
                } else {
                    err.println(e.getMessage());
                }
                continue;
            }
            if (c.ok()) {
                valid++;
            } else {
                invalid++;
            }
            if (json) {
                results.add(jsonResult(c));
            } else {
                printResult(c, out, err);
            }
        }
        if (json) {
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("schema", JSON_SCHEMA);
            doc.set("files", results);
            out.println(dev.spikeforge.pipeline.report.Units.json(doc));
        } else if (files.size() > 1) {
            out.println("checked " + files.size() + " files: " + valid + " valid, " + invalid + " invalid"
                    + (unreadable > 0 ? ", " + unreadable + " unreadable" : ""));
        }
        out.flush();
        err.flush();
        if (unreadable > 0) {
            return ExitCodes.INPUT_ERROR;
        }
        return invalid > 0 ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    private void printResult(Compilation c, PrintWriter out, PrintWriter err) {
        if (!c.diagnostics().isEmpty()) {
            err.print(DiagnosticRenderer.render(c.source(), c.diagnostics()));
            long errors = c.errorCount();
            long warnings = c.warningCount();
            err.println(c.source().name() + ": " + plural(errors, "error") + ", " + plural(warnings, "warning"));
            err.flush();
        }
        if (c.ok()) {
            out.print(SummaryText.render(c.source().name(), NetworkSummary.of(c.network())));
            if (c.network().train().isPresent()) {
                out.println(MemoryEstimate.of(c.network()).summary());
            }
            if (dumpIr) {
                out.println();
                out.print(IrDump.of(c.network()));
            }
            out.println();
        }
    }

    private ObjectNode jsonResult(Compilation c) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("file", c.source().name());
        r.put("valid", c.ok());
        if (c.ok()) {
            r.set("summary", SummaryJson.of(NetworkSummary.of(c.network())));
            if (c.network().train().isPresent()) {
                r.set("memory", memoryJson(MemoryEstimate.of(c.network())));
            }
        } else {
            r.putNull("summary");
        }
        r.set("diagnostics", DiagnosticJson.of(c.source().name(), c.diagnostics()));
        if (dumpIr && c.ok()) {
            r.put("ir", IrDump.of(c.network()));
        }
        return r;
    }

    /** The estimate in bytes: training per batch and inference, each off-heap (ND4J) and heap, and the totals with the runtime. */
    static ObjectNode memoryJson(MemoryEstimate e) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("batch", e.batch());
        m.put("timesteps", e.steps());
        m.put("parameters", e.parameters());
        m.put("training_off_heap_bytes", (long) Math.ceil(e.trainingOffHeap()));
        m.put("training_heap_bytes", (long) Math.ceil(e.trainingHeap()));
        m.put("training_total_bytes", (long) Math.ceil(e.trainingTotal()));
        m.put("inference_off_heap_bytes", (long) Math.ceil(e.inferenceOffHeap()));
        m.put("inference_heap_bytes", (long) Math.ceil(e.inferenceHeap()));
        m.put("inference_total_bytes", (long) Math.ceil(e.inferenceTotal()));
        m.put("runtime_bytes", MemoryEstimate.RUNTIME_BYTES_MIB * 1024L * 1024);
        return m;
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

}

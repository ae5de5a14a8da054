package dev.spikeforge.spark;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.target.DeployedTarget;
import dev.spikeforge.compiler.target.HardwareSynthesis;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.compiler.target.TargetFigures;
import dev.spikeforge.pipeline.CompileSettings;
import dev.spikeforge.pipeline.Compiled;
import dev.spikeforge.pipeline.Folders;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.pipeline.PipelineException;
import dev.spikeforge.pipeline.QuantSettings;
import dev.spikeforge.pipeline.Trained;
import dev.spikeforge.pipeline.Verification;
import dev.spikeforge.pipeline.VerifySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one point of a sweep in this JVM through the pipeline's stages, as any program would:
 * the checkpoint's weights (fine-tuned for the point's QAT epochs with its formats, when it has
 * any), quantised with the point's formats (and each target's own numerics),
 * compiled for the targets into a scratch folder, verified on the job's samples (the float model
 * against the integer model, each emulator against its integer model), with the targets' figures
 * from that same pass. The driver writes the row to {@code points/HASH.json}.
 */
final class PointRunner {

    private PointRunner() {
    }

    /**
     * A point's row (JSON) and whether to keep it as the point's result: a row of an unreadable input
     * is not kept, since the input may be readable next time.
     */
    record Outcome(String json, boolean keep) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The point's row; a point the pipeline refuses (its weights do not fit, say) is a row with
     * status {@code error}. {@code checkpoint} is the checkpoint's bytes, as the driver read them.
     */
    static Outcome run(SweepJob job, SweepJob.Point pt, int threads, byte[] checkpoint) throws IOException {
        long start = System.nanoTime();
        Path scratch = Files.createTempDirectory("spikeforge-sweep-");
        SweepRow row;
        boolean keep = true;
        try {
            Path local = TaskFiles.checkpoint(checkpoint, job.checkpointSha256(), job.checkpointPath(), scratch, "the sweep");
            Pipeline p = Pipeline.builder().threads(threads).dataDir(job.dataDir() == null ? null : Path.of(job.dataDir()))
                    .version(job.version()).build();
            row = rowOf(p, job, pt, local, scratch, start);
        } catch (SynthesisFailed e) {
            keep = false;   // a missing or failing tool: the point runs again next time
            row = e.row;
        } catch (PipelineException e) {
            keep = e.kind() != PipelineException.Kind.INPUT;   // an unreadable file may be readable next time
            row = new SweepRow(pt.index(), pt.hash(), pt.bits(), pt.granularity(), pt.qatEpochs(), 0, "error",
                    clean(e.oneLine(), job, scratch), null, null, null, List.of(), seconds(start));
        } finally {
            delete(scratch);
        }
        return new Outcome(row.toJson(), keep);
    }

    private static SweepRow rowOf(Pipeline p, SweepJob job, SweepJob.Point pt, Path checkpoint, Path scratch, long start)
            throws PipelineException {
        LoadedModel m = p.load(Path.of(job.modelPath()), job.modelText());
        Trained t = p.checkpoint(m, checkpoint);
        QuantSettings qs = new QuantSettings(pt.bits(), granularity(pt.granularity()));
        if (pt.qatEpochs() > 0) {
            t = p.fineTune(t, qs, pt.qatEpochs());
        }
        Compiled c = p.compile(t, qs, p.targets(m, job.targets()), CompileSettings.targetsOnly(scratch.resolve("compiled")));
        Verification v = p.verify(c, VerifySettings.samples(job.samples()));
        List<SweepRow.TargetCells> cells = new ArrayList<>();
        for (Verification.TargetProof tp : v.targets()) {
            TargetFigures f = tp.figures();
            cells.add(new SweepRow.TargetCells(tp.target(), tp.exact(), f.meanCycles(), f.meanSeconds(),
                    f.energy() == null ? null : f.energy().total(), null, null, null));
        }
        List<String> failures = v.failures();
        var cmp = v.comparison();
        SweepRow row = new SweepRow(pt.index(), pt.hash(), pt.bits(), pt.granularity(), pt.qatEpochs(), v.samples(),
                failures.isEmpty() ? "passed" : "failed", failures.isEmpty() ? "" : clean(failures.get(0), job, scratch),
                cmp.floatAccuracy(), cmp.integerAccuracy(), cmp.agreement(), cells, seconds(start));
        if (job.synth()) {
            for (int k = 0; k < c.targets().size(); k++) {
                Compiled.Build b = c.targets().get(k);
                DeployedTarget d = deployed(b);
                if (d.synthesis().isEmpty()) {
                    continue;
                }
                try {
                    HardwareSynthesis.Report r = Folders.synthesise(d, null, false);
                    cells.set(k, cells.get(k).withResources(r.total().luts(), r.total().brams(), r.total().dsps()));
                } catch (PipelineException e) {
                    throw new SynthesisFailed(new SweepRow(row.point(), row.hash(), row.bits(), row.granularity(),
                            row.qatEpochs(), row.samples(), "error", clean(b.target().name() + ": synthesis failed: "
                            + e.oneLine(), job, scratch), row.floatAccuracy(), row.integerAccuracy(), row.agreement(),
                            cells, seconds(start)));
                }
            }
            row = new SweepRow(row.point(), row.hash(), row.bits(), row.granularity(), row.qatEpochs(), row.samples(),
                    row.status(), row.error(), row.floatAccuracy(), row.integerAccuracy(), row.agreement(), cells,
                    seconds(start));
        }
        return row;
    }

    /** Synthesis of a point's design failed (a missing tool, say); its row says so, with the verification's figures. */
    private static final class SynthesisFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient SweepRow row;

        SynthesisFailed(SweepRow row) {
            super(row.error(), null, false, false);
            this.row = row;
        }
    }

    private static DeployedTarget deployed(Compiled.Build b) throws PipelineException {
        try {
            return TargetFamily.named(b.target().family()).orElseThrow().read(b.folder().folder());
        } catch (dev.spikeforge.compiler.io.FileProblemException e) {
            throw PipelineException.of(PipelineException.Kind.INPUT, e.getMessage());
        }
    }

    static DeploySpec.Granularity granularity(String keyword) {
        return DeploySpec.Granularity.valueOf(keyword.toUpperCase(Locale.ROOT));
    }


    /**
     * A message without the scratch folder's random name, so that rows stay deterministic: the
     * task's copy of the checkpoint is named as the driver's file.
     */
    private static String clean(String message, SweepJob job, Path scratch) {
        Path local = TaskFiles.localName(job.checkpointPath(), scratch);
        return message.replace(local.toString(), job.checkpointPath()).replace(scratch.resolve("compiled").toString(), "<out>")
                .replace(scratch.toString(), "<scratch>");
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void delete(Path dir) {
        try {
            AtomicFiles.deleteTree(dir);
        } catch (IOException e) {
            // a scratch folder left in the temporary directory is harmless
        }
    }
}

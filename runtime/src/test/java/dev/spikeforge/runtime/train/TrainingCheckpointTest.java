package dev.spikeforge.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.checkpoint.Checkpoint;
import dev.spikeforge.runtime.checkpoint.CheckpointException;
import dev.spikeforge.runtime.checkpoint.CheckpointReader;
import dev.spikeforge.runtime.checkpoint.CheckpointWriter;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.engine.Parameters;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume} continues from a checkpoint only when every array in it is one the run
 * needs, in its shape, and the optimiser state is complete: otherwise one error names the
 * checkpoint, the array, what is wrong and the fix, instead of restarting Adam's moments from
 * zero or carrying an unknown array into the next checkpoint.
 */
class TrainingCheckpointTest {

    private static final String FIX = "resume from a complete checkpoint of this run written with the same optimizer "
            + "(an earlier one), or train again without --resume";

    @TempDir
    Path dir;

    private final Network net = TrainerTest.model("spike_bp", "readout(4)");
    private final TrainSpec spec = net.train().orElseThrow();

    private static Trainer trained;

    /** A real run's state after one epoch (trained once; tests only read it): what a checkpoint holds. */
    private Trainer trained() {
        if (trained == null) {
            trained = TrainerTest.trainer(net);
            trained.train(1, 1, 2, TrainerTest.QUIET);
        }
        return trained;
    }

    private Path save(Trainer t, Map<String, double[]> state) throws Exception {
        Path file = dir.resolve("run.npz");
        new TrainingCheckpoint("src", net.name(), 1, 2, t.model().parameters(), state, t.optimizer().steps(), 3,
                List.of(), "test").write(file, net);
        return file;
    }

    private Map<String, double[]> resume(Path file, Optimizer into) throws CheckpointException {
        return TrainingCheckpoint.read(file, net).restore(file, net, spec, 2, into);
    }

    /** After a real step every parameter has both Adam moments: what restore requires. */
    @Test
    void aRealRunsStateIsCompleteAndRestoresExactly() throws Exception {
        Trainer t = trained();
        Map<String, double[]> state = t.optimizer().state();
        assertEquals(t.optimizer().expectedState(Parameters.sizes(net), t.optimizer().steps()).keySet(), state.keySet());
        Optimizer fresh = new Optimizer(spec.optimizer());
        assertTrue(resume(save(t, state), fresh).isEmpty());
        assertEquals(t.optimizer().steps(), fresh.steps());
        state.forEach((k, v) -> assertArrayEquals(v, fresh.state().get(k), 0, k));
    }

    /**
     * A recurrent layer's W_rec is a parameter like the others: NODE.recurrent in its [units, units]
     * shape (units when diagonal), with Adam's moments; the run resumes exactly.
     */
    @Test
    void recurrentWeightsAreCheckpointedInTheirShapeWithTheirState() throws Exception {
        Network rec = dev.spikeforge.compiler.dsl.SnnFrontEnd.compile(new dev.spikeforge.compiler.source.SourceFile("rec.snn",
                "model rec\ninput 1x8x8\ntimesteps 8\nneuron syn = CUBA(alpha = 0.5, beta = 0.875)\n"
                + "layers { f = flatten\n h = dense(12, recurrent = true) -> syn\n g = dense(6, recurrent = diagonal) -> syn\n"
                + " out = readout(4) }\ntrain { dataset = mnist epochs = 4 batch = 16 optimizer = adam(lr = 0.01)"
                + " seed = 3 }")).network();
        TrainSpec recSpec = rec.train().orElseThrow();
        Trainer t = TrainerTest.trainer(rec);
        t.train(1, 1, 2, TrainerTest.QUIET);
        Map<String, double[]> state = t.optimizer().state();
        assertTrue(state.containsKey("optimizer.second.h.recurrent") && state.containsKey("optimizer.first.g.recurrent"),
                state.keySet().toString());
        Path file = dir.resolve("rec.npz");
        new TrainingCheckpoint("src", rec.name(), 1, 2, t.model().parameters(), state, t.optimizer().steps(), 3,
                List.of(), "test").write(file, rec);
        Checkpoint c = CheckpointReader.read(file);
        assertArrayEquals(new int[] {12, 12}, c.array("h.recurrent").orElseThrow().shape());
        assertArrayEquals(new int[] {6}, c.array("g.recurrent").orElseThrow().shape());
        TrainingCheckpoint back = TrainingCheckpoint.read(file, rec);
        assertArrayEquals(t.model().parameters().recurrent("h"), back.parameters().recurrent("h"));
        Optimizer fresh = new Optimizer(recSpec.optimizer());
        assertTrue(back.restore(file, rec, recSpec, 2, fresh).isEmpty());
        state.forEach((k, v) -> assertArrayEquals(v, fresh.state().get(k), 0, k));
    }

    /** The case: one layer's second moment gone; it must not restart from zero. */
    @Test
    void aMissingMomentIsOneErrorNamingTheArray() throws Exception {
        Trainer t = trained();
        Map<String, double[]> state = new LinkedHashMap<>(t.optimizer().state());
        state.remove("optimizer.second.c.weight");
        Path file = save(t, state);
        Optimizer fresh = new Optimizer(spec.optimizer());
        CheckpointException e = assertThrows(CheckpointException.class, () -> resume(file, fresh));
        assertEquals(file, e.file());
        assertEquals("optimiser state 'optimizer.second.c.weight' is missing: Adam's second moment of 'c.weight' after "
                + t.optimizer().steps() + " steps; without it the run would restart it from zero (optimizer_steps = "
                + t.optimizer().steps() + ", optimizer = adam)", e.problem());
        assertEquals(FIX, e.help());
        assertEquals(0, fresh.steps(), "the optimiser is untouched");
    }

    /** An array nothing uses is refused at reading, so it cannot reach the next checkpoint. */
    @Test
    void unknownArraysAreRefused() throws Exception {
        Trainer t = trained();
        Map<String, double[]> state = new LinkedHashMap<>(t.optimizer().state());
        state.put("optimizer.second.c.weighx", state.get("optimizer.second.c.weight"));
        Path file = save(t, state);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, net));
        assertEquals("array 'optimizer.second.c.weighx' is state of parameter 'c.weighx', which model 'bars' does not "
                + "have", e.problem());

        Checkpoint c = CheckpointReader.read(save(t, t.optimizer().state()));
        Map<String, NdArray> arrays = new LinkedHashMap<>(c.arrays());
        arrays.put("notes", NdArray.ofInts(new int[] {1}, 1));
        CheckpointWriter.write(file, Checkpoint.of(arrays, c.manifest()));
        e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, net));
        assertTrue(e.problem().startsWith("array 'notes' is neither a parameter of model 'bars' nor optimiser state"),
                e.problem());
    }

    /** Shapes, not only element counts, are checked for parameters and state. */
    @Test
    void everyRestoredArrayHasTheModelsShape() throws Exception {
        Trainer t = trained();
        Checkpoint c = CheckpointReader.read(save(t, t.optimizer().state()));
        Path file = dir.resolve("reshaped.npz");

        Map<String, NdArray> arrays = new LinkedHashMap<>(c.arrays());
        NdArray w = c.array("c.weight").orElseThrow();
        arrays.put("c.weight", NdArray.of(w.floats(), w.shape()[0], w.size() / w.shape()[0]));
        CheckpointWriter.write(file, Checkpoint.of(arrays, c.manifest()));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, net));
        assertEquals("array 'c.weight' is float32 (6, 9), model 'bars' needs float32 (6, 1, 3, 3)", e.problem());

        arrays = new LinkedHashMap<>(c.arrays());
        NdArray m = c.array("optimizer.first.c.weight").orElseThrow();
        arrays.put("optimizer.first.c.weight", NdArray.ofDoubles(m.doubles(), 6, 9));
        CheckpointWriter.write(file, Checkpoint.of(arrays, c.manifest()));
        e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, net));
        assertEquals("array 'optimizer.first.c.weight' is float64 (6, 9), but the state of 'c.weight' is float64 (54,)",
                e.problem());
    }

    /** An SGD run cannot continue from Adam's state, nor Adam from SGD's. */
    @Test
    void stateOfAnotherOptimizerIsRefused() throws Exception {
        Trainer t = trained();
        Path file = save(t, t.optimizer().state());
        TrainSpec sgd = new TrainSpec(spec.origin(), spec.method(), spec.dataset(), spec.epochs(), spec.batch(),
                new TrainSpec.Sgd(0.01, 0.9, 0), spec.schedule(), spec.loss(), spec.targets(), spec.seed(), 0);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TrainingCheckpoint.read(file, net).restore(file, net, sgd, 2, new Optimizer(sgd.optimizer())));
        assertTrue(e.problem().contains("is Adam's second moment, but the model trains with sgd"), e.problem());
    }

    /** QAT master weights: all of them once QAT epochs began, none before. */
    @Test
    void qatMasterWeightsMustBeCompleteAndExpected() throws Exception {
        Trainer t = trained();
        Map<String, double[]> state = new LinkedHashMap<>(t.optimizer().state());
        state.put(TrainingCheckpoint.QAT_MASTER + "c.weight", new double[54]);
        Path file = save(t, state);
        CheckpointException e = assertThrows(CheckpointException.class, () -> resume(file, new Optimizer(spec.optimizer())));
        assertTrue(e.problem().startsWith("array 'qat.master.c.weight' holds quantisation-aware master weights, but "
                + "after 1 epochs this run (2 float epochs, 0 QAT epochs) has not begun"), e.problem());

        TrainSpec qat = new TrainSpec(spec.origin(), spec.method(), spec.dataset(), spec.epochs(), spec.batch(),
                spec.optimizer(), spec.schedule(), spec.loss(), spec.targets(), spec.seed(), 2);
        e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file, net)
                .restore(file, net, qat, 0, new Optimizer(qat.optimizer())));
        String firstMissing = Parameters.sizes(net).keySet().stream().filter(k -> !k.equals("c.weight")).findFirst()
                .orElseThrow();
        assertTrue(e.problem().startsWith("array 'qat.master." + firstMissing + "' is missing: epoch 1 is a "
                + "quantisation-aware epoch"), e.problem());
    }
}

package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.Network;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.pipeline.LoadedModel;
import dev.spikeforge.pipeline.Pipeline;
import dev.spikeforge.runtime.audio.Audio;
import dev.spikeforge.runtime.audio.AudioClips;
import dev.spikeforge.runtime.audio.AudioFolders;
import dev.spikeforge.runtime.audio.Filterbank;
import dev.spikeforge.runtime.audio.WavEncoding;
import dev.spikeforge.runtime.audio.WavWriter;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.checkpoint.Npy;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageDataset;
import dev.spikeforge.runtime.encode.InputEncoder;
import dev.spikeforge.runtime.verify.FloatIntegerComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sound and event streams through the whole command line: a keyword-spotting model fed by the
 * spiking filterbank trains and verifies exactly on xylo_like, the filterbank's events are the
 * integer model's input bit for bit, an event-file model verifies exactly on loihi_like, and
 * {@code audio features} writes torchaudio's MFCC.
 */
class AudioEventsEndToEndTest {

    @TempDir
    static Path dir;

    /** Two "words": a rising and a falling chirp, in noise, at several rates, lengths and levels. */
    @BeforeAll
    static void sounds() throws Exception {
        SplittableRandom rnd = new SplittableRandom(4);
        int[] rates = {16000, 22050, 8000, 48000};
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? 24 : 8;
            for (int i = 0; i < n; i++) {
                for (String word : new String[] {"up", "down"}) {
                    int rate = rates[rnd.nextInt(rates.length)];
                    double seconds = 0.3 + 0.4 * rnd.nextDouble();
                    double level = 0.1 + 0.8 * rnd.nextDouble();
                    float[] x = new float[(int) (rate * seconds)];
                    double phase = 0;
                    for (int k = 0; k < x.length; k++) {
                        double f = word.equals("up") ? 300 + 2500.0 * k / x.length : 2800 - 2500.0 * k / x.length;
                        phase += 2 * Math.PI * f / rate;
                        x[k] = (float) (level * Math.sin(phase) + 0.02 * (rnd.nextDouble() - 0.5));
                    }
                    Path f = dir.resolve("sounds").resolve(split).resolve(word).resolve(String.format("%02d.wav", i));
                    Files.createDirectories(f.getParent());
                    WavWriter.write(f, Audio.mono(rate, x), i % 2 == 0 ? WavEncoding.PCM_S16 : WavEncoding.FLOAT32);
                }
            }
        }
    }

    private static final String KWS = """
            model chirps
            input 16 encode events(bins = 50)
            timesteps 50
            neuron syn = CUBA(alpha = 0.5, beta = 0.875, threshold = 1.0)
            layers {
                h   = dense(24, recurrent = true) -> syn
                out = readout(2, mode = membrane, beta = 0.9375)
            }
            train {
                method    = surrogate(shape = fast_sigmoid, slope = 5)
                dataset   = audio("sounds", rate = 16000, seconds = 0.5, frontend = filterbank(16))
                epochs    = 3
                batch     = 8
                optimizer = adam(lr = 0.01)
                seed      = 3
            }
            deploy {
                weights      = int(8)
                membrane     = int(14)
                current_bits = 12
                leak         = shift
                target neurocore(preset = xylo_like)
            }
            """;

    @Test
    void aFilterbankModelTrainsAndVerifiesExactlyOnXyloLike() throws Exception {
        Path model = dir.resolve("chirps.snn");
        Files.writeString(model, KWS);
        CliRun check = CliRun.of("check", model.toString());
        assertEquals(ExitCodes.OK, check.exit(), check.out() + check.err());
        Path checkpoint = dir.resolve("chirps.npz");
        CliRun train = CliRun.of("train", model.toString(), "--out", checkpoint.toString());
        assertEquals(ExitCodes.OK, train.exit(), train.out() + train.err());
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--target", "xylo_like",
                "--out", dir.resolve("chip").toString(), "--tolerance-agreement", "0", "--tolerance-drop", "100");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("16 of 16 samples exactly equal to the integer model"), r.out());
        CliRun p = CliRun.of("profile", model.toString(), "--checkpoint", checkpoint.toString(), "--target", "xylo_like",
                "--samples", "4", "--out", dir.resolve("profiled").toString());
        assertEquals(ExitCodes.OK, p.exit(), p.out() + p.err());
        assertTrue(p.out().contains("real-time factor") && p.out().contains("s clip of audio"), p.out());
        assertTrue(p.out().contains("energy per inference"), p.out());
    }

    @Test
    void theFilterbanksEventsAreTheIntegerModelsInputBitForBit() throws Exception {
        Path model = dir.resolve("events-equal.snn");
        Files.writeString(model, KWS);
        LoadedModel loaded = Pipeline.builder().build().load(model);
        Network net = loaded.network();
        TrainSpec.AudioDataset spec = (TrainSpec.AudioDataset) loaded.train().dataset();
        DatasetSplits data = AudioFolders.load(dir.resolve("sounds"), spec);
        ImageDataset test = data.test();
        int[] idx = new int[test.count()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        float[] input = InputEncoder.encode(net, test, idx, loaded.seed());
        int[][] ints = FloatIntegerComparison.integerInputs(input, idx.length, 16, 50, false);
        Path clip = dir.resolve("sounds/test/down/03.wav");
        int sample = 3; // "down" is label 0 (name order), file 03 is its fourth sample
        // the front end by hand, from the file
        Filterbank bank = new Filterbank((Frontend.Filterbank) spec.frontend(), 16000);
        byte[] events = bank.events(Filterbank.pcm(AudioClips.load(clip, 16000, 8000)), 50);
        // ... and as `audio features` writes it
        Path npy = dir.resolve("down03.npy");
        CliRun r = CliRun.of("audio", "features", clip.toString(), "--frontend", "filterbank(16)", "--rate", "16000",
                "--seconds", "0.5", "-o", npy.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        NdArray written = Npy.fromBytes(Files.readAllBytes(npy));
        assertArrayEquals(new int[] {50, 16}, written.shape());
        assertArrayEquals(events, written.bytes());
        int spikes = 0;
        for (int k = 0; k < events.length; k++) {
            assertEquals(events[k], ints[sample][k], "step " + k / 16 + " channel " + k % 16);
            spikes += events[k];
        }
        assertTrue(spikes > 20, "the clip makes events: " + spikes);
    }

    private static final String EVENTS = """
            model evtiny
            input 2x34x34 encode events(bins = 10)
            timesteps 10
            neuron lif = LIF(beta = 0.875, threshold = 1.0, reset = zero)
            layers {
                h   = dense(16) -> lif
                out = readout(3)
            }
            train {
                dataset   = events("%s")
                epochs    = 2
                batch     = 4
                seed      = 1
            }
            deploy {
                weights  = int(8)
                membrane = int(16)
                leak     = multiplier(12)
                target neurocore(preset = loihi_like)
                target fpga(lanes = 2)
            }
            """;

    @Test
    void anEventFileModelTrainsAndVerifiesExactlyOnAChipAndAnFpga() throws Exception {
        Path data = Path.of("../runtime/src/test/resources/events/fmnist-tiny").toAbsolutePath().normalize();
        Path model = dir.resolve("evtiny.snn");
        Files.writeString(model, EVENTS.formatted(data.toString().replace("\\", "/")));
        Path checkpoint = dir.resolve("evtiny.npz");
        CliRun train = CliRun.of("train", model.toString(), "--out", checkpoint.toString());
        assertEquals(ExitCodes.OK, train.exit(), train.out() + train.err());
        CliRun r = CliRun.of("verify", model.toString(), "--checkpoint", checkpoint.toString(), "--target", "loihi_like",
                "--target", "fpga(lanes = 2)", "--rtl", "--simulator", "iverilog", "--out", dir.resolve("ev").toString(),
                "--tolerance-agreement", "0", "--tolerance-drop", "100");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("12 of 12 samples exactly equal to the integer model"), r.out());
        assertTrue(r.out().contains("icarus RTL simulation: 12 of 12 samples exactly equal to the emulator"), r.out());
    }

    /**
     * augment on event recordings of a 2x34x34 sensor: train says that every bin of a recording
     * moves alike, and one epoch trains to other weights than the same epoch without it.
     */
    @Test
    void augmentMovesEveryBinOfTheTrainingRecordings() throws Exception {
        Path data = Path.of("../runtime/src/test/resources/events/fmnist-tiny").toAbsolutePath().normalize();
        String text = EVENTS.formatted(data.toString().replace("\\", "/")).replace("epochs    = 2", "epochs    = 1");
        Path plain = dir.resolve("evplain.snn");
        Files.writeString(plain, text);
        Path moved = dir.resolve("evaug.snn");
        Files.writeString(moved, text.replace("seed      = 1", "seed      = 1\n    augment   = [shift(2), hflip]"));
        CliRun a = CliRun.of("train", moved.toString(), "--out", dir.resolve("evaug.npz").toString());
        assertEquals(ExitCodes.OK, a.exit(), a.out() + a.err());
        assertTrue(a.err().contains("== augment = [shift(2), hflip]: each training recording (all its bins alike) mirrored"
                + " left to right half the time, then moved by -2..2 pixels down and across, drawn anew every epoch; test"
                + " and validation recordings as they are"), a.err());
        CliRun p = CliRun.of("train", plain.toString(), "--out", dir.resolve("evplain.npz").toString());
        assertEquals(ExitCodes.OK, p.exit(), p.out() + p.err());
        float[] w = dev.spikeforge.runtime.checkpoint.CheckpointReader.read(dir.resolve("evaug.npz")).array("h.weight")
                .orElseThrow().floats();
        float[] u = dev.spikeforge.runtime.checkpoint.CheckpointReader.read(dir.resolve("evplain.npz")).array("h.weight")
                .orElseThrow().floats();
        assertFalse(java.util.Arrays.equals(w, u), "augment changed nothing");
    }

    @Test
    void audioFeaturesWritesTorchaudiosMfcc() throws Exception {
        Path golden = Path.of("../runtime/src/test/resources/audio").toAbsolutePath().normalize();
        Path npy = dir.resolve("speech.npy");
        CliRun r = CliRun.of("audio", "features", golden.resolve("speech_22050_s16.wav").toString(), "--frontend",
                "mfcc(n_mfcc = 20)", "-o", npy.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("float32 [20, "), r.out());
        float[] ours = Npy.fromBytes(Files.readAllBytes(npy)).floats();
        double[] theirs = Npy.fromBytes(Files.readAllBytes(golden.resolve("speech_22050_s16.mfcc-seed.f64.npy"))).doubles();
        assertEquals(theirs.length, ours.length);
        double worst = 0;
        for (int i = 0; i < ours.length; i++) {
            worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
        }
        // float32 output: relative 2^-23 of each value
        assertTrue(worst < 1e-6, "worst relative difference " + worst);
    }

    @Test
    void badAudioInputGetsOneClearMessage() throws Exception {
        Path junk = dir.resolve("junk.wav");
        Files.writeString(junk, "RIFF\u0004\u0000\u0000\u0000WAVE");
        CliRun r = CliRun.of("audio", "features", junk.toString(), "--frontend", "mfcc", "-o", dir.resolve("j.npy").toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("junk.wav") && !r.err().contains("Exception"), r.err());
        CliRun f = CliRun.of("audio", "features", dir.resolve("sounds/test/up/00.wav").toString(), "--frontend",
                "mfcc(n_mfc = 20)", "-o", dir.resolve("j.npy").toString());
        assertEquals(ExitCodes.USAGE, f.exit(), f.out() + f.err());
        assertTrue(f.err().contains("n_mfc") && f.err().contains("n_mfcc"), f.err());
        CliRun s = CliRun.of("audio", "features", golden("tiny_16000_s16.wav"), "--frontend", "mfcc", "-o",
                dir.resolve("j.npy").toString());
        assertEquals(ExitCodes.INPUT_ERROR, s.exit(), s.out() + s.err());
        assertTrue(s.err().contains("n_fft / 2"), s.err());
    }

    private static String golden(String name) {
        return Path.of("../runtime/src/test/resources/audio").resolve(name).toAbsolutePath().normalize().toString();
    }
}

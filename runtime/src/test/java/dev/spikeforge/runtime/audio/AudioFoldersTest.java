package dev.spikeforge.runtime.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.TrainSpec;
import dev.spikeforge.runtime.data.DatasetException;
import dev.spikeforge.runtime.data.DatasetSplits;
import dev.spikeforge.runtime.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audio datasets (docs/language.md, dataset = audio; docs/semantics.md section 12.4). */
class AudioFoldersTest {

    @TempDir
    Path dir;

    private static final Frontend.Filterbank BANK = Frontend.Filterbank.DEFAULT;

    private static TrainSpec.AudioDataset spec(List<String> classes, Frontend frontend) {
        return new TrainSpec.AudioDataset("x", 16000, 0.5, classes, frontend);
    }

    /** A tone of {@code hz} at {@code rate}, {@code seconds} long, in {@code channels} channels. */
    private static Audio tone(double hz, int rate, double seconds, int channels) {
        int n = (int) Math.round(rate * seconds);
        float[][] x = new float[channels][n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                x[c][i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate));
            }
        }
        return new Audio(rate, x);
    }

    private void write(String split, String cls, String name, Audio a) throws IOException {
        Path p = dir.resolve(split).resolve(cls).resolve(name);
        Files.createDirectories(p.getParent());
        WavWriter.write(p, a, WavEncoding.PCM_S16);
    }

    private void twoClasses() throws IOException {
        write("train", "low", "a.wav", tone(200, 16000, 0.5, 1));
        write("train", "low", "b.wav", tone(220, 22050, 0.7, 2));
        write("train", "high", "a.wav", tone(3000, 48000, 0.3, 1));
        write("test", "low", "z.wav", tone(210, 8000, 0.5, 1));
        write("test", "high", "z.wav", tone(2800, 16000, 0.5, 1));
    }

    @Test
    void classesAreTheFoldersInNameOrderAndSamplesTheFilesInNameOrder() throws Exception {
        twoClasses();
        DatasetSplits s = AudioFolders.load(dir, spec(List.of(), BANK));
        ImageDataset train = s.train();
        assertEquals(3, train.count());
        assertEquals(2, train.classes());
        // "high" before "low": label 0 is high
        assertArrayEquals(new int[] {0, 1, 1}, new int[] {train.label(0), train.label(1), train.label(2)});
        assertEquals(50, train.height(), "0.5 s of 10 ms steps");
        assertEquals(16, train.width());
        // a high tone fires high channels, a low tone low channels
        int[] high = channelCounts(train, 0);
        int[] low = channelCounts(train, 1);
        assertTrue(high[15] + high[14] > high[0] + high[1], java.util.Arrays.toString(high));
        assertTrue(low[3] + low[4] > low[14] + low[15], java.util.Arrays.toString(low));
        assertEquals(2, s.test().count());
    }

    /** Each training clip's group is its speaker as its file name says, numbered in sample order. */
    @Test
    void trainingClipsAreGroupedBySpeakerFromTheFileName() throws Exception {
        write("train", "low", "voiceA_0.wav", tone(200, 16000, 0.5, 1));
        write("train", "low", "voiceB_0.wav", tone(220, 16000, 0.5, 2));
        write("train", "high", "voiceA_1.wav", tone(3000, 16000, 0.5, 1));
        write("train", "high", "voiceC_0.wav", tone(2900, 16000, 0.5, 1));
        write("test", "low", "z.wav", tone(210, 8000, 0.5, 1));
        write("test", "high", "z.wav", tone(2800, 16000, 0.5, 1));
        DatasetSplits s = AudioFolders.load(dir, spec(List.of(), BANK));
        // samples: high/voiceA_1, high/voiceC_0, low/voiceA_0, low/voiceB_0
        assertArrayEquals(new int[] {0, 1, 0, 2}, s.trainGroups());
    }

    @Test
    void givenClassesPickFoldersAndTheirLabelOrder() throws Exception {
        twoClasses();
        write("train", "other", "a.wav", tone(1000, 16000, 0.5, 1));
        DatasetSplits s = AudioFolders.load(dir, spec(List.of("low", "high"), BANK));
        assertEquals(3, s.train().count(), "the folder 'other' is not read");
        assertArrayEquals(new int[] {0, 0, 1}, new int[] {s.train().label(0), s.train().label(1), s.train().label(2)});
    }

    @Test
    void aClipIsTheMonoMixdownAtTheDatasetRateCutOrPaddedAtItsEnd() throws Exception {
        // the same tone written at 48 kHz in stereo and at 16 kHz in mono, 0.7 s: the events of the
        // first 0.5 s come from the same samples up to the resampler's rounding
        Audio stereo = tone(500, 48000, 0.7, 2);
        Path p = dir.resolve("s.wav");
        WavWriter.write(p, stereo, WavEncoding.FLOAT32);
        float[] clip = AudioClips.load(p, 16000, 8000);
        assertEquals(8000, clip.length);
        float[] direct = AudioClips.fit(AudioClips.mono(stereo, 16000), 8000);
        assertArrayEquals(direct, clip);
        float[] padded = AudioClips.load(p, 16000, 16000);
        for (int i = 11200; i < 16000; i++) {
            assertEquals(0f, padded[i], "zero padding after the 0.7 s at sample " + i);
        }
    }

    @Test
    void mfccSamplesAreCoefficientImages() throws Exception {
        twoClasses();
        DatasetSplits s = AudioFolders.load(dir, spec(List.of(), Frontend.Mfcc.SEED));
        assertEquals(1, s.train().channels());
        assertEquals(20, s.train().height());
        assertEquals(1 + 8000 / 200, s.train().width());
    }

    @Test
    void aTestSetAloneLoadsWithAnEmptyTrainingSet() throws Exception {
        write("test", "low", "z.wav", tone(210, 8000, 0.5, 1));
        DatasetSplits s = AudioFolders.load(dir, spec(List.of(), BANK));
        assertEquals(0, s.train().count());
        assertEquals(1, s.test().count());
    }

    @Test
    void aBrokenClipIsNamedWithTheProblemAndTheFirstInDatasetOrderWins() throws Exception {
        twoClasses();
        Files.writeString(dir.resolve("train/low/c.wav"), "RIFF....WAVEjunk");
        Files.writeString(dir.resolve("train/low/d.wav"), "not a wav at all");
        DatasetException e = assertThrows(DatasetException.class, () -> AudioFolders.load(dir, spec(List.of(), BANK)));
        assertTrue(e.getMessage().contains("c.wav"), e.getMessage());
    }

    @Test
    void missingPiecesAreToldWithTheirFix() throws Exception {
        twoClasses();
        String m = assertThrows(DatasetException.class,
                () -> AudioFolders.load(dir, spec(List.of("low", "mid"), BANK))).getMessage();
        assertTrue(m.contains("mid") && m.contains("no such class folder") && m.contains("classes = [...]"), m);
        Files.createDirectories(dir.resolve("train/empty"));
        m = assertThrows(DatasetException.class, () -> AudioFolders.load(dir, spec(List.of(), BANK))).getMessage();
        assertTrue(m.contains("no .wav files") && m.contains("empty"), m);
        Path bare = dir.resolve("bare");
        Files.createDirectories(bare.resolve("train/low"));
        m = assertThrows(DatasetException.class, () -> AudioFolders.load(bare, spec(List.of(), BANK))).getMessage();
        assertTrue(m.contains("no .wav files"), m);
        Path noTest = dir.resolve("notest");
        Files.createDirectories(noTest.resolve("train/low"));
        WavWriter.write(noTest.resolve("train/low/a.wav"), tone(200, 16000, 0.5, 1), WavEncoding.PCM_S16);
        m = assertThrows(DatasetException.class, () -> AudioFolders.load(noTest, spec(List.of(), BANK))).getMessage();
        assertTrue(m.contains("test/") && m.contains("train/CLASS/*.wav"), m);
    }

    private static int[] channelCounts(ImageDataset d, int sample) {
        int[] c = new int[d.width()];
        for (int i = 0; i < d.sampleSize(); i++) {
            c[i % d.width()] += d.pixel(sample, i);
        }
        return c;
    }
}

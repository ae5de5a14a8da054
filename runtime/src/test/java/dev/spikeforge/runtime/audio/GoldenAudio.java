package dev.spikeforge.runtime.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikeforge.runtime.checkpoint.NdArray;
import dev.spikeforge.runtime.checkpoint.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden files of scripts/golden-torchaudio-mfcc.py in src/test/resources/audio: the clips,
 * torchaudio's outputs as .npy, and manifest.json that lists them.
 */
final class GoldenAudio {

    static final Path FOLDER = folder();
    static final JsonNode MANIFEST = json(FOLDER.resolve("manifest.json"));

    private GoldenAudio() {
    }

    /** Every clip's manifest entry. */
    static List<JsonNode> clips() {
        List<JsonNode> out = new ArrayList<>();
        MANIFEST.get("clips").forEach(out::add);
        return out;
    }

    static Path wav(JsonNode clip) {
        return FOLDER.resolve(clip.get("name").asText() + ".wav");
    }

    static NdArray npy(String name) {
        try (InputStream in = Files.newInputStream(FOLDER.resolve(name))) {
            return Npy.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any float32 or float64 array's elements as doubles, in C order. */
    static double[] values(NdArray a) {
        return switch (a.dtype()) {
            case FLOAT64 -> a.doubles();
            case FLOAT32 -> {
                float[] f = a.floats();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                yield d;
            }
            default -> throw new IllegalArgumentException("golden arrays are float32 or float64, got " + a.dtype());
        };
    }

    static double[] flatten(double[][] x) {
        int n = 0;
        for (double[] r : x) {
            n += r.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] r : x) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }

    static double[] flatten(float[][] x) {
        double[] out = new double[x.length * (x.length == 0 ? 0 : x[0].length)];
        int at = 0;
        for (float[] r : x) {
            for (float v : r) {
                out[at++] = v;
            }
        }
        return out;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static Path folder() {
        try {
            return Path.of(GoldenAudio.class.getResource("/audio/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.spikeforge.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and numpy read each other's files: numpy.load reads what CheckpointWriter writes,
 * CheckpointReader reads what numpy.savez and numpy.savez_compressed write. Runs Debian's
 * /usr/bin/python3 with python3-numpy (1.24.2 on Debian 12); fails, not skips, without them.
 */
class NumpyInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** For every array: numpy's name, dtype string, shape and the SHA-256 of its C-order bytes. */
    private static final String DESCRIBE = String.join("\n",
            "import hashlib, json, sys, zipfile",
            "import numpy as np",
            "path = sys.argv[1]",
            "out = {'numpy': np.__version__, 'arrays': []}",
            "with np.load(path) as z:",
            "    out['files'] = list(z.files)",
            "    for k in z.files:",
            "        if k == 'manifest.json':",
            "            out['npz_manifest'] = z[k].decode('utf-8')",  // numpy 1.24 returns non-.npy members as bytes
            "            continue",
            "        a = z[k]",
            "        out['arrays'].append({'name': k, 'dtype': a.dtype.str, 'shape': list(a.shape),",
            "                              'sha256': hashlib.sha256(a.tobytes()).hexdigest(),",
            "                              'values': a.tolist() if a.size <= 4 and a.dtype.kind != 'f' else None})",
            "with zipfile.ZipFile(path) as zf:",
            "    out['manifest'] = json.loads(zf.read('manifest.json').decode('utf-8'))",
            "    out['entries'] = [{'name': i.filename, 'compress_type': i.compress_type,",
            "                       'date_time': list(i.date_time), 'extra': len(i.extra)} for i in zf.infolist()]",
            "    out['bad_crc'] = zf.testzip()",
            "print(json.dumps(out))");

    @Test
    void numpyLoadsWhatSpikeforgeWrites() throws Exception {
        Checkpoint.Builder b = Checkpoint.builder();
        CheckpointFileTest.lenetLike().arrays().forEach(b::put);
        b.put("out.weight", NdArray.of(new float[] {0.5f, -1.25f, 3f, Float.NaN, -0.0f, Float.POSITIVE_INFINITY,
            Float.MIN_VALUE, Float.MAX_VALUE}, 2, 4));
        int[][] shapes = {{}, {0}, {5}, {2, 3, 4}};
        for (DType t : DType.values()) {
            for (int i = 0; i < shapes.length; i++) {
                b.put("all." + t.numpyName() + "." + i, Samples.of(t, 100 + t.ordinal() * 4 + i, shapes[i]));
            }
        }
        b.put("ν.threshold", NdArray.ofInts(new int[] {7, -7}, 2));
        Checkpoint c = b.manifest(CheckpointFileTest.lenetLike().manifest()).build();
        Path file = dir.resolve("java.npz");
        CheckpointWriter.write(file, c);

        JsonNode out = JSON.readTree(PythonNumpy.run(dir, DESCRIBE, file.toString()));
        String numpy = "numpy " + out.get("numpy").asText();

        List<String> files = new ArrayList<>(c.names());
        files.add(Checkpoint.MANIFEST_ENTRY);
        assertEquals(files, strings(out.get("files")), numpy);
        ArrayNode arrays = (ArrayNode) out.get("arrays");
        assertEquals(c.names().size(), arrays.size());
        for (JsonNode a : arrays) {
            String name = a.get("name").asText();
            NdArray expected = c.array(name).orElseThrow();
            assertEquals(expected.dtype().descr(), a.get("dtype").asText(), numpy + ": dtype of " + name);
            assertEquals(shapeList(expected), JSON.convertValue(a.get("shape"), List.class), numpy + ": shape of " + name);
            assertEquals(sha256(expected.toLittleEndian()), a.get("sha256").asText(), numpy + ": bytes of " + name);
        }
        assertEquals("[7,-7]", find(arrays, "ν.threshold").get("values").toString(), "a non-ASCII name");
        assertEquals("1200", find(arrays, "optimizer.adam.step").get("values").toString(), "a scalar");
        assertEquals(c.manifest(), out.get("manifest"), numpy + ": manifest");
        assertEquals(new String(ManifestJson.toBytes(c.manifestNode()), StandardCharsets.UTF_8),
                out.get("npz_manifest").asText());
        for (JsonNode e : out.get("entries")) {
            assertEquals(0, e.get("compress_type").asInt(), "ZIP_STORED: " + e);
            assertEquals("[1980,1,1,0,0,2]", e.get("date_time").toString(), e.toString());
            assertEquals(0, e.get("extra").asInt(), e.toString());
        }
        assertTrue(out.get("bad_crc").isNull(), "zipfile.testzip: " + out.get("bad_crc"));
    }

    @Test
    void spikeforgeReadsWhatNumpySavezWrites() throws Exception {
        String script = String.join("\n",
                "import hashlib, json, sys, zipfile",
                "import numpy as np",
                "arrays = {",
                "    'c1.weight': np.arange(24, dtype='<f4').reshape(2, 3, 4) * 0.5 - 3,",
                "    'specials': np.array([np.nan, -0.0, np.inf, -np.inf, 1e-45, 3.4e38], dtype='<f4'),",
                "    'f64': np.linspace(-1, 1, 5),",
                "    'step': np.array(1200, dtype='<i8'),",
                "    'i32': np.array([[1, -2], [3, -4]], dtype='<i4'),",
                "    'i16': np.array([-32768, 32767], dtype='<i2'),",
                "    'i8': np.array([-128, 127], dtype='|i1'),",
                "    'u8': np.arange(250, 256, dtype='|u1'),",
                "    'mask': np.array([True, False, True]),",
                "    'empty': np.zeros((0, 3)),",
                "}",
                "manifest = {'format': 'spikeforge.checkpoint/1', 'epoch': 3, 'model_source': 'model m\\n'}",
                "for path, save, method in ((sys.argv[1], np.savez, zipfile.ZIP_STORED),",
                "                           (sys.argv[2], np.savez_compressed, zipfile.ZIP_DEFLATED)):",
                "    save(path, **arrays)",
                "    with zipfile.ZipFile(path, 'a') as zf:",
                "        zf.writestr('manifest.json', json.dumps(manifest, indent=2), compress_type=method)",
                "print(json.dumps({'numpy': np.__version__, 'arrays': [{'name': k, 'dtype': a.dtype.str,",
                "    'shape': list(a.shape), 'sha256': hashlib.sha256(a.tobytes()).hexdigest()} for k, a in arrays.items()]}))");
        Path stored = dir.resolve("savez.npz");
        Path deflated = dir.resolve("savez_compressed.npz");
        JsonNode out = JSON.readTree(PythonNumpy.run(dir, script, stored.toString(), deflated.toString()));
        String numpy = "numpy " + out.get("numpy").asText();

        for (Path file : List.of(stored, deflated)) {
            Checkpoint c = CheckpointReader.read(file);
            List<String> names = new ArrayList<>();
            for (JsonNode a : out.get("arrays")) {
                String name = a.get("name").asText();
                names.add(name);
                NdArray got = c.array(name).orElseThrow();
                assertEquals(a.get("dtype").asText(), got.dtype().descr(), numpy + " " + file + ": " + name);
                assertEquals(JSON.convertValue(a.get("shape"), List.class), shapeList(got), file + ": " + name);
                assertEquals(a.get("sha256").asText(), sha256(got.toLittleEndian()), file + ": " + name);
            }
            assertEquals(names, c.names(), "numpy's order");
            float[] c1 = new float[24];
            for (int i = 0; i < c1.length; i++) {
                c1[i] = i * 0.5f - 3;
            }
            assertEquals(NdArray.of(c1, 2, 3, 4), c.array("c1.weight").orElseThrow());
            assertEquals(NdArray.of(new float[] {Float.NaN, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, 3.4e38f}, 6), c.array("specials").orElseThrow());
            assertEquals(NdArray.ofLongs(new long[] {1200}), c.array("step").orElseThrow());
            assertEquals(NdArray.ofUnsignedBytes(new byte[] {(byte) 250, (byte) 251, (byte) 252, (byte) 253,
                (byte) 254, (byte) 255}, 6), c.array("u8").orElseThrow());
            assertEquals(NdArray.ofBooleans(new boolean[] {true, false, true}, 3), c.array("mask").orElseThrow());
            assertEquals(NdArray.ofDoubles(new double[0], 0, 3), c.array("empty").orElseThrow());
            assertEquals(3, c.manifest().get("epoch").asInt());
            assertEquals("model m\n", c.manifest().get("model_source").asText());
        }
    }

    /** numpy's header for shapes of every rank and for large sizes, against Npy.preamble. */
    @Test
    void preamblesMatchNumpyForManyShapes() throws Exception {
        ArrayNode cases = JSON.createArrayNode();
        for (int rank = 0; rank <= NdArray.MAX_RANK; rank++) {
            for (int size : new int[] {1, 10, 12345}) {
                int[] shape = new int[rank];
                Arrays.fill(shape, size);
                if (rank == 0 || (long) Math.pow(size, rank) < 1_000_000_000L) {
                    addCase(cases, DType.values()[rank % DType.values().length], shape);
                }
            }
        }
        addCase(cases, DType.INT8, new int[] {(int) NdArray.MAX_DATA_BYTES});
        addCase(cases, DType.UINT8, new int[] {46340, 46340});
        addCase(cases, DType.FLOAT64, new int[] {3, 0, 1_000_000});
        String script = String.join("\n",
                "import io, json, sys",
                "import numpy as np",
                "out = []",
                "for descr, shape in json.loads(sys.argv[1]):",
                "    b = io.BytesIO()",
                "    np.lib.format.write_array_header_1_0(b, {'descr': descr, 'fortran_order': False, 'shape': tuple(shape)})",
                "    out.append(b.getvalue().hex())",
                "print(json.dumps(out))");
        JsonNode out = JSON.readTree(PythonNumpy.run(dir, script, cases.toString()));
        assertEquals(cases.size(), out.size());
        for (int i = 0; i < cases.size(); i++) {
            DType t = DType.fromDescr(cases.get(i).get(0).asText()).orElseThrow();
            int[] shape = JSON.convertValue(cases.get(i).get(1), int[].class);
            assertEquals(out.get(i).asText(), HexFormat.of().formatHex(Npy.preamble(t, shape)),
                    t + " " + NdArray.shapeString(shape));
        }
    }

    private static void addCase(ArrayNode cases, DType t, int[] shape) {
        ArrayNode c = cases.addArray();
        c.add(t.descr());
        ArrayNode s = c.addArray();
        for (int d : shape) {
            s.add(d);
        }
    }

    private static JsonNode find(ArrayNode arrays, String name) {
        for (JsonNode a : arrays) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("numpy did not list " + name);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Integer> shapeList(NdArray a) {
        List<Integer> out = new ArrayList<>();
        for (int d : a.shape()) {
            out.add(d);
        }
        return out;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.io.Checksums;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.quant.QuantLeak;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fpga folder: {@code fpga.json} (schema {@value #SCHEMA}), {@code rtl/}, {@code mem/},
 * {@code tb/}. {@link #write} builds it whole and swaps it in; {@link #read} takes the design back
 * from {@code fpga.json} and the memory images alone, checking every file against its checksum and
 * every field against its range, so the emulator runs what was shipped.
 */
public final class FpgaFolder {

    public static final String SCHEMA = "spikeforge.fpga/1";
    /** The folder's description, the file that marks an fpga folder. */
    public static final String DESCRIPTION = "fpga.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FpgaFolder() {
    }

    /** Writes the whole folder; the same design gives the same bytes. */
    public static void write(FpgaDesign d, Path folder, VerilogGenerator.Fault fault) throws IOException {
        AtomicFiles.writeFolder(folder, dir -> fill(d, dir, fault));
    }

    private static void fill(FpgaDesign d, Path dir, VerilogGenerator.Fault fault) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        VerilogGenerator g = new VerilogGenerator(d, fault);
        TopGenerator t = new TopGenerator(d);
        for (FpgaLayer l : d.layers()) {
            files.put("rtl/" + VerilogGenerator.moduleName(d, l) + ".v", utf8(g.layer(l)));
            FpgaDesign.Images im = d.images().get(l.index());
            files.put(VerilogGenerator.memFile(d, l, "w"), utf8(hex(im.weights(), l.weightBits())));
            if (l.biasBits() > 0) {
                files.put(VerilogGenerator.memFile(d, l, "b"), utf8(hex(im.bias(), l.biasBits())));
            }
            if (l.thetaBits() > 0) {
                files.put(VerilogGenerator.memFile(d, l, "t"), utf8(hex(im.theta(), l.thetaBits())));
            }
        }
        files.put("rtl/" + d.top() + ".v", utf8(t.top()));
        files.put("tb/tb.v", utf8(t.testbench()));
        files.put("tb/main.cpp", utf8(t.cppMain()));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        Files.writeString(dir.resolve(DESCRIPTION), JSON.writeValueAsString(json(d, files)) + "\n");
    }

    static String hex(long[][] words, int bits) {
        StringBuilder b = new StringBuilder();
        for (long[] w : words) {
            b.append(Verilog.hexWord(w, bits)).append('\n');
        }
        return b.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode json(FpgaDesign d, Map<String, byte[]> files) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("schema", SCHEMA);
        doc.put("model", d.model());
        doc.put("top", d.top());
        doc.put("timesteps", d.timesteps());
        ObjectNode in = doc.putObject("input");
        in.put("encoding", d.encoding());
        ArrayNode shape = in.putArray("shape");
        for (int s : d.inputShape()) {
            shape.add(s);
        }
        in.put("value_bits", d.layers().get(0).valueBits());
        ObjectNode par = doc.putObject("parameters");
        par.put("lanes", d.options().lanes());
        par.put("family", d.options().family());
        par.put("memory", d.options().memory());
        par.put("device", d.options().effectiveDevice());
        ObjectNode num = doc.putObject("numerics");
        num.put("shift_rounding", FpgaNumerics.rounding(d.layers().get(0).leak().towardZero()));
        num.put("threshold_compare", FpgaNumerics.THRESHOLD_COMPARE);
        num.put("overflow", d.layers().get(0).wrap() ? "wrap" : "saturate");
        ArrayNode layers = doc.putArray("layers");
        for (FpgaLayer l : d.layers()) {
            ObjectNode o = layers.addObject();
            o.put("index", l.index());
            o.put("name", l.name());
            o.put("module", VerilogGenerator.moduleName(d, l));
            o.put("kind", l.kind().name().toLowerCase(java.util.Locale.ROOT));
            o.put("mode", l.mode().name().toLowerCase(java.util.Locale.ROOT));
            putShape(o.putArray("in_shape"), l.inC(), l.inH(), l.inW());
            putShape(o.putArray("out_shape"), l.outC(), l.outH(), l.outW());
            o.put("kernel", l.kernel());
            o.put("stride", l.stride());
            o.put("padding", l.padding());
            o.put("blocks", l.blocks());
            o.put("weight_bits", l.weightBits());
            o.put("value_bits", l.valueBits());
            o.put("membrane_bits", l.membraneBits());
            o.put("acc_bits", l.accBits());
            o.put("bias_bits", l.biasBits());
            o.put("theta_bits", l.thetaBits());
            ObjectNode lk = o.putObject("leak");
            lk.put("kind", l.leak().kind());
            lk.put("k", l.leak().k());
            lk.put("m", l.leak().m());
            lk.put("f", l.leak().f());
            lk.put("toward_zero", l.leak().towardZero());
            o.put("reset", l.resetZero() ? "zero" : "subtract");
            o.put("overflow", l.wrap() ? "wrap" : "saturate");
            o.put("readout_bits", l.readoutBits());
            o.put("event_depth", l.eventDepth());
            ArrayNode ev = o.putArray("event_fields");
            ev.add(l.cBits()).add(l.yBits()).add(l.xBits());
            ArrayNode oev = o.putArray("out_event_fields");
            oev.add(l.outCBits()).add(l.outYBits()).add(l.outXBits());
            ObjectNode mm = o.putObject("memories");
            memory(mm, "events", l.eventDepth(), l.eventBits(), null);
            memory(mm, "membranes", l.memoryWords(), l.lanes() * l.accBits(), null);
            memory(mm, "weights", l.weightWords(), l.lanes() * l.weightBits(), VerilogGenerator.memFile(d, l, "w"));
            if (l.biasBits() > 0) {
                memory(mm, "bias", l.blocks(), l.lanes() * l.biasBits(), VerilogGenerator.memFile(d, l, "b"));
            }
            if (l.thetaBits() > 0) {
                memory(mm, "theta", l.blocks(), l.lanes() * l.thetaBits(), VerilogGenerator.memFile(d, l, "t"));
            }
        }
        doc.put("cycle_formula", CycleFormula.TEXT);
        ObjectNode sums = doc.putObject("files");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            sums.put(e.getKey(), sha256(e.getValue()));
        }
        return doc;
    }

    private static void putShape(ArrayNode a, int c, int h, int w) {
        a.add(c).add(h).add(w);
    }

    private static void memory(ObjectNode mm, String name, int depth, int width, String file) {
        ObjectNode m = mm.putObject(name);
        m.put("depth", depth);
        m.put("width", width);
        m.put("bits", (long) depth * width);
        if (file != null) {
            m.put("file", file);
        }
    }

    static String sha256(byte[] bytes) {
        return Checksums.sha256(bytes);
    }

    // ---- reading --------------------------------------------------------------------------------

    /** Reads a folder back; every problem is one {@link FpgaFolderException} naming the file and the field. */
    public static FpgaDesign read(Path folder) throws FpgaFolderException {
        Path json = folder.resolve(DESCRIPTION);
        JsonNode doc;
        try {
            doc = JSON.readTree(Files.readAllBytes(json));
        } catch (NoSuchFileException e) {
            throw new FpgaFolderException(json, "file", "missing: this is not an fpga folder (spikeforge compile writes one)");
        } catch (IOException e) {
            throw new FpgaFolderException(json, "file", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Reader r = new Reader(json, doc);
        String schema = r.text(doc, "schema");
        if (!SCHEMA.equals(schema)) {
            throw new FpgaFolderException(json, "schema", "is '" + schema + "', this version reads " + SCHEMA);
        }
        JsonNode sums = r.node(doc, "files");
        for (var it = sums.fields(); it.hasNext(); ) {
            var e = it.next();
            Path f = folder.resolve(e.getKey());
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException ex) {
                throw new FpgaFolderException(f, "file", "listed in fpga.json but cannot be read (" + ex.getClass().getSimpleName()
                        + "); compile again");
            }
            if (!sha256(bytes).equals(e.getValue().asText())) {
                throw new FpgaFolderException(f, "file", "its SHA-256 differs from fpga.json's: the file was changed after compile");
            }
        }
        JsonNode par = r.node(doc, "parameters");
        int lanes = r.integer(par, "lanes", 1, 64);
        if (Integer.bitCount(lanes) != 1) {
            throw new FpgaFolderException(json, "parameters.lanes", "is " + lanes + ", not a power of two");
        }
        FpgaOptions o = new FpgaOptions(lanes, r.text(par, "family"), r.text(par, "memory"), r.text(par, "device"));
        Numerics numerics = numerics(r, r.node(doc, "numerics"), json);
        JsonNode in = r.node(doc, "input");
        JsonNode shapeNode = r.node(in, "shape");
        int[] shape = new int[3];
        for (int i = 0; i < 3; i++) {
            shape[i] = r.integer(shapeNode, i, 1, 1 << 24);
        }
        List<FpgaLayer> layers = new ArrayList<>();
        List<FpgaDesign.Images> images = new ArrayList<>();
        JsonNode ls = r.node(doc, "layers");
        if (!ls.isArray() || ls.isEmpty()) {
            throw new FpgaFolderException(json, "layers", "must be a non-empty list");
        }
        for (int i = 0; i < ls.size(); i++) {
            JsonNode n = ls.get(i);
            r.at("layers[" + i + "]");
            FpgaLayer l = r.layer(n, i, lanes, i == ls.size() - 1);
            numerics.check(l, json, "layers[" + i + "]");
            FpgaLayer prev = i == 0 ? null : layers.get(i - 1);
            int[] src = prev == null ? shape : new int[] {prev.outC(), prev.outH(), prev.outW()};
            if (l.inC() != src[0] || l.inH() != src[1] || l.inW() != src[2]) {
                throw new FpgaFolderException(json, "layers[" + i + "].in_shape", "does not match the output of the layer before");
            }
            layers.add(l);
            images.add(new FpgaDesign.Images(
                    readHex(folder, VerilogGenerator.memFile(r.module(n), "w"), l.weightWords(), lanes, l.weightBits(), true),
                    l.biasBits() == 0 ? null
                            : readHex(folder, VerilogGenerator.memFile(r.module(n), "b"), l.blocks(), lanes, l.biasBits(), true),
                    l.thetaBits() == 0 ? null
                            : readHex(folder, VerilogGenerator.memFile(r.module(n), "t"), l.blocks(), lanes, l.thetaBits(), false)));
        }
        r.at("");
        return new FpgaDesign(r.text(doc, "model"), r.text(doc, "top"), r.integer(doc, "timesteps", 1, 1 << 20), o,
                r.text(in, "encoding"), shape, layers, images);
    }

    /** The numerics fpga.json records: they must be the accelerator's own and every layer's. */
    private record Numerics(boolean towardZero, boolean wrap) {

        void check(FpgaLayer l, Path json, String where) throws FpgaFolderException {
            if (l.leak().towardZero() != towardZero) {
                throw new FpgaFolderException(json, where + ".leak.toward_zero", "is " + l.leak().towardZero()
                        + " but numerics.shift_rounding is '" + FpgaNumerics.rounding(towardZero) + "'");
            }
            if (l.wrap() != wrap) {
                throw new FpgaFolderException(json, where + ".overflow", "is '" + (l.wrap() ? "wrap" : "saturate")
                        + "' but numerics.overflow is '" + (wrap ? "wrap" : "saturate") + "'");
            }
        }
    }

    /**
     * The folder's numerics against the accelerator's arithmetic (docs/semantics.md section 4.9):
     * a folder edited to another rounding or comparison would be emulated with arithmetic the RTL
     * does not have.
     */
    private static Numerics numerics(Reader r, JsonNode n, Path json) throws FpgaFolderException {
        String rounding = r.text(n, "shift_rounding");
        String accelerator = FpgaNumerics.rounding(FpgaNumerics.SHIFT_TOWARD_ZERO);
        if (!rounding.equals(accelerator)) {
            throw new FpgaFolderException(json, "numerics.shift_rounding", "is '" + rounding + "' but the fpga"
                    + " accelerator's RTL rounds shifts '" + accelerator + "' (Verilog >>>)");
        }
        String compare = r.text(n, "threshold_compare");
        if (!compare.equals(FpgaNumerics.THRESHOLD_COMPARE)) {
            throw new FpgaFolderException(json, "numerics.threshold_compare", "is '" + compare + "' but the fpga"
                    + " accelerator fires on '" + FpgaNumerics.THRESHOLD_COMPARE + "'");
        }
        String overflow = r.text(n, "overflow");
        if (!overflow.equals("saturate") && !overflow.equals("wrap")) {
            throw new FpgaFolderException(json, "numerics.overflow", "is '" + overflow + "', not saturate or wrap");
        }
        return new Numerics(false, overflow.equals("wrap"));
    }

    private static long[][] readHex(Path folder, String name, int words, int lanes, int bits, boolean signed)
            throws FpgaFolderException {
        Path f = folder.resolve(name);
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new FpgaFolderException(f, "file", "missing or unreadable; compile again");
        }
        if (lines.size() != words) {
            throw new FpgaFolderException(f, "line " + (Math.min(lines.size(), words) + 1), "has " + lines.size()
                    + " words, fpga.json says " + words);
        }
        int digits = (lanes * bits + 3) / 4;
        long[][] out = new long[words][lanes];
        for (int w = 0; w < words; w++) {
            String line = lines.get(w).trim();
            if (line.length() != digits || !line.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new FpgaFolderException(f, "line " + (w + 1), "is not a " + digits + "-digit hex word");
            }
            for (int l = 0; l < lanes; l++) {
                out[w][l] = Verilog.lane(line, l, bits, signed);
            }
        }
        return out;
    }

    /** Field access with the file and the field's path in every error. */
    private static final class Reader {
        final Path file;
        String prefix = "";

        Reader(Path file, JsonNode doc) {
            this.file = file;
        }

        void at(String p) {
            prefix = p.isEmpty() ? "" : p + ".";
        }

        JsonNode node(JsonNode parent, String key) throws FpgaFolderException {
            JsonNode n = parent.get(key);
            if (n == null || n.isNull()) {
                throw new FpgaFolderException(file, prefix + key, "is missing");
            }
            return n;
        }

        String text(JsonNode parent, String key) throws FpgaFolderException {
            JsonNode n = node(parent, key);
            if (!n.isTextual()) {
                throw new FpgaFolderException(file, prefix + key, "must be a string");
            }
            return n.asText();
        }

        int integer(JsonNode parent, String key, long min, long max) throws FpgaFolderException {
            return check(node(parent, key), prefix + key, min, max);
        }

        int integer(JsonNode array, int i, long min, long max) throws FpgaFolderException {
            JsonNode n = array.get(i);
            if (n == null) {
                throw new FpgaFolderException(file, prefix + "[" + i + "]", "is missing");
            }
            return check(n, prefix + "[" + i + "]", min, max);
        }

        private int check(JsonNode n, String where, long min, long max) throws FpgaFolderException {
            if (!n.canConvertToLong() || !n.isIntegralNumber()) {
                throw new FpgaFolderException(file, where, "must be an integer");
            }
            long v = n.asLong();
            if (v < min || v > max) {
                throw new FpgaFolderException(file, where, "is " + v + ", outside " + min + ".." + max);
            }
            return (int) v;
        }

        String module(JsonNode n) throws FpgaFolderException {
            return text(n, "module");
        }

        FpgaLayer layer(JsonNode n, int index, int lanes, boolean last) throws FpgaFolderException {
            String kindText = text(n, "kind");
            FpgaLayer.Kind kind = switch (kindText) {
                case "dense" -> FpgaLayer.Kind.DENSE;
                case "conv" -> FpgaLayer.Kind.CONV;
                case "pool" -> FpgaLayer.Kind.POOL;
                default -> throw new FpgaFolderException(file, prefix + "kind", "is '" + kindText + "', not dense, conv or pool");
            };
            String modeText = text(n, "mode");
            FpgaLayer.Mode mode;
            try {
                mode = FpgaLayer.Mode.valueOf(modeText.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new FpgaFolderException(file, prefix + "mode", "is '" + modeText + "', not spiking, count, accumulate or membrane");
            }
            if (mode != FpgaLayer.Mode.SPIKING && !last) {
                throw new FpgaFolderException(file, prefix + "mode", "a readout mode on a layer that is not the last");
            }
            JsonNode is = node(n, "in_shape");
            JsonNode os = node(n, "out_shape");
            int[] in = {integer(is, 0, 1, 1 << 24), integer(is, 1, 1, 1 << 16), integer(is, 2, 1, 1 << 16)};
            int[] out = {integer(os, 0, 1, 1 << 24), integer(os, 1, 1, 1 << 16), integer(os, 2, 1, 1 << 16)};
            int kernel = integer(n, "kernel", 1, 64);
            int stride = integer(n, "stride", 1, 64);
            int padding = integer(n, "padding", 0, 63);
            int blocks = integer(n, "blocks", 1, 1 << 24);
            if (blocks != (out[0] + lanes - 1) / lanes) {
                throw new FpgaFolderException(file, prefix + "blocks", "is " + blocks + ", but " + out[0] + " channels in "
                        + lanes + " lanes make " + (out[0] + lanes - 1) / lanes);
            }
            int wb = integer(n, "weight_bits", 2, 16);
            int vb = integer(n, "value_bits", 0, 16);
            int m = integer(n, "membrane_bits", 2, 62);
            int acc = integer(n, "acc_bits", 2, 62);
            int bb = integer(n, "bias_bits", 0, 62);
            int tb = integer(n, "theta_bits", 0, 62);
            if (mode.spiking() == (tb == 0)) {
                throw new FpgaFolderException(file, prefix + "theta_bits", "is " + tb + " for a " + modeText + " layer");
            }
            JsonNode lk = node(n, "leak");
            String leakKind = text(lk, "kind");
            if (!List.of("none", "shift", "multiplier").contains(leakKind)) {
                throw new FpgaFolderException(file, prefix + "leak.kind", "is '" + leakKind + "', not none, shift or multiplier");
            }
            JsonNode tz = node(lk, "toward_zero");
            FpgaLayer.Leak leak;
            try {
                leak = new FpgaLayer.Leak(switch (leakKind) {
                    case "shift" -> new QuantLeak.Shift(integer(lk, "k", 1, 61));
                    case "multiplier" -> new QuantLeak.Multiplier(node(lk, "m").asLong(), integer(lk, "f", 1, 30));
                    default -> new QuantLeak.None();
                }, tz.asBoolean());
            } catch (IllegalArgumentException e) {
                throw new FpgaFolderException(file, prefix + "leak", e.getMessage());
            }
            String reset = text(n, "reset");
            String overflow = text(n, "overflow");
            int rb = integer(n, "readout_bits", 0, 64);
            if (last && rb == 0) {
                throw new FpgaFolderException(file, prefix + "readout_bits", "is 0 on the readout layer");
            }
            int depth = integer(n, "event_depth", 1, 1 << 26);
            JsonNode ef = node(n, "event_fields");
            JsonNode of = node(n, "out_event_fields");
            int words = switch (kind) {
                case CONV -> in[0] * kernel * kernel * blocks;
                case POOL -> blocks;
                case DENSE -> in[0] * in[1] * in[2] * blocks;
            };
            return new FpgaLayer(index, text(n, "name"), kind, in[0], in[1], in[2], out[0], out[1], out[2], kernel, stride,
                    padding, lanes, blocks, words, wb, vb, acc, m, bb, tb, leak, "zero".equals(reset), "wrap".equals(overflow),
                    mode, rb, depth, integer(ef, 0, 1, 32), integer(ef, 1, 1, 32), integer(ef, 2, 1, 32),
                    integer(of, 0, 1, 32), integer(of, 1, 1, 32), integer(of, 2, 1, 32));
        }
    }
}

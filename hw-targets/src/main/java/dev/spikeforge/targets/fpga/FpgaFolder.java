package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.io.Checksums;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.compiler.ir.Encoding;
import dev.spikeforge.compiler.quant.QuantLeak;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        AxisGenerator axis = new AxisGenerator(d, AxisGenerator.Fault.NONE);
        files.put("rtl/" + AxisGenerator.moduleName(d) + ".v", utf8(axis.verilog()));
        files.put("tb/axis_main.cpp", utf8(axis.cppBench()));
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
        if (!d.options().layerLanes().isEmpty()) {
            ArrayNode each = par.putArray("layer_lanes");
            d.options().layerLanes().forEach(each::add);
        }
        par.put("family", d.options().family());
        par.put("memory", d.options().memory());
        par.put("device", d.options().effectiveDevice());
        ObjectNode num = doc.putObject("numerics");
        num.put("shift_rounding", FpgaNumerics.rounding(d.layers().get(0).leak().towardZero()));
        num.put("threshold_compare", FpgaNumerics.THRESHOLD_COMPARE);
        num.put("overflow", d.layers().get(0).wrap() ? "wrap" : "saturate");
        if (d.layers().get(0).leak().nearest()) {
            num.put("leak_rounding", "nearest"); // only when asked (leak_rounding = nearest): older folders read as before
        }
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
            if (l.leak().nearest()) {
                lk.put("nearest", true);
            }
            o.put("recurrence", l.recurrence().name().toLowerCase(java.util.Locale.ROOT));
            o.put("current_bits", l.currentBits());
            if (l.hasCurrent()) {
                ObjectNode sl = o.putObject("synaptic_leak");
                sl.put("kind", l.synapticLeak().kind());
                sl.put("k", l.synapticLeak().k());
                sl.put("m", l.synapticLeak().m());
                sl.put("f", l.synapticLeak().f());
                sl.put("toward_zero", l.synapticLeak().towardZero());
                if (l.synapticLeak().nearest()) {
                    sl.put("nearest", true);
                }
            }
            o.put("reset", l.resetZero() ? "zero" : "subtract");
            o.put("overflow", l.wrap() ? "wrap" : "saturate");
            o.put("readout_bits", l.readoutBits());
            o.put("event_depth", l.eventDepth());
            ArrayNode ev = o.putArray("event_fields");
            ev.add(l.cBits()).add(l.yBits()).add(l.xBits());
            ArrayNode oev = o.putArray("out_event_fields");
            oev.add(l.outCBits()).add(l.outYBits()).add(l.outXBits());
            ObjectNode mm = o.putObject("memories");
            memory(mm, "events", l.eventMemoryWords(), l.eventBits(), null);
            if (l.recurrent()) {
                memory(mm, "own_spikes", l.outC(), l.outCBits(), null);
            }
            memory(mm, "membranes", l.memoryWords(), l.lanes() * l.accBits(), null);
            if (l.hasCurrent()) {
                memory(mm, "currents", l.memoryWords(), l.lanes() * l.accBits(), null);
            }
            memory(mm, "weights", l.weightWords(), l.lanes() * l.weightBits(), VerilogGenerator.memFile(d, l, "w"));
            if (l.biasBits() > 0) {
                memory(mm, "bias", l.blocks(), l.lanes() * l.biasBits(), VerilogGenerator.memFile(d, l, "b"));
            }
            if (l.thetaBits() > 0) {
                memory(mm, "theta", l.blocks(), l.lanes() * l.thetaBits(), VerilogGenerator.memFile(d, l, "t"));
            }
        }
        doc.put("cycle_formula", CycleFormula.TEXT);
        doc.put("schedule", Schedule.TEXT);
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

    /** The largest fpga.json read (a 100-layer design's is about 150 KiB). */
    public static final long MAX_JSON_BYTES = 4L << 20;
    /** The largest Verilog or test bench file read to check its checksum. */
    public static final long MAX_SOURCE_BYTES = 16L << 20;
    /** The most input values or neurons one layer may have (also bounds the event buffer). */
    public static final long MAX_LAYER_SIZE = 1L << 24;
    /** The most on-chip memory bits a design may have: 256 Mbit, far above any device in {@link FpgaDevices}. */
    public static final long MAX_MEMORY_BITS = 1L << 28;

    /** Names in {@code files}: a subfolder the writer makes, then one plain file name. */
    private static final java.util.regex.Pattern FILE_NAME =
            java.util.regex.Pattern.compile("(rtl|mem|tb)/[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}");
    /** A top module name as {@link FpgaDesign#sanitize} makes it, with {@code _top}. */
    private static final java.util.regex.Pattern TOP = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,200}_top");

    /**
     * Reads a folder back; every problem is one {@link FpgaFolderException} naming the file and the
     * field. Nothing in fpga.json is trusted: every field is checked against the layer sizes and the
     * other fields it must agree with (so the emulator and the RTL runner index without surprises),
     * every file name must be one the writer makes, every file is read through {@link InputFiles}
     * with a cap and must match its SHA-256.
     */
    public static FpgaDesign read(Path folder) throws FpgaFolderException {
        Path json = folder.resolve(DESCRIPTION);
        JsonNode doc;
        if (!Files.exists(json, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new FpgaFolderException(json, "file", "missing: this is not an fpga folder (spikeforge compile writes one)");
        }
        try {
            doc = JSON.readTree(InputFiles.read(json, DESCRIPTION, MAX_JSON_BYTES));
        } catch (InputFiles.NotUsable e) {
            throw new FpgaFolderException(json, "file", e.problem());
        } catch (IOException e) {
            throw new FpgaFolderException(json, "file", "not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (doc == null || !doc.isObject()) {
            throw new FpgaFolderException(json, "file", "not a JSON object");
        }
        Reader r = new Reader(json, doc);
        String schema = r.text(doc, "schema");
        if (!SCHEMA.equals(schema)) {
            throw new FpgaFolderException(json, "schema", "is '" + printable(schema) + "', this version reads " + SCHEMA);
        }
        String top = r.text(doc, "top");
        if (!TOP.matcher(top).matches()) {
            throw new FpgaFolderException(json, "top", "is '" + printable(top) + "', not a Verilog name ending in _top");
        }
        String base = top.substring(0, top.length() - "_top".length());
        int timesteps = r.integer(doc, "timesteps", 1, 1 << 20);
        String model = r.text(doc, "model");
        JsonNode par = r.node(doc, "parameters");
        int lanes = r.integer(par, "lanes", 1, 64);
        if (Integer.bitCount(lanes) != 1) {
            throw new FpgaFolderException(json, "parameters.lanes", "is " + lanes + ", not a power of two");
        }
        List<Integer> layerLanes = new ArrayList<>();
        if (par.has("layer_lanes")) {
            JsonNode each = par.get("layer_lanes");
            if (!each.isArray() || each.isEmpty()) {
                throw new FpgaFolderException(json, "parameters.layer_lanes", "must be a list of lane counts, one per layer");
            }
            for (int i = 0; i < each.size(); i++) {
                JsonNode e = each.get(i);
                if (!e.isIntegralNumber() || e.asLong() < 1 || e.asLong() > 64 || Long.bitCount(e.asLong()) != 1) {
                    throw new FpgaFolderException(json, "parameters.layer_lanes[" + i + "]", "is " + printable(e.toString())
                            + ", not a power of two from 1 to 64");
                }
                layerLanes.add(e.asInt());
            }
            int max = layerLanes.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (max != lanes) {
                throw new FpgaFolderException(json, "parameters.lanes", "is " + lanes + ", but the largest of layer_lanes is " + max);
            }
        }
        Numerics numerics = numerics(r, r.node(doc, "numerics"), json);
        FpgaOptions o = new FpgaOptions(lanes, r.oneOf(par, "family", FpgaOptions.FAMILIES),
                r.oneOf(par, "memory", FpgaOptions.MEMORY_STYLES), r.text(par, "device"),
                numerics.nearest() ? "nearest" : "floor", layerLanes);
        if (!o.device().isEmpty() && !FpgaDevices.known(o.device())) {
            throw new FpgaFolderException(json, "parameters.device", "is '" + printable(o.device()) + "', not one of "
                    + String.join(", ", FpgaDevices.names()));
        }
        JsonNode in = r.node(doc, "input");
        String encoding = r.text(in, "encoding");
        Encoding parsed = Encoding.parse(encoding).orElseThrow(() -> new FpgaFolderException(json, "input.encoding",
                "is '" + printable(encoding) + "', not poisson, bipolar, latency, direct, events, rows or rows(levels = L)"));
        // analog values are 9-bit events (0..255); signed spikes 2 bits; spikes of 0 and 1 none
        int inputValueBits = parsed.analog() ? 9
                : parsed.kind() == Encoding.Kind.BIPOLAR || parsed.kind() == Encoding.Kind.EVENTS ? 2 : 0;
        r.at("input");
        int valueBits = r.integer(in, "value_bits", 0, 16);
        if (valueBits != inputValueBits) {
            throw new FpgaFolderException(json, "input.value_bits", "is " + valueBits + ", but " + encoding
                    + " input events carry " + inputValueBits);
        }
        JsonNode shapeNode = r.node(in, "shape");
        int[] shape = new int[3];
        r.at("input.shape");
        for (int i = 0; i < 3; i++) {
            shape[i] = r.integer(shapeNode, i, 1, 1 << 24);
        }
        r.size(shape, "input.shape");
        r.at("");
        List<FpgaLayer> layers = new ArrayList<>();
        // every file the folder must have, with the most bytes it may have
        Map<String, Long> expected = new LinkedHashMap<>();
        JsonNode ls = r.node(doc, "layers");
        if (!ls.isArray() || ls.isEmpty()) {
            throw new FpgaFolderException(json, "layers", "must be a non-empty list");
        }
        if (ls.size() > 4096) {
            throw new FpgaFolderException(json, "layers", "has " + ls.size() + " layers, over the limit of 4096");
        }
        long memoryBits = 0;
        for (int i = 0; i < ls.size(); i++) {
            JsonNode n = ls.get(i);
            String at = "layers[" + i + "]";
            r.at(at);
            FpgaLayer prev = i == 0 ? null : layers.get(i - 1);
            int[] src = prev == null ? shape : new int[] {prev.outC(), prev.outH(), prev.outW()};
            if (!layerLanes.isEmpty() && i >= layerLanes.size()) {
                throw new FpgaFolderException(json, "parameters.layer_lanes", "names " + layerLanes.size() + " layers, but the"
                        + " design has " + ls.size());
            }
            FpgaLayer l = r.layer(n, i, o.lanesOf(i), i == ls.size() - 1, src);
            numerics.check(l, json, at);
            r.agrees(l, n, src, i == 0 ? inputValueBits : 0, encoding, layers.isEmpty() ? l : layers.get(0), base);
            layers.add(l);
            String module = base + "_l" + i;
            expected.put("rtl/" + module + ".v", MAX_SOURCE_BYTES);
            expected.put(VerilogGenerator.memFile(module, "w"), hexBytes(l.weightWords(), l.lanes(), l.weightBits()));
            if (l.biasBits() > 0) {
                expected.put(VerilogGenerator.memFile(module, "b"), hexBytes(l.blocks(), l.lanes(), l.biasBits()));
            }
            if (l.thetaBits() > 0) {
                expected.put(VerilogGenerator.memFile(module, "t"), hexBytes(l.blocks(), l.lanes(), l.thetaBits()));
            }
            memoryBits += l.eventMemoryBits()
                    + (long) l.memoryWords() * l.lanes() * l.accBits() * (l.hasCurrent() ? 2 : 1)
                    + (long) l.weightWords() * l.lanes() * l.weightBits() + (long) l.blocks() * l.lanes() * (l.biasBits() + l.thetaBits());
            if (memoryBits > MAX_MEMORY_BITS) {
                throw new FpgaFolderException(json, at, "the memories up to this layer hold " + memoryBits
                        + " bits, over the limit of " + MAX_MEMORY_BITS + " (" + (MAX_MEMORY_BITS >> 20) + " Mbit)");
            }
        }
        r.at("");
        if (!layerLanes.isEmpty() && layerLanes.size() != ls.size()) {
            throw new FpgaFolderException(json, "parameters.layer_lanes", "names " + layerLanes.size() + " layers, but the"
                    + " design has " + ls.size());
        }
        expected.put("rtl/" + top + ".v", MAX_SOURCE_BYTES);
        expected.put("tb/tb.v", MAX_SOURCE_BYTES);
        expected.put("tb/main.cpp", MAX_SOURCE_BYTES);
        expected.put("rtl/" + base + "_axis.v", MAX_SOURCE_BYTES);
        expected.put("tb/axis_main.cpp", MAX_SOURCE_BYTES);
        Map<String, byte[]> bytes = checkFiles(folder, json, r.node(doc, "files"), expected);
        List<FpgaDesign.Images> images = new ArrayList<>();
        for (FpgaLayer l : layers) {
            String module = base + "_l" + l.index();
            images.add(new FpgaDesign.Images(
                    readHex(folder, bytes, VerilogGenerator.memFile(module, "w"), l.weightWords(), l.lanes(), l.weightBits(), true),
                    l.biasBits() == 0 ? null
                            : readHex(folder, bytes, VerilogGenerator.memFile(module, "b"), l.blocks(), l.lanes(), l.biasBits(), true),
                    l.thetaBits() == 0 ? null
                            : readHex(folder, bytes, VerilogGenerator.memFile(module, "t"), l.blocks(), l.lanes(), l.thetaBits(), false)));
        }
        return new FpgaDesign(model, top, timesteps, o, encoding, shape, layers, images);
    }

    /** The most bytes a memory image of {@code words} words may have: one hex word and a line end (CR LF at most) each. */
    private static long hexBytes(int words, int lanes, int bits) {
        return (long) words * ((lanes * bits + 3) / 4 + 2);
    }

    /**
     * The {@code files} object must list exactly the files the writer makes, by plain relative
     * names; each is read through {@link InputFiles} with its cap and checked against its SHA-256.
     */
    private static Map<String, byte[]> checkFiles(Path folder, Path json, JsonNode sums, Map<String, Long> expected)
            throws FpgaFolderException {
        if (!sums.isObject()) {
            throw new FpgaFolderException(json, "files", "must be an object of file name to SHA-256");
        }
        for (var it = sums.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FILE_NAME.matcher(name).matches()) {
                throw new FpgaFolderException(json, "files", "'" + printable(name) + "' is not a plain file name inside the"
                        + " folder (rtl/, mem/ or tb/ and a name of letters, digits, '_', '.' and '-')");
            }
            if (!expected.containsKey(name)) {
                throw new FpgaFolderException(json, "files", "lists " + name + ", which is not a file of this design");
            }
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            JsonNode sum = sums.get(e.getKey());
            if (sum == null || !sum.isTextual()) {
                throw new FpgaFolderException(json, "files", "does not list " + e.getKey() + " with its SHA-256, so the file"
                        + " cannot be checked");
            }
            Path f = folder.resolve(e.getKey());
            byte[] data;
            try {
                data = InputFiles.read(f, e.getKey().startsWith("mem/") ? "memory image" : "file", e.getValue());
            } catch (InputFiles.NotUsable ex) {
                if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new FpgaFolderException(f, "file", "listed in fpga.json but cannot be read (missing); compile again");
                }
                throw new FpgaFolderException(f, "file", ex.problem());
            }
            if (!sha256(data).equals(sum.asText())) {
                throw new FpgaFolderException(f, "file", "its SHA-256 differs from fpga.json's: the file was changed after compile");
            }
            out.put(e.getKey(), data);
        }
        return out;
    }

    /** {@code s} with control characters and lone surrogates shown as a backslash, u and four hex digits, for messages. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        int limit = Math.min(s.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > limit ? b.append("...").toString() : b.toString();
    }

    /** The numerics fpga.json records: they must be the accelerator's own and every layer's. */
    private record Numerics(boolean towardZero, boolean wrap, boolean nearest) {

        /** A leak rounds as leak_rounding says (a leak of kind none has no shift to round). */
        boolean rounds(FpgaLayer.Leak lk) {
            return lk.nearest() == nearest || lk.form() instanceof QuantLeak.None;
        }

        void check(FpgaLayer l, Path json, String where) throws FpgaFolderException {
            if (!rounds(l.leak()) || l.hasCurrent() && !rounds(l.synapticLeak())) {
                throw new FpgaFolderException(json, where + ".leak.nearest", "does not match numerics.leak_rounding ("
                        + (nearest ? "nearest" : "absent: the shift's own rounding") + ")");
            }
            if (l.leak().towardZero() != towardZero) {
                throw new FpgaFolderException(json, where + ".leak.toward_zero", "is " + l.leak().towardZero()
                        + " but numerics.shift_rounding is '" + FpgaNumerics.rounding(towardZero) + "'");
            }
            if (l.hasCurrent() && l.synapticLeak().towardZero() != towardZero) {
                throw new FpgaFolderException(json, where + ".synaptic_leak.toward_zero", "is " + l.synapticLeak().towardZero()
                        + " but numerics.shift_rounding is '" + FpgaNumerics.rounding(towardZero) + "'");
            }
            if (l.wrap() != wrap) {
                throw new FpgaFolderException(json, where + ".overflow", "is '" + (l.wrap() ? "wrap" : "saturate")
                        + "' but numerics.overflow is '" + (wrap ? "wrap" : "saturate") + "'");
            }
        }
    }

    /**
     * The folder's numerics against the accelerator's arithmetic (docs/semantics.md section 4.12):
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
        JsonNode lr = n.get("leak_rounding");
        if (lr != null && !"nearest".equals(lr.asText())) {
            throw new FpgaFolderException(json, "numerics.leak_rounding", "is '" + lr.asText() + "', expected \"nearest\""
                    + " or no field");
        }
        return new Numerics(false, overflow.equals("wrap"), lr != null);
    }

    private static long[][] readHex(Path folder, Map<String, byte[]> files, String name, int words, int lanes, int bits,
                                    boolean signed) throws FpgaFolderException {
        Path f = folder.resolve(name);
        List<String> lines = new String(files.get(name), StandardCharsets.US_ASCII).lines().toList();
        if (lines.size() != words) {
            throw new FpgaFolderException(f, "line " + (Math.min(lines.size(), words) + 1), "has " + lines.size()
                    + " words, fpga.json says " + words);
        }
        int digits = (lanes * bits + 3) / 4;
        long[][] out = new long[words][lanes];
        for (int w = 0; w < words; w++) {
            String line = lines.get(w).trim();
            if (line.length() != digits || !line.chars().allMatch(c -> c < 128 && Character.digit(c, 16) >= 0)) {
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

        String oneOf(JsonNode parent, String key, List<String> allowed) throws FpgaFolderException {
            String v = text(parent, key);
            if (!allowed.contains(v)) {
                throw new FpgaFolderException(file, prefix + key, "is '" + printable(v) + "', not one of " + String.join(", ", allowed));
            }
            return v;
        }

        /** The number of values of a [C, H, W] shape, at most {@link #MAX_LAYER_SIZE}. */
        long size(int[] s, String where) throws FpgaFolderException {
            long n = (long) s[0] * s[1] * s[2];
            if (n > MAX_LAYER_SIZE) {
                throw new FpgaFolderException(file, where, java.util.Arrays.toString(s) + " holds " + n
                        + " values, over the limit of " + MAX_LAYER_SIZE);
            }
            return n;
        }

        private void expect(String field, long actual, long wanted, String because) throws FpgaFolderException {
            expect(field, actual, wanted, because, "");
        }

        private void expect(String field, long actual, long wanted, String because, String unit) throws FpgaFolderException {
            if (actual != wanted) {
                throw new FpgaFolderException(file, prefix + field, "is " + actual + ", but " + because + " " + wanted + unit);
            }
        }

        /**
         * Every field of layer {@code l} that follows from its shapes, its source and the other
         * fields, as {@link FpgaDesign#plan} derives it: what the emulator and the RTL index by.
         */
        void agrees(FpgaLayer l, JsonNode n, int[] src, int valueBits, String encoding, FpgaLayer first, String base)
                throws FpgaFolderException {
            String module = text(n, "module");
            if (!module.equals(base + "_l" + l.index())) {
                throw new FpgaFolderException(file, prefix + "module", "is '" + printable(module) + "', but layer " + l.index()
                        + " of top '" + base + "_top' is '" + base + "_l" + l.index() + "'");
            }
            String source = src[0] + " x " + src[1] + " x " + src[2];
            if (l.recurrent()) {
                expect("event_depth", l.eventDepth(), (long) l.inputSize() + l.outC(), "the source of " + source + " and the "
                        + l.outC() + " recurrent units hold", " events");
            } else {
                expect("event_depth", l.eventDepth(), l.inputSize(), "the source of " + source + " holds", " events");
            }
            JsonNode ef = node(n, "event_fields");
            JsonNode of = node(n, "out_event_fields");
            String[] dims = {"channels", "rows", "columns"};
            int[] fields = {l.cBits(), l.yBits(), l.xBits()};
            int[] outFields = {l.outCBits(), l.outYBits(), l.outXBits()};
            int[] out = {l.outC(), l.outH(), l.outW()};
            for (int d = 0; d < 3; d++) {
                expect("event_fields[" + d + "]", fields[d], FpgaLayer.indexBits(src[d]), src[d] + " " + dims[d] + " need", " bits");
                expect("out_event_fields[" + d + "]", outFields[d], FpgaLayer.indexBits(out[d]), out[d] + " " + dims[d] + " need", " bits");
            }
            if (ef.size() != 3 || of.size() != 3) {
                throw new FpgaFolderException(file, prefix + "event_fields", "must list 3 widths (channel, row, column)");
            }
            expect("value_bits", l.valueBits(), valueBits, l.index() == 0 ? encoding + " input events carry"
                    : "only the first layer's events carry values; this layer's value_bits must be");
            expect("weight_bits", l.weightBits(), first.weightBits(), "layers[0].weight_bits is");
            expect("membrane_bits", l.membraneBits(), first.membraneBits(), "layers[0].membrane_bits is");
            int need = Math.max(l.weightBits() + l.valueBits(), Math.max(l.biasBits(), l.thetaBits() + 1));
            need = Math.max(need, l.mode().spiking() ? l.membraneBits() : l.readoutBits());
            if (l.accBits() < need) {
                throw new FpgaFolderException(file, prefix + "acc_bits", "is " + l.accBits() + ", but " + need + " are needed to"
                        + " hold the membrane, a weight times a value, the bias and the threshold");
            }
            if (l.hasCurrent()) {
                int sum = Math.max(l.currentBits(), l.mode().spiking() ? l.membraneBits() : l.readoutBits()) + 1;
                if (l.accBits() < sum) {
                    throw new FpgaFolderException(file, prefix + "acc_bits", "is " + l.accBits() + ", but the membrane plus a "
                            + l.currentBits() + "-bit synaptic current needs " + sum);
                }
                int sm = l.synapticLeak().kind().equals("multiplier") ? 65 - Long.numberOfLeadingZeros(l.synapticLeak().m()) : 0;
                if (l.accBits() + sm > 62) {
                    throw new FpgaFolderException(file, prefix + "acc_bits", "is " + l.accBits() + "; times the synaptic leak"
                            + " multiplier it needs " + (l.accBits() + sm) + " bits, over the limit of 62");
                }
                if (l.synapticLeak().kind().equals("shift") && l.synapticLeak().k() > l.accBits() - 2) {
                    throw new FpgaFolderException(file, prefix + "synaptic_leak.k", "is " + l.synapticLeak().k()
                            + ", over the limit of " + (l.accBits() - 2) + " for " + l.accBits() + "-bit currents");
                }
            }
            if (l.biasBits() == 1) {
                throw new FpgaFolderException(file, prefix + "bias_bits", "is 1; a signed bias has 0 (none) or at least 2 bits");
            }
            int leakBits = l.leak().kind().equals("multiplier") ? 65 - Long.numberOfLeadingZeros(l.leak().m()) : 0;
            if (l.accBits() + leakBits > 62) {
                throw new FpgaFolderException(file, prefix + "acc_bits", "is " + l.accBits() + "; times the leak multiplier it"
                        + " needs " + (l.accBits() + leakBits) + " bits, over the limit of 62");
            }
            if (l.leak().kind().equals("shift") && l.leak().k() > l.accBits() - 2) {
                throw new FpgaFolderException(file, prefix + "leak.k", "is " + l.leak().k() + ", over the limit of "
                        + (l.accBits() - 2) + " for " + l.accBits() + "-bit membranes");
            }
            if (l.mode() == FpgaLayer.Mode.ACCUMULATE && !l.leak().kind().equals("none")) {
                throw new FpgaFolderException(file, prefix + "leak.kind", "is '" + l.leak().kind() + "' on an accumulate readout,"
                        + " which has no leak");
            }
            memories(l, node(n, "memories"), base + "_l" + l.index());
        }

        /** The {@code memories} entries: exactly the layer's memories, with their depths, widths, bits and files. */
        private void memories(FpgaLayer l, JsonNode mm, String module) throws FpgaFolderException {
            Map<String, long[]> want = new LinkedHashMap<>();
            want.put("events", new long[] {l.eventMemoryWords(), l.eventBits()});
            if (l.recurrent()) {
                want.put("own_spikes", new long[] {l.outC(), l.outCBits()});
            }
            want.put("membranes", new long[] {l.memoryWords(), (long) l.lanes() * l.accBits()});
            if (l.hasCurrent()) {
                want.put("currents", new long[] {l.memoryWords(), (long) l.lanes() * l.accBits()});
            }
            want.put("weights", new long[] {l.weightWords(), (long) l.lanes() * l.weightBits()});
            if (l.biasBits() > 0) {
                want.put("bias", new long[] {l.blocks(), (long) l.lanes() * l.biasBits()});
            }
            if (l.thetaBits() > 0) {
                want.put("theta", new long[] {l.blocks(), (long) l.lanes() * l.thetaBits()});
            }
            if (!mm.isObject()) {
                throw new FpgaFolderException(file, prefix + "memories", "must be an object");
            }
            for (var it = mm.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!want.containsKey(name)) {
                    throw new FpgaFolderException(file, prefix + "memories", "has '" + printable(name) + "', which this layer does"
                            + " not have (it has " + String.join(", ", want.keySet()) + ")");
                }
            }
            String saved = prefix;
            for (Map.Entry<String, long[]> e : want.entrySet()) {
                JsonNode m = node(mm, e.getKey());
                prefix = saved + "memories." + e.getKey() + ".";
                long depth = integer(m, "depth", 0, Integer.MAX_VALUE);
                long width = integer(m, "width", 0, Integer.MAX_VALUE);
                expect("depth", depth, e.getValue()[0], "the layer's sizes make");
                expect("width", width, e.getValue()[1], "the layer's lanes and widths make");
                JsonNode bits = node(m, "bits");
                if (!bits.isIntegralNumber() || !bits.canConvertToLong()) {
                    throw new FpgaFolderException(file, prefix + "bits", "must be an integer");
                }
                expect("bits", bits.asLong(), depth * width, "depth times width is");
                if (!e.getKey().equals("events") && !e.getKey().equals("own_spikes") && !e.getKey().equals("membranes")
                        && !e.getKey().equals("currents")) {
                    String f = text(m, "file");
                    String w = VerilogGenerator.memFile(module, switch (e.getKey()) {
                        case "weights" -> "w";
                        case "bias" -> "b";
                        default -> "t";
                    });
                    if (!f.equals(w)) {
                        throw new FpgaFolderException(file, prefix + "file", "is '" + printable(f) + "', but this memory's image is " + w);
                    }
                }
            }
            prefix = saved;
        }

        FpgaLayer layer(JsonNode n, int index, int lanes, boolean last, int[] src) throws FpgaFolderException {
            expect("index", integer(n, "index", 0, Integer.MAX_VALUE), index, "the layer is at position");
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
            String saved = prefix;
            prefix = saved + "in_shape";
            int[] in = {integer(is, 0, 1, 1 << 24), integer(is, 1, 1, 1 << 16), integer(is, 2, 1, 1 << 16)};
            prefix = saved + "out_shape";
            int[] out = {integer(os, 0, 1, 1 << 24), integer(os, 1, 1, 1 << 16), integer(os, 2, 1, 1 << 16)};
            prefix = saved;
            if (is.size() != 3 || os.size() != 3) {
                throw new FpgaFolderException(file, prefix + (is.size() != 3 ? "in_shape" : "out_shape"), "must be [C, H, W]");
            }
            size(in, prefix + "in_shape");
            size(out, prefix + "out_shape");
            if (in[0] != src[0] || in[1] != src[1] || in[2] != src[2]) {
                throw new FpgaFolderException(file, prefix + "in_shape", index == 0 ? "does not match input.shape"
                        : "does not match the output of the layer before");
            }
            int kernel = integer(n, "kernel", 1, 64);
            int stride = integer(n, "stride", 1, 64);
            int padding = integer(n, "padding", 0, 63);
            int[] makes = switch (kind) {
                case DENSE -> new int[] {out[0], 1, 1};
                case POOL -> new int[] {in[0], in[1] / kernel, in[2] / kernel};
                case CONV -> new int[] {out[0], Math.floorDiv(in[1] + 2 * padding - kernel, stride) + 1,
                        Math.floorDiv(in[2] + 2 * padding - kernel, stride) + 1};
            };
            String how = switch (kind) {
                case DENSE -> "a dense layer";
                case POOL -> "a " + kernel + " x " + kernel + " pool of " + in[0] + " x " + in[1] + " x " + in[2];
                case CONV -> "a " + kernel + " x " + kernel + " conv (stride " + stride + ", padding " + padding + ") of "
                        + in[0] + " x " + in[1] + " x " + in[2];
            };
            if (!java.util.Arrays.equals(makes, out) || makes[1] < 1 || makes[2] < 1) {
                throw new FpgaFolderException(file, prefix + "out_shape", "is " + java.util.Arrays.toString(out) + ", but " + how
                        + " makes " + java.util.Arrays.toString(makes));
            }
            if (kind != FpgaLayer.Kind.CONV) {
                expect("kernel", kind == FpgaLayer.Kind.DENSE ? kernel : 1, 1, "a dense layer's kernel is");
                expect("stride", stride, kind == FpgaLayer.Kind.POOL ? kernel : 1, "this layer's stride is");
                expect("padding", padding, 0, "only a conv has padding; this layer's is");
            }
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
            FpgaLayer.Leak leak = leak(node(n, "leak"), "leak");
            // absent in folders written before temporal layers existed: a feed-forward layer without current
            String recText = n.has("recurrence") ? oneOf(n, "recurrence", List.of("none", "full", "diagonal")) : "none";
            FpgaLayer.Recurrence recurrence = FpgaLayer.Recurrence.valueOf(recText.toUpperCase(java.util.Locale.ROOT));
            if (recurrence != FpgaLayer.Recurrence.NONE && (kind != FpgaLayer.Kind.DENSE || !mode.spiking())) {
                throw new FpgaFolderException(file, prefix + "recurrence", "is '" + recText + "' on a " + kindText + " "
                        + modeText + " layer; only a spiking dense layer feeds its own spikes back");
            }
            int currentBits = n.has("current_bits") ? integer(n, "current_bits", 0, 62) : 0;
            if (currentBits == 1) {
                throw new FpgaFolderException(file, prefix + "current_bits", "is 1; a signed current has 0 (none) or at least 2 bits");
            }
            FpgaLayer.Leak synapticLeak = null;
            if (currentBits > 0) {
                synapticLeak = leak(node(n, "synaptic_leak"), "synaptic_leak");
            } else if (n.has("synaptic_leak")) {
                throw new FpgaFolderException(file, prefix + "synaptic_leak", "is there but current_bits is 0 (no synaptic current)");
            }
            String reset = oneOf(n, "reset", mode.spiking() ? List.of("zero", "subtract") : List.of("subtract"));
            String overflow = oneOf(n, "overflow", List.of("saturate", "wrap"));
            int rb = integer(n, "readout_bits", 0, 62);
            if (last && rb == 0) {
                throw new FpgaFolderException(file, prefix + "readout_bits", "is 0 on the readout layer");
            }
            if (!last && rb != 0) {
                throw new FpgaFolderException(file, prefix + "readout_bits", "is " + rb + " on a layer that is not the readout");
            }
            int depth = integer(n, "event_depth", 1, Integer.MAX_VALUE);
            JsonNode ef = node(n, "event_fields");
            JsonNode of = node(n, "out_event_fields");
            int words = switch (kind) {
                case CONV -> in[0] * kernel * kernel * blocks;
                case POOL -> blocks;
                case DENSE -> in[0] * in[1] * in[2] * blocks;
            };
            words += switch (recurrence) {
                case NONE -> 0;
                case FULL -> out[0] * blocks;
                case DIAGONAL -> blocks;
            };
            return new FpgaLayer(index, text(n, "name"), kind, in[0], in[1], in[2], out[0], out[1], out[2], kernel, stride,
                    padding, lanes, blocks, words, wb, vb, acc, m, bb, tb, leak, "zero".equals(reset), "wrap".equals(overflow),
                    mode, rb, depth, integer(ef, 0, 1, 32), integer(ef, 1, 1, 32), integer(ef, 2, 1, 32),
                    integer(of, 0, 1, 32), integer(of, 1, 1, 32), integer(of, 2, 1, 32), synapticLeak, currentBits, recurrence);
        }

        /** A leak object ({@code leak} or {@code synaptic_leak}): kind, k, m, f, toward_zero. */
        private FpgaLayer.Leak leak(JsonNode lk, String name) throws FpgaFolderException {
            String leakKind = text(lk, "kind");
            if (!List.of("none", "shift", "multiplier").contains(leakKind)) {
                throw new FpgaFolderException(file, prefix + name + ".kind", "is '" + leakKind + "', not none, shift or multiplier");
            }
            JsonNode tz = node(lk, "toward_zero");
            if (!tz.isBoolean()) {
                throw new FpgaFolderException(file, prefix + name + ".toward_zero", "must be true or false");
            }
            JsonNode nearest = lk.get("nearest");
            if (nearest != null && !nearest.isBoolean()) {
                throw new FpgaFolderException(file, prefix + name + ".nearest", "must be true or false");
            }
            JsonNode mNode = node(lk, "m");
            if (!mNode.isIntegralNumber() || !mNode.canConvertToLong()) {
                throw new FpgaFolderException(file, prefix + name + ".m", "must be an integer");
            }
            try {
                return new FpgaLayer.Leak(switch (leakKind) {
                    case "shift" -> new QuantLeak.Shift(integer(lk, "k", 1, 61));
                    case "multiplier" -> new QuantLeak.Multiplier(mNode.asLong(), integer(lk, "f", 1, 30));
                    default -> new QuantLeak.None();
                }, tz.asBoolean(), nearest != null && nearest.asBoolean());
            } catch (IllegalArgumentException e) {
                throw new FpgaFolderException(file, prefix + name, e.getMessage());
            }
        }
    }
}

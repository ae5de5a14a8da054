package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.io.InputFiles;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.DType;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.exceptions.HdfException;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link NirStore} on jHDF (pure Java). Writes what NIR 1.0.7's {@code nir.write} writes, with two
 * differences that NIR's reader accepts: strings are fixed-length UTF-8 (jHDF has no variable-length
 * strings), and jHDF adds a root attribute {@code _jHDF} naming itself. Reads files of either kind,
 * float32 or float64, int32 or int64, scalars or arrays, compressed or not.
 *
 * <p>jHDF writes a name containing '/' as one link (HDF5 tools then fail), cannot write an empty
 * array, and stores a ragged array silently wrong; {@link #write} refuses all three first.
 */
final class JhdfNirStore implements NirStore {

    /**
     * What a read may cost, whatever the file says: the file's size, the bytes all its datasets
     * expand to, the number of groups and datasets visited, and how deeply graphs nest.
     *
     * @param fileBytes     the largest file read
     * @param expandedBytes the most bytes all datasets together may expand to (compressed data included)
     * @param elements      the most groups and datasets the reader visits
     * @param depth         the deepest nesting of graphs in graphs
     */
    record Limits(long fileBytes, long expandedBytes, int elements, int depth) {
        static final Limits DEFAULT = new Limits(MAX_FILE_BYTES, MAX_EXPANDED_BYTES, MAX_ELEMENTS, MAX_DEPTH);
    }

    /** The largest NIR file read: 256 MiB (64 million float32 parameters). */
    static final long MAX_FILE_BYTES = 256L << 20;
    /** The most bytes the datasets of one file may expand to, compressed or not: 256 MiB. */
    static final long MAX_EXPANDED_BYTES = 256L << 20;
    /** The most groups and datasets one file may have. */
    static final int MAX_ELEMENTS = 100_000;
    /** The deepest nesting of graphs in graphs. */
    static final int MAX_DEPTH = 32;
    /** The widest element read: a fixed-length string of 64 KiB (numbers are 4 or 8 bytes). */
    static final int MAX_ELEMENT_BYTES = 64 << 10;

    /** Opens the file jHDF writes: {@link HdfFile#write}, or a failing one in tests. */
    @FunctionalInterface
    interface Opener {
        WritableHdfFile open(Path file);
    }

    private final Limits limits;
    private final Opener opener;

    JhdfNirStore() {
        this(Limits.DEFAULT, HdfFile::write);
    }

    JhdfNirStore(Limits limits) {
        this(limits, HdfFile::write);
    }

    JhdfNirStore(Limits limits, Opener opener) {
        this.limits = limits;
        this.opener = opener;
    }

    /**
     * Reads the whole file (through {@link InputFiles}, at most {@link Limits#fileBytes}) and parses
     * it from memory: jHDF then slices the bytes it is pointed at instead of allocating buffers of
     * the sizes a damaged header claims, and an address past the end fails at once. Before any
     * dataset is read, what it would allocate is checked against the file's size (uncompressed
     * data must be in the file) and against {@link Limits#expandedBytes} (all data together).
     */
    @Override
    public NirFile read(Path file) throws NirFormatException {
        byte[] bytes;
        try {
            bytes = InputFiles.read(file, "NIR file", limits.fileBytes());
        } catch (InputFiles.NotUsable e) {
            if (!Files.exists(file)) {
                throw new NirFormatException(file, "cannot read the file: no such file", "give the path of a .nir file", e);
            }
            throw new NirFormatException(file, e.problem(), e.help(), e);
        }
        Reader r = new Reader(file, bytes.length, limits);
        try (HdfFile hdf = HdfFile.fromBytes(bytes)) {
            return r.file(hdf);
        } catch (NirFormatException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            String what = e instanceof StackOverflowError ? "its structure refers to itself or nests without end"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new NirFormatException(file, "is not a readable HDF5 file" + (r.where.isEmpty() ? "" : " (at " + r.where + ")")
                    + ": " + what, "the file is damaged or truncated, or not a NIR file; write it again with nir.write "
                    + "or spikeforge nir export", e);
        }
    }

    /** Reads with the HDF5 path being read kept for messages. */
    private static final class Reader {
        private final Path file;
        private final long fileBytes;
        private final Limits limits;
        private String where = "";
        private long expanded;
        private int elements;

        Reader(Path file, long fileBytes, Limits limits) {
            this.file = file;
            this.fileBytes = fileBytes;
            this.limits = limits;
        }

        /**
         * Checks what reading {@code d} would allocate before jHDF reads it: the element count
         * and width from its header, against the file's size when the data is stored as it is
         * (contiguous or compact) and against the limit of all expanded data.
         */
        private void guard(Dataset d, String path) throws NirFormatException {
            where = path;
            count(path);
            long[] dims = d.getDimensionsAsLong();
            if (dims.length > 32) {
                throw problem(path, "has " + dims.length + " dimensions; HDF5 allows 32", DAMAGED);
            }
            long count = 1;
            for (long x : dims) {
                if (x < 0) {
                    throw problem(path, "has a negative dimension " + x, DAMAGED);
                }
                count = x == 0 ? 0 : count > Integer.MAX_VALUE / x ? Long.MAX_VALUE : count * x;
            }
            if (count > Integer.MAX_VALUE) {
                throw problem(path, "has dimensions " + java.util.Arrays.toString(dims) + ", more than 2^31 - 1 values", DAMAGED);
            }
            int width = d.getDataType().getSize();
            if (width < 1 || width > MAX_ELEMENT_BYTES) {
                throw problem(path, "has elements of " + width + " bytes; the limit is " + MAX_ELEMENT_BYTES, DAMAGED);
            }
            long bytes = count * width;
            boolean stored = d.getDataLayout() != io.jhdf.object.message.DataLayout.CHUNKED;
            if (stored && bytes > fileBytes) {
                throw problem(path, "has dimensions " + java.util.Arrays.toString(dims) + " of " + width + "-byte values, which"
                        + " would need " + InputFiles.bytes(bytes) + ", more than the whole file (" + InputFiles.bytes(fileBytes) + ")",
                        DAMAGED);
            }
            expanded += bytes;
            if (bytes > limits.expandedBytes() || expanded > limits.expandedBytes()) {
                throw problem(path, "has dimensions " + java.util.Arrays.toString(dims) + " of " + width + "-byte values ("
                        + InputFiles.bytes(bytes) + "); with the datasets before it the file expands to "
                        + InputFiles.bytes(expanded) + ", over the limit of " + InputFiles.bytes(limits.expandedBytes()),
                        "a NIR file of this size is not a model spikeforge can run; check that this is the right file");
            }
        }

        /** One more group or dataset visited. */
        private void count(String path) throws NirFormatException {
            if (++elements > limits.elements()) {
                throw problem(path, "is beyond the limit of " + limits.elements() + " groups and datasets in one file",
                        "a NIR graph of this size is not a model spikeforge can run; check that this is the right file");
            }
        }

        /** The children of {@code g} by name (jHDF does not keep the written order; h5py lists names sorted too), counted against the limit. */
        private List<Node> children(Group g, String path) throws NirFormatException {
            where = path;
            Map<String, Node> all = g.getChildren();
            if (all.size() > limits.elements() - elements) {
                throw problem(path, "has " + all.size() + " children, beyond the limit of " + limits.elements()
                        + " groups and datasets in one file",
                        "a NIR graph of this size is not a model spikeforge can run; check that this is the right file");
            }
            return List.copyOf(new TreeMap<>(all).values());
        }

        NirFile file(HdfFile hdf) throws NirFormatException {
            Node version = hdf.getChild("version");
            Node top = hdf.getChild("node");
            if (top == null || !top.isGroup()) {
                throw problem("/node", "has no group 'node', which holds a NIR file's graph",
                        "this is an HDF5 file but not a NIR graph (nir.write puts the graph under /node)");
            }
            if (version instanceof Dataset d) {
                guard(d, "/version");
            }
            String v = version instanceof Dataset d && !d.isEmpty() && d.getData() instanceof String s ? s : "";
            if (v.isEmpty()) {
                throw problem("/version", "has no string dataset 'version'", "NIR writes it at the root of every file");
            }
            NirElement e = element((Group) top, "/node", 0);
            if (!(e instanceof NirGraph g)) {
                throw problem("/node/type", "is \"" + e.type() + "\", not \"NIRGraph\"",
                        "the top node of a NIR file is a graph; wrap the node in a NIRGraph");
            }
            return new NirFile(v, g);
        }

        private NirElement element(Group g, String path, int depth) throws NirFormatException {
            if (depth > limits.depth()) {
                throw problem(path, "nests graphs " + depth + " deep, beyond the limit of " + limits.depth(),
                        "NIR graphs nest a few levels; the file is damaged or refers to itself");
            }
            count(path);
            where = path + "/type";
            String type = text(g.getChild("type"), path + "/type");
            Map<String, NirValue> metadata = new LinkedHashMap<>();
            Node meta = g.getChild("metadata");
            if (meta != null && meta.isGroup()) {
                for (Node m : children((Group) meta, path + "/metadata")) {
                    if (m instanceof Dataset d) {
                        NirValue value = metadataValue(d, path + "/metadata/" + m.getName());
                        if (value != null) {
                            metadata.put(m.getName(), value);
                        }
                    }
                }
            }
            if (type.equals("NIRGraph")) {
                return graph(g, path, metadata, depth);
            }
            Map<String, NirValue> params = new LinkedHashMap<>();
            for (Node c : children(g, path)) {
                String name = c.getName();
                if (name.equals("type") || name.equals("metadata")) {
                    continue;
                }
                String at = path + "/" + name;
                if (c instanceof Dataset d) {
                    params.put(name, value(d, at));
                } else if (c instanceof Group sub && sub.getChildren().size() == 1
                        && children(sub, at).get(0) instanceof Dataset only) {
                    // NIR before 1.0 wrote input_type / output_type as a dict {"input": shape}
                    params.put(name, value(only, at + "/" + only.getName()));
                }
            }
            return new NirNode(type, params, metadata);
        }

        private NirGraph graph(Group g, String path, Map<String, NirValue> metadata, int depth) throws NirFormatException {
            Node nodes = g.getChild("nodes");
            if (nodes == null || !nodes.isGroup()) {
                throw problem(path + "/nodes", "is missing: a NIRGraph keeps its nodes in a group 'nodes'",
                        "write the graph with nir.write or spikeforge nir export");
            }
            Map<String, NirElement> out = new LinkedHashMap<>();
            for (Node n : children((Group) nodes, path + "/nodes")) {
                String at = path + "/nodes/" + n.getName();
                if (!n.isGroup()) {
                    throw problem(at, "is a dataset, but every node of a graph is a group", "write the graph with nir.write");
                }
                out.put(n.getName(), element((Group) n, at, depth + 1));
            }
            List<NirEdge> edges = new ArrayList<>();
            String at = path + "/edges";
            where = at;
            Node e = g.getChild("edges");
            if (!(e instanceof Dataset d)) {
                throw problem(at, "is missing: a NIRGraph lists its edges in a dataset 'edges'", "write the graph with nir.write");
            }
            guard(d, at);
            if (!d.isEmpty() && d.getSize() > 0) {
                int[] dims = d.getDimensions();
                if (d.getJavaType() != String.class || dims.length != 2 || dims[1] != 2) {
                    throw problem(at, "is " + describe(d) + ", not an (N, 2) array of node names",
                            "NIR stores edges as pairs of strings (source, target)");
                }
                String[] flat = (String[]) d.getDataFlat();
                for (int i = 0; i < dims[0]; i++) {
                    edges.add(new NirEdge(flat[2 * i], flat[2 * i + 1]));
                }
            }
            return new NirGraph(out, edges, metadata);
        }

        private String text(Node n, String path) throws NirFormatException {
            where = path;
            if (n instanceof Dataset d) {
                guard(d, path);
            }
            if (!(n instanceof Dataset d) || d.isEmpty() || !(d.getData() instanceof String s)) {
                throw problem(path, n == null ? "is missing" : "is not a string",
                        "every NIR node has a string dataset 'type' naming its class (\"LIF\", \"Affine\", ...)");
            }
            return s;
        }

        private NirValue value(Dataset d, String path) throws NirFormatException {
            guard(d, path);
            if (d.isEmpty() || d.getSize() == 0) {
                throw problem(path, "is empty", "NIR parameters hold at least one value");
            }
            if (d.getJavaType() == String.class) {
                if (d.isScalar()) {
                    return new NirText((String) d.getData());
                }
                throw problem(path, "is an array of strings, which no NIR parameter is", "check the writer of this file");
            }
            NirArray a = numbers(d);
            if (a == null) {
                throw problem(path, "is " + describe(d) + ", not a number or an array of numbers",
                        "NIR parameters are float32/float64 or int32/int64 arrays");
            }
            for (double x : a.data()) {
                if (!Double.isFinite(x)) {
                    throw problem(path, "holds " + x + ", which is not a finite number",
                            "check the model that was exported; NaN and infinity have no meaning as a parameter");
                }
            }
            return a;
        }

        /** Metadata values that are not numbers or strings (lists, bitfields) are skipped. */
        private NirValue metadataValue(Dataset d, String path) throws NirFormatException {
            guard(d, path);
            if (d.isEmpty() || d.getSize() == 0) {
                return null;
            }
            if (d.getJavaType() == String.class) {
                return d.isScalar() ? new NirText((String) d.getData()) : null;
            }
            return numbers(d);
        }

        private static final String DAMAGED = "the file is damaged; write it again with nir.write or spikeforge nir export";

        private NirFormatException problem(String path, String what, String help) {
            return new NirFormatException(file, path + " " + what, help);
        }
    }

    private static NirArray numbers(Dataset d) {
        Object flat = d.isScalar() ? d.getData() : d.getDataFlat();
        int[] shape = d.isScalar() ? new int[0] : d.getDimensions();
        double[] v;
        DType t;
        if (flat instanceof float[] f) {
            v = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                v[i] = f[i];
            }
            t = DType.FLOAT32;
        } else if (flat instanceof double[] x) {
            v = x;
            t = DType.FLOAT64;
        } else if (flat instanceof long[] l) {
            v = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                v[i] = l[i];
            }
            t = DType.INT64;
        } else if (flat instanceof int[] n) {
            v = new double[n.length];
            for (int i = 0; i < n.length; i++) {
                v[i] = n[i];
            }
            t = DType.INT32;
        } else if (flat instanceof Float f) {
            v = new double[] {f};
            t = DType.FLOAT32;
        } else if (flat instanceof Double x) {
            v = new double[] {x};
            t = DType.FLOAT64;
        } else if (flat instanceof Long l) {
            v = new double[] {l};
            t = DType.INT64;
        } else if (flat instanceof Integer n) {
            v = new double[] {n};
            t = DType.INT32;
        } else {
            return null;
        }
        return new NirArray(t, shape, v);
    }

    private static String describe(Dataset d) {
        return "a dataset of " + d.getJavaType().getSimpleName() + " with dimensions "
                + java.util.Arrays.toString(d.getDimensions());
    }

    @Override
    public void write(Path file, NirFile content) throws IOException {
        check(content.graph(), "/node");
        AtomicFiles.writeWith(file, temp -> {
            try (WritableHdfFile f = opener.open(temp)) {
                f.putDataset("version", content.version());
                writeElement(f.putGroup("node"), content.graph());
            } catch (HdfException e) {
                // jHDF reports a folder it cannot write to, or a full disk, as its own RuntimeException
                throw writeProblem(e);
            }
        });
    }

    /** The IOException under jHDF's exception (its reason: "No space left on device", "permission denied"). */
    static IOException writeProblem(HdfException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException io) {
                return io;
            }
        }
        return new IOException(e.getMessage() == null ? "jHDF could not write the file" : e.getMessage(), e);
    }

    private static void writeElement(WritableGroup g, NirElement e) {
        g.putDataset("type", e.type());
        if (e instanceof NirGraph graph) {
            WritableGroup nodes = g.putGroup("nodes");
            graph.nodes().forEach((name, child) -> writeElement(nodes.putGroup(name), child));
            String[][] edges = new String[graph.edges().size()][];
            for (int i = 0; i < edges.length; i++) {
                edges[i] = new String[] {graph.edges().get(i).from(), graph.edges().get(i).to()};
            }
            g.putDataset("edges", edges);
        } else if (e instanceof NirNode node) {
            node.params().forEach((k, v) -> g.putDataset(k, javaValue(v)));
        }
        if (!e.metadata().isEmpty()) {
            WritableGroup m = g.putGroup("metadata");
            e.metadata().forEach((k, v) -> m.putDataset(k, javaValue(v)));
        }
    }

    /** The Java object jHDF turns into the dataset: a String, a boxed scalar or a rectangular array. */
    private static Object javaValue(NirValue v) {
        if (v instanceof NirText t) {
            return t.value();
        }
        NirArray a = (NirArray) v;
        double[] d = a.data();
        if (a.isScalar()) {
            return switch (a.dtype()) {
                case FLOAT32 -> (float) d[0];
                case FLOAT64 -> d[0];
                case INT32 -> (int) d[0];
                case INT64 -> (long) d[0];
            };
        }
        Class<?> element = switch (a.dtype()) {
            case FLOAT32 -> float.class;
            case FLOAT64 -> double.class;
            case INT32 -> int.class;
            case INT64 -> long.class;
        };
        int[] shape = a.shape();
        Object out = Array.newInstance(element, shape);
        fill(out, shape, 0, d, new int[] {0}, a.dtype());
        return out;
    }

    private static void fill(Object array, int[] shape, int dim, double[] d, int[] next, DType t) {
        for (int i = 0; i < shape[dim]; i++) {
            if (dim < shape.length - 1) {
                fill(Array.get(array, i), shape, dim + 1, d, next, t);
            } else {
                double x = d[next[0]++];
                switch (t) {
                    case FLOAT32 -> Array.setFloat(array, i, (float) x);
                    case FLOAT64 -> Array.setDouble(array, i, x);
                    case INT32 -> Array.setInt(array, i, (int) x);
                    case INT64 -> Array.setLong(array, i, (long) x);
                }
            }
        }
    }

    /** Refuses what jHDF would store wrongly or not at all. */
    private static void check(NirElement e, String path) {
        if (e instanceof NirGraph g) {
            if (g.edges().isEmpty()) {
                throw new IllegalArgumentException(path + ": a graph without edges cannot be written (jHDF has no empty arrays)");
            }
            g.nodes().forEach((name, child) -> {
                checkName(name, path);
                check(child, path + "/nodes/" + name);
            });
            for (NirEdge edge : g.edges()) {
                if (!g.nodes().containsKey(edge.from()) || !g.nodes().containsKey(edge.to())) {
                    throw new IllegalArgumentException(path + ": edge " + edge + " names a node the graph does not have");
                }
            }
        } else if (e instanceof NirNode n) {
            n.params().forEach((k, v) -> {
                if (k.equals("type") || k.equals("metadata")) {
                    throw new IllegalArgumentException(path + ": a parameter cannot be named '" + k
                            + "', which NIR's layout uses itself");
                }
                checkValue(k, v, path);
            });
        }
        e.metadata().forEach((k, v) -> checkValue(k, v, path + "/metadata"));
    }

    private static void checkValue(String name, NirValue v, String path) {
        checkName(name, path);
        if (v instanceof NirArray a && a.size() == 0) {
            throw new IllegalArgumentException(path + "/" + name + " is empty; jHDF cannot write an empty array");
        }
    }

    private static void checkName(String name, String path) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(path + ": '" + name + "' cannot be an HDF5 name");
        }
    }
}

package dev.spikeforge.compiler.nir;

import dev.spikeforge.compiler.io.AtomicFiles;
import dev.spikeforge.compiler.nir.NirElement.NirEdge;
import dev.spikeforge.compiler.nir.NirElement.NirGraph;
import dev.spikeforge.compiler.nir.NirElement.NirNode;
import dev.spikeforge.compiler.nir.NirValue.DType;
import dev.spikeforge.compiler.nir.NirValue.NirArray;
import dev.spikeforge.compiler.nir.NirValue.NirText;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
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

    @Override
    public NirFile read(Path file) throws NirFormatException {
        if (!Files.isRegularFile(file)) {
            throw new NirFormatException(file, Files.exists(file) ? "is not a file" : "cannot read the file: no such file",
                    "give the path of a .nir file");
        }
        Reader r = new Reader(file);
        try (HdfFile hdf = new HdfFile(file)) {
            return r.file(hdf);
        } catch (NirFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new NirFormatException(file, "is not a readable HDF5 file" + (r.where.isEmpty() ? "" : " (at " + r.where + ")")
                    + ": " + what, "the file is damaged or truncated, or not a NIR file; write it again with nir.write "
                    + "or spikeforge nir export", e);
        }
    }

    /** Reads with the HDF5 path being read kept for messages. */
    private static final class Reader {
        private final Path file;
        private String where = "";

        Reader(Path file) {
            this.file = file;
        }

        NirFile file(HdfFile hdf) throws NirFormatException {
            Node version = hdf.getChild("version");
            Node top = hdf.getChild("node");
            if (top == null || !top.isGroup()) {
                throw problem("/node", "has no group 'node', which holds a NIR file's graph",
                        "this is an HDF5 file but not a NIR graph (nir.write puts the graph under /node)");
            }
            String v = version instanceof Dataset d && !d.isEmpty() && d.getData() instanceof String s ? s : "";
            if (v.isEmpty()) {
                throw problem("/version", "has no string dataset 'version'", "NIR writes it at the root of every file");
            }
            NirElement e = element((Group) top, "/node");
            if (!(e instanceof NirGraph g)) {
                throw problem("/node/type", "is \"" + e.type() + "\", not \"NIRGraph\"",
                        "the top node of a NIR file is a graph; wrap the node in a NIRGraph");
            }
            return new NirFile(v, g);
        }

        private NirElement element(Group g, String path) throws NirFormatException {
            where = path + "/type";
            String type = text(g.getChild("type"), path + "/type");
            Map<String, NirValue> metadata = new LinkedHashMap<>();
            Node meta = g.getChild("metadata");
            if (meta != null && meta.isGroup()) {
                for (Node m : sorted((Group) meta)) {
                    if (m instanceof Dataset d) {
                        NirValue value = metadataValue(d, path + "/metadata/" + m.getName());
                        if (value != null) {
                            metadata.put(m.getName(), value);
                        }
                    }
                }
            }
            if (type.equals("NIRGraph")) {
                return graph(g, path, metadata);
            }
            Map<String, NirValue> params = new LinkedHashMap<>();
            for (Node c : sorted(g)) {
                String name = c.getName();
                if (name.equals("type") || name.equals("metadata")) {
                    continue;
                }
                String at = path + "/" + name;
                if (c instanceof Dataset d) {
                    params.put(name, value(d, at));
                } else if (c instanceof Group sub && sub.getChildren().size() == 1
                        && sorted(sub).get(0) instanceof Dataset only) {
                    // NIR before 1.0 wrote input_type / output_type as a dict {"input": shape}
                    params.put(name, value(only, at + "/" + only.getName()));
                }
            }
            return new NirNode(type, params, metadata);
        }

        private NirGraph graph(Group g, String path, Map<String, NirValue> metadata) throws NirFormatException {
            Node nodes = g.getChild("nodes");
            if (nodes == null || !nodes.isGroup()) {
                throw problem(path + "/nodes", "is missing: a NIRGraph keeps its nodes in a group 'nodes'",
                        "write the graph with nir.write or spikeforge nir export");
            }
            Map<String, NirElement> out = new LinkedHashMap<>();
            for (Node n : sorted((Group) nodes)) {
                String at = path + "/nodes/" + n.getName();
                if (!n.isGroup()) {
                    throw problem(at, "is a dataset, but every node of a graph is a group", "write the graph with nir.write");
                }
                out.put(n.getName(), element((Group) n, at));
            }
            List<NirEdge> edges = new ArrayList<>();
            String at = path + "/edges";
            where = at;
            Node e = g.getChild("edges");
            if (!(e instanceof Dataset d)) {
                throw problem(at, "is missing: a NIRGraph lists its edges in a dataset 'edges'", "write the graph with nir.write");
            }
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
            if (!(n instanceof Dataset d) || d.isEmpty() || !(d.getData() instanceof String s)) {
                throw problem(path, n == null ? "is missing" : "is not a string",
                        "every NIR node has a string dataset 'type' naming its class (\"LIF\", \"Affine\", ...)");
            }
            return s;
        }

        private NirValue value(Dataset d, String path) throws NirFormatException {
            where = path;
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
        private NirValue metadataValue(Dataset d, String path) {
            where = path;
            if (d.isEmpty() || d.getSize() == 0) {
                return null;
            }
            if (d.getJavaType() == String.class) {
                return d.isScalar() ? new NirText((String) d.getData()) : null;
            }
            return numbers(d);
        }

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

    /** Children by name: jHDF does not keep the written order, and h5py lists names sorted too. */
    private static List<Node> sorted(Group g) {
        return List.copyOf(new TreeMap<>(g.getChildren()).values());
    }

    @Override
    public void write(Path file, NirFile content) throws IOException {
        check(content.graph(), "/node");
        AtomicFiles.writeWith(file, temp -> {
            try (WritableHdfFile f = HdfFile.write(temp)) {
                f.putDataset("version", content.version());
                writeElement(f.putGroup("node"), content.graph());
            }
        });
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

package dev.spikeforge.compiler.ir;

import dev.spikeforge.compiler.diag.Diagnostics;
import dev.spikeforge.compiler.diag.ErrorCode;
import java.util.List;

/**
 * Shape inference, one rule per node kind. Each rule returns the output shape, or
 * {@link Shape#UNKNOWN} when its input is unknown (nothing reported: the cause was reported
 * upstream) or when the rule fails (reported to {@code sink} when a sink is given). Parameters out
 * of range give UNKNOWN silently; {@link NetworkVerifier} reports those.
 */
public final class ShapeRules {

    private ShapeRules() {
    }

    public static Shape outputOf(Node node, List<Shape> inputs, Diagnostics sink) {
        Shape in = inputs.isEmpty() ? Shape.UNKNOWN : inputs.get(0);
        if (node instanceof InputNode n) {
            return n.shape();
        } else if (node instanceof Conv2dNode n) {
            return conv(in, n.filters(), n.kernel(), n.stride(), n.padding(), n, sink);
        } else if (node instanceof AvgPoolNode n) {
            return avgpool(in, n.kernel(), n, sink);
        } else if (node instanceof Conv1dNode n) {
            return conv1d(in, n.filters(), n.kernel(), n.stride(), n.padding(), n, sink);
        } else if (node instanceof MaxPoolNode n) {
            return maxpool(in, n.kernel(), n, sink);
        } else if (node instanceof DenseNode n) {
            return in.isKnown() && n.units() >= 1 ? Shape.flat(n.units()) : Shape.UNKNOWN;
        } else if (node instanceof ReadoutNode n) {
            return in.isKnown() && n.classes() >= 1 ? Shape.flat(n.classes()) : Shape.UNKNOWN;
        } else if (node instanceof FlattenNode) {
            return flatten(in, node, sink);
        } else if (node instanceof ResidualAddNode n) {
            return add(inputs, Shape.UNKNOWN, n, sink);
        }
        return in; // neurons and dropout keep their input's shape

    }

    public static Shape flatten(Shape in) {
        return flatten(in, null, null);
    }

    /** One flat vector of all values; UNKNOWN (E404 to {@code sink}) past {@link Shape#MAX_ELEMENTS}. */
    public static Shape flatten(Shape in, Node at, Diagnostics sink) {
        if (!in.isKnown()) {
            return Shape.UNKNOWN;
        }
        if (in.size() > Shape.MAX_ELEMENTS) {
            tooLarge(sink, at, in.toString(), in.size());
            return Shape.UNKNOWN;
        }
        return Shape.flat((int) in.size());
    }

    /** E404 for a layer output of {@code values} values per step. */
    private static void tooLarge(Diagnostics sink, Node at, String shape, long values) {
        if (sink != null && at != null) {
            sink.add(ErrorCode.E404, at.pos(), at.kind() + " '" + at.userLayer() + "' gives " + shape + " = "
                    + count(values) + " values per step; the engines index at most " + count(Shape.MAX_ELEMENTS)
                    + " per array", "use fewer filters, a stride, or a pooling layer before it");
        }
    }

    /** 1,234,567; "more than 9,223,372,036,854,775,806" for a product that overflowed. */
    public static String count(long n) {
        return n == Long.MAX_VALUE ? "more than " + String.format(java.util.Locale.ROOT, "%,d", Long.MAX_VALUE - 1)
                : String.format(java.util.Locale.ROOT, "%,d", n);
    }

    /** floor((H + 2p - k) / s) + 1 per axis; the kernel must fit the padded input. */
    public static Shape conv(Shape in, int filters, int kernel, int stride, int padding, Node at, Diagnostics sink) {
        if (!in.isKnown() || filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            return Shape.UNKNOWN;
        }
        if (!requireSpatial(in, at, sink)) {
            return Shape.UNKNOWN;
        }
        long hp = in.height() + 2L * padding;
        long wp = in.width() + 2L * padding;
        if (kernel > hp || kernel > wp) {
            if (sink != null) {
                report(sink, ErrorCode.E400, at, "kernel " + kernel + "x" + kernel + " of '" + at.userLayer()
                    + "' is larger than its input " + in.height() + "x" + in.width()
                    + (padding > 0 ? " padded by " + padding : "")
                    + " (over by " + (kernel - Math.min(hp, wp)) + ")",
                    "use kernel <= " + Math.min(hp, wp) + ", add padding, or remove a pooling layer before it");
            }
            return Shape.UNKNOWN;
        }
        long outH = (hp - kernel) / stride + 1;
        long outW = (wp - kernel) / stride + 1;
        long values = Shape.times(Shape.times(filters, outH), outW);
        if (values > Shape.MAX_ELEMENTS) {
            tooLarge(sink, at, filters + "x" + outH + "x" + outW, values);
            return Shape.UNKNOWN;
        }
        long unreadRows = unreadTrailing(hp, kernel, stride, padding);
        long unreadCols = unreadTrailing(wp, kernel, stride, padding);
        if (sink != null && (unreadRows > 0 || unreadCols > 0)) {
            sink.add(ErrorCode.W601, at.pos(), "kernel " + kernel + " stride " + stride + " of '" + at.userLayer() + "' on "
                    + in.height() + "x" + in.width() + (padding > 0 ? " padded by " + padding : "")
                    + " never reads the last " + unreadRows + " row(s) and " + unreadCols + " column(s) of its input",
                    "pad by " + (padding + Math.max(unreadRows, unreadCols)) + " or choose a stride that divides "
                            + "(size + 2 * padding - kernel)");
        }
        return Shape.chw(filters, (int) outH, (int) outW);
    }

    /**
     * Input rows (not padding) after the last window. Counted only when windows touch each other
     * (kernel >= stride): a 1x1 stride-2 convolution skips every other row by design.
     */
    static long unreadTrailing(long paddedSize, int kernel, int stride, int padding) {
        if (kernel < stride) {
            return 0;
        }
        return Math.max(0, (paddedSize - kernel) % stride - padding);
    }

    /** floor((L + 2p - k) / s) + 1 on a CxL input; the kernel must fit the padded input. */
    public static Shape conv1d(Shape in, int filters, int kernel, int stride, int padding, Node at, Diagnostics sink) {
        if (!in.isKnown() || filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            return Shape.UNKNOWN;
        }
        if (!in.isSequence()) {
            if (sink != null) {
                report(sink, ErrorCode.E401, at, "'" + at.userLayer() + "' (conv1d) needs a CxL input (channels x length), but it "
                        + "receives " + described(in), in.isSpatial()
                        ? "use conv on a CxHxW input, or declare the input as CxL (for example input 2x64)"
                        : "move it before the first dense layer or flatten, or declare the input as CxL (for example input 2x64)");
            }
            return Shape.UNKNOWN;
        }
        long lp = in.length() + 2L * padding;
        if (kernel > lp) {
            if (sink != null) {
                report(sink, ErrorCode.E400, at, "kernel " + kernel + " of '" + at.userLayer() + "' is longer than its input "
                        + in.length() + (padding > 0 ? " padded by " + padding : "") + " (over by " + (kernel - lp) + ")",
                        "use kernel <= " + lp + " or add padding");
            }
            return Shape.UNKNOWN;
        }
        long outL = (lp - kernel) / stride + 1;
        long values = Shape.times(filters, outL);
        if (values > Shape.MAX_ELEMENTS) {
            tooLarge(sink, at, filters + "x" + outL, values);
            return Shape.UNKNOWN;
        }
        long unread = unreadTrailing(lp, kernel, stride, padding);
        if (sink != null && unread > 0) {
            sink.add(ErrorCode.W601, at.pos(), "kernel " + kernel + " stride " + stride + " of '" + at.userLayer() + "' on "
                    + in.length() + (padding > 0 ? " padded by " + padding : "") + " never reads the last " + unread
                    + " value(s) of its input", "pad by " + (padding + unread) + " or choose a stride that divides "
                    + "(length + 2 * padding - kernel)");
        }
        return Shape.cl(filters, (int) outL);
    }

    /** floor(size / k) per axis (stride k), on a CxHxW map or a CxL sequence. */
    public static Shape maxpool(Shape in, int kernel, Node at, Diagnostics sink) {
        if (!in.isKnown() || kernel < 1) {
            return Shape.UNKNOWN;
        }
        if (in.isSequence()) {
            if (kernel > in.length()) {
                if (sink != null) {
                    report(sink, ErrorCode.E400, at, "maxpool(" + kernel + ") of '" + at.userLayer() + "' is longer than its input "
                            + in.length() + " (over by " + (kernel - in.length()) + ")",
                            "use maxpool(" + in.length() + ") or less, or remove this pooling layer");
                }
                return Shape.UNKNOWN;
            }
            if (sink != null && in.length() % kernel != 0) {
                sink.add(ErrorCode.W600, at.pos(), "maxpool(" + kernel + ") of '" + at.userLayer() + "' on length "
                        + in.length() + " drops the last " + (in.length() % kernel) + " value(s)");
            }
            return Shape.cl(in.channels(), in.length() / kernel);
        }
        if (!in.isSpatial()) {
            if (sink != null) {
                report(sink, ErrorCode.E401, at, "'" + at.userLayer() + "' (maxpool) needs a CxHxW or CxL input, but it receives "
                        + "the flat shape " + in, "move it before the first dense layer or flatten");
            }
            return Shape.UNKNOWN;
        }
        return windows2d("maxpool", in, kernel, at, sink);
    }

    /** floor(H / k) per axis (stride k). */
    public static Shape avgpool(Shape in, int kernel, Node at, Diagnostics sink) {
        if (!in.isKnown() || kernel < 1) {
            return Shape.UNKNOWN;
        }
        if (!requireSpatial(in, at, sink)) {
            return Shape.UNKNOWN;
        }
        return windows2d("avgpool", in, kernel, at, sink);
    }

    /**
     * K x K windows with stride K on a CxHxW map, the rule of both poolings: floor(H / K) x floor(W / K),
     * E400 for a kernel larger than the map, W600 for the rows and columns it drops.
     */
    private static Shape windows2d(String kind, Shape in, int kernel, Node at, Diagnostics sink) {
        if (kernel > in.height() || kernel > in.width()) {
            if (sink != null) {
                report(sink, ErrorCode.E400, at, kind + "(" + kernel + ") of '" + at.userLayer()
                    + "' is larger than its input " + in.height() + "x" + in.width()
                    + " (over by " + (kernel - Math.min(in.height(), in.width())) + ")",
                    "use " + kind + "(" + Math.min(in.height(), in.width()) + ") or less, or remove this pooling layer");
            }
            return Shape.UNKNOWN;
        }
        if (sink != null && (in.height() % kernel != 0 || in.width() % kernel != 0)) {
            sink.add(ErrorCode.W600, at.pos(), kind + "(" + kernel + ") of '" + at.userLayer() + "' on "
                    + in.height() + "x" + in.width() + " drops the last " + (in.height() % kernel)
                    + " row(s) and " + (in.width() % kernel) + " column(s)");
        }
        return Shape.chw(in.channels(), in.height() / kernel, in.width() / kernel);
    }

    /**
     * Both paths of a residual block must end in one shape. {@code blockInput}, when known, is
     * the shape entering the block; it lets the message name the skip convolution that fits.
     */
    public static Shape add(List<Shape> inputs, Shape blockInput, Node at, Diagnostics sink) {
        if (inputs.size() != 2 || !inputs.get(0).isKnown() || !inputs.get(1).isKnown()) {
            return Shape.UNKNOWN;
        }
        Shape main = inputs.get(0);
        Shape skip = inputs.get(1);
        if (!main.equals(skip)) {
            if (sink != null) {
                report(sink, ErrorCode.E402, at, "residual block '" + at.userLayer() + "': the main path ends in "
                    + main + " but the skip path gives " + skip, skipHelp(main, blockInput));
            }
            return Shape.UNKNOWN;
        }
        return main;
    }

    private static String skipHelp(Shape main, Shape blockInput) {
        if (!main.isSpatial() || !blockInput.isSpatial() || blockInput.height() % main.height() != 0
                || blockInput.width() % main.width() != 0
                || blockInput.height() / main.height() != blockInput.width() / main.width()) {
            return "make both paths end in the same CxHxW shape";
        }
        int stride = blockInput.height() / main.height();
        return "from the block's input " + blockInput + " the skip path needs skip conv(" + main.channels()
                + ", kernel = 1" + (stride > 1 ? ", stride = " + stride : "") + ")";
    }

    private static boolean requireSpatial(Shape in, Node at, Diagnostics sink) {
        if (in.isSpatial()) {
            return true;
        }
        if (sink == null) {
            return false;
        }
        report(sink, ErrorCode.E401, at, "'" + at.userLayer() + "' (" + at.kind() + ") needs a CxHxW input, but it receives "
                + described(in), !in.isSequence()
                ? "move it before the first dense layer or flatten, or declare the input as CxHxW"
                : at instanceof Conv2dNode && at.name().endsWith(".skip")
                ? "skip conv is 2-D: on a CxL (channels x length) input the skip path can only be identity, and the main path must keep the shape"
                : at instanceof Conv2dNode ? "use conv1d on a CxL (channels x length) input, or declare the input as CxHxW"
                : "on a CxL (channels x length) input use maxpool, or declare the input as CxHxW");
        return false;
    }

    /** "the flat shape 784", "the CxL shape 2x64", "the CxHxW shape 1x28x28". */
    private static String described(Shape in) {
        return (in.isSequence() ? "the CxL shape " : in.isSpatial() ? "the CxHxW shape " : "the flat shape ") + in;
    }

    private static void report(Diagnostics sink, ErrorCode code, Node at, String message, String help) {
        if (sink != null) {
            sink.add(code, at.pos(), message, help);
        }
    }
}

package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.FpgaLayer.indexBits;
import static dev.spikeforge.targets.fpga.Verilog.ext;
import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The address generator of the synaptic phase: for the event at the head of the buffer, the
 * membrane and weight words it reaches, one per cycle, and the lanes each word enables. Dense
 * steps through the blocks, pool reaches one word; conv also steps through the kernel offsets that
 * put the event inside the output, so an event costs a cycle only for the words it reaches
 * (docs/targets.md, "Architecture", and the cycle formula there).
 */
final class SynapticWalker {

    /** What the walker hands the shared wiring: when an event reaches anything, when its walk ends, the addresses and lanes. */
    private record Walk(String any, String last, String membraneAddress, String weightAddress, String lanes) {
    }

    private final Verilog v;
    private final EngineWidths w;
    private final FpgaLayer l;

    SynapticWalker(Verilog v, EngineWidths w) {
        this.v = v;
        this.w = w;
        this.l = w.l;
    }

    /** The walker's registers, its address arithmetic for the layer's kind, and the event buffer's read port. */
    void declare() {
        v.line("    // synaptic phase: each event walks the words it reaches, one per cycle; the event after the next");
        v.line("    // is read during the last word of the current one");
        v.line("    wire de_load;                      // de_q takes the next event");
        if (l.kind() == FpgaLayer.Kind.CONV) {
            v.line("    reg w_first;                       // first word of the event");
        }
        if (l.kind() != FpgaLayer.Kind.POOL) {
            v.line("    reg [%d:0] w_blk;", w.bw - 1);
            v.line("    wire blk_last = (w_blk == %s);", k(w.bw, w.nb - 1));
        }
        Walk walk = switch (l.kind()) {
            case DENSE -> dense();
            case POOL -> pool();
            default -> conv();
        };
        eventRead(walk);
    }

    /**
     * The width of the address arithmetic: a product such as {@code flat * blocks} is computed at
     * full width and sliced, so it holds every address, coordinate and constant the walker uses.
     */
    private int constBits() {
        return indexBits((long) Math.max(Math.max(w.kk, l.padding()), Math.max(Math.max(l.stride(), w.nb),
                Math.max(Math.max(l.outW(), l.outH()), Math.max(l.inH(), l.inW())))) + 1);
    }

    /** Dense: every block of units, weights input-major, so word {@code flat * blocks + block}. */
    private Walk dense() {
        int xw = Math.max(constBits(), Math.max(indexBits((long) w.wd), Math.max(indexBits(l.inputSize()),
                Math.max(w.cb, Math.max(w.yb, Math.max(w.xb, w.bw))))));
        if (w.rec) {
            xw = Math.max(xw, w.ocb);
        }
        String rows = times(ext("e_c", w.cb, xw), xw, l.inH()) + " + " + ext("e_y", w.yb, xw);
        v.line("    wire [%d:0] flat_full = %s + %s;", xw - 1, times(rows, xw, l.inW()), ext("e_x", w.xb, xw));
        if (!w.rec) {
            v.line("    wire [%d:0] wa_full = %s + %s;", xw - 1, times("flat_full", xw, w.nb), ext("w_blk", w.bw, xw));
            // one membrane word per block: the block is the address
            return new Walk("1'b1", "blk_last", "w_blk", slice("wa_full", xw, w.waw), w.laneMask("blk_last"));
        }
        v.line("    wire [%d:0] wa_in = %s + %s;", xw - 1, times("flat_full", xw, w.nb), ext("w_blk", w.bw, xw));
        String base = k(xw, l.recurrentBase());
        if (l.recurrence() == FpgaLayer.Recurrence.FULL) {
            // an own spike of unit u walks row u of W_rec, every block, as an input event walks its row
            v.line("    wire [%d:0] wa_rec = %s + %s + %s;", xw - 1, base, times(ext("e_u", w.ocb, xw), xw, w.nb),
                    ext("w_blk", w.bw, xw));
            v.line("    wire [%d:0] wa_full = e_own ? wa_rec : wa_in;", xw - 1);
            return new Walk("1'b1", "blk_last", "w_blk", slice("wa_full", xw, w.waw), w.laneMask("blk_last"));
        }
        // diagonal: an own spike of unit u reaches u alone, one word: block u / P, lane u % P
        int lp = Integer.numberOfTrailingZeros(w.p);
        String ownBlock = lp == 0 ? ext("e_u", w.ocb, xw) : "(" + ext("e_u", w.ocb, xw) + " >> " + lp + ")";
        v.line("    wire [%d:0] own_blk = %s;", xw - 1, ownBlock);
        v.line("    wire [%d:0] wa_rec = %s + own_blk;", xw - 1, base);
        v.line("    wire [%d:0] wa_full = e_own ? wa_rec : wa_in;", xw - 1);
        String ownMa = slice("own_blk", xw, w.maw);
        v.line("    wire [%d:0] own_ma = %s;", w.maw - 1, ownMa);
        String ownLanes;
        if (w.p == 1) {
            ownLanes = "1'b1";
        } else {
            v.line("    wire [%d:0] own_lane = %s;", lp - 1, w.ocb < lp ? ext("e_u", w.ocb, lp) : "e_u[" + (lp - 1) + ":0]");
            ownLanes = "(" + k(w.p, 1) + " << own_lane)";
        }
        return new Walk("1'b1", "e_own || blk_last", "e_own ? own_ma : w_blk", slice("wa_full", xw, w.waw),
                "e_own ? " + ownLanes + " : " + w.laneMask("blk_last"));
    }

    /**
     * Pool (kernel = stride): one word, the pooled neuron of the event's channel; the channel's
     * low bits pick its lane. Rows and columns the pooling leaves out reach nothing.
     */
    private Walk pool() {
        int kk = w.kk;
        int lp = Integer.numberOfTrailingZeros(w.p);
        int xw = Math.max(constBits(), Math.max(w.maw, Math.max(w.cb, Math.max(w.yb, Math.max(w.xb, w.waw)))));
        String oy = kk == 1 ? ext("e_y", w.yb, xw) : "(" + ext("e_y", w.yb, xw) + " / " + k(xw, kk) + ")";
        String ox = kk == 1 ? ext("e_x", w.xb, xw) : "(" + ext("e_x", w.xb, xw) + " / " + k(xw, kk) + ")";
        String blk = lp == 0 ? ext("e_c", w.cb, xw) : "(" + ext("e_c", w.cb, xw) + " >> " + lp + ")";
        String yOk = l.inH() > l.outH() * kk ? "(e_y < " + k(w.yb, (long) l.outH() * kk) + ")" : "1'b1";
        String xOk = l.inW() > l.outW() * kk ? "(e_x < " + k(w.xb, (long) l.outW() * kk) + ")" : "1'b1";
        v.line("    wire [%d:0] ma_full = %s + %s;", xw - 1, times(oy + " * " + k(xw, l.outW()) + " + " + ox, xw, w.nb), blk);
        v.line("    wire [%d:0] wa_full = %s;", xw - 1, blk);
        String any = yOk.equals("1'b1") && xOk.equals("1'b1") ? "1'b1" : yOk + " && " + xOk;
        String membrane = slice("ma_full", xw, w.maw);
        String weight = slice("wa_full", xw, w.waw);
        String lanes;
        if (w.p == 1) {
            lanes = "1'b1";
        } else {
            v.line("    wire [%d:0] pool_lane = %s;", lp - 1, w.cb < lp ? ext("e_c", w.cb, lp) : "e_c[" + (lp - 1) + ":0]");
            lanes = k(w.p, 1) + " << pool_lane";
        }
        return new Walk(any, "1'b1", membrane, weight, lanes);
    }

    /**
     * Conv: the kernel offsets that put the event inside the output are known from its row and
     * column alone, one comparator per kernel row and column, so the walk visits only those
     * (lowest first) and, for each, every block of output channels.
     */
    private Walk conv() {
        int s = l.stride();
        int pad = l.padding();
        int kk = w.kk;
        int kb = w.kb;
        v.line("    reg [%d:0] w_ky, w_kx;", kb - 1);
        v.line("    // kernel rows and columns that put the next event (ev_q) inside the output: (y + %d - k) = %d * oy,",
                pad, s);
        v.line("    // 0 <= oy < %d; registered with it, with the lowest of each, when it becomes the event walked", l.outH());
        int at = w.xb;
        v.line("    wire [%d:0] q_x = ev_q[%d:0];", w.xb - 1, w.xb - 1);
        v.line("    wire [%d:0] q_y = ev_q[%d:%d];", w.yb - 1, at + w.yb - 1, at);
        // a kernel whose every offset reaches every row (kernel 1) compares neither
        v.unused("q_x");
        v.unused("q_y");
        v.line("    wire [%d:0] q_ky_ok, q_kx_ok;", kk - 1);
        for (int t = 0; t < kk; t++) {
            v.line("    assign q_ky_ok[%d] = %s;", t, tapCondition("q_y", w.yb, t, l.inH(), l.outH(), s, pad));
            v.line("    assign q_kx_ok[%d] = %s;", t, tapCondition("q_x", w.xb, t, l.inW(), l.outW(), s, pad));
        }
        v.line("    reg [%d:0] ky_ok, kx_ok;", kk - 1);
        v.line("    reg [%d:0] ky_lo, kx_lo;", kb - 1);
        v.line("    always @(posedge clk) begin");
        v.line("        if (de_load) begin");
        v.line("            ky_ok <= q_ky_ok;");
        v.line("            kx_ok <= q_kx_ok;");
        v.line("            ky_lo <= lowest_k(q_ky_ok);");
        v.line("            kx_lo <= lowest_k(q_kx_ok);");
        v.line("        end");
        v.line("    end");
        v.line("    wire [%d:0] t_ky = w_first ? ky_lo : w_ky;", kb - 1);
        v.line("    wire [%d:0] t_kx = w_first ? kx_lo : w_kx;", kb - 1);
        v.line("    wire [%d:0] ky_rest = ky_ok & after_k(t_ky);", kk - 1);
        v.line("    wire [%d:0] kx_rest = kx_ok & after_k(t_kx);", kk - 1);
        int xw = Math.max(indexBits((long) w.wd), Math.max(w.maw, Math.max(w.cb, Math.max(w.bw, kb))));
        xw = Math.max(constBits(), Math.max(xw, indexBits(Math.max(l.inH(), l.inW()) + pad + 1)));
        String padded = pad == 0 ? "" : " + " + k(xw, pad);
        String oy = "(" + ext("e_y", w.yb, xw) + padded + " - " + ext("t_ky", kb, xw) + ")";
        String ox = "(" + ext("e_x", w.xb, xw) + padded + " - " + ext("t_kx", kb, xw) + ")";
        if (s > 1) {
            oy = "(" + oy + " / " + k(xw, s) + ")";
            ox = "(" + ox + " / " + k(xw, s) + ")";
        }
        v.line("    wire [%d:0] ma_full = %s + %s;", xw - 1, times(oy + " * " + k(xw, l.outW()) + " + " + ox, xw, w.nb),
                ext("w_blk", w.bw, xw));
        v.line("    wire [%d:0] wa_full = %s + %s;", xw - 1, times("(" + ext("e_c", w.cb, xw) + " * " + k(xw, kk) + " + "
                + ext("t_ky", kb, xw) + ") * " + k(xw, kk) + " + " + ext("t_kx", kb, xw), xw, w.nb), ext("w_blk", w.bw, xw));
        return new Walk("(|ky_ok) && (|kx_ok)", "blk_last && !(|kx_rest) && !(|ky_rest)",
                slice("ma_full", xw, w.maw), slice("wa_full", xw, w.waw), w.laneMask("blk_last"));
    }

    /**
     * The walk's outputs and the event buffer's read port. The next event is read during the last
     * word of the current one, so back-to-back events cost no cycle between them; an event that
     * reaches nothing still takes its one cycle.
     */
    private void eventRead(Walk walk) {
        int ecw = w.ecw;
        v.line("    wire walk_any = %s;                 // the event reaches at least one neuron", walk.any());
        v.line("    wire walk = (state == S_WALK) && de_v && walk_any;");
        v.line("    wire ev_last_word = !walk_any || (%s);", walk.last());
        v.line("    wire more_events = (ev_i + %s) < ev_n;", k(ecw, 1));
        v.line("    wire [%d:0] walk_ma = %s;", w.maw - 1, walk.membraneAddress());
        v.line("    assign w_ra = %s;", walk.weightAddress());
        v.line("    wire [%d:0] walk_mask = %s;", w.p - 1, walk.lanes());
        v.line("    // the walk's first cycle loads the first event and reads the second; each event's last word loads");
        v.line("    // the next (in ev_q) and reads the one after it");
        v.line("    wire ev_after = ({1'b0, ev_i} + %s) < {1'b0, ev_n};", k(ecw + 1, 2));
        v.line("    assign de_load = (state == S_WALK) && (de_v ? ev_last_word && more_events : ev_n != %s);", k(ecw, 0));
        // a buffer of one entry never holds a second event: no read after the first
        String second = ecw == 1 ? "1'b0" : "ev_n > " + k(ecw, 1);
        v.line("    assign ev_re = (state == S_IDLE && start && ev_n != %s) || (state == S_WALK && !de_v && %s)"
                + " || (state == S_WALK && de_v && ev_last_word && ev_after);", k(ecw, 0), second);
        if (ecw == 1) {
            v.line("    assign ev_ra = 1'd0;");
        } else {
            v.line("    assign ev_ra = (state == S_IDLE) ? %s : !de_v ? %s : ev_i + %s;", k(ecw, 0), k(ecw, 1), k(ecw, 2));
        }
        v.line("    always @(posedge clk) begin");
        v.line("        if (de_load) de_q <= ev_q;");
        v.line("    end");
        v.blank();
    }

    // ---- the walker's registers in the control block ------------------------------------------------

    /** An event's walk starts at its first word (and, for conv, its lowest kernel offset). */
    void firstWord(String indent) {
        if (l.kind() == FpgaLayer.Kind.CONV) {
            v.line("%sw_first <= 1'b1;", indent);
        }
        if (l.kind() != FpgaLayer.Kind.POOL) {
            v.line("%sw_blk <= %s;", indent, k(w.bw, 0));
        }
    }

    /**
     * The next word of the same event: the next block, and for conv after the last block the next
     * kernel column that reaches the output, else the next such row from its lowest column.
     */
    void nextWord() {
        if (l.kind() == FpgaLayer.Kind.CONV) {
            v.line("                        w_first <= 1'b0;");
        }
        switch (l.kind()) {
            case DENSE -> v.line("                        w_blk <= w_blk + %s;", k(w.bw, 1));
            case CONV -> {
                v.line("                        if (!blk_last) begin");
                v.line("                            w_blk <= w_blk + %s;", k(w.bw, 1));
                v.line("                            w_ky <= t_ky;");
                v.line("                            w_kx <= t_kx;");
                v.line("                        end else begin");
                v.line("                            w_blk <= %s;", k(w.bw, 0));
                v.line("                            if (|kx_rest) begin");
                v.line("                                w_ky <= t_ky;");
                v.line("                                w_kx <= lowest_k(kx_rest);");
                v.line("                            end else begin");
                v.line("                                w_ky <= lowest_k(ky_rest);");
                v.line("                                w_kx <= kx_lo;");
                v.line("                            end");
                v.line("                        end");
            }
            default -> {
            }
        }
    }

    // ---- address arithmetic --------------------------------------------------------------------------

    /**
     * The test that kernel offset {@code t} puts input coordinate {@code e} inside the output:
     * {@code (e + pad - t) = s * o} with {@code 0 <= o < outDim}, that is {@code e >= t - pad},
     * {@code e < s * outDim + t - pad} and {@code (e + pad - t) % s == 0}. A bound the coordinate
     * cannot cross is left out: {@code e >= 0} on an unsigned field is a lint warning, and a bound
     * past the field's range has no constant of its width.
     */
    private static String tapCondition(String e, int bits, int t, int inDim, int outDim, int s, int pad) {
        StringBuilder c = new StringBuilder();
        long lo = (long) t - pad;
        long hi = (long) s * outDim + t - pad;
        if (lo >= inDim || hi <= 0) {
            return "1'b0";
        }
        if (lo > 0) {
            c.append("(").append(e).append(" >= ").append(k(bits, lo)).append(")");
        }
        if (hi < inDim) {
            if (c.length() > 0) {
                c.append(" && ");
            }
            c.append("(").append(e).append(" < ").append(k(bits, hi)).append(")");
        }
        if (s > 1) {
            long r = Math.floorMod(t - pad, s);
            if (c.length() > 0) {
                c.append(" && ");
            }
            if (Integer.bitCount(s) != 1) {
                throw new IllegalArgumentException("stride " + s + " is not a power of two (a design rule refuses it)");
            }
            // a power-of-two stride makes the remainder the coordinate's low bits: no divider
            int ls = Integer.numberOfTrailingZeros(s);
            if (ls >= bits) {
                if (r >= (1L << bits)) {
                    return "1'b0";
                }
                c.append("(").append(e).append(" == ").append(k(bits, r)).append(")");
            } else {
                c.append("(").append(e).append("[").append(ls - 1).append(":0] == ").append(k(ls, r)).append(")");
            }
        }
        return c.length() == 0 ? "1'b1" : c.toString();
    }

    /** {@code expr * factor}, or {@code expr} alone when the factor is 1. */
    private static String times(String expr, int width, long factor) {
        return factor == 1 ? expr : "(" + expr + ") * " + k(width, factor);
    }

    /** {@code full[to-1:0]}: the address bits; the high bits only held intermediate products, so they are marked unused. */
    private String slice(String full, int width, int to) {
        if (width == to) {
            return full;
        }
        v.unused(full + "[" + (width - 1) + ":" + to + "]");
        return full + "[" + (to - 1) + ":0]";
    }
}

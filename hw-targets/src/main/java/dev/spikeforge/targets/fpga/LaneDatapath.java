package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.Verilog.ext;
import static dev.spikeforge.targets.fpga.Verilog.k;
import static dev.spikeforge.targets.fpga.Verilog.sext;
import static dev.spikeforge.targets.fpga.Verilog.sk;

/**
 * The arithmetic of the P lanes: the synaptic accumulate (stage 2 of the synaptic pipeline, a
 * read-modify-write of one membrane word per cycle) and the end-of-step update of the neuron
 * pipeline, split over its stages by registers so that no path holds more than one step of it:
 * n2 {@code mem + bias}, n3 clamp, fire and reset, n4 the leak's multiply, n5 the leak's shift and
 * the write-back (docs/targets.md, "Architecture"). Every width is the lane's {@code acc_bits},
 * which has the guard bits that keep a step's partial sums from overflowing (docs/semantics.md
 * sections 4.8 and 10).
 */
final class LaneDatapath {

    private final Verilog v;
    private final EngineWidths w;
    private final FpgaLayer l;
    private final VerilogGenerator.Fault fault;

    LaneDatapath(Verilog v, EngineWidths w, VerilogGenerator.Fault fault) {
        this.v = v;
        this.w = w;
        this.l = w.l;
        this.fault = fault;
    }

    /**
     * The synaptic pipeline's registers: stage 1 ({@code s1_*}) holds the word the walker chose, whose
     * membrane and weight words it reads; stage 2 ({@code s2_*}) adds the weights to the word read and
     * writes it back. Registering the walker's addresses keeps its address arithmetic out of the
     * memories' address paths.
     */
    void synapticStages() {
        v.line("    // synaptic pipeline: stage 1 reads the word the walker chose, stage 2 adds the weights and writes it back");
        v.line("    reg s1_v;");
        v.line("    reg [%d:0] s1_a;", w.maw - 1);
        v.line("    reg [%d:0] s1_wa;", w.waw - 1);
        v.line("    reg [%d:0] s1_mask;", w.p - 1);
        if (w.vb > 0) {
            v.line("    reg [%d:0] s1_val;", w.vb - 1);
        }
        v.line("    reg s2_v;");
        v.line("    reg [%d:0] s2_a;", w.maw - 1);
        v.line("    reg [%d:0] s2_mask;", w.p - 1);
        if (w.vb > 0) {
            v.line("    reg [%d:0] s2_val;", w.vb - 1);
        }
    }

    /**
     * The membrane read with forwarding. The memory reads synchronously, so a word read in the
     * cycle stage 2 writes it would return the old sum; back-to-back events that hit the same word
     * would lose a partial sum. The written value is kept and taken instead. Stage 2 is the only
     * stage that writes what a later read of the synaptic phase can need (the neuron pipeline reads
     * each word once and writes it after its last read), so one forwarding register is all a
     * read-modify-write one word per cycle needs.
     */
    void membraneForward() {
        int width = w.p * w.ab;
        v.line("    // a read of the word being written in the same cycle takes the written value");
        v.line("    reg fwd_v;");
        v.line("    reg [%d:0] fwd_d;", width - 1);
        if (fault == VerilogGenerator.Fault.NO_FORWARDING) {
            v.line("    wire [%d:0] cur_w = mem_q;   // FAULT (test only): no forwarding", width - 1);
            v.unused("fwd_v");
            v.unused("fwd_d");
        } else {
            v.line("    wire [%d:0] cur_w = fwd_v ? fwd_d : mem_q;", width - 1);
        }
    }

    /** The signed bits of a leak's first part, which stage n5 registers: the product for a multiplier, else the value. */
    private int partOneBits(FpgaLayer.Leak leak) {
        return leak.kind().equals("multiplier") ? w.ab + 65 - Long.numberOfLeadingZeros(leak.m()) : w.ab;
    }

    /**
     * The lanes' results gathered into words, and the neuron pipeline's data registers between the
     * stages: n3 holds the step's sum with the bias (and its threshold), n4 the post-reset value and
     * the spikes, n5 the first part of the leak (the product of a multiplier leak).
     */
    void laneBuses() {
        int width = w.p * w.ab;
        v.line("    wire [%d:0] syn_w;", width - 1);
        v.line("    wire [%d:0] n2_w;                // mem + bias%s", width - 1, w.cuba ? " (the current before its clamp)" : "");
        v.line("    reg [%d:0] n3_sum;", width - 1);
        if (w.cuba) {
            v.line("    reg [%d:0] n3_vq;                // the membranes of the word", width - 1);
        }
        if (l.thetaBits() > 0) {
            v.line("    reg [%d:0] n3_th;", w.p * l.thetaBits() - 1);
        }
        v.line("    wire [%d:0] n3_w;                // post-reset v", width - 1);
        v.line("    wire [%d:0] n3_spk;", w.p - 1);
        v.line("    reg [%d:0] n4_post;", width - 1);
        v.line("    reg [%d:0] n4_spk;", w.p - 1);
        int p1 = partOneBits(l.leak());
        v.line("    wire [%d:0] n4_w;                // the leak's first part", w.p * p1 - 1);
        v.line("    reg [%d:0] n5_lk;", w.p * p1 - 1);
        if (w.cuba) {
            int c1 = partOneBits(l.synapticLeak());
            v.line("    wire [%d:0] n3_cw;               // the step's current, clamped", width - 1);
            v.line("    reg [%d:0] n4_cur;", width - 1);
            v.line("    wire [%d:0] n4_cw;", w.p * c1 - 1);
            v.line("    reg [%d:0] n5_ck;", w.p * c1 - 1);
        }
        v.line("    wire [%d:0] neu_w;", width - 1);
        if (w.cuba) {
            v.line("    wire [%d:0] neu_v;", width - 1);
        }
        v.line("    wire [%d:0] n3_mask = %s;", w.p - 1, w.laneMask("(n3_blk == " + k(w.bw, w.nb - 1) + ")"));
        v.line("    wire [%d:0] n4_mask = %s;", w.p - 1, w.laneMask("(n4_blk == " + k(w.bw, w.nb - 1) + ")"));
        v.blank();
    }

    /**
     * One copy of the lane per neuron of a word. The synaptic accumulate and the neuron pipeline's
     * stages share the membrane word read; each stage's arithmetic reads the registers of the stage
     * before it, so a path from register to register holds one stage's work.
     */
    void lanes() {
        int ab = w.ab;
        v.line("    genvar i;");
        v.line("    generate");
        v.line("        for (i = 0; i < %d; i = i + 1) begin : lane", w.p);
        v.line("            wire [%d:0] cur = cur_w[i*%d +: %d];", ab - 1, ab, ab);
        accumulate();
        // n2: the bias joins the sum read
        biasAdd("s0");
        v.line("            assign n2_w[i*%d +: %d] = s0;", ab, ab);
        // n3: clamp, fire, reset
        v.line("            wire signed [%d:0] s3 = $signed(n3_sum[i*%d +: %d]);", ab - 1, ab, ab);
        if (w.cuba) {
            synapticCurrent("s3");
        } else {
            v.line("            wire signed [%d:0] h0 = s3;", ab - 1);
        }
        if (l.mode().spiking()) {
            clampToMembrane();
            fireAndReset();
        } else {
            // a non-spiking readout keeps the sum as it is: acc_bits is then the readout width, which holds
            // T steps of the largest current
            v.line("            assign n3_spk[i] = 1'b0;");
            v.line("            wire signed [%d:0] v = h0;", ab - 1);
        }
        v.line("            assign n3_w[i*%d +: %d] = v;", ab, ab);
        if (w.cuba) {
            v.line("            assign n3_cw[i*%d +: %d] = c;", ab, ab);
        }
        // n4: the leak's first part; n5: its second, written back
        v.line("            wire [%d:0] x4 = n4_post[i*%d +: %d];", ab - 1, ab, ab);
        leakFirst(l.leak(), "x4", "n4_w");
        leakSecond(l.leak(), "n5_lk", "lk", "v_r", "ls", "unused_ls");
        if (w.cuba) {
            // the current memory keeps alpha(c) for the next step, the membrane memory leak(v)
            v.line("            wire [%d:0] c4 = n4_cur[i*%d +: %d];", ab - 1, ab, ab);
            leakFirst(l.synapticLeak(), "c4", "n4_cw");
            leakSecond(l.synapticLeak(), "n5_ck", "cd", "c_r", "cs", "unused_cs");
            v.line("            assign neu_w[i*%d +: %d] = cd;", ab, ab);
            v.line("            assign neu_v[i*%d +: %d] = lk;", ab, ab);
        } else {
            v.line("            assign neu_w[i*%d +: %d] = lk;", ab, ab);
        }
        v.line("        end");
        v.line("    endgenerate");
        v.blank();
    }

    /**
     * The synaptic accumulate: the weight (times the event's value, when events carry one) is
     * added in the enabled lanes and zero in the others, so the write-back leaves those unchanged.
     * A B-bit weight times a V-bit value fits B + V bits, which acc_bits is at least.
     */
    private void accumulate() {
        int ab = w.ab;
        int wb = w.wb;
        v.line("            wire [%d:0] wt = w_q[i*%d +: %d];", wb - 1, wb, wb);
        if (w.vb > 0) {
            int pw = wb + w.vb;
            v.line("            wire signed [%d:0] prod = %s * %s;", pw - 1, sext("wt", wb, pw), sext("s2_val", w.vb, pw));
            v.line("            wire [%d:0] prod_u = prod;", pw - 1);
            v.line("            wire signed [%d:0] add = s2_mask[i] ? %s : %s;", ab - 1, sext("prod_u", pw, ab), sk(ab, 0));
        } else {
            v.line("            wire signed [%d:0] add = s2_mask[i] ? %s : %s;", ab - 1, sext("wt", wb, ab), sk(ab, 0));
        }
        v.line("            assign syn_w[i*%d +: %d] = $signed(cur) + add;", ab, ab);
    }

    /**
     * The bias joins the step's sum once, at end of step, before the sum is brought to M bits (with
     * a synaptic current: before the current is brought to C bits).
     */
    private void biasAdd(String sum) {
        int ab = w.ab;
        int bb = l.biasBits();
        if (bb > 0) {
            v.line("            wire [%d:0] bias = b_q[i*%d +: %d];", bb - 1, bb, bb);
            v.line("            wire signed [%d:0] %s = $signed(cur) + %s;", ab - 1, sum, sext("bias", bb, ab));
        } else {
            v.line("            wire signed [%d:0] %s = $signed(cur);", ab - 1, sum);
        }
    }

    /**
     * CUBA (docs/semantics.md section 4.9): the current memory held alpha(c[t-1]) and the synaptic
     * phase added the step's input to it, so stage n2 registered {@code c0 = alpha(c[t-1]) + I}; it is
     * saturated (or wrapped) to C bits once and charges the membrane read with it:
     * {@code h0 = leak(v[t-1]) + c}. acc_bits exceeds both C and M, so neither sum can overflow.
     */
    private void synapticCurrent(String c0) {
        int ab = w.ab;
        int cb = l.currentBits();
        if (!l.wrap()) {
            long max = (1L << (cb - 1)) - 1;
            long min = -(1L << (cb - 1));
            v.line("            // saturate the step's current to %d bits", cb);
            v.line("            wire signed [%d:0] c = (%s > %s) ? %s : (%s < %s) ? %s : %s;", ab - 1, c0,
                    sk(ab, max), sk(ab, max), c0, sk(ab, min), sk(ab, min), c0);
        } else {
            v.line("            // wrap the step's current to %d bits", cb);
            v.line("            wire signed [%d:0] c = (%s <<< %d) >>> %d;", ab - 1, c0, ab - cb, ab - cb);
        }
        v.line("            wire [%d:0] vq = n3_vq[i*%d +: %d];", ab - 1, ab, ab);
        v.line("            wire signed [%d:0] h0 = $signed(vq) + c;", ab - 1);
    }

    /**
     * The step's sum, exact in acc_bits, brought to the M-bit membrane once: saturated to
     * [-2^(M-1), 2^(M-1) - 1], or wrapped by sign-extending its low M bits (docs/semantics.md
     * section 4.6).
     */
    private void clampToMembrane() {
        int ab = w.ab;
        int m = l.membraneBits();
        if (ab > m && !l.wrap()) {
            long max = (1L << (m - 1)) - 1;
            long min = -(1L << (m - 1));
            v.line("            // saturate the step's sum to the %d-bit membrane", m);
            v.line("            wire sat_hi = h0 > %s;", sk(ab, max));
            v.line("            wire sat_lo = h0 < %s;", sk(ab, min));
            v.line("            wire signed [%d:0] h = sat_hi ? %s : sat_lo ? %s : h0;", ab - 1, sk(ab, max), sk(ab, min));
        } else if (ab > m) {
            v.line("            // wrap the step's sum to the %d-bit membrane", m);
            v.line("            wire signed [%d:0] h = (h0 <<< %d) >>> %d;", ab - 1, ab - m, ab - m);
        } else {
            v.line("            wire signed [%d:0] h = h0;", ab - 1);
        }
    }

    /**
     * {@code fire = h >= theta}, compared signed (docs/semantics.md section 10): an unsigned
     * compare would read a negative membrane as a large number and fire it, and the test-only
     * fault proves the RTL comparison catches that. Then the reset, to zero or by subtracting
     * the threshold.
     */
    private void fireAndReset() {
        int ab = w.ab;
        int tb = l.thetaBits();
        v.line("            wire [%d:0] th = n3_th[i*%d +: %d];", tb - 1, tb, tb);
        String theta = tb == ab ? "$signed(th)" : "$signed(" + ext("th", tb, ab) + ")";
        boolean saturates = ab > l.membraneBits() && !l.wrap();
        String after = l.resetZero() ? sk(ab, 0) : "h - " + theta;
        if (fault == VerilogGenerator.Fault.UNSIGNED_THRESHOLD_COMPARE) {
            v.line("            wire fire = $unsigned(h) >= $unsigned(%s);   // FAULT (test only): unsigned compare", theta);
        } else if (saturates) {
            // the compare and the subtraction of the three cases the clamp chooses from run beside the
            // clamp's own compares, so the stage holds one carry chain, not two in a row
            long max = (1L << (l.membraneBits() - 1)) - 1;
            long min = -(1L << (l.membraneBits() - 1));
            v.line("            wire fire = sat_hi ? (%s >= %s) : sat_lo ? (%s >= %s) : (h0 >= %s);", sk(ab, max), theta,
                    sk(ab, min), theta, theta);
            if (!l.resetZero()) {
                after = "(sat_hi ? " + sk(ab, max) + " - " + theta + " : sat_lo ? " + sk(ab, min) + " - " + theta + " : h0 - "
                        + theta + ")";
            }
        } else {
            v.line("            wire fire = h >= %s;", theta);
        }
        v.line("            assign n3_spk[i] = fire;");
        v.line("            wire signed [%d:0] v = fire ? %s : h;", ab - 1, after);
    }

    /**
     * The leak's first part, in stage n4: a multiplier leak's product {@code x * m} (its width, acc_bits
     * plus m's signed bits, holds it exactly), or the value itself for a shift leak and none.
     */
    private void leakFirst(FpgaLayer.Leak leak, String x, String bus) {
        int ab = w.ab;
        if (leak.kind().equals("multiplier")) {
            int pw = partOneBits(leak);
            v.line("            wire signed [%d:0] %s_p = %s * %s;", pw - 1, x, sext(x, ab, pw), sk(pw, leak.m()));
            v.line("            assign %s[i*%d +: %d] = %s_p;", bus, pw, pw, x);
        } else {
            v.line("            assign %s[i*%d +: %d] = %s;", bus, ab, ab, x);
        }
    }

    /**
     * {@code out = leak(v)} from the first part in stage n5's register, the value stored for the next
     * step, whose synaptic phase then adds to it: h[t] = leak(v[t-1]) + I[t] (docs/semantics.md
     * section 10). Right shifts are arithmetic (toward minus infinity); toward zero, a negative
     * value first gets 2^s - 1 added, which gives the -((-v) >> s) of docs/semantics.md section 4.5.
     */
    private void leakSecond(FpgaLayer.Leak leak, String reg, String out, String rounded, String shifted, String unused) {
        int ab = w.ab;
        switch (leak.kind()) {
            case "shift" -> {
                int s = leak.k();
                String x = out + "_x";
                v.line("            wire signed [%d:0] %s = $signed(%s[i*%d +: %d]);", ab - 1, x, reg, ab, ab);
                if (leak.nearest()) {
                    // leak_rounding = nearest: x - ((x + 2^(s-1)) >>> s), the sum one bit wider so that it cannot
                    // overflow; the difference lies between x and 0, so its low acc_bits are all of it
                    String xu = out + "_xu";
                    v.line("            wire [%d:0] %s = %s;", ab - 1, xu, x);
                    v.line("            wire signed [%d:0] %s = %s + %s;", ab, rounded, sext(xu, ab, ab + 1),
                            sk(ab + 1, 1L << (s - 1)));
                    v.line("            wire signed [%d:0] %s = %s - (%s >>> %d);", ab, shifted, sext(xu, ab, ab + 1),
                            rounded, s);
                    v.line("            wire [%d:0] %s = %s[%d:0];", ab - 1, out, shifted, ab - 1);
                    v.line("            wire %s = &{1'b0, %s[%d]};", unused, shifted, ab);
                } else if (leak.towardZero()) {
                    v.line("            wire signed [%d:0] %s = %s + (%s[%d] ? %s : %s);", ab - 1, rounded, x, x, ab - 1,
                            sk(ab, (1L << s) - 1), sk(ab, 0));
                    v.line("            wire signed [%d:0] %s = %s - (%s >>> %d);", ab - 1, out, x, rounded, s);
                } else {
                    v.line("            wire signed [%d:0] %s = %s - (%s >>> %d);", ab - 1, out, x, x, s);
                }
            }
            case "multiplier" -> multiplierLeak(leak, reg, out, rounded, shifted, unused);
            default -> v.line("            wire [%d:0] %s = %s[i*%d +: %d];", ab - 1, out, reg, ab, ab);
        }
    }

    /**
     * {@code (v * m) >>> f} from the registered product: since m <= 2^f the result lies between v and
     * 0, so its low acc_bits are all of it.
     */
    private void multiplierLeak(FpgaLayer.Leak leak, String reg, String out, String lpr, String ls, String unused) {
        int ab = w.ab;
        int pw = partOneBits(leak);
        String lp = out + "_p";
        v.line("            wire signed [%d:0] %s = $signed(%s[i*%d +: %d]);", pw - 1, lp, reg, pw, pw);
        if (leak.nearest()) {
            // leak_rounding = nearest: half an LSB of the result added before the shift; |v m| <= |v| 2^f, so
            // the sum still fits the product's width plus one bit
            String lpu = out + "_pu";
            v.line("            wire [%d:0] %s = %s;", pw - 1, lpu, lp);
            v.line("            wire signed [%d:0] %s = %s + %s;", pw, lpr, sext(lpu, pw, pw + 1), sk(pw + 1, 1L << (leak.f() - 1)));
            v.line("            wire [%d:0] %s = %s >>> %d;", pw, ls, lpr, leak.f());
            v.line("            wire [%d:0] %s = %s[%d:0];", ab - 1, out, ls, ab - 1);
            v.line("            wire %s = &{1'b0, %s[%d:%d]};", unused, ls, pw, ab);
            return;
        }
        if (leak.towardZero()) {
            v.line("            wire signed [%d:0] %s = %s + (%s[%d] ? %s : %s);", pw - 1, lpr, lp, lp, pw - 1,
                    sk(pw, (1L << leak.f()) - 1), sk(pw, 0));
            v.line("            wire [%d:0] %s = %s >>> %d;", pw - 1, ls, lpr, leak.f());
        } else {
            v.line("            wire [%d:0] %s = %s >>> %d;", pw - 1, ls, lp, leak.f());
        }
        v.line("            wire [%d:0] %s = %s[%d:0];", ab - 1, out, ls, ab - 1);
        v.line("            wire %s = &{1'b0, %s[%d:%d]};", unused, ls, pw - 1, ab);
    }
}

package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.Verilog.ext;
import static dev.spikeforge.targets.fpga.Verilog.k;
import static dev.spikeforge.targets.fpga.Verilog.sext;
import static dev.spikeforge.targets.fpga.Verilog.sk;

/**
 * The arithmetic of the P lanes, all of it combinational between the membrane memory's read and
 * its write: the synaptic accumulate (stage 2 of the walk) and the end-of-step update of the
 * neuron phase, {@code h = clamp(mem + bias)}, fire, reset, leak. Every width is the lane's
 * {@code acc_bits}, which has the guard bits that keep a step's partial sums from overflowing
 * (docs/semantics.md sections 4.8 and 10).
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

    /** The word the walker issued last cycle, held while the memory returns it: its address, lanes and event value. */
    void synapticStageTwo() {
        v.line("    // stage 2 of the synaptic phase: add the weights of the word read last cycle");
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
     * would lose a partial sum. The written value is kept and taken instead.
     */
    void membraneForward() {
        int width = w.p * w.ab;
        v.line("    // a read of the word being written in the same cycle takes the written value");
        v.line("    reg fwd_v;");
        v.line("    reg [%d:0] fwd_d;", width - 1);
        v.line("    wire [%d:0] cur_w = fwd_v ? fwd_d : mem_q;", width - 1);
    }

    /** The lanes' results gathered into words: the synaptic and end-of-step write data, spikes and the trace. */
    void laneBuses() {
        int width = w.p * w.ab;
        v.line("    wire [%d:0] syn_w;", width - 1);
        v.line("    wire [%d:0] neu_w;", width - 1);
        if (w.cuba) {
            v.line("    wire [%d:0] neu_v;", width - 1);
        }
        v.line("    wire [%d:0] spk;", w.p - 1);
        v.line("    wire [%d:0] tr_all;", width - 1);
        v.line("    wire [%d:0] n2_mask = %s;", w.p - 1, w.laneMask("(n2_blk == " + k(w.bw, w.nb - 1) + ")"));
        v.blank();
    }

    /** One copy of the lane per neuron of a word; both phases share it, since only one runs at a time. */
    void lanes() {
        int ab = w.ab;
        v.line("    genvar i;");
        v.line("    generate");
        v.line("        for (i = 0; i < %d; i = i + 1) begin : lane", w.p);
        v.line("            wire [%d:0] cur = cur_w[i*%d +: %d];", ab - 1, ab, ab);
        accumulate();
        biasAdd(w.cuba ? "c0" : "h0");
        if (w.cuba) {
            synapticCurrent();
        }
        if (l.mode().spiking()) {
            clampToMembrane();
            fireAndReset();
        } else {
            // a non-spiking readout keeps the sum as it is: acc_bits is then the readout width, which holds
            // T steps of the largest current
            v.line("            assign spk[i] = 1'b0;");
            v.line("            wire signed [%d:0] v = h0;", ab - 1);
        }
        v.line("            wire [%d:0] v_u = v;", ab - 1);
        leak(l.leak(), "v", "lk", "v_r", "lp", "lp_r", "ls", "unused_ls");
        if (w.cuba) {
            // the current memory keeps alpha(c) for the next step, the membrane memory leak(v)
            if (!l.synapticLeak().kind().equals("shift")) {
                v.line("            wire [%d:0] c_u = c;", ab - 1);
            }
            leak(l.synapticLeak(), "c", "cd", "c_r", "cp", "cp_r", "cs", "unused_cs");
            v.line("            assign neu_w[i*%d +: %d] = cd;", ab, ab);
            v.line("            assign neu_v[i*%d +: %d] = lk;", ab, ab);
        } else {
            v.line("            assign neu_w[i*%d +: %d] = lk;", ab, ab);
        }
        v.line("            assign tr_all[i*%d +: %d] = v_u;", ab, ab);
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
     * phase added the step's input to it, so {@code c0 = alpha(c[t-1]) + I}; it is saturated (or
     * wrapped) to C bits once and charges the membrane: {@code h0 = leak(v[t-1]) + c}. acc_bits
     * exceeds both C and M, so neither sum can overflow.
     */
    private void synapticCurrent() {
        int ab = w.ab;
        int cb = l.currentBits();
        if (!l.wrap()) {
            long max = (1L << (cb - 1)) - 1;
            long min = -(1L << (cb - 1));
            v.line("            // saturate the step's current to %d bits", cb);
            v.line("            wire signed [%d:0] c = (c0 > %s) ? %s : (c0 < %s) ? %s : c0;", ab - 1,
                    sk(ab, max), sk(ab, max), sk(ab, min), sk(ab, min));
        } else {
            v.line("            // wrap the step's current to %d bits", cb);
            v.line("            wire signed [%d:0] c = (c0 <<< %d) >>> %d;", ab - 1, ab - cb, ab - cb);
        }
        v.line("            wire [%d:0] vq = vmem_q[i*%d +: %d];", ab - 1, ab, ab);
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
            v.line("            wire signed [%d:0] h = (h0 > %s) ? %s : (h0 < %s) ? %s : h0;", ab - 1,
                    sk(ab, max), sk(ab, max), sk(ab, min), sk(ab, min));
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
        v.line("            wire [%d:0] th = t_q[i*%d +: %d];", tb - 1, tb, tb);
        String theta = tb == ab ? "$signed(th)" : "$signed(" + ext("th", tb, ab) + ")";
        if (fault == VerilogGenerator.Fault.UNSIGNED_THRESHOLD_COMPARE) {
            v.line("            wire fire = $unsigned(h) >= $unsigned(%s);   // FAULT (test only): unsigned compare", theta);
        } else {
            v.line("            wire fire = h >= %s;", theta);
        }
        v.line("            assign spk[i] = fire;");
        String after = l.resetZero() ? sk(ab, 0) : "h - " + theta;
        v.line("            wire signed [%d:0] v = fire ? %s : h;", ab - 1, after);
    }

    /**
     * {@code lk = leak(v)}, the value stored for the next step, whose synaptic phase then adds to it:
     * h[t] = leak(v[t-1]) + I[t] (docs/semantics.md section 10). Right shifts are arithmetic
     * (toward minus infinity); toward zero, a negative value first gets 2^s - 1 added, which
     * gives the -((-v) >> s) of docs/semantics.md section 4.5.
     */
    private void leak(FpgaLayer.Leak leak, String x, String out, String rounded, String product, String productRounded,
                      String shifted, String unused) {
        int ab = w.ab;
        switch (leak.kind()) {
            case "shift" -> {
                int s = leak.k();
                if (leak.nearest()) {
                    // leak_rounding = nearest: x - ((x + 2^(s-1)) >>> s), the sum one bit wider so that it cannot
                    // overflow; the difference lies between x and 0, so its low acc_bits are all of it
                    v.line("            wire signed [%d:0] %s = %s + %s;", ab, rounded, sext(x, ab, ab + 1),
                            sk(ab + 1, 1L << (s - 1)));
                    v.line("            wire signed [%d:0] %s = %s - (%s >>> %d);", ab, shifted, sext(x, ab, ab + 1),
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
            case "multiplier" -> multiplierLeak(leak, x + "_u", out, product, productRounded, shifted, unused);
            default -> v.line("            wire [%d:0] %s = %s_u;", ab - 1, out, x);
        }
    }

    /**
     * {@code (v * m) >>> f}: the product needs acc_bits plus m's signed bits; since m <= 2^f the
     * result lies between v and 0, so its low acc_bits are all of it.
     */
    private void multiplierLeak(FpgaLayer.Leak leak, String xu, String out, String lp, String lpr, String ls, String unused) {
        int ab = w.ab;
        int mb = 65 - Long.numberOfLeadingZeros(leak.m()); // signed bits of m
        int pw = ab + mb;
        v.line("            wire signed [%d:0] %s = %s * %s;", pw - 1, lp, sext(xu, ab, pw), sk(pw, leak.m()));
        if (leak.nearest()) {
            // leak_rounding = nearest: half an LSB of the result added before the shift; |v m| <= |v| 2^f, so
            // the sum still fits the product's width plus one bit
            v.line("            wire signed [%d:0] %s = %s + %s;", pw, lpr, sext(lp, pw, pw + 1), sk(pw + 1, 1L << (leak.f() - 1)));
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

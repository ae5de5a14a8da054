package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.FpgaLayer.indexBits;
import static dev.spikeforge.targets.fpga.Verilog.ext;
import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The neuron phase around the lanes: the counters that visit every membrane word once at end of
 * step, the spike serialiser that sends the word's spikes on, the trace ports, and the last
 * engine's readout registers.
 */
final class NeuronWalk {

    private final Verilog v;
    private final EngineWidths w;
    private final FpgaLayer l;

    NeuronWalk(Verilog v, EngineWidths w) {
        this.v = v;
        this.w = w;
        this.l = w.l;
    }

    /**
     * The neuron pipeline's control: the counters choose word {@code n_i} (in address order, so the
     * block, column and row of a word are counters rather than a division of its address); stage
     * n1 reads it (and its block's bias and threshold), n2 adds the bias, n3 fires and resets, n4
     * sends its spikes on and multiplies for the leak, n5 finishes the leak and writes the word back.
     * A word with more than one spike in n4 holds every stage while the rest leave ({@code pend}):
     * no stage moves and none writes while {@code stall} is high. Done is the first cycle with every
     * word written and no stage holding one.
     */
    void counters() {
        int bw = w.bw;
        v.line("    // neuron phase: every membrane word once, in address order, through a pipeline of five stages;");
        v.line("    // a word with several spikes holds the pipeline while they leave one per cycle");
        v.line("    reg [%d:0] n_i;", w.mcw - 1);
        v.line("    reg [%d:0] n_blk;", bw - 1);
        v.line("    reg [%d:0] n_y;", w.oyb - 1);
        v.line("    reg [%d:0] n_x;", w.oxb - 1);
        for (int s = 1; s <= 5; s++) {
            v.line("    reg n%d_v;%s", s, switch (s) {
                case 1 -> "                          // n1: the word is read";
                case 2 -> "                          // n2: its sum plus the bias";
                case 3 -> "                          // n3: clamp, fire, reset";
                case 4 -> "                          // n4: spikes leave, the leak multiplies";
                default -> "                          // n5: the leak's shift, the write-back";
            });
            v.line("    reg [%d:0] n%d_a;", w.maw - 1, s);
            if (s <= 4) {
                v.line("    reg [%d:0] n%d_blk;", bw - 1, s);
                v.line("    reg [%d:0] n%d_y;", w.oyb - 1, s);
                v.line("    reg [%d:0] n%d_x;", w.oxb - 1, s);
            }
        }
        v.line("    reg [%d:0] pend;                 // spikes of the last word still to send", w.p - 1);
        v.line("    reg [%d:0] pend_blk;", bw - 1);
        v.line("    reg [%d:0] pend_y;", w.oyb - 1);
        v.line("    reg [%d:0] pend_x;", w.oxb - 1);
        v.line("    wire stall = (pend != %s);", k(w.p, 0));
        v.line("    wire neu_issue = (state == S_NEU) && !stall && (n_i < %s);", k(w.mcw, w.mw));
        v.line("    wire neu_emit = n4_v && !stall;");
        v.line("    wire neu_write = n5_v && !stall;");
        v.line("    assign done = (state == S_NEU) && !stall && (n_i == %s) && !n1_v && !n2_v && !n3_v && !n4_v && !n5_v;",
                k(w.mcw, w.mw));
        v.line("    assign busy = (state != S_IDLE);");
        v.line("    wire [%d:0] n_a = %s;", w.maw - 1, w.mcw == w.maw ? "n_i" : "n_i[" + (w.maw - 1) + ":0]");
        if (w.mcw > w.maw) {
            v.unused("n_i[" + (w.mcw - 1) + ":" + w.maw + "]");
        }
        v.line("    wire n_blk_last = (n_blk == %s);", k(bw, w.nb - 1));
        v.line("    wire n_x_last = (n_x == %s);", k(w.oxb, l.outW() - 1));
        v.blank();
    }

    /**
     * The width at which output channel {@code block * P + lane} and the flat neuron index
     * {@code (c * outH + y) * outW + x} are computed before they are sliced to their ports.
     */
    private int indexWidth() {
        return indexBits((long) w.nb * w.p * l.outH() * l.outW() + 1) + 1;
    }

    /**
     * The spike serialiser: the next engine's event buffer takes one write per cycle, so a word's
     * spikes leave one per cycle, lowest lane first; the control block clears the lane just sent
     * ({@code emit_src & (emit_src - 1)}) and keeps the word's position while any remain.
     */
    void spikeSerialiser() {
        int cw = indexWidth();
        v.line("    // spikes leave one per cycle: the lowest pending lane first");
        v.line("    wire [%d:0] emit_src = stall ? pend : (neu_emit ? n4_spk : %s);", w.p - 1, k(w.p, 0));
        v.line("    wire [%d:0] emit_lane = lowest_p(emit_src);", w.lw - 1);
        v.line("    wire [%d:0] emit_blk = stall ? pend_blk : n4_blk;", w.bw - 1);
        v.line("    wire [%d:0] emit_c_full = %s * %s + %s;", cw - 1, ext("emit_blk", w.bw, cw), k(cw, w.p),
                ext("emit_lane", w.lw, cw));
        v.line("    assign out_we = (emit_src != %s);", k(w.p, 0));
        v.line("    assign out_c = emit_c_full[%d:0];", w.ocb - 1);
        v.unused("emit_c_full[" + (cw - 1) + ":" + w.ocb + "]");
        v.line("    assign out_y = stall ? pend_y : n4_y;");
        v.line("    assign out_x = stall ? pend_x : n4_x;");
        v.line("    wire [%d:0] neuron_full = (%s * %s + %s) * %s + %s;", cw - 1, ext("out_c", w.ocb, cw), k(cw, l.outH()),
                ext("out_y", w.oyb, cw), k(cw, l.outW()), ext("out_x", w.oxb, cw));
        v.line("    assign out_neuron = neuron_full[%d:0];", w.nbits - 1);
        v.unused("neuron_full[" + (cw - 1) + ":" + w.nbits + "]");
    }

    /**
     * The trace ports, for the test benches only: the post-reset v of every lane of the word in stage
     * n4, and the neuron of lane 0 (lane i is i planes of rows x columns further).
     */
    void tracePorts() {
        int cw = indexWidth();
        v.line("    assign tr_valid = neu_emit;");
        v.line("    assign tr_mask = n4_mask;");
        v.line("    wire [%d:0] tr_full = ((%s * %s) * %s + %s) * %s + %s;", cw - 1, ext("n4_blk", w.bw, cw), k(cw, w.p),
                k(cw, l.outH()), ext("n4_y", w.oyb, cw), k(cw, l.outW()), ext("n4_x", w.oxb, cw));
        v.line("    assign tr_neuron = tr_full[%d:0];", w.nbits - 1);
        v.unused("tr_full[" + (cw - 1) + ":" + w.nbits + "]");
        v.line("    assign tr_v = n4_post;");
        v.blank();
    }

    /**
     * The last engine's readout, one register per class: a count readout adds each spike of its
     * class as it leaves; the others take the class's final v when its word is in stage n4. {@code ro_data} is combinational, so the host reads a class the cycle it sets {@code ro_addr}.
     */
    void readout() {
        int rb = l.readoutBits();
        v.line("    // readout registers: %s", l.mode() == FpgaLayer.Mode.COUNT ? "spike count per class"
                : "the final membrane (accumulator) per class");
        for (int c = 0; c < l.outC(); c++) {
            v.line("    reg [%d:0] ro_%d;", rb - 1, c);
        }
        v.line("    always @(posedge clk) begin");
        v.line("        if (rst || clear) begin");
        for (int c = 0; c < l.outC(); c++) {
            v.line("            ro_%d <= %s;", c, k(rb, 0));
        }
        v.line("        end else begin");
        for (int c = 0; c < l.outC(); c++) {
            if (l.mode() == FpgaLayer.Mode.COUNT) {
                // a sample's first step restarts the count (its start comes before any of its spikes)
                v.line("            if (start && first_step) ro_%d <= %s;", c, k(rb, 0));
                v.line("            else if (out_we && out_c == %s) ro_%d <= ro_%d + %s;", k(w.ocb, c), c, c, k(rb, 1));
            } else {
                int lane = c % w.p;
                int ab = w.ab;
                String bits = rb == ab ? "n4_post[" + ((lane + 1) * ab - 1) + ":" + (lane * ab) + "]"
                        : "n4_post[" + (lane * ab + rb - 1) + ":" + (lane * ab) + "]";
                v.line("            if (neu_emit && n4_blk == %s) ro_%d <= %s;", k(w.bw, c / w.p), c, bits);
            }
        }
        v.line("        end");
        v.line("    end");
        if (l.mode() != FpgaLayer.Mode.COUNT) {
            v.unused("first_step");  // every step overwrites every class
        }
        v.line("    always @* begin");
        v.line("        case (ro_addr)");
        for (int c = 0; c < l.outC(); c++) {
            v.line("            %s: ro_data = ro_%d;", k(indexBits(l.outC()), c), c);
        }
        v.line("            default: ro_data = %s;", k(rb, 0));
        v.line("        endcase");
        v.line("    end");
    }
}

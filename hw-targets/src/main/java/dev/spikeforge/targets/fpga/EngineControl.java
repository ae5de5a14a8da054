package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The engine's control: a four-state machine (idle, synaptic walk, neuron walk, clear) in one
 * clocked block with the registers every phase updates, and the registers of the two pipelines
 * (synaptic: read, add and write; neuron: read, bias, fire and reset, leak multiply, leak shift and
 * write). The schedule is static, so the cycles of
 * a step depend on the input spikes alone (docs/targets.md, "Cycle formula").
 */
final class EngineControl {

    private final Verilog v;
    private final EngineWidths w;
    private final SynapticWalker walker;

    EngineControl(Verilog v, EngineWidths w, SynapticWalker walker) {
        this.v = v;
        this.w = w;
        this.walker = walker;
    }

    void states() {
        v.line("    localparam S_IDLE = 2'd0, S_WALK = 2'd1, S_NEU = 2'd2, S_CLR = 2'd3;");
        v.line("    reg [1:0] state;");
        v.blank();
    }

    /** The clear walk writes zero to one membrane word per cycle; its write port is the membrane memory's. */
    void clearCounter() {
        v.line("    reg clr_v;");
        v.line("    reg [%d:0] clr_a;", w.maw - 1);
    }

    /** The clocked block: reset and clear first, then the pipelines, which run in every state, then the states. */
    void controlBlock() {
        v.line("    always @(posedge clk) begin");
        resetAndClear();
        v.line("        end else begin");
        eventCountAndSynapticStages();
        neuronPipeline();
        v.line("            case (state)");
        idleState();
        walkState();
        neuronState();
        clearState();
        v.line("            endcase");
        v.line("        end");
        v.line("    end");
        v.blank();
    }

    /** Every stage's valid bit: what reset and clear empty. */
    private void emptyPipelines() {
        v.line("            s1_v <= 1'b0;");
        v.line("            s2_v <= 1'b0;");
        for (int s = 1; s <= 5; s++) {
            v.line("            n%d_v <= 1'b0;", s);
        }
        v.line("            pend <= %s;", k(w.p, 0));
    }

    /** Both banks of the event buffer (and the own spikes' buffer) empty, the first written first. */
    private void emptyBuffers() {
        v.line("            ev_wn <= %s;", k(w.ecw, 0));
        v.line("            ev_wb <= 1'b0;");
        if (w.rec) {
            v.line("            o_n <= %s;", k(w.ocw, 0));
            v.line("            o_r <= %s;", k(w.ocw, 0));
        }
    }

    /**
     * Reset and clear drop the step in flight: the event count, every pipeline stage and any
     * pending spikes. Clear then walks the membrane memory to zero it, since a RAM has no reset.
     */
    private void resetAndClear() {
        v.line("        if (rst) begin");
        v.line("            state <= S_IDLE;");
        v.line("            ev_n <= %s;", k(w.ecw, 0));
        emptyBuffers();
        v.line("            de_v <= 1'b0;");
        emptyPipelines();
        v.line("            clr_v <= 1'b0;");
        v.line("        end else if (clear) begin");
        v.line("            state <= S_CLR;");
        v.line("            ev_n <= %s;", k(w.ecw, 0));
        emptyBuffers();
        v.line("            de_v <= 1'b0;");
        emptyPipelines();
        v.line("            clr_v <= 1'b1;");
        v.line("            clr_a <= %s;", k(w.maw, 0));
    }

    /**
     * Outside the states: the event count, since the previous engine (or the host) writes a step's
     * events while this engine waits for its start; and the synaptic pipeline: stage 1 takes the word
     * the walker chose (its addresses, lanes and the event's value), stage 2 follows it a cycle later,
     * when the memories have read it.
     */
    private void eventCountAndSynapticStages() {
        v.line("            // the wave's first cycle swaps the banks: the walk reads what was written in the previous wave");
        v.line("            if (swap) begin");
        if (w.rec) {
            v.line("                ev_n <= ev_wn + %s;", Verilog.ext("o_n", w.ocw, w.ecw));
            v.line("                o_r <= o_n;");
            v.line("                o_n <= %s;", k(w.ocw, 0));
        } else {
            v.line("                ev_n <= ev_wn;");
        }
        v.line("                ev_wn <= %s;", k(w.ecw, 0));
        v.line("                ev_wb <= !ev_wb;");
        v.line("            end else begin");
        v.line("                if (ev_we) ev_wn <= ev_wn + %s;", k(w.ecw, 1));
        if (w.rec) {
            v.line("                if (own_we) o_n <= o_n + %s;", k(w.ocw, 1));
        }
        v.line("            end");
        v.line("            // the synaptic pipeline follows every word the walker chose");
        v.line("            s1_v <= walk;");
        v.line("            if (walk) begin");
        v.line("                s1_a <= walk_ma;");
        v.line("                s1_wa <= w_ra;");
        v.line("                s1_mask <= walk_mask;");
        if (w.vb > 0) {
            // an own spike (recurrent) counts +1, whatever the value bits of its entry hold
            v.line("                s1_val <= %s;", w.rec ? "e_own ? " + k(w.vb, 1) + " : e_v" : "e_v");
        }
        v.line("            end");
        v.line("            s2_v <= s1_v;");
        v.line("            if (s1_v) begin");
        v.line("                s2_a <= s1_a;");
        v.line("                s2_mask <= s1_mask;");
        if (w.vb > 0) {
            v.line("                s2_val <= s1_val;");
        }
        v.line("            end");
    }

    /**
     * The neuron pipeline moves one stage a cycle unless a word's spikes hold it: n1 takes the word
     * the counters chose, n2 the word read, n3 the sum with the bias (and the threshold, and with a
     * synaptic current the membranes read), n4 the post-reset value and the spikes of the lanes
     * that hold a neuron, n5 the leak's first part.
     */
    private void neuronPipeline() {
        v.line("            // the neuron pipeline moves unless the spikes of the word in n4 hold it");
        v.line("            if (!stall) begin");
        v.line("                n1_v <= neu_issue;");
        v.line("                if (neu_issue) begin");
        stageCoordinates("n1", "n_a", "n_blk", "n_y", "n_x");
        v.line("                end");
        v.line("                n2_v <= n1_v;");
        v.line("                if (n1_v) begin");
        stageCoordinates("n2", "n1_a", "n1_blk", "n1_y", "n1_x");
        v.line("                end");
        v.line("                n3_v <= n2_v;");
        v.line("                if (n2_v) begin");
        stageCoordinates("n3", "n2_a", "n2_blk", "n2_y", "n2_x");
        v.line("                    n3_sum <= n2_w;");
        if (w.l.thetaBits() > 0) {
            v.line("                    n3_th <= t_q;");
        }
        if (w.cuba) {
            v.line("                    n3_vq <= vmem_q;");
        }
        v.line("                end");
        v.line("                n4_v <= n3_v;");
        v.line("                if (n3_v) begin");
        stageCoordinates("n4", "n3_a", "n3_blk", "n3_y", "n3_x");
        v.line("                    n4_post <= n3_w;");
        v.line("                    n4_spk <= n3_spk & n3_mask;");
        if (w.cuba) {
            v.line("                    n4_cur <= n3_cw;");
        }
        v.line("                end");
        v.line("                n5_v <= n4_v;");
        v.line("                if (n4_v) begin");
        v.line("                    n5_a <= n4_a;");
        v.line("                    n5_lk <= n4_w;");
        if (w.cuba) {
            v.line("                    n5_ck <= n4_cw;");
        }
        v.line("                end");
        v.line("            end");
    }

    private void stageCoordinates(String to, String a, String blk, String y, String x) {
        v.line("                    %s_a <= %s;", to, a);
        v.line("                    %s_blk <= %s;", to, blk);
        v.line("                    %s_y <= %s;", to, y);
        v.line("                    %s_x <= %s;", to, x);
    }

    /**
     * A start always enters the walk, whose first cycle loads the first event (a start with no
     * events then goes on to the neuron walk: the step's leak and bias still apply).
     */
    private void idleState() {
        v.line("                S_IDLE: if (start) begin");
        v.line("                    ev_i <= %s;", k(w.ecw, 0));
        walker.firstWord("                    ");
        v.line("                    n_i <= %s;", k(w.mcw, 0));
        v.line("                    n_blk <= %s;", k(w.bw, 0));
        v.line("                    n_y <= %s;", k(w.oyb, 0));
        v.line("                    n_x <= %s;", k(w.oxb, 0));
        v.line("                    state <= S_WALK;");
        v.line("                end");
    }

    /**
     * The synaptic walk: a first cycle that loads the first event (or leaves for the neuron walk when
     * there is none), then the next word of the event, or the next event, or the neuron walk after the last.
     */
    private void walkState() {
        v.line("                S_WALK: begin");
        v.line("                    if (!de_v) begin");
        v.line("                        if (ev_n == %s) state <= S_NEU;", k(w.ecw, 0));
        v.line("                        else de_v <= 1'b1;");
        v.line("                    end else if (ev_last_word) begin");
        walker.firstWord("                        ");
        v.line("                        if (more_events) ev_i <= ev_i + %s;", k(w.ecw, 1));
        v.line("                        else begin");
        v.line("                            state <= S_NEU;");
        v.line("                            de_v <= 1'b0;");
        v.line("                        end");
        v.line("                    end else begin");
        walker.nextWord();
        v.line("                    end");
        v.line("                end");
    }

    /**
     * The neuron walk: while spikes of a word are pending, only the serialiser moves; otherwise
     * the word in n4 hands its other spikes to {@code pend} and the counters choose the next word,
     * in address order (block, then column, then row). Done empties the event buffer for the next step.
     */
    private void neuronState() {
        v.line("                S_NEU: begin");
        v.line("                    if (stall) begin");
        v.line("                        pend <= emit_src & (emit_src - %s);", k(w.p, 1));
        v.line("                    end else begin");
        v.line("                        if (n4_v) begin");
        v.line("                            pend <= emit_src & (emit_src - %s);", k(w.p, 1));
        v.line("                            pend_blk <= n4_blk;");
        v.line("                            pend_y <= n4_y;");
        v.line("                            pend_x <= n4_x;");
        v.line("                        end");
        v.line("                        if (neu_issue) begin");
        v.line("                            n_i <= n_i + %s;", k(w.mcw, 1));
        v.line("                            if (!n_blk_last) n_blk <= n_blk + %s;", k(w.bw, 1));
        v.line("                            else begin");
        v.line("                                n_blk <= %s;", k(w.bw, 0));
        v.line("                                if (!n_x_last) n_x <= n_x + %s;", k(w.oxb, 1));
        v.line("                                else begin");
        v.line("                                    n_x <= %s;", k(w.oxb, 0));
        v.line("                                    n_y <= n_y + %s;", k(w.oyb, 1));
        v.line("                                end");
        v.line("                            end");
        v.line("                        end");
        v.line("                        if (done) state <= S_IDLE;");
        v.line("                    end");
        v.line("                end");
    }

    private void clearState() {
        v.line("                default: begin  // S_CLR");
        v.line("                    if (clr_a == %s) begin", k(w.maw, w.mw - 1));
        v.line("                        clr_v <= 1'b0;");
        v.line("                        state <= S_IDLE;");
        v.line("                    end else begin");
        v.line("                        clr_a <= clr_a + %s;", k(w.maw, 1));
        v.line("                    end");
        v.line("                end");
    }
}

package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The engine's control: a four-state machine (idle, synaptic walk, neuron walk, clear) in one
 * clocked block with the registers every phase updates. The schedule is static, so the cycles of
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

    /** The clocked block: reset and clear first, then what runs in every state, then the states. */
    void controlBlock() {
        v.line("    always @(posedge clk) begin");
        resetAndClear();
        v.line("        end else begin");
        eventCountAndStageTwo();
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

    /**
     * Reset and clear drop the step in flight: the event count, the two pipeline stages and any
     * pending spikes. Clear then walks the membrane memory to zero it, since a RAM has no reset.
     */
    private void resetAndClear() {
        v.line("        if (rst) begin");
        v.line("            state <= S_IDLE;");
        v.line("            ev_n <= %s;", k(w.ecw, 0));
        v.line("            s2_v <= 1'b0;");
        v.line("            n2_v <= 1'b0;");
        v.line("            pend <= %s;", k(w.p, 0));
        v.line("            clr_v <= 1'b0;");
        v.line("        end else if (clear) begin");
        v.line("            state <= S_CLR;");
        v.line("            ev_n <= %s;", k(w.ecw, 0));
        v.line("            s2_v <= 1'b0;");
        v.line("            n2_v <= 1'b0;");
        v.line("            pend <= %s;", k(w.p, 0));
        v.line("            clr_v <= 1'b1;");
        v.line("            clr_a <= %s;", k(w.maw, 0));
    }

    /**
     * Outside the states: the event count, since the previous engine (or the host) writes a step's
     * events while this engine waits for its start; and stage 2, which takes the word the walker
     * issued with the lanes and value it needs a cycle later, when the memories have read it.
     */
    private void eventCountAndStageTwo() {
        v.line("            if (%s) ev_n <= ev_n + %s;", w.rec ? "buf_we" : "ev_we", k(w.ecw, 1));
        v.line("            // synaptic stage 2 follows every issued word");
        v.line("            s2_v <= walk;");
        v.line("            if (walk) begin");
        v.line("                s2_a <= walk_ma;");
        v.line("                s2_mask <= walk_mask;");
        if (w.vb > 0) {
            // an own spike (recurrent) counts +1, whatever the value bits of its entry hold
            v.line("                s2_val <= %s;", w.rec ? "e_own ? " + k(w.vb, 1) + " : e_v" : "e_v");
        }
        v.line("            end");
    }

    /** A start with no events goes straight to the neuron walk: the step's leak and bias still apply. */
    private void idleState() {
        v.line("                S_IDLE: if (start) begin");
        v.line("                    ev_i <= %s;", k(w.ecw, 0));
        walker.firstWord("                    ");
        v.line("                    n_i <= %s;", k(w.mcw, 0));
        v.line("                    n_blk <= %s;", k(w.bw, 0));
        v.line("                    n_y <= %s;", k(w.oyb, 0));
        v.line("                    n_x <= %s;", k(w.oxb, 0));
        v.line("                    state <= (ev_n != %s) ? S_WALK : S_NEU;", k(w.ecw, 0));
        v.line("                end");
    }

    /** The synaptic walk: the next word of the event, or the next event, or the neuron walk after the last. */
    private void walkState() {
        v.line("                S_WALK: begin");
        v.line("                    if (ev_last_word) begin");
        walker.firstWord("                        ");
        v.line("                        if (more_events) ev_i <= ev_i + %s;", k(w.ecw, 1));
        if (w.rec) {
            // the walk has read every event: the buffer now takes this step's own spikes
            v.line("                        else begin");
            v.line("                            state <= S_NEU;");
            v.line("                            ev_n <= %s;", k(w.ecw, 0));
            v.line("                        end");
        } else {
            v.line("                        else state <= S_NEU;");
        }
        v.line("                    end else begin");
        walker.nextWord();
        v.line("                    end");
        v.line("                end");
    }

    /**
     * The neuron walk: while spikes of a word are pending, only the serialiser moves; otherwise
     * stage 2 computes the word issued last cycle and the counters issue the next, in address
     * order (block, then column, then row). Done empties the event buffer for the next step.
     */
    private void neuronState() {
        v.line("                S_NEU: begin");
        v.line("                    if (stall) begin");
        v.line("                        pend <= emit_src & (emit_src - %s);", k(w.p, 1));
        v.line("                    end else begin");
        v.line("                        if (neu_compute) begin");
        v.line("                            pend <= emit_src & (emit_src - %s);", k(w.p, 1));
        v.line("                            pend_blk <= n2_blk;");
        v.line("                            pend_y <= n2_y;");
        v.line("                            pend_x <= n2_x;");
        v.line("                        end");
        v.line("                        n2_v <= neu_issue;");
        v.line("                        if (neu_issue) begin");
        v.line("                            n2_a <= n_a;");
        v.line("                            n2_blk <= n_blk;");
        v.line("                            n2_y <= n_y;");
        v.line("                            n2_x <= n_x;");
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
        if (w.rec) {
            v.line("                        if (done) state <= S_IDLE;  // the buffer keeps this step's own spikes");
        } else {
            v.line("                        if (done) begin");
            v.line("                            state <= S_IDLE;");
            v.line("                            ev_n <= %s;", k(w.ecw, 0));
            v.line("                        end");
        }
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

package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.FpgaLayer.indexBits;
import static dev.spikeforge.targets.fpga.Verilog.ext;
import static dev.spikeforge.targets.fpga.Verilog.k;
import static dev.spikeforge.targets.fpga.Verilog.sext;
import static dev.spikeforge.targets.fpga.Verilog.sk;

import java.util.Locale;

/**
 * Writes the Verilog-2005 of an {@link FpgaDesign}: one engine module per layer and the top
 * module that chains them. Every width is computed here, so the text is specific to the design and
 * lint-clean under {@code verilator --lint-only -Wall}. docs/targets.md ("fpga") describes the
 * architecture; {@link FpgaEmulator} steps the same registers.
 */
public final class VerilogGenerator {

    /** Deliberate faults, only for tests that prove the RTL comparison can fail. */
    public enum Fault { NONE, UNSIGNED_THRESHOLD_COMPARE }

    private final FpgaDesign d;
    private final Fault fault;

    public VerilogGenerator(FpgaDesign d) {
        this(d, Fault.NONE);
    }

    public VerilogGenerator(FpgaDesign d, Fault fault) {
        this.d = d;
        this.fault = fault;
    }

    public static String moduleName(FpgaDesign d, FpgaLayer l) {
        return d.top().replaceFirst("_top$", "") + "_l" + l.index();
    }

    public static String memFile(FpgaDesign d, FpgaLayer l, String what) {
        return memFile(moduleName(d, l), what);
    }

    /** {@code mem/<module>_<what>.hex}: w (weights), b (bias), t (thresholds). */
    public static String memFile(String module, String what) {
        return "mem/" + module + "_" + what + ".hex";
    }

    // ---- one layer engine --------------------------------------------------------------------------

    public String layer(FpgaLayer l) {
        Verilog v = new Verilog();
        EngineWidths w = new EngineWidths(d, l);
        SynapticWalker walker = new SynapticWalker(v, w);
        LaneDatapath lanes = new LaneDatapath(v, w, fault);
        NeuronWalk neurons = new NeuronWalk(v, w);
        EngineControl control = new EngineControl(v, w, walker);
        int p = w.p;
        int lw = w.lw;
        int ab = w.ab;
        int wb = w.wb;
        int vb = w.vb;
        int evw = w.evw;
        int eaw = w.eaw;
        int ecw = w.ecw;
        int mw = w.mw;
        int maw = w.maw;
        int mcw = w.mcw;
        int wd = w.wd;
        int waw = w.waw;
        int nb = w.nb;
        int bw = w.bw;
        int kb = w.kb;
        int kk = w.kk;
        int cb = w.cb;
        int yb = w.yb;
        int xb = w.xb;
        int ocb = w.ocb;
        int oyb = w.oyb;
        int oxb = w.oxb;
        int nbits = w.nbits;
        boolean last = w.last;
        String name = moduleName(d, l);
        long allLanes = w.allLanes;
        long lastLanes = w.lastLanes;

        header(v, w, name);
        ports(v, w, name);
        control.states();

        eventBuffer(v, w);
        membraneMemory(v, w);
        weightMemories(v, w);
        eventFields(v, w);
        walker.declare();

        neurons.counters();
        lanes.synapticStageTwo();
        control.clearCounter();
        lanes.membraneForward();
        lanes.laneBuses();
        lanes.lanes();

        // ---- memory ports
        v.line("    assign m_re = walk || neu_issue;");
        v.line("    assign m_ra = walk ? walk_ma : n_a;");
        v.line("    assign m_we = s2_v || neu_compute || clr_v;");
        v.line("    assign m_wa = s2_v ? s2_a : neu_compute ? n2_a : clr_a;");
        v.line("    assign m_wd = s2_v ? syn_w : neu_compute ? neu_w : %s;", k(p * ab, 0));
        v.line("    always @(posedge clk) begin");
        v.line("        if (ev_we) evbuf[%s] <= ev_wdata;", ecw == eaw ? "ev_n" : "ev_n[" + (eaw - 1) + ":0]");
        v.line("        if (ev_re) ev_q <= evbuf[%s];", ecw == eaw ? "ev_ra" : "ev_ra[" + (eaw - 1) + ":0]");
        v.line("        if (m_we) mem[m_wa] <= m_wd;");
        v.line("        if (m_re) mem_q <= mem[m_ra];");
        v.line("        if (walk) w_q <= wmem[w_ra];");
        if (l.biasBits() > 0) {
            v.line("        if (neu_issue) b_q <= bmem[n_blk];");
        }
        if (l.thetaBits() > 0) {
            v.line("        if (neu_issue) t_q <= tmem[n_blk];");
        }
        v.line("        if (m_re) begin");
        v.line("            fwd_v <= m_we && (m_wa == m_ra);");
        v.line("            fwd_d <= m_wd;");
        v.line("        end");
        v.line("    end");
        if (ecw > eaw) {
            v.unused("ev_ra[" + (ecw - 1) + ":" + eaw + "]");
        }
        v.blank();

        neurons.spikeSerialiser();
        neurons.tracePorts();

        control.controlBlock();

        if (last) {
            neurons.readout();
        }

        // ---- functions
        v.line("    // index of the lowest set bit (0 when none)");
        lowestFunction(v, "lowest_p", p, lw);
        if (l.kind() == FpgaLayer.Kind.CONV) {
            lowestFunction(v, "lowest_k", kk, kb);
            v.line("    // the kernel offsets after t");
            v.line("    function [%d:0] after_k;", kk - 1);
            v.line("        input [%d:0] t;", kb - 1);
            v.line("        integer j;");
            v.line("        begin");
            v.line("            for (j = 0; j < %d; j = j + 1)", kk);
            v.line("                after_k[j] = (j[%d:0] > t);", kb - 1);
            v.line("        end");
            v.line("    endfunction");
        }
        v.flushUnused();
        v.line("endmodule");
        return v.text();
    }

    // ---- the module's interface -------------------------------------------------------------------

    /** The comment that heads the file: what a reader of the RTL alone needs to check its arithmetic. */
    private void header(Verilog v, EngineWidths w, String name) {
        FpgaLayer l = w.l;
        v.line("// %s: layer %d '%s', %s %dx%dx%d -> %dx%dx%d%s, %d lanes", name, l.index(), l.name(),
                l.kind().name().toLowerCase(Locale.ROOT), l.inC(), l.inH(), l.inW(), l.outC(), l.outH(), l.outW(),
                l.kind() == FpgaLayer.Kind.CONV ? ", kernel " + w.kk + ", stride " + l.stride() + ", padding " + l.padding()
                        : l.kind() == FpgaLayer.Kind.POOL ? ", pool " + w.kk : "", w.p);
        v.line("// Generated by spikeforge from model '%s'. Membranes %d bits per lane (M = %d plus guard bits), weights %d bits,",
                d.model(), w.ab, l.membraneBits(), w.wb);
        v.line("// %s, leak %s, reset %s, overflow %s. Arithmetic: SEMANTICS.md section 4.",
                l.mode() == FpgaLayer.Mode.SPIKING ? "spiking" : "readout " + l.mode().name().toLowerCase(Locale.ROOT),
                l.leak().describe(), l.resetZero() ? "zero" : "subtract", l.wrap() ? "wrap" : "saturate");
    }

    /**
     * The ports the top wires engine to engine. Only the last engine has the readout port; every
     * engine has the trace ports, which synthesis leaves unconnected and yosys removes.
     */
    private static void ports(Verilog v, EngineWidths w, String name) {
        v.line("`timescale 1ns/1ps");
        v.line("module %s (", name);
        v.line("    input  wire clk,");
        v.line("    input  wire rst,");
        v.line("    input  wire clear,              // zero every membrane (and readout); takes %d cycles", w.mw + 1);
        v.line("    output wire busy,");
        v.line("    input  wire start,              // run this layer's part of one timestep");
        v.line("    output wire done,               // the cycle the layer finishes");
        v.line("    input  wire ev_we,              // input event buffer write port");
        v.line("    input  wire [%d:0] ev_wdata,     // {%schannel, row, column}", w.evw - 1, w.vb > 0 ? "value, " : "");
        v.line("    output wire out_we,             // one output spike per cycle");
        v.line("    output wire [%d:0] out_c,", w.ocb - 1);
        v.line("    output wire [%d:0] out_y,", w.oyb - 1);
        v.line("    output wire [%d:0] out_x,", w.oxb - 1);
        v.line("    output wire [%d:0] out_neuron,   // flat index of the spiking neuron", w.nbits - 1);
        v.line("    output wire tr_valid,           // trace: a membrane word was updated at end of step");
        v.line("    output wire [%d:0] tr_mask,", w.p - 1);
        v.line("    output wire [%d:0] tr_neuron,    // flat index of lane 0's neuron; lane i adds i*%d", w.nbits - 1,
                w.l.outH() * w.l.outW());
        if (w.last) {
            v.line("    output wire [%d:0] tr_v,", w.p * w.ab - 1);
            v.line("    input  wire [%d:0] ro_addr,", indexBits(w.l.outC()) - 1);
            v.line("    output reg  [%d:0] ro_data", w.l.readoutBits() - 1);
        } else {
            v.line("    output wire [%d:0] tr_v", w.p * w.ab - 1);
        }
        v.line(");");
        v.blank();
    }

    // ---- memories ----------------------------------------------------------------------------------

    /** The ram_style attribute, when the target asks for one: the event, membrane and weight memories are the large ones. */
    private String ramStyle() {
        return d.options().memory().equals("auto") ? "" : "(* ram_style = \"" + d.options().memory() + "\" *) ";
    }

    /**
     * The input event buffer, one entry per source neuron: a source spikes at most once a step, so
     * the buffer cannot overflow. The count must also hold the depth itself (a full buffer), which
     * can take one bit more than an address.
     */
    private void eventBuffer(Verilog v, EngineWidths w) {
        v.line("    // input event buffer: written by the previous layer (or the host), read during the synaptic phase");
        v.line("    %sreg [%d:0] evbuf [0:%d];", ramStyle(), w.evw - 1, w.evd - 1);
        v.line("    reg [%d:0] ev_n;                // events written this step", w.ecw - 1);
        v.line("    reg [%d:0] ev_i;                // the event being walked", w.ecw - 1);
        v.line("    reg [%d:0] ev_q;", w.evw - 1);
        v.line("    wire ev_re;");
        v.line("    wire [%d:0] ev_ra;", w.ecw - 1);
    }

    /** The membrane memory: one word holds a block's P lanes, so a read or write updates P neurons at once. */
    private void membraneMemory(Verilog v, EngineWidths w) {
        v.line("    // membranes: word (y * %d + x) * %d + block, %d lanes of %d bits", w.l.outW(), w.nb, w.p, w.ab);
        v.line("    %sreg [%d:0] mem [0:%d];", ramStyle(), w.p * w.ab - 1, w.mw - 1);
        v.line("    reg [%d:0] mem_q;", w.p * w.ab - 1);
        v.line("    wire m_re, m_we;");
        v.line("    wire [%d:0] m_ra, m_wa;", w.maw - 1);
        v.line("    wire [%d:0] m_wd;", w.p * w.ab - 1);
    }

    /**
     * The weight memory and the bias and threshold memories (one word per block), each loaded from
     * its hex file: the weights are the design's constants, so no port writes them.
     */
    private void weightMemories(Verilog v, EngineWidths w) {
        FpgaLayer l = w.l;
        v.line("    // weights, read-only");
        v.line("    %sreg [%d:0] wmem [0:%d];", ramStyle(), w.p * w.wb - 1, w.wd - 1);
        v.line("    reg [%d:0] w_q;", w.p * w.wb - 1);
        v.line("    wire [%d:0] w_ra;", w.waw - 1);
        if (l.biasBits() > 0) {
            v.line("    reg [%d:0] bmem [0:%d];", w.p * l.biasBits() - 1, w.nb - 1);
            v.line("    reg [%d:0] b_q;", w.p * l.biasBits() - 1);
        }
        if (l.thetaBits() > 0) {
            v.line("    reg [%d:0] tmem [0:%d];", w.p * l.thetaBits() - 1, w.nb - 1);
            v.line("    reg [%d:0] t_q;", w.p * l.thetaBits() - 1);
        }
        v.line("    initial $readmemh(\"%s\", wmem);", memFile(d, l, "w"));
        if (l.biasBits() > 0) {
            v.line("    initial $readmemh(\"%s\", bmem);", memFile(d, l, "b"));
        }
        if (l.thetaBits() > 0) {
            v.line("    initial $readmemh(\"%s\", tmem);", memFile(d, l, "t"));
        }
        v.blank();
    }

    /** The fields of the event read from the buffer, column in the low bits as the previous engine packs them. */
    private static void eventFields(Verilog v, EngineWidths w) {
        int at = 0;
        v.line("    wire [%d:0] e_x = ev_q[%d:%d];", w.xb - 1, at + w.xb - 1, at);
        at += w.xb;
        v.line("    wire [%d:0] e_y = ev_q[%d:%d];", w.yb - 1, at + w.yb - 1, at);
        at += w.yb;
        v.line("    wire [%d:0] e_c = ev_q[%d:%d];", w.cb - 1, at + w.cb - 1, at);
        at += w.cb;
        if (w.vb > 0) {
            v.line("    wire [%d:0] e_v = ev_q[%d:%d];", w.vb - 1, at + w.vb - 1, at);
        }
        v.blank();
    }

    /** A function returning the index of the lowest set bit of an {@code inBits} mask (0 when none). */
    private static void lowestFunction(Verilog v, String name, int inBits, int outBits) {
        v.line("    function [%d:0] %s;", outBits - 1, name);
        v.line("        input [%d:0] m;", inBits - 1);
        v.line("        integer j;");
        v.line("        begin");
        v.line("            %s = %s;", name, k(outBits, 0));
        v.line("            for (j = %d; j >= 0; j = j - 1)", inBits - 1);
        v.line("                if (m[j]) %s = j[%d:0];", name, outBits - 1);
        v.line("        end");
        v.line("    endfunction");
    }
}

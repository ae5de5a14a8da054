package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The Icarus Verilog test bench of a design ({@code tb/tb.v}): it reads {@code stim.txt}, drives
 * the top through the host protocol and writes {@code trace.txt} in the format
 * {@link RtlSimulator} parses.
 */
final class IcarusBench {

    private final FpgaDesign d;
    private final TopGenerator top;

    IcarusBench(FpgaDesign d, TopGenerator top) {
        this.d = d;
        this.top = top;
    }

    String text() {
        Verilog v = new Verilog();
        dutAndSignals(v);
        planeAndNeed(v);
        monitor(v);
        stimulus(v);
        v.line("endmodule");
        return v.text();
    }

    /** The clock, the host's registers and the top under test. */
    private void dutAndSignals(Verilog v) {
        int p = d.maxLanes();
        int evw = top.inputEventBits();
        v.line("// Test bench for %s (Icarus Verilog): reads stim.txt, writes trace.txt. Run from the folder", d.top());
        v.line("// that holds mem/: every memory file is checked first, since a missing one would leave a");
        v.line("// memory silently undefined.");
        v.line("`timescale 1ns/1ps");
        v.line("module tb;");
        v.line("    reg clk = 1'b0;");
        v.line("    always #5 clk = ~clk;");
        v.line("    reg rst = 1'b1, clear = 1'b0, step = 1'b0, step_in = 1'b0, step_last = 1'b0, in_we = 1'b0;");
        v.line("    reg [%d:0] in_event = %s;", evw - 1, k(evw, 0));
        v.line("    reg [%d:0] ro_addr = %s;", top.readoutAddrBits() - 1, k(top.readoutAddrBits(), 0));
        int n = d.layers().size();
        v.line("    wire busy, step_done, in_err;");
        v.line("    wire [%d:0] ro_data;", d.last().readoutBits() - 1);
        v.line("    wire [%d:0] sp_valid, tr_valid;", n - 1);
        v.line("    wire [%d:0] sp_neuron, tr_neuron;", n * d.neuronBits() - 1);
        v.line("    wire [%d:0] tr_mask;", n * p - 1);
        v.line("    wire [%d:0] tr_v;", n * p * d.traceBits() - 1);
        v.line("    %s dut (.clk(clk), .rst(rst), .clear(clear), .busy(busy), .in_we(in_we), .in_event(in_event),", d.top());
        v.line("        .step(step), .step_in(step_in), .step_last(step_last), .step_done(step_done), .in_err(in_err),");
        v.line("        .ro_addr(ro_addr), .ro_data(ro_data), .sp_valid(sp_valid), .sp_neuron(sp_neuron), .tr_valid(tr_valid),");
        v.line("        .tr_neuron(tr_neuron), .tr_mask(tr_mask), .tr_v(tr_v));");
        v.blank();
    }

    /**
     * {@code plane}, which turns a trace lane into its neuron (lanes are whole planes of rows x
     * columns apart), and {@code need}, which stops on a missing memory file: $readmemh would
     * carry on and leave the memory undefined.
     */
    private void planeAndNeed(Verilog v) {
        v.line("    integer fin, fout, fd, r, samples, steps, s, t, e, count, c, y, x, val, j, cyc, stepcyc, running;");
        v.line("    integer w, waves, li, item, ms, mt;");
        v.line("    // the cycle each sample in flight started at (its first wave's first cycle), by sample modulo %d",
                d.layers().size() + 1);
        v.line("    integer sstart [0:%d];", d.layers().size());
        v.line("    reg [1023:0] vcd;");
        v.line("    // rows x columns of each layer: lane i of a trace word is neuron tr_neuron + i * plane");
        v.line("    function integer plane;");
        v.line("        input integer layer;");
        v.line("        begin");
        v.line("            case (layer)");
        for (FpgaLayer l : d.layers()) {
            v.line("                %d: plane = %d;", l.index(), l.outH() * l.outW());
        }
        v.line("                default: plane = 0;");
        v.line("            endcase");
        v.line("        end");
        v.line("    endfunction");
        v.line("    task need;");
        v.line("        input [1023:0] name;");
        v.line("        begin");
        v.line("            fd = $fopen(name, \"r\");");
        v.line("            if (fd == 0) begin");
        v.line("                $display(\"FATAL: memory file %%0s is missing; run the simulation from the generated folder\", name);");
        v.line("                $finish;");
        v.line("            end");
        v.line("            $fclose(fd);");
        v.line("        end");
        v.line("    endtask");
        v.blank();
    }

    /**
     * The monitor: sampled at the rising edge, before the edge's updates, so a line records what
     * that cycle did; cycles are counted only while a wave runs. Engine l works on item w - l of the
     * stream, whose sample and step the trace line names; its cycle is counted from that sample's start.
     */
    private void monitor(Verilog v) {
        int tw = d.traceBits();
        int n = d.layers().size();
        int nb = d.neuronBits();
        int p = d.maxLanes();
        v.line("    // the monitor samples at each rising edge, before the edge's updates: what the cycle did");
        v.line("    always @(posedge clk) begin");
        v.line("        if (running) begin");
        v.line("            for (li = 0; li < %d; li = li + 1) begin", n);
        v.line("                item = w - li;");
        v.line("                ms = item / steps;");
        v.line("                mt = item %% steps;");
        v.line("                if (sp_valid[li]) $fwrite(fout, \"spike %%0d %%0d %%0d %%0d %%0d\\n\", ms, mt, li,");
        v.line("                    sp_neuron[li*%d +: %d], cyc - sstart[ms %% %d]);", nb, nb, n + 1);
        v.line("                if (tr_valid[li])");
        v.line("                    for (j = 0; j < %d; j = j + 1)", p);
        v.line("                        if (tr_mask[li*%d + j]) $fwrite(fout, \"mem %%0d %%0d %%0d %%0d %%0d\\n\", ms, mt, li,", p);
        v.line("                            tr_neuron[li*%d +: %d] + j * plane(li), $signed(tr_v[(li*%d + j)*%d +: %d]));", nb, nb, p,
                tw, tw);
        v.line("            end");
        v.line("            cyc = cyc + 1;");
        v.line("            stepcyc = stepcyc + 1;");
        v.line("            if (step_done) running = 0;");
        v.line("            else if (stepcyc >= %d) begin", Watchdog.waveLimit(d));
        v.line("                $display(\"FATAL: watchdog: wave %%0d ran %d cycles without step_done (the design's worst wave is %d cycles)\", w);",
                Watchdog.waveLimit(d), CycleFormula.worstWave(d));
        v.line("                $finish;");
        v.line("            end");
        v.line("        end");
        v.line("    end");
        v.blank();
    }

    /** The host: check the memory files, open stim.txt and trace.txt, hold reset for two cycles, then run every sample. */
    private void stimulus(Verilog v) {
        v.line("    initial begin");
        v.line("        running = 0;");
        for (String f : top.memoryFiles()) {
            v.line("        need(\"%s\");", f);
        }
        v.line("        if ($value$plusargs(\"vcd=%%s\", vcd)) begin");
        v.line("            $dumpfile(vcd);");
        v.line("            $dumpvars(0, tb);");
        v.line("        end");
        v.line("        fin = $fopen(\"stim.txt\", \"r\");");
        v.line("        if (fin == 0) begin");
        v.line("            $display(\"FATAL: stim.txt is missing\");");
        v.line("            $finish;");
        v.line("        end");
        v.line("        fout = $fopen(\"trace.txt\", \"w\");");
        v.line("        r = $fscanf(fin, \"%%d %%d\\n\", samples, steps);");
        v.line("        repeat (2) @(negedge clk);");
        v.line("        rst = 1'b0;");
        samples(v);
        v.line("        $fwrite(fout, \"end\\n\");");
        v.line("        $fclose(fout);");
        v.line("        $finish;");
        v.line("    end");
    }

    /**
     * Clear once and wait until the engines are idle; then the stream's waves: in each of the first
     * samples x steps waves the host writes the next step's events one a cycle and pulses step with
     * step_in (and step_last on a sample's last step); the last layers - 1 waves drain the engines.
     * After the wave in which the last engine finished a sample's last step, every class's readout.
     * Inputs change on the falling edge, half a cycle away from the edge the design samples them on.
     */
    private void samples(Verilog v) {
        int n = d.layers().size();
        v.line("        @(negedge clk) clear = 1'b1;");
        v.line("        @(negedge clk) clear = 1'b0;");
        v.line("        cyc = 0;");
        v.line("        while (busy) begin");
        v.line("            @(negedge clk) cyc = cyc + 1;");
        v.line("            if (cyc >= %d) begin", Watchdog.clearLimit(d));
        v.line("                $display(\"FATAL: watchdog: clear ran %d cycles with busy high (it takes %d)\");",
                Watchdog.clearLimit(d), Watchdog.clearCycles(d));
        v.line("                $finish;");
        v.line("            end");
        v.line("        end");
        v.line("        cyc = 0;");
        v.line("        waves = samples > 0 ? samples * steps + %d : 0;", n - 1);
        v.line("        for (w = 0; w < waves; w = w + 1) begin");
        v.line("            if (w < samples * steps) begin");
        v.line("                s = w / steps;");
        v.line("                t = w %% steps;");
        v.line("                if (t == 0) sstart[s %% %d] = cyc;", n + 1);
        v.line("                r = $fscanf(fin, \"%%d\\n\", count);");
        v.line("                for (e = 0; e < count; e = e + 1) begin");
        v.line("                    r = $fscanf(fin, \"%%d %%d %%d %%d\\n\", c, y, x, val);");
        v.line("                    in_event = %s;", inputEvent());
        v.line("                    in_we = 1'b1;");
        v.line("                    @(negedge clk) in_we = 1'b0;");
        v.line("                end");
        v.line("                step_in = 1'b1;");
        v.line("                step_last = (t == steps - 1);");
        v.line("            end");
        v.line("            stepcyc = 0;");
        v.line("            step = 1'b1;");
        v.line("            running = 1;");
        v.line("            @(negedge clk) begin");
        v.line("                step = 1'b0;");
        v.line("                step_in = 1'b0;");
        v.line("                step_last = 1'b0;");
        v.line("            end");
        v.line("            while (running) @(negedge clk);");
        v.line("            $fwrite(fout, \"wave %%0d %%0d\\n\", w, stepcyc);");
        v.line("            if (in_err) begin");
        v.line("                $display(\"FATAL: the host guard refused a write or step by wave %%0d (in_err)\", w);");
        v.line("                $finish;");
        v.line("            end");
        v.line("            item = w - %d;", n - 1);
        v.line("            if (item >= 0 && item %% steps == steps - 1) begin");
        v.line("                for (j = 0; j < %d; j = j + 1) begin", d.last().outC());
        v.line("                    ro_addr = j[%d:0];", top.readoutAddrBits() - 1);
        v.line("                    #1 $fwrite(fout, \"readout %%0d %%0d %%0d\\n\", item / steps, j, $signed(ro_data));");
        v.line("                end");
        v.line("                @(negedge clk);  // back on the falling edge, which the #1 reads may have passed");
        v.line("            end");
        v.line("        end");
    }

    /** The input event word {value, channel, row, column} from the integers stim.txt gives, at the first engine's widths. */
    private String inputEvent() {
        FpgaLayer first = d.layers().get(0);
        StringBuilder ev = new StringBuilder("{");
        if (first.valueBits() > 0) {
            ev.append("val[").append(first.valueBits() - 1).append(":0], ");
        }
        ev.append("c[").append(first.cBits() - 1).append(":0], y[").append(first.yBits() - 1).append(":0], x[")
                .append(first.xBits() - 1).append(":0]}");
        return ev.toString();
    }
}

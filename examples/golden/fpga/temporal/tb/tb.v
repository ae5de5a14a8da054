// Test bench for temporal_top (Icarus Verilog): reads stim.txt, writes trace.txt. Run from the folder
// that holds mem/: every memory file is checked first, since a missing one would leave a
// memory silently undefined.
`timescale 1ns/1ps
module tb;
    reg clk = 1'b0;
    always #5 clk = ~clk;
    reg rst = 1'b1, clear = 1'b0, step = 1'b0, step_in = 1'b0, step_last = 1'b0, in_we = 1'b0;
    reg [4:0] in_event = 5'd0;
    reg [1:0] ro_addr = 2'd0;
    wire busy, step_done, in_err;
    wire [10:0] ro_data;
    wire [2:0] sp_valid, tr_valid;
    wire [8:0] sp_neuron, tr_neuron;
    wire [11:0] tr_mask;
    wire [143:0] tr_v;
    temporal_top dut (.clk(clk), .rst(rst), .clear(clear), .busy(busy), .in_we(in_we), .in_event(in_event),
        .step(step), .step_in(step_in), .step_last(step_last), .step_done(step_done), .in_err(in_err),
        .ro_addr(ro_addr), .ro_data(ro_data), .sp_valid(sp_valid), .sp_neuron(sp_neuron), .tr_valid(tr_valid),
        .tr_neuron(tr_neuron), .tr_mask(tr_mask), .tr_v(tr_v));

    integer fin, fout, fd, r, samples, steps, s, t, e, count, c, y, x, val, j, cyc, stepcyc, running;
    integer w, waves, li, item, ms, mt;
    // the cycle each sample in flight started at (its first wave's first cycle), by sample modulo 4
    integer sstart [0:3];
    reg [1023:0] vcd;
    // rows x columns of each layer: lane i of a trace word is neuron tr_neuron + i * plane
    function integer plane;
        input integer layer;
        begin
            case (layer)
                0: plane = 1;
                1: plane = 1;
                2: plane = 1;
                default: plane = 0;
            endcase
        end
    endfunction
    task need;
        input [1023:0] name;
        begin
            fd = $fopen(name, "r");
            if (fd == 0) begin
                $display("FATAL: memory file %0s is missing; run the simulation from the generated folder", name);
                $finish;
            end
            $fclose(fd);
        end
    endtask

    // the monitor samples at each rising edge, before the edge's updates: what the cycle did
    always @(posedge clk) begin
        if (running) begin
            for (li = 0; li < 3; li = li + 1) begin
                item = w - li;
                ms = item / steps;
                mt = item % steps;
                if (sp_valid[li]) $fwrite(fout, "spike %0d %0d %0d %0d %0d\n", ms, mt, li,
                    sp_neuron[li*3 +: 3], cyc - sstart[ms % 4]);
                if (tr_valid[li])
                    for (j = 0; j < 4; j = j + 1)
                        if (tr_mask[li*4 + j]) $fwrite(fout, "mem %0d %0d %0d %0d %0d\n", ms, mt, li,
                            tr_neuron[li*3 +: 3] + j * plane(li), $signed(tr_v[(li*4 + j)*12 +: 12]));
            end
            cyc = cyc + 1;
            stepcyc = stepcyc + 1;
            if (step_done) running = 0;
            else if (stepcyc >= 52) begin
                $display("FATAL: watchdog: wave %0d ran 52 cycles without step_done (the design's worst wave is 36 cycles)", w);
                $finish;
            end
        end
    end

    initial begin
        running = 0;
        need("mem/temporal_l0_w.hex");
        need("mem/temporal_l0_b.hex");
        need("mem/temporal_l0_t.hex");
        need("mem/temporal_l1_w.hex");
        need("mem/temporal_l1_t.hex");
        need("mem/temporal_l2_w.hex");
        if ($value$plusargs("vcd=%s", vcd)) begin
            $dumpfile(vcd);
            $dumpvars(0, tb);
        end
        fin = $fopen("stim.txt", "r");
        if (fin == 0) begin
            $display("FATAL: stim.txt is missing");
            $finish;
        end
        fout = $fopen("trace.txt", "w");
        r = $fscanf(fin, "%d %d\n", samples, steps);
        repeat (2) @(negedge clk);
        rst = 1'b0;
        @(negedge clk) clear = 1'b1;
        @(negedge clk) clear = 1'b0;
        cyc = 0;
        while (busy) begin
            @(negedge clk) cyc = cyc + 1;
            if (cyc >= 19) begin
                $display("FATAL: watchdog: clear ran 19 cycles with busy high (it takes 3)");
                $finish;
            end
        end
        cyc = 0;
        waves = samples > 0 ? samples * steps + 2 : 0;
        for (w = 0; w < waves; w = w + 1) begin
            if (w < samples * steps) begin
                s = w / steps;
                t = w % steps;
                if (t == 0) sstart[s % 4] = cyc;
                r = $fscanf(fin, "%d\n", count);
                for (e = 0; e < count; e = e + 1) begin
                    r = $fscanf(fin, "%d %d %d %d\n", c, y, x, val);
                    in_event = {c[2:0], y[0:0], x[0:0]};
                    in_we = 1'b1;
                    @(negedge clk) in_we = 1'b0;
                end
                step_in = 1'b1;
                step_last = (t == steps - 1);
            end
            stepcyc = 0;
            step = 1'b1;
            running = 1;
            @(negedge clk) begin
                step = 1'b0;
                step_in = 1'b0;
                step_last = 1'b0;
            end
            while (running) @(negedge clk);
            $fwrite(fout, "wave %0d %0d\n", w, stepcyc);
            if (in_err) begin
                $display("FATAL: the host guard refused a write or step by wave %0d (in_err)", w);
                $finish;
            end
            item = w - 2;
            if (item >= 0 && item % steps == steps - 1) begin
                for (j = 0; j < 3; j = j + 1) begin
                    ro_addr = j[1:0];
                    #1 $fwrite(fout, "readout %0d %0d %0d\n", item / steps, j, $signed(ro_data));
                end
                @(negedge clk);  // back on the falling edge, which the #1 reads may have passed
            end
        end
        $fwrite(fout, "end\n");
        $fclose(fout);
        $finish;
    end
endmodule

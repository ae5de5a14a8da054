// Test bench for temporal_top (Icarus Verilog): reads stim.txt, writes trace.txt. Run from the folder
// that holds mem/: every memory file is checked first, since a missing one would leave a
// memory silently undefined.
`timescale 1ns/1ps
module tb;
    reg clk = 1'b0;
    always #5 clk = ~clk;
    reg rst = 1'b1, clear = 1'b0, step = 1'b0, in_we = 1'b0;
    reg [4:0] in_event = 5'd0;
    reg [1:0] ro_addr = 2'd0;
    wire busy, step_done, sp_valid, tr_valid;
    wire [10:0] ro_data;
    wire [1:0] sp_layer, tr_layer;
    wire [2:0] sp_neuron, tr_neuron;
    wire [3:0] tr_mask;
    wire [47:0] tr_v;
    temporal_top dut (.clk(clk), .rst(rst), .clear(clear), .busy(busy), .in_we(in_we), .in_event(in_event),
        .step(step), .step_done(step_done), .ro_addr(ro_addr), .ro_data(ro_data), .sp_valid(sp_valid),
        .sp_layer(sp_layer), .sp_neuron(sp_neuron), .tr_valid(tr_valid), .tr_layer(tr_layer),
        .tr_neuron(tr_neuron), .tr_mask(tr_mask), .tr_v(tr_v));

    integer fin, fout, fd, r, samples, steps, s, t, e, count, c, y, x, val, j, cyc, stepcyc, running;
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
            if (sp_valid) $fwrite(fout, "spike %0d %0d %0d %0d %0d\n", s, t, sp_layer, sp_neuron, cyc);
            if (tr_valid)
                for (j = 0; j < 4; j = j + 1)
                    if (tr_mask[j]) $fwrite(fout, "mem %0d %0d %0d %0d %0d\n", s, t, tr_layer,
                        tr_neuron + j * plane(tr_layer), $signed(tr_v[j*12 +: 12]));
            cyc = cyc + 1;
            stepcyc = stepcyc + 1;
            if (step_done) running = 0;
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
        for (s = 0; s < samples; s = s + 1) begin
            @(negedge clk) clear = 1'b1;
            @(negedge clk) clear = 1'b0;
            while (busy) @(negedge clk);
            cyc = 0;
            for (t = 0; t < steps; t = t + 1) begin
                r = $fscanf(fin, "%d\n", count);
                for (e = 0; e < count; e = e + 1) begin
                    r = $fscanf(fin, "%d %d %d %d\n", c, y, x, val);
                    in_event = {c[2:0], y[0:0], x[0:0]};
                    in_we = 1'b1;
                    @(negedge clk) in_we = 1'b0;
                end
                stepcyc = 0;
                step = 1'b1;
                running = 1;
                @(negedge clk) step = 1'b0;
                while (running) @(negedge clk);
                $fwrite(fout, "cycles %0d %0d %0d\n", s, t, stepcyc);
            end
            for (j = 0; j < 3; j = j + 1) begin
                ro_addr = j[1:0];
                #1 $fwrite(fout, "readout %0d %0d %0d\n", s, j, $signed(ro_data));
            end
        end
        $fwrite(fout, "end\n");
        $fclose(fout);
        $finish;
    end
endmodule

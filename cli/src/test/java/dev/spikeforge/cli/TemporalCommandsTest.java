package dev.spikeforge.cli;

import dev.spikeforge.runtime.data.BarsDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A temporal network through the whole CLI: trained (BPTT through synaptic currents and
 * recurrence), then verified on loihi_like (conv1d, maxpool, full and diagonal recurrence, CUBA)
 * and on an FPGA under Icarus (row-sequential input, recurrent CUBA), every engine exact.
 */
class TemporalCommandsTest {

    @TempDir
    static Path dir;

    private static final String TRAIN = """
            train {
                method    = surrogate
                dataset   = idx(path = "bars")
                epochs    = 1
                batch     = 32
                optimizer = adam(lr = 0.01)
                seed      = 5
            }
            """;

    /** Each 8x8 image as 8 channels of 8 values: conv1d along the rows. */
    static final String CHIP = """
            model seqbars
            input 8x8 encode poisson
            timesteps 8
            neuron syn = CUBA(alpha = 0.5, beta = 0.875, threshold = 1.0, reset = zero)
            neuron lif = LIF(beta = 0.875, threshold = 1.0, reset = zero)
            layers {
                c = conv1d(4, kernel = 3, padding = 1) -> lif
                p = maxpool(2)
                h = dense(12, recurrent = true) -> syn
                g = dense(8, recurrent = diagonal) -> lif
                out = readout(4)
            }
            """ + TRAIN + """
            deploy {
                weights  = int(8, per_channel)
                membrane = int(20)
                leak     = multiplier(12)
                target neurocore(preset = loihi_like)
            }
            """;

    /** Each 8x8 image as 8 steps of its rows. */
    static final String ROWS = """
            model rowbars
            input 8 encode rows
            timesteps 8
            neuron syn = CUBA(alpha = 0.75, beta = 0.9375, threshold = 1.0)
            layers {
                h = dense(12, recurrent = true) -> syn
                out = readout(4, mode = membrane, beta = 0.875)
            }
            """ + TRAIN + """
            deploy {
                weights  = int(8, per_channel)
                membrane = int(24)
                leak     = multiplier(12)
                target fpga(lanes = 2)
            }
            """;

    @BeforeAll
    static void data() throws Exception {
        BarsDataset.write(dir.resolve("bars"), 256, 64);
    }

    private static Path trained(String name, String text) throws Exception {
        Path model = dir.resolve(name + ".snn");
        Files.writeString(model, text);
        Path checkpoint = dir.resolve(name + ".npz");
        CliRun r = CliRun.of("train", model.toString(), "--out", checkpoint.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        return checkpoint;
    }

    @Test
    void recurrentCubaConv1dAndMaxpoolVerifyExactlyOnLoihiLike() throws Exception {
        Path checkpoint = trained("seqbars", CHIP);
        CliRun r = CliRun.of("verify", dir.resolve("seqbars.snn").toString(), "--checkpoint", checkpoint.toString(),
                "--samples", "8", "--target", "loihi_like", "--out", dir.resolve("chip").toString(),
                "--tolerance-agreement", "0", "--tolerance-drop", "100");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("8 of 8 samples exactly equal to the integer model"), r.out());
        String mapping = Files.readString(dir.resolve("chip/neurocore-loihi_like/mapping.json"));
        assertTrue(mapping.contains("\"recurrent\"") && mapping.contains("\"recurrent_diagonal\""), "recurrent synapses");
        assertTrue(mapping.contains("\"conv1d\"") && mapping.contains("\"maxpool\""), "conv1d and maxpool synapses");
    }

    @Test
    void rowSequentialRecurrentCubaVerifiesExactlyOnAnFpgaUnderIcarus() throws Exception {
        Path checkpoint = trained("rowbars", ROWS);
        CliRun r = CliRun.of("verify", dir.resolve("rowbars.snn").toString(), "--checkpoint", checkpoint.toString(),
                "--samples", "4", "--target", "fpga(lanes = 2)", "--rtl", "--simulator", "iverilog", "--out",
                dir.resolve("fpga").toString(), "--tolerance-agreement", "0", "--tolerance-drop", "100");
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("emulator: 4 of 4 samples exactly equal to the integer model"), r.out());
        assertTrue(r.out().contains("icarus RTL simulation: 4 of 4 samples exactly equal to the emulator"), r.out());
    }
}

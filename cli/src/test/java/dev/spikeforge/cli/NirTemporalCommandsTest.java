package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nir commands on temporal models (issue 23) where NIR has no node: one message, exit 3, no file. */
class NirTemporalCommandsTest {

    @TempDir
    Path dir;

    @Test
    void maxPoolingCannotBeExported() throws Exception {
        Path model = dir.resolve("mp.snn");
        Files.writeString(model, """
                model mp
                input 2x16 encode poisson
                timesteps 4
                neuron lif = LIF(beta = 0.8, threshold = 0.5)
                layers {
                  p = maxpool(2)
                  h = dense(4) -> lif
                  o = readout(3)
                }
                """);
        Path out = dir.resolve("mp.nir");
        CliRun r = CliRun.of("nir", "export", model.toString(), "-o", out.toString());
        assertEquals(ExitCodes.INPUT_ERROR, r.exit(), r.out() + r.err());
        String error = r.err().lines().filter(l -> l.contains("error:")).findFirst().orElse("");
        assertTrue(error.contains("mp.snn") && error.contains("maxpool 'p' has no NIR node")
                && error.contains("use avgpool(2)"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("error:")).count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(out));
    }
}

package dev.spikeforge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spikeforge run on the quick example with a tiny data limit, on the real Fashion-MNIST files of
 * the Debian package (the README's test command installs it): the whole job to its summary table.
 */
class RunQuickExampleTest {

    @TempDir
    Path dir;

    @Test
    void runOnTheQuickExampleEndsWithTheSummaryAndTheReport() throws Exception {
        Path data = Path.of("/usr/share/datasets/fashion-mnist");
        assertTrue(Files.isDirectory(data), "the Debian package dataset-fashion-mnist is not installed"
                + " (apt-get install -y dataset-fashion-mnist; scripts/test.sh installs it)");
        Path model = Golden.projectRoot().resolve("examples/models/quick.snn");
        CliRun r = CliRun.of("run", model.toString(), "--limit", "256", "--samples", "24", "--rtl-samples", "2",
                "--tolerance-agreement", "0", "--tolerance-drop", "100", "--out", dir.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("spikeforge run: model quick"), out);
        assertTrue(out.matches("(?s).*accuracy: float [0-9.]+%, integer [0-9.]+%; class agreement [0-9.]+%; verify PASS.*"), out);
        assertTrue(out.matches("(?s).*\\nloihi_like +24/24 +[0-9]+ +[0-9.]+ us +[0-9.]+ +[0-9.]+ [un]J \\(est\\.\\).*"), out);
        assertTrue(out.matches("(?s).*\\nfpga\\(lanes = 8, family = xc7, device = xc7a35t\\) +24/24 +[0-9]+ .*not modelled.*"), out);
        assertTrue(out.contains("RTL: fpga-xc7-p8: EQUAL"), out);
        assertTrue(out.contains("clocks: loihi_like at ") && out.contains("; fpga(lanes = 8, family = xc7, device = xc7a35t) at 100"
                + " MHz (assumed)"), "the table says which clock its latencies are at: " + out);
        assertTrue(out.contains("HTML report: " + dir.resolve("report/report.html")), out);
        assertTrue(Files.isRegularFile(dir.resolve("report/report.html")));
        assertTrue(Files.readString(dir.resolve("summary.txt")).equals(out.substring(out.indexOf("\nspikeforge run:"))), out);
    }
}

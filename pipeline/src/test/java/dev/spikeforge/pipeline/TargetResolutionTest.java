package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Value;
import dev.spikeforge.compiler.target.TargetFamily;
import dev.spikeforge.compiler.testing.TargetFamilies;
import org.junit.jupiter.api.Test;

/** --target text through the grammar's own target rule, or a word a family claims. */
class TargetResolutionTest {

    @Test
    void theInstalledFamiliesAreTheOnesTheLanguageTestsAssume() {
        assertEquals(TargetFamilies.INSTALLED, TargetFamily.names());
    }

    @Test
    void aTargetLineIsReadWithTheGrammar() throws Exception {
        DeploySpec.TargetRequest r = Targets.request("fpga(lanes = 16, family = xc7, device = \"xc7a35t\")");
        assertEquals("fpga", r.family());
        assertEquals(3, r.args().size());
        assertEquals("lanes", r.args().get(0).key());
        assertTrue(r.args().get(0).value() instanceof Value.Num n && n.integral() && n.value() == 16);
        assertTrue(r.args().get(2).value() instanceof Value.Text t && t.value().equals("xc7a35t"));
    }

    @Test
    void aBareWordIsClaimedByItsFamily() throws Exception {
        assertEquals("neurocore", Targets.request("loihi_like").family());
        assertEquals("neurocore", Targets.request("chips/my_chip.json").family());
        assertEquals("fpga", Targets.request("fpga").family());
    }

    @Test
    void aWordNoFamilyClaimsIsAUsageErrorNamingTheFamilies() {
        PipelineException e = assertThrows(PipelineException.class, () -> Targets.request("loihi"));
        assertEquals(PipelineException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().contains("families: neurocore, fpga"), e.getMessage());
        assertThrows(PipelineException.class, () -> Targets.request("fpga(lanes = )"));
    }
}

package dev.spikeforge.targets.fpga;

/**
 * The arithmetic the generated accelerator implements, which every fpga folder records in
 * {@code fpga.json}'s {@code numerics} and its reader holds the folder to (docs/semantics.md
 * section 4.12): right shifts with Verilog's {@code >>>} (toward minus infinity) and a
 * greater-or-equal threshold comparison.
 */
final class FpgaNumerics {

    static final boolean SHIFT_TOWARD_ZERO = false;
    static final String THRESHOLD_COMPARE = ">=";

    private FpgaNumerics() {
    }

    static String rounding(boolean towardZero) {
        return towardZero ? "toward_zero" : "floor";
    }
}

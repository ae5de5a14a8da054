package dev.spikeforge.targets.fpga;

import java.util.List;
import java.util.Locale;

/** The parts {@code synth} can check a design against, with the published capacities and their sources. */
public final class FpgaDevices {

    /**
     * @param luts      logic cells (LUT4 on iCE40, LUT6 on 7-series)
     * @param bramBits  block RAM bits (iCE40 EBR: 4 kbit each; 7-series RAMB36: 36 kbit each)
     * @param brams     block RAM primitives (EBR, or RAMB36; yosys may report RAMB18 halves)
     * @param nextpnr   the nextpnr-ice40 device and package options, empty when not iCE40
     * @param source    where the figures come from
     */
    public record Device(String name, String family, int luts, int flipFlops, long bramBits, int brams, int dsps,
                         String nextpnr, String source) {
    }

    private static final List<Device> DEVICES = List.of(
            new Device("up5k", "ice40", 5280, 5280, 30L * 4096, 30, 8, "--up5k --package sg48",
                    "Lattice iCE40 UltraPlus Family Data Sheet FPGA-DS-02008, table 1.1 (SPRAM not counted: generated memories infer EBR)"),
            new Device("hx8k", "ice40", 7680, 7680, 32L * 4096, 32, 0, "--hx8k --package ct256",
                    "Lattice iCE40 LP/HX Family Data Sheet DS1040, table 1-1"),
            new Device("xc7a35t", "xc7", 20800, 41600, 50L * 36864, 50, 90, "",
                    "AMD/Xilinx DS180 7 Series FPGAs Data Sheet: Overview, table 3 (Artix-7)"),
            new Device("xc7a100t", "xc7", 63400, 126800, 135L * 36864, 135, 240, "",
                    "AMD/Xilinx DS180 7 Series FPGAs Data Sheet: Overview, table 3 (Artix-7)"),
            new Device("xc7z020", "xc7", 53200, 106400, 140L * 36864, 140, 220, "",
                    "AMD/Xilinx DS190 Zynq-7000 SoC Data Sheet: Overview, table 1"));

    private FpgaDevices() {
    }

    public static boolean known(String name) {
        return DEVICES.stream().anyMatch(d -> d.name().equals(name.toLowerCase(Locale.ROOT)));
    }

    public static Device get(String name) {
        return DEVICES.stream().filter(d -> d.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown device " + name));
    }

    public static List<String> names() {
        return DEVICES.stream().map(Device::name).toList();
    }

    public static List<Device> all() {
        return DEVICES;
    }
}

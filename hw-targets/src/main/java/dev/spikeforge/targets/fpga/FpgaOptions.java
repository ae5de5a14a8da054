package dev.spikeforge.targets.fpga;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Value;
import java.util.List;
import java.util.Locale;

/**
 * The parameters of {@code target fpga(lanes = 16, family = xc7, memory = block, device = xc7a35t)}.
 *
 * @param lanes   P, neurons updated per clock (a power of two, 1 to 64)
 * @param family  generic, ice40 or xc7: which synthesis script and device table apply
 * @param memory  auto, block or distributed: the RAM style attribute on the large memories
 * @param device  the part that {@code synth} checks the design against (empty: the family's default)
 * @param leakRounding floor (the default: the leak's arithmetic shift, Verilog {@code >>>}) or nearest
 *                (half an LSB added before it, docs/semantics.md section 4.12)
 * @param layerLanes  {@code lanes = [p0, p1, ...]}: each layer's engine's lanes in order; empty when
 *                    one value ({@code lanes}) applies to every layer. With a list, {@code lanes} is its largest.
 */
public record FpgaOptions(int lanes, String family, String memory, String device, String leakRounding,
                          List<Integer> layerLanes) {

    public FpgaOptions {
        layerLanes = List.copyOf(layerLanes);
    }

    /** One lane count for every layer. */
    public FpgaOptions(int lanes, String family, String memory, String device, String leakRounding) {
        this(lanes, family, memory, device, leakRounding, List.of());
    }

    /** The lanes of layer {@code i}'s engine. */
    public int lanesOf(int i) {
        return layerLanes.isEmpty() ? lanes : layerLanes.get(i);
    }

    /** The sum of every engine's lanes, for {@code layers} layers. */
    public int totalLanes(int layers) {
        return layerLanes.isEmpty() ? lanes * layers : layerLanes.stream().mapToInt(Integer::intValue).sum();
    }

    /** The lanes as written: {@code 16} or {@code [16, 4, 64]}. */
    public String lanesText() {
        return layerLanes.isEmpty() ? String.valueOf(lanes)
                : "[" + String.join(", ", layerLanes.stream().map(String::valueOf).toList()) + "]";
    }

    public static final List<String> LEAK_ROUNDINGS = List.of("floor", "nearest");

    /** Options whose leak shifts with floor. */
    public FpgaOptions(int lanes, String family, String memory, String device) {
        this(lanes, family, memory, device, "floor");
    }

    /** leak_rounding = nearest. */
    public boolean leakNearest() {
        return leakRounding.equals("nearest");
    }

    public static final List<String> FAMILIES = List.of("generic", "ice40", "xc7");
    public static final List<String> MEMORY_STYLES = List.of("auto", "block", "distributed");

    public static FpgaOptions defaults() {
        return new FpgaOptions(16, "generic", "auto", "");
    }

    /** The device synth checks against: the given one, else the family's default. */
    public String effectiveDevice() {
        if (!device.isEmpty()) {
            return device;
        }
        return switch (family) {
            case "ice40" -> "up5k";
            case "xc7" -> "xc7a35t";
            default -> "";
        };
    }

    /** Reads a request's arguments; problems are collected as sentences, each with the fix. */
    public static FpgaOptions from(DeploySpec.TargetRequest request, List<String> problems) {
        FpgaOptions o = defaults();
        int lanes = o.lanes;
        String family = o.family;
        String memory = o.memory;
        String device = o.device;
        String leakRounding = o.leakRounding;
        List<Integer> layerLanes = List.of();
        for (Value.Arg a : request.args()) {
            String key = a.positional() ? "family" : a.key();
            String text = a.value() instanceof Value.Text t ? t.value() : a.value().toString();
            switch (key) {
                case "lanes" -> {
                    if (a.value() instanceof Value.ListOf list) {
                        List<Integer> each = new java.util.ArrayList<>();
                        for (int i = 0; i < list.items().size(); i++) {
                            Value item = list.items().get(i);
                            if (item instanceof Value.Num n && lanesValue(n)) {
                                each.add((int) n.value());
                            } else {
                                problems.add("lanes[" + i + "] must be a power of two from 1 to 64, got " + item.describe()
                                        + "; write lanes = [16, 4, ...] with one power of two per layer, in layer order");
                            }
                        }
                        if (each.isEmpty() && list.items().isEmpty()) {
                            problems.add("lanes = [] names no layer; write one power of two per layer, or one value for all");
                        } else if (each.size() == list.items().size()) {
                            layerLanes = each;
                            lanes = each.stream().mapToInt(Integer::intValue).max().orElse(lanes);
                        }
                    } else if (a.value() instanceof Value.Num n && lanesValue(n)) {
                        lanes = (int) n.value();
                    } else {
                        problems.add("lanes must be a power of two from 1 to 64, got " + text
                                + " (or a list of them, one per layer: lanes = [16, 4, ...])");
                    }
                }
                case "family" -> {
                    if (FAMILIES.contains(text)) {
                        family = text;
                    } else {
                        problems.add("family must be one of " + String.join(", ", FAMILIES) + ", got " + text);
                    }
                }
                case "memory" -> {
                    if (MEMORY_STYLES.contains(text)) {
                        memory = text;
                    } else {
                        problems.add("memory must be one of " + String.join(", ", MEMORY_STYLES) + ", got " + text);
                    }
                }
                case "device" -> {
                    if (FpgaDevices.known(text)) {
                        device = text.toLowerCase(Locale.ROOT);
                    } else {
                        problems.add("device " + text + " is not in the device table; known: "
                                + String.join(", ", FpgaDevices.names()));
                    }
                }
                case "leak_rounding" -> {
                    if (LEAK_ROUNDINGS.contains(text)) {
                        leakRounding = text;
                    } else {
                        problems.add("leak_rounding must be one of " + String.join(", ", LEAK_ROUNDINGS) + ", got " + text);
                    }
                }
                default -> problems.add("unknown argument '" + key + "'; fpga takes lanes, family, memory, device and"
                        + " leak_rounding");
            }
        }
        FpgaOptions out = new FpgaOptions(lanes, family, memory, device, leakRounding, layerLanes);
        if (!device.isEmpty() && !FpgaDevices.get(device).family().equals(family)) {
            problems.add("device " + device + " belongs to family " + FpgaDevices.get(device).family() + ", not " + family);
        }
        return out;
    }

    private static boolean lanesValue(Value.Num n) {
        return n.integral() && n.value() >= 1 && n.value() <= 64 && Integer.bitCount((int) n.value()) == 1;
    }

    /** How the options are written in a target line: {@code fpga(lanes = 16, family = xc7)}. */
    public String describe() {
        return "fpga(lanes = " + lanesText() + ", family = " + family + (memory.equals("auto") ? "" : ", memory = " + memory)
                + (device.isEmpty() ? "" : ", device = " + device) + (leakNearest() ? ", leak_rounding = nearest" : "")
                + ")";
    }
}

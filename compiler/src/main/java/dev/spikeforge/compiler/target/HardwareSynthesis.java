package dev.spikeforge.compiler.target;

import java.nio.file.Path;
import java.util.List;

/** Synthesis of a folder's hardware description into the resources of a device. */
public interface HardwareSynthesis {

    /** The devices a report may be checked against. */
    List<String> devices();

    /**
     * Synthesises the design.
     *
     * @param device        the device to check against instead of the folder's own, or null
     * @param placeAndRoute also place and route where the flow can, for the maximum clock
     */
    Report run(String device, boolean placeAndRoute) throws ToolException, java.io.IOException;

    /** Resources of one module or of the whole design. */
    record Resources(String name, long luts, long flipFlops, long brams, long dsps, long carries, long lutRam,
                     long cells) {
    }

    /** A device's capacities and where they come from. */
    record Device(String name, long luts, long flipFlops, long brams, long dsps, String source) {
    }

    /**
     * What synthesis gave.
     *
     * @param design     the top module
     * @param flow       the tool and its flow, e.g. {@code yosys xc7}
     * @param device     the device checked against, or null when the design names none
     * @param overLimits the resources over the device's capacity, as sentences
     * @param fmaxMhz    the maximum clock: measured by place and route, or estimated; NaN when neither
     * @param fmaxEstimated whether {@code fmaxMhz} is an estimate (no place and route) rather than a measurement
     * @param fmaxBasis  how {@code fmaxMhz} was had (measured or estimated, by what), empty when NaN
     * @param notes      what the figures include and leave out, as sentences
     */
    record Report(String design, String flow, List<Resources> modules, Resources total, Device device, boolean fits,
                  List<String> overLimits, double fmaxMhz, boolean fmaxEstimated, String fmaxBasis,
                  List<String> notes, Path log, double seconds) {

        public Report {
            modules = List.copyOf(modules);
            overLimits = List.copyOf(overLimits);
            notes = List.copyOf(notes);
            fmaxBasis = fmaxBasis == null ? "" : fmaxBasis;
        }
    }
}

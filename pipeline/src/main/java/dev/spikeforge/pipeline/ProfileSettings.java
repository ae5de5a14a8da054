package dev.spikeforge.pipeline;

import java.util.List;

/**
 * What to profile beyond the counters.
 *
 * @param samples          the first N test samples
 * @param plots            gather the data of the report's plots (raster, rates, membranes)
 * @param sample           the sample whose raster and membranes the plots show
 * @param traceNeurons     neurons whose membranes to plot as {layer, neuron}; empty: the three most active
 * @param assumedClockMhz  the clock that targets whose clock is an assumption are stated at (null: theirs)
 * @param inputRate        inputs per second the application delivers (0: no real-time margin)
 */
public record ProfileSettings(int samples, boolean plots, int sample, List<int[]> traceNeurons, Double assumedClockMhz,
                              double inputRate) {

    public ProfileSettings {
        traceNeurons = List.copyOf(traceNeurons);
    }

    public static ProfileSettings samples(int n) {
        return new ProfileSettings(n, false, 0, List.of(), null, 0);
    }

    public ProfileSettings withPlots(int rasterSample, List<int[]> trace) {
        return new ProfileSettings(samples, true, rasterSample, trace, assumedClockMhz, inputRate);
    }
}

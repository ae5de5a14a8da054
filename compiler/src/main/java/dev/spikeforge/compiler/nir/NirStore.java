package dev.spikeforge.compiler.nir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads and writes NIR's HDF5 layout. The only place that knows the HDF5 library: everything
 * else in spikeforge sees {@link NirFile}, so the library can be swapped behind this interface.
 */
public interface NirStore {

    /** @throws NirFormatException naming the file, the place in it and what is wrong */
    NirFile read(Path file) throws NirFormatException;

    /**
     * Writes {@code content} atomically: a reader sees the old file or the new one, never half of one.
     *
     * @throws IllegalArgumentException when the content cannot be stored in NIR's layout (an empty
     *         array, a name with '/', a graph without edges); callers check before writing
     */
    void write(Path file, NirFile content) throws IOException;

    /** The default implementation (jHDF). */
    static NirStore standard() {
        return new JhdfNirStore();
    }
}

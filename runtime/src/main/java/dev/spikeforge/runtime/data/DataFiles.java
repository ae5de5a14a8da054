package dev.spikeforge.runtime.data;

import dev.spikeforge.compiler.io.InputFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The gate every dataset file passes before a reader opens it ({@link InputFiles}): a regular
 * file, not a folder, a pipe or a device (nor a link to one), of at most {@link #MAX_FILE_BYTES}.
 * Its problems become {@link DatasetException}s that say what the path is, so a folder or a pipe
 * where a file should be is reported as that, not as a missing file.
 */
public final class DataFiles {

    /**
     * The largest dataset file read: 8 GiB. The training splits of MNIST, Fashion-MNIST and
     * CIFAR-10 are 47 MB, 47 MB and 150 MB; one IDX array or all CIFAR-10 batches together are at
     * most 2 GiB of elements anyway ({@link IdxReader#MAX_ELEMENTS}), so no usable file is larger.
     */
    public static final long MAX_FILE_BYTES = 8L << 30;
    private static final String WHAT = "dataset file";

    private DataFiles() {
    }

    /** The size of {@code file}, after checking it is a regular file within the cap. */
    static long check(Path file) throws DatasetException {
        try {
            return InputFiles.check(file, WHAT, MAX_FILE_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw converted(e);
        }
    }

    /** The bytes of {@code file}, never more than the cap. */
    static byte[] read(Path file) throws DatasetException {
        try {
            return InputFiles.read(file, WHAT, MAX_FILE_BYTES);
        } catch (InputFiles.NotUsable e) {
            throw converted(e);
        }
    }

    private static DatasetException converted(InputFiles.NotUsable e) {
        return new DatasetException(e.file(), e.problem(), e.help(), e);
    }

    /** True when something, of any kind, is at {@code path} (a dangling link counts). */
    static boolean present(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * What a path that should be a folder is instead, for "is ..., not a folder": a file, or a
     * pipe, socket or device.
     */
    static String notAFolder(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.isRegularFile()) {
                return "is a file, not a folder";
            }
        } catch (IOException e) {
            return "is not a folder";
        }
        return "is not a folder (a pipe, socket or device)";
    }

    /**
     * The entries of a dataset folder that are not hidden (names starting with '.'), sorted by name,
     * so that a dataset's order never depends on the file system. The folder layouts of class
     * folders (event recordings, audio clips) list through it.
     */
    public static List<Path> entries(Path folder) throws DatasetException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path p : stream) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(folder, "cannot be listed: " + IdxReader.describe(e),
                    "check the folder's permissions", e);
        }
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }
}

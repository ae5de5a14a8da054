package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a file so that readers see either the old content or the new, never a half-written one:
 * the bytes go to a temporary file in the same folder, which is then renamed over the target.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        writeWith(file, temp -> Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one file at the path it is given (for libraries that only write to a path). */
    @FunctionalInterface
    public interface FileFiller {
        void fill(Path file) throws IOException;
    }

    /**
     * Lets {@code filler} write a temporary file in the target's folder and renames it over
     * {@code file}: on failure the temporary file is deleted and an earlier {@code file} stays.
     */
    public static void writeWith(Path file, FileFiller filler) throws IOException {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        Files.createDirectories(folder);
        // not Files.createTempFile: its owner-only permissions would stay on the renamed file
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            filler.fill(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Fills a folder of files. */
    @FunctionalInterface
    public interface FolderFiller {
        void fill(Path folder) throws IOException;
    }

    /**
     * Builds a whole folder next to {@code folder} under a temporary name and swaps it in, so a
     * reader never sees a half-written folder and an earlier one is replaced whole (or left as it
     * was when filling fails).
     */
    public static void writeFolder(Path folder, FolderFiller filler) throws IOException {
        Path target = folder.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            filler.fill(temp);
            Path old = null;
            if (Files.exists(target)) {
                old = parent.resolve("." + target.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            if (old != null) {
                deleteTree(old);
            }
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}

package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a file or a whole folder so that readers see either the old content or the new, never a
 * half-written one, and an interrupted write leaves the old content in place.
 *
 * <p>A file goes to the hidden temporary {@code .NAME.HEX.tmp} next to it and is renamed over it.
 * A folder is built whole in the hidden staging folder {@code .NAME.stage-HEX} next to it, created
 * with the permissions {@code mkdir} gives (the umask's), then swapped in: the old folder is
 * renamed aside to {@code .NAME.old-HEX}, the staging folder renamed to NAME, the old one deleted.
 * Between those two renames NAME is missing for a moment; the names themselves record the swap, and
 * {@link #settle} (run by the next writer when it takes the {@link OutputLock}, and by readers of
 * the folder) renames {@code .NAME.old-HEX} back when NAME is missing, so a kill at any moment
 * leaves the old complete folder or the new one, and removes the temporary names whose writer is
 * gone.
 */
public final class AtomicFiles {

    /**
     * The file that marks a folder being built in place ({@link OutputFolder#writeInPlace}): while
     * it is there, the folder is not complete, and a settle puts the old copy back.
     */
    public static final String INCOMPLETE = ".spikeforge-incomplete";

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

    /** The hidden temporary name of a file write next to {@code target}. */
    public static Path tempFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + hex() + ".tmp");
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
        Path temp = tempFile(target);
        try {
            filler.fill(temp);
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            rename(temp, target);
            syncFolder(folder); // the rename itself is data of the folder
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Renames {@code from} to {@code to} atomically, replacing a file at {@code to} (on one file
     * system, POSIX rename(2)); every rename that publishes an output goes through here and so
     * through the {@link WriteFaults} seam.
     */
    public static void rename(Path from, Path to) throws IOException {
        WriteFaults.beforeRename(from.getFileName() + " -> " + to.getFileName());
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Fills a folder of files. */
    @FunctionalInterface
    public interface FolderFiller {
        void fill(Path folder) throws IOException;
    }

    /** As {@link FolderFiller}, also throwing the caller's own checked exception. */
    @FunctionalInterface
    public interface FolderWork<E extends Exception> {
        void fill(Path folder) throws IOException, E;
    }

    /**
     * Builds a whole folder next to {@code folder} under a temporary name and swaps it in, so a
     * reader never sees a half-written folder and an earlier one is replaced whole (or left as it
     * was when filling fails). Takes no lock: {@link OutputFolder} does, for outputs a user names.
     */
    public static void writeFolder(Path folder, FolderFiller filler) throws IOException {
        buildFolder(folder, filler::fill);
    }

    /** {@link #writeFolder} for a filler with its own checked exception. */
    public static <E extends Exception> void buildFolder(Path folder, FolderWork<E> filler) throws IOException, E {
        Path target = folder.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = null;
        for (int attempt = 0; staging == null; attempt++) {
            Path s = parent.resolve("." + target.getFileName() + ".stage-" + hex());
            try {
                // not Files.createTempDirectory: its owner-only permissions would stay on the folder
                Files.createDirectory(s);
                staging = s;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
        boolean swapped = false;
        try {
            filler.fill(staging);
            syncTree(staging);
            swap(staging, target);
            swapped = true;
        } finally {
            if (!swapped) {
                deleteQuietly(staging);
            }
        }
    }

    /**
     * Puts the complete folder {@code staging} at {@code target}: the old one aside, the new one in
     * its place (the step that commits), then the old one deleted. When the second rename fails,
     * the old folder is put back before the failure is thrown.
     */
    private static void swap(Path staging, Path target) throws IOException {
        Path parent = target.getParent();
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = parent.resolve("." + target.getFileName() + ".old-" + hex());
            rename(target, old);
        }
        try {
            rename(staging, target);
        } catch (IOException | RuntimeException e) {
            if (old != null) {
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        syncFolder(parent);
        if (old != null) {
            deleteQuietly(old);
        }
    }

    /**
     * Settles what an interrupted writer left next to {@code target}: when {@code target} is
     * missing and an old copy {@code .NAME.old-HEX} exists (a kill between the two renames of a
     * swap), the old copy is renamed back; so it is when {@code target} still holds the
     * {@link #INCOMPLETE} marker of an in-place build whose writer died (the unfinished folder is
     * deleted first); a {@link FileGroup} whose journal lies next to it is rolled forward; then
     * every {@code .NAME.HEX.tmp},
     * {@code .NAME.stage-HEX} and {@code .NAME.old-HEX} is deleted. Only for the writer that holds
     * the target's {@link OutputLock} (which calls this), or a reader that could take it.
     */
    public static void settle(Path target) throws IOException {
        Path t = target.toAbsolutePath().normalize();
        FileGroup.rollForward(t); // before the temporaries go: a committed group still needs them
        if (Files.exists(t.resolve(INCOMPLETE), LinkOption.NOFOLLOW_LINKS)) {
            // a folder built in place whose writer died before it committed: the old copy goes back
            deleteTree(t);
        }
        List<Path> tmps = new ArrayList<>();
        List<Path> stages = new ArrayList<>();
        List<Path> olds = new ArrayList<>();
        leftovers(t, tmps, stages, olds);
        if (tmps.isEmpty() && stages.isEmpty() && olds.isEmpty()) {
            return;
        }
        if (!olds.isEmpty() && !Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
            // one old copy at most when every writer settles first; of several, the newest goes back
            olds.sort(Comparator.comparing(AtomicFiles::modified));
            Path back = olds.remove(olds.size() - 1);
            Files.move(back, t, StandardCopyOption.ATOMIC_MOVE);
            syncFolder(t.getParent());
        }
        for (List<Path> l : List.of(tmps, stages, olds)) {
            for (Path p : l) {
                deleteTree(p);
            }
        }
    }

    /** Whether {@link #settle} would find anything next to {@code target}. */
    public static boolean unsettled(Path target) {
        if (FileGroup.pending(target) || Files.exists(target.resolve(INCOMPLETE), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        List<Path> all = new ArrayList<>();
        try {
            leftovers(target.toAbsolutePath().normalize(), all, all, all);
        } catch (IOException e) {
            return false;
        }
        return !all.isEmpty();
    }

    /**
     * For readers: settles {@code target} when something is left to settle and no writer holds it
     * (then the leftovers are a killed writer's); does nothing when a writer is at work or the
     * folder cannot be written.
     */
    public static void settleForReading(Path target) {
        if (target.toAbsolutePath().normalize().getParent() == null || !unsettled(target)) {
            return;
        }
        try (OutputLock l = OutputLock.acquire(target)) {
            // acquiring settled it
        } catch (OutputLock.Busy | IOException e) {
            // a writer is at work, or the folder is read-only: read what is there
        }
    }

    private static void leftovers(Path t, List<Path> tmps, List<Path> stages, List<Path> olds) throws IOException {
        Path parent = t.getParent();
        if (parent == null || t.getFileName() == null || !Files.isDirectory(parent)) {
            return;
        }
        String q = Pattern.quote("." + t.getFileName() + ".");
        Pattern tmp = Pattern.compile(q + "[0-9a-f]+\\.tmp");
        Pattern stage = Pattern.compile(q + "stage-[0-9a-f]+");
        Pattern old = Pattern.compile(q + "old-[0-9a-f]+");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, "." + glob(t.getFileName().toString()) + ".*")) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (tmp.matcher(n).matches()) {
                    tmps.add(p);
                } else if (stage.matcher(n).matches()) {
                    stages.add(p);
                } else if (old.matcher(n).matches()) {
                    olds.add(p);
                }
            }
        }
    }

    private static String glob(String name) {
        return name.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).lastModifiedTime();
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** Forces every file of a freshly written folder to the disk before the rename publishes it. */
    static void syncTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                        c.force(true);
                    }
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    syncFolder(p);
                }
            }
        }
    }

    /** Makes renames in a folder durable; best effort (not every platform opens folders). */
    public static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // the folder is complete either way
        }
    }

    static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // the next writer's settle removes it
        }
    }

    static String hex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** Deletes a file or a folder with everything in it (links are deleted, not followed); nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}

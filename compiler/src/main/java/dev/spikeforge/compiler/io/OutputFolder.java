package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * An output folder that a command writes as a whole ({@code compile --out DIR}, a report folder):
 * under the folder's {@link OutputLock}, built in a staging folder and swapped in by
 * {@link AtomicFiles#buildFolder}, so a kill at any moment leaves the old complete folder or the
 * new complete folder. Every folder written here holds the marker file {@value #MARKER}; a folder
 * that exists, is not empty and has no marker was not written by spikeforge (a user's folder, the
 * current folder, a home folder) and is refused, never replaced.
 */
public final class OutputFolder {

    /** The file that marks a folder as spikeforge's output, which the next write may replace whole. */
    public static final String MARKER = ".spikeforge-output";

    private OutputFolder() {
    }

    /** A folder that cannot be used as an output: not ours, or not a folder. */
    public static final class NotOurs extends FileProblemException {

        private static final long serialVersionUID = 1L;

        NotOurs(Path folder, String problem, String help) {
            super(folder, problem, help, null);
        }
    }

    /**
     * Writes {@code folder} whole with {@code filler}, which fills a fresh empty folder (the
     * staging folder; paths under it move to {@code folder} with the swap).
     *
     * @throws OutputLock.Busy when another writer holds the folder
     * @throws NotOurs when the folder exists but was not written by spikeforge, or is a file
     * @throws IOException when writing fails (a full disk, a read-only folder): nothing of the new
     *         folder is left and the old one is as it was
     */
    public static <E extends Exception> void write(Path folder, AtomicFiles.FolderWork<E> filler)
            throws OutputLock.Busy, NotOurs, IOException, E {
        write(folder, false, filler);
    }

    /**
     * As {@link #write(Path, AtomicFiles.FolderWork)}; with {@code keepOthers}, what the old folder
     * holds beside the entries {@code filler} writes (an earlier compile's model files, other
     * targets' folders) is carried into the new folder as hard links (copies where links are not
     * possible), so an update of some entries is still one swap.
     */
    public static <E extends Exception> void write(Path folder, boolean keepOthers, AtomicFiles.FolderWork<E> filler)
            throws OutputLock.Busy, NotOurs, IOException, E {
        check(folder); // before the lock, so a refused folder gets no lock file beside it
        try (OutputLock lock = OutputLock.acquire(folder)) {
            check(folder);
            Path old = folder.toAbsolutePath().normalize();
            AtomicFiles.buildFolder(folder, dir -> {
                Files.writeString(dir.resolve(MARKER), "spikeforge output folder: the next spikeforge run that writes here"
                        + " replaces it whole\n", StandardCharsets.UTF_8);
                filler.fill(dir);
                if (keepOthers && Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS)) {
                    carry(old, dir);
                }
            });
        }
    }

    /**
     * Builds {@code folder} in place, for a job whose stages read what earlier stages wrote under
     * the folder's own name (the paths they record stay true). A fresh folder marked
     * {@link AtomicFiles#INCOMPLETE}, holding hard links to the old folder's entries except
     * {@code replaced}, is swapped in while the old folder waits aside as {@code .NAME.old-HEX};
     * {@code filler} then writes into {@code folder}; deleting the marker commits, and the old copy
     * is deleted. A failure puts the old folder back at once; a kill leaves the marker, and the
     * next writer or reader (a settle) deletes the unfinished folder and puts the old one back. So
     * a kill at any moment leaves the old complete folder or the new complete one. The lock is held
     * throughout.
     */
    public static <E extends Exception> void writeInPlace(Path folder, java.util.Set<String> replaced,
                                                          AtomicFiles.FolderWork<E> filler)
            throws OutputLock.Busy, NotOurs, IOException, E {
        check(folder);
        try (OutputLock lock = OutputLock.acquire(folder)) {
            check(folder);
            Path t = folder.toAbsolutePath().normalize();
            Path parent = t.getParent();
            Path fresh = parent.resolve("." + t.getFileName() + ".stage-" + AtomicFiles.hex());
            Files.createDirectory(fresh);
            Path old = null;
            boolean done = false;
            try {
                Files.writeString(fresh.resolve(MARKER), "spikeforge output folder: the next spikeforge run that writes"
                        + " here replaces it whole\n", StandardCharsets.UTF_8);
                Files.writeString(fresh.resolve(AtomicFiles.INCOMPLETE), "being written by pid "
                        + ProcessHandle.current().pid() + "; if that process is gone, the next spikeforge command that"
                        + " reads or writes this folder puts the previous one back\n", StandardCharsets.UTF_8);
                if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                    carry(t, fresh, replaced);
                }
                AtomicFiles.syncTree(fresh);
                if (Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                    old = parent.resolve("." + t.getFileName() + ".old-" + AtomicFiles.hex());
                    AtomicFiles.rename(t, old);
                }
                AtomicFiles.rename(fresh, t);
                fresh = null;
                filler.fill(t);
                AtomicFiles.syncTree(t);
                WriteFaults.beforeRename("commit " + t.getFileName()); // the commit is a seam for fault tests too
                Files.delete(t.resolve(AtomicFiles.INCOMPLETE));
                AtomicFiles.syncFolder(t);
                done = true;
            } finally {
                if (done) {
                    if (old != null) {
                        AtomicFiles.deleteQuietly(old);
                    }
                } else {
                    // a failure, not a kill: the unfinished folder goes and the old one comes back now
                    AtomicFiles.deleteQuietly(fresh != null ? fresh : t);
                    if (old != null && !Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(old, t, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
        }
    }

    /**
     * Whether {@code folder} is an output of a spikeforge from before the marker: an integer model
     * ({@code model.json} of schema spikeforge.quantized/1), a profile page, a run's build folder
     * ({@code summary.txt}), or a compiled target
     * folder ({@code mapping.json}, {@code fpga.json}) directly inside it.
     */
    static boolean earlier(Path folder) throws IOException {
        if (starts(folder.resolve("model.json"), "spikeforge.quantized/1")
                || starts(folder.resolve("report.html"), "<title>spikeforge profile:")
                || starts(folder.resolve("summary.txt"), "spikeforge run:")) {
            return true;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            for (Path p : s) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && (Files.isRegularFile(p.resolve("mapping.json"),
                        LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(p.resolve("fpga.json"), LinkOption.NOFOLLOW_LINKS))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the first 4 KiB of a regular file contain {@code text}. */
    private static boolean starts(Path file, String text) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** Links every top-level entry of {@code from} that {@code to} does not have into {@code to}. */
    private static void carry(Path from, Path to) throws IOException {
        carry(from, to, java.util.Set.of());
    }

    /** As {@link #carry(Path, Path)}, leaving out the entries named in {@code except}, and lock files at any depth. */
    private static void carry(Path from, Path to, java.util.Set<String> except) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(from)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                Path q = to.resolve(name);
                if (except.contains(name) || isLockFile(name) || name.equals(AtomicFiles.INCOMPLETE)
                        || Files.exists(q, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (java.util.stream.Stream<Path> all = Files.walk(p)) {
                    for (Path x : all.toList()) {
                        Path y = q.resolve(p.relativize(x).toString());
                        if (isLockFile(x.getFileName().toString())) {
                            continue;
                        }
                        if (Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS)) {
                            Files.createDirectories(y);
                        } else if (Files.isSymbolicLink(x)) {
                            Files.createSymbolicLink(y, Files.readSymbolicLink(x));
                        } else {
                            try {
                                Files.createLink(y, x);
                            } catch (IOException | UnsupportedOperationException e) {
                                Files.copy(x, y, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether {@code name} is one of {@link OutputLock}'s files, which are never carried: they are
     * written in place, so a hard link would let the next writer's pid into the old copy's file
     * (every other file of ours is replaced by a rename, a new inode).
     */
    private static boolean isLockFile(String name) {
        return name.startsWith(".") && name.endsWith(".lock");
    }

    /** Refuses a folder that spikeforge may not replace. */
    static void check(Path folder) throws NotOurs, IOException {
        Path abs = folder.toAbsolutePath().normalize();
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(abs)) {
            throw new NotOurs(folder, "the output folder is a symbolic link (to " + Files.readSymbolicLink(abs) + ")",
                    "give the folder itself, or a new folder name");
        }
        if (!Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotOurs(folder, "the output folder exists and is a file, not a folder",
                    "give a new folder name, or move the file away");
        }
        if (Files.exists(abs.resolve(MARKER), LinkOption.NOFOLLOW_LINKS) || earlier(abs)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(abs)) {
            if (s.iterator().hasNext()) {
                throw new NotOurs(folder, "the output folder is not empty and was not written by spikeforge (it has no "
                        + MARKER + " file), so it is not replaced",
                        "give a new folder name (spikeforge replaces its own output folders whole), or empty this one");
            }
        }
    }
}

package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several files that must change together (a model and its checkpoint from {@code nir import}):
 * after a kill at any moment a reader finds every file old or every file new.
 *
 * <p>Each file is first written whole to its hidden temporary {@code .NAME.HEX.tmp} and forced to
 * the disk. Then a journal {@code .NAME.pending} is written next to every file of the group, each
 * listing every (temporary, file) pair; once the last journal is written, the group is committed
 * (a group with some journals missing was killed before that and is rolled back). Then
 * each temporary is renamed over its file and the journals are deleted. Whoever next settles any
 * file of the group ({@link AtomicFiles#settle}, run by the next writer under the file's
 * {@link OutputLock} and by {@link InputFiles#check} for readers) rolls the group forward: the
 * temporaries still there are renamed over their files, then the journals are deleted. A kill
 * before the last journal leaves the old files, and temporaries that the next settle deletes.
 */
public final class FileGroup {

    private static final String JOURNAL_SUFFIX = ".pending";

    private FileGroup() {
    }

    /** The journal of {@code file}: {@code .NAME.pending} in the same folder. */
    public static Path journal(Path file) {
        Path t = file.toAbsolutePath().normalize();
        return t.resolveSibling("." + t.getFileName() + JOURNAL_SUFFIX);
    }

    /** Whether an interrupted group write involving {@code file} waits to be rolled forward. */
    public static boolean pending(Path file) {
        return Files.exists(journal(file), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Writes every file of {@code files} (each filled by its filler) as one group. The caller holds
     * the {@link OutputLock} of every file. On a failure before the commit nothing is changed and the
     * temporaries are deleted; a failure after it leaves the journals, so the next settle finishes
     * the group.
     */
    public static void write(Map<Path, AtomicFiles.FileFiller> files) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        boolean committed = false;
        try {
            for (Map.Entry<Path, AtomicFiles.FileFiller> e : files.entrySet()) {
                Path target = e.getKey().toAbsolutePath().normalize();
                Files.createDirectories(target.getParent());
                Path temp = AtomicFiles.tempFile(target);
                temps.put(target, temp);
                e.getValue().fill(temp);
                try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
            }
            StringBuilder text = new StringBuilder();
            temps.forEach((target, temp) -> text.append(temp).append('\t').append(target).append('\n'));
            for (Path target : temps.keySet()) {
                AtomicFiles.write(journal(target), text.toString().getBytes(StandardCharsets.UTF_8));
                committed = true;
            }
            finish(read(journal(temps.keySet().iterator().next())));
        } finally {
            if (!committed) {
                for (Path temp : temps.values()) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    /**
     * Rolls forward the group whose journal lies next to {@code file}, if any: every temporary
     * still there is renamed over its file, then every journal of the group is deleted. The caller
     * holds {@code file}'s lock; the locks of the group's other files are taken here (a file being
     * written by another process leaves the group for later, with that writer's message).
     */
    static void rollForward(Path file) throws IOException {
        Path journal = journal(file);
        if (!Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path[]> pairs = read(journal);
        List<OutputLock> taken = new ArrayList<>();
        try {
            for (Path[] p : pairs) {
                if (!OutputLock.heldHere(p[1])) {
                    try {
                        taken.add(OutputLock.acquire(p[1]));
                    } catch (OutputLock.Busy e) {
                        throw new IOException(file + ": an interrupted write of it and " + p[1] + " is to be finished, but "
                                + e.problem(), e);
                    }
                }
            }
            if (!Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
                return; // settled while another file's lock was taken
            }
            if (pairs.stream().allMatch(p -> Files.exists(journal(p[1]), LinkOption.NOFOLLOW_LINKS))) {
                finish(pairs);
            } else if (pairs.stream().anyMatch(p -> Files.exists(p[0], LinkOption.NOFOLLOW_LINKS))) {
                // killed while the journals were written: not committed, no file was replaced yet
                for (Path[] p : pairs) {
                    Files.deleteIfExists(p[0]);
                }
                deleteJournals(pairs);
            } else {
                deleteJournals(pairs); // killed while the journals of a finished group were deleted
            }
        } finally {
            for (OutputLock l : taken) {
                l.close();
            }
        }
    }

    private static void finish(List<Path[]> pairs) throws IOException {
        for (Path[] p : pairs) {
            if (Files.exists(p[0], LinkOption.NOFOLLOW_LINKS)) {
                AtomicFiles.rename(p[0], p[1]);
            }
        }
        for (Path[] p : pairs) {
            AtomicFiles.syncFolder(p[1].getParent());
        }
        deleteJournals(pairs);
    }

    private static void deleteJournals(List<Path[]> pairs) throws IOException {
        for (Path[] p : pairs) {
            Files.deleteIfExists(journal(p[1]));
        }
    }

    /** The (temporary, file) pairs of a journal; a journal is written atomically, so it is whole. */
    private static List<Path[]> read(Path journal) throws IOException {
        List<Path[]> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (line.isEmpty()) {
                continue;
            }
            if (tab < 0) {
                throw new IOException(journal + ": not a journal of spikeforge's (a line without a tab); delete it if no"
                        + " spikeforge write was interrupted here");
            }
            Path temp = Path.of(line.substring(0, tab));
            Path target = Path.of(line.substring(tab + 1));
            // only our own temporary names next to their own files are ever renamed
            if (!temp.isAbsolute() || !target.isAbsolute() || !temp.getParent().equals(target.getParent())
                    || !temp.getFileName().toString().startsWith("." + target.getFileName() + ".")
                    || !temp.getFileName().toString().endsWith(".tmp")) {
                throw new IOException(journal + ": names " + temp + " for " + target + ", which is not a temporary of"
                        + " spikeforge's next to it; delete the journal if no spikeforge write was interrupted here");
            }
            pairs.add(new Path[] {temp, target});
        }
        return pairs;
    }
}

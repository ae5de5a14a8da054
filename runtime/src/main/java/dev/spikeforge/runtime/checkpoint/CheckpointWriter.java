package dev.spikeforge.runtime.checkpoint;

import dev.spikeforge.compiler.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a {@link Checkpoint} as a .npz archive that {@code numpy.load} reads: one STORED entry
 * {@code NAME.npy} per array in the checkpoint's order, then {@code manifest.json}.
 *
 * <p>Entries are STORED, not DEFLATED, as numpy.savez does: float weights are close to random
 * bits and deflate gains a few percent on them, while stored entries are written and read at disk
 * speed and their bytes do not depend on the zlib version of the JDK that wrote them. With a fixed
 * timestamp ({@link #ENTRY_TIME}) and no extra fields, the same checkpoint gives the same bytes on
 * every machine and in every time zone, so checkpoints can be hashed and compared.
 *
 * <p>The write is atomic: the archive goes to a temporary file in the target folder, is forced to
 * the disk, and is renamed over the target. A crash or error leaves either the old checkpoint or
 * the new one, never a half-written file, and the temporary file is removed on failure.
 */
public final class CheckpointWriter {

    /**
     * 1980-01-01 00:00:02, the earliest DOS time the JDK stores as it is. At 00:00:00 exactly,
     * ZipEntry takes the time for its "before 1980" marker and adds an extended-timestamp extra
     * field computed in the local time zone, so the bytes would depend on where they were written.
     */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 2);
    private static final int BUFFER_BYTES = 1 << 16;
    private static final String HELP = "check that the folder is writable and the disk is not full; "
            + "an earlier checkpoint at this path is unchanged";

    private CheckpointWriter() {
    }

    /**
     * Writes {@code checkpoint} to {@code file}, replacing any file there, creating missing
     * parent folders.
     *
     * @throws CheckpointException when the file cannot be written; any earlier file at that path
     *         is then untouched
     */
    public static void write(Path file, Checkpoint checkpoint) throws CheckpointException {
        write(file, checkpoint, () -> { });
    }

    /**
     * As {@link #write(Path, Checkpoint)}, calling {@code afterEachEntry} after each entry: the
     * seam through which tests make a write fail half-way.
     */
    static void write(Path file, Checkpoint checkpoint, Runnable afterEachEntry) throws CheckpointException {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        if (folder == null || Files.isDirectory(target)) {
            throw new CheckpointException(file, "is a folder, not a checkpoint file",
                    "give a file name inside it, for example " + file.resolve("checkpoint.npz"));
        }
        createFolder(file, folder);
        try {
            // a hidden temporary next to the target, forced to the disk, renamed over it (the
            // rename is AtomicFiles' seam for fault tests); on failure the temporary is deleted
            AtomicFiles.writeWith(target, temp -> {
                Files.createFile(temp);
                writeArchive(temp, checkpoint, afterEachEntry);
            });
        } catch (IOException | UncheckedIOException e) {
            throw new CheckpointException(file, "cannot write the checkpoint: " + reason(e), HELP, e);
        }
    }

    /**
     * Writes {@code checkpoint} into the new file {@code temp}, not renamed and not forced: for a
     * caller that publishes it together with other files (a {@code FileGroup} in the compiler's io
     * package, which forces it). The file must not exist yet.
     */
    public static void writeUnpublished(Path temp, Checkpoint checkpoint) throws IOException {
        Files.createFile(temp);
        writeArchive(temp, checkpoint, () -> { });
    }

    private static void writeArchive(Path temp, Checkpoint checkpoint, Runnable afterEachEntry) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                ZipOutputStream zip = new ZipOutputStream(
                        new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES))) {
            for (Map.Entry<String, NdArray> e : checkpoint.arrays().entrySet()) {
                NdArray a = e.getValue();
                putStored(zip, e.getKey() + ".npy", Npy.preamble(a.dtype(), a.shape()), a.littleEndianData());
                afterEachEntry.run();
            }
            putStored(zip, Checkpoint.MANIFEST_ENTRY, ManifestJson.toBytes(checkpoint.manifestNode()), new byte[0]);
            afterEachEntry.run();
            zip.finish();
            zip.flush();
        }
    }

    /** A STORED entry must state its size and CRC-32 before its data. */
    private static void putStored(ZipOutputStream zip, String name, byte[] head, byte[] body) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(head);
        crc.update(body);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize((long) head.length + body.length);
        entry.setCompressedSize((long) head.length + body.length);
        entry.setCrc(crc.getValue());
        // setTimeLocal, not setTime: the DOS time is then the same in every time zone, and a
        // date from 1980 on adds no extended-timestamp extra field.
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
        zip.write(head);
        zip.write(body);
        zip.closeEntry();
    }

    private static void createFolder(Path file, Path folder) throws CheckpointException {
        try {
            Files.createDirectories(folder);
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException(file, "cannot create the folder " + folder + ": "
                    + e.getFile() + " exists and is not a folder", "choose another path, or move that file away");
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot create the folder " + folder + ": " + reason(e),
                    "choose a path in a folder you can write to", e);
        }
    }

    private static String kind(FileSystemException f) {
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "a folder that is not empty is in the way";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        return f.getClass().getSimpleName();
    }

    /** An exception's cause in words, with the paths involved, for a message. */
    static String reason(Exception e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) t;
            String what = f.getReason() != null ? f.getReason() : kind(f);
            return what + " (" + f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ")";
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}

package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One writer at a time for an output (a checkpoint, an output folder): an OS file lock
 * ({@link FileChannel#tryLock}) on the hidden file {@code .NAME.lock} next to the output, with the
 * writer's pid and command line written inside for the message a second writer gets. The kernel
 * drops the lock when its process ends, however it ends, so a lock left by a killed run is taken
 * over without a word. A second writer is refused at once ({@link Busy}), also a second session in
 * the same JVM; the thread that holds a lock may take it again (the count is kept).
 *
 * <p>Whoever takes the lock first settles the output ({@link AtomicFiles#settle}): a folder swap
 * that a killed writer left half done is rolled back, and the writer's temporary files are removed,
 * since their writer is known to be gone. The lock file itself stays (empty when no one writes):
 * deleting it would let two writers lock two different files of the same name.
 */
public final class OutputLock implements AutoCloseable {

    /** Locks held by this JVM, by lock file: POSIX locks belong to the process, so the JVM tracks its own. */
    private static final Map<Path, OutputLock> HELD = new HashMap<>();

    private final Path target;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread owner;
    private int count = 1;

    private OutputLock(Path target, Path file, FileChannel channel, FileLock lock) {
        this.target = target;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.owner = Thread.currentThread();
    }

    /** Another writer holds the output: the lock file, the other process, and what to do. */
    public static final class Busy extends FileProblemException {

        private static final long serialVersionUID = 1L;

        Busy(Path target, String problem, String help) {
            super(target, problem, help, null);
        }
    }

    /** The lock file of {@code target}: {@code .NAME.lock} in the same folder. */
    public static Path lockFile(Path target) {
        Path t = target.toAbsolutePath().normalize();
        return t.resolveSibling("." + t.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code target} (creating its folder when missing) and settles what an
     * earlier writer left there.
     *
     * @throws Busy when another process, or another session of this JVM, holds it
     * @throws IOException when the lock file cannot be created or written (a read-only folder)
     */
    public static OutputLock acquire(Path target) throws Busy, IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new Busy(target, "cannot write to the root of the file system", "give a path inside a folder");
        }
        Path file = lockFile(abs);
        OutputLock taken;
        synchronized (HELD) {
            OutputLock mine = HELD.get(file);
            if (mine != null) {
                if (mine.owner == Thread.currentThread()) {
                    mine.count++;
                    return mine;
                }
                throw new Busy(target, "another session of this process (thread " + mine.owner.getName()
                        + ") is writing it; lock file " + file, "write to another path, or wait until that session has finished");
            }
            Files.createDirectories(abs.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held through another channel of this JVM that HELD does not know: still busy
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (l == null) {
                String holder = holder(ch);
                ch.close();
                throw new Busy(target, "another spikeforge process is writing it (" + holder + "); lock file " + file,
                        "wait until it has finished or stop it, or write to another path; a lock whose process has ended"
                                + " is taken over by the next run");
            }
            try {
                byte[] me = (ProcessHandle.current().pid() + "\n" + command(ProcessHandle.current()) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(me), 0);
            } catch (IOException | RuntimeException e) {
                l.release();
                ch.close();
                throw e;
            }
            taken = new OutputLock(abs, file, ch, l);
            HELD.put(file, taken);
        }
        try {
            AtomicFiles.settle(abs);
        } catch (IOException | RuntimeException e) {
            taken.close();
            throw e;
        }
        return taken;
    }

    /** Whether this thread holds the lock of {@code target}. */
    public static boolean heldHere(Path target) {
        synchronized (HELD) {
            OutputLock l = HELD.get(lockFile(target));
            return l != null && l.owner == Thread.currentThread();
        }
    }

    /** The output this lock guards. */
    public Path target() {
        return target;
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Releases one hold; the last one empties the lock file and drops the OS lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (--count > 0) {
                return;
            }
            HELD.remove(file);
            try {
                channel.truncate(0);
            } finally {
                try {
                    lock.release();
                } finally {
                    channel.close();
                }
            }
        }
    }

    /** "pid 1234: java -jar spikeforge.jar compile ..." from the lock file and /proc, as far as known. */
    private static String holder(FileChannel ch) {
        String text;
        try {
            ByteBuffer b = ByteBuffer.allocate(8192);
            ch.read(b, 0);
            text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "its pid is not known";
        }
        String[] lines = text.split("\n", 3);
        long pid;
        try {
            pid = Long.parseLong(lines[0].trim());
        } catch (NumberFormatException e) {
            return "its pid is not yet written";
        }
        String cmd = ProcessHandle.of(pid).map(OutputLock::command).orElse("");
        if (cmd.isEmpty() && lines.length > 1) {
            cmd = lines[1].trim();
        }
        return "pid " + pid + (cmd.isEmpty() ? "" : ": " + shorten(cmd));
    }

    private static String command(ProcessHandle h) {
        return h.info().commandLine().orElse(h.info().command().orElse(""));
    }

    private static String shorten(String s) {
        return s.length() <= 300 ? s : s.substring(0, 297) + "...";
    }
}

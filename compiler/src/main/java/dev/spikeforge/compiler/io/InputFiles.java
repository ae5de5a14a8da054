package dev.spikeforge.compiler.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The one gate every user-given input file passes before a loader reads it: it must be a regular
 * file (not a folder, a FIFO, a device such as /dev/zero, or a link to one) and no larger than the
 * loader's stated cap. Reading stops at the cap even when the file grows while it is read, so no
 * input can make a loader read without end or block forever on a pipe.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /** A file that failed the gate: what it is, or how large, and the fix. */
    public static final class NotUsable extends FileProblemException {

        private static final long serialVersionUID = 1L;

        NotUsable(Path file, String problem, String help) {
            super(file, problem, help, null);
        }
    }

    /**
     * The size of {@code file} after checking that it is a regular file of at most
     * {@code maxBytes} bytes.
     *
     * @param what what the file should be, for messages ("model file", "checkpoint")
     * @throws NotUsable when it is missing, not a regular file, unreadable, or over the cap
     */
    public static long check(Path file, String what, long maxBytes) throws NotUsable {
        if (FileGroup.pending(file)) {
            // a write of this file together with others was killed after it committed: finish it
            // first, so that the group is read all new, never half old and half new
            AtomicFiles.settleForReading(file);
            if (FileGroup.pending(file)) {
                throw new NotUsable(file, "an interrupted write of this " + what + " together with other files is"
                        + " unfinished (journal " + FileGroup.journal(file) + ") and could not be finished here",
                        "run spikeforge once where it may write to this folder, or wait for the writer named in "
                                + OutputLock.lockFile(file) + " to finish");
            }
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NotUsable(file, "no such " + what, "check the path");
        } catch (IOException e) {
            throw new NotUsable(file, "cannot read the " + what + ": " + IoProblems.reason(e), "check the path and its permissions");
        }
        if (a.isDirectory()) {
            throw new NotUsable(file, "the " + what + " is a folder, not a file", "give the path of the file itself");
        }
        if (!a.isRegularFile()) {
            throw new NotUsable(file, "the " + what + " is not a regular file (" + kind(file) + ")",
                    "copy the data into a regular file and give its path; pipes and devices are not read");
        }
        if (a.size() > maxBytes) {
            throw new NotUsable(file, String.format(Locale.ROOT, "the %s is %s, over the limit of %s", what,
                    bytes(a.size()), bytes(maxBytes)), "check that this is the right file");
        }
        if (!Files.isReadable(file)) {
            throw new NotUsable(file, "cannot read the " + what + ": permission denied", "check its permissions");
        }
        return a.size();
    }

    /** The bytes of {@code file} after {@link #check}; never more than {@code maxBytes}. */
    public static byte[] read(Path file, String what, long maxBytes) throws NotUsable {
        check(file, what, maxBytes);
        int cap = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(cap);
            if (in.read() >= 0) {
                throw new NotUsable(file, "the " + what + " grew past the limit of " + bytes(maxBytes) + " while it was read",
                        "give a file that is not being written");
            }
            return bytes;
        } catch (IOException e) {
            throw new NotUsable(file, "cannot read the " + what + ": " + IoProblems.reason(e), "check the path and its permissions");
        }
    }

    /** A size in the units a person reads: "812 bytes", "3.4 MiB", "2.0 GiB". */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + (n == 1 ? " byte" : " bytes");
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String kind(Path file) {
        try {
            Path real = file.toRealPath();
            String s = real.toString();
            if (s.startsWith("/dev/")) {
                return "a device: " + s;
            }
            if (Files.isSymbolicLink(file) || !real.equals(file.toAbsolutePath().normalize())) {
                return "it leads to " + s;
            }
        } catch (IOException e) {
            // fall through to the attributes' answer
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isOther() ? "a pipe, socket or device" : "not a file";
        } catch (IOException e) {
            return "not a file";
        }
    }
}

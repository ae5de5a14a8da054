package dev.spikeforge.runtime.checkpoint;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The structure of a zip archive, read and checked before any entry's data is: what Python's
 * zipfile (so numpy.load) checks, and what it leaves to chance. The end record (and the zip64 end
 * record and locator when present) must agree with the central directory, which must fill exactly
 * the bytes between the last entry and the end record; every entry's local header must repeat the
 * central directory's name, method, CRC-32 and sizes (or leave them to a data descriptor that
 * repeats them); every entry lies inside the file, before the central directory, and no two
 * overlap. Only STORED and DEFLATED entries without encryption are read, and a deflated entry may
 * not claim more bytes than deflate can give from its compressed size, so no claimed size makes
 * the reader allocate more than the file could hold.
 *
 * <p>Problems are {@link Damaged} with a message in the user's terms ("entry 'w.npy' is named
 * 'x.npy' in its local header at byte 0"); the caller adds the file and the fix. The format is
 * PKWARE's APPNOTE.TXT (version 6.3.10), sections 4.3 and 4.5.3.
 */
final class ZipArchive {

    /** The most entries an archive may list; a checkpoint holds a few per layer. */
    static final int MAX_ENTRIES = 1_000_000;
    /**
     * The most bytes deflate can produce from one compressed byte: a stream of back-references of
     * length 258, each at least one bit, comes to about 1032 to 1 (zlib's technical notes).
     */
    static final long MAX_DEFLATE_RATIO = 1032;
    /** The largest central directory read: a million entries with names of 200 bytes fit. */
    static final long MAX_CENTRAL_BYTES = 256L << 20;
    /**
     * The most bytes all entries may hold together, uncompressed: what a checkpoint file may hold
     * ({@link CheckpointReader#MAX_CHECKPOINT_BYTES}), so that deflated entries cannot make the
     * reader hold more than a stored checkpoint could.
     */
    static final long MAX_TOTAL_BYTES = CheckpointReader.MAX_CHECKPOINT_BYTES;

    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int END_SIG = 0x06054b50;
    private static final int ZIP64_END_SIG = 0x06064b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int DESCRIPTOR_SIG = 0x08074b50;
    private static final int END_LENGTH = 22;
    private static final int ZIP64_LOCATOR_LENGTH = 20;
    private static final int ZIP64_END_LENGTH = 56;
    private static final int CENTRAL_LENGTH = 46;
    private static final int LOCAL_LENGTH = 30;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final int FLAG_ENCRYPTED = 1;
    private static final int FLAG_DESCRIPTOR = 1 << 3;
    private static final int FLAG_PATCHED = 1 << 5;
    private static final int FLAG_STRONG_ENCRYPTION = 1 << 6;
    private static final int FLAG_UTF8 = 1 << 11;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;
    /** Python's zipfile MAX_EXTRACT_VERSION: 6.3, the newest APPNOTE. */
    private static final int MAX_VERSION_NEEDED = 63;
    private static final int ZIP64_EXTRA = 0x0001;
    private static final long U32 = 0xFFFFFFFFL;
    private static final int U16 = 0xFFFF;

    /** A structural problem; the message says which record and which field. */
    static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;
        /** True when no end record was found: the file is not a zip or was cut short. */
        final boolean noEndRecord;

        Damaged(String message) {
            this(message, false);
        }

        Damaged(String message, boolean noEndRecord) {
            super(message);
            this.noEndRecord = noEndRecord;
        }
    }

    /** One checked entry: where its data lies and what it must decode to. */
    static final class Entry {
        final String name;
        final int method;
        final long crc;
        final long compressedSize;
        final long size;
        final long localOffset;
        int flags;
        byte[] nameBytes;
        long dataOffset;
        /** The end of everything that belongs to the entry, data descriptor included. */
        long end;

        Entry(String name, int method, long crc, long compressedSize, long size, long localOffset) {
            this.name = name;
            this.method = method;
            this.crc = crc;
            this.compressedSize = compressedSize;
            this.size = size;
            this.localOffset = localOffset;
        }

        String getName() {
            return name;
        }

        /** The uncompressed size, checked against the data as it is read. */
        long getSize() {
            return size;
        }
    }

    private final FileChannel channel;
    private final List<Entry> entries;

    private ZipArchive(FileChannel channel, List<Entry> entries) {
        this.channel = channel;
        this.entries = entries;
    }

    /** The entries in central-directory order, after checking the whole structure. */
    List<Entry> entries() {
        return entries;
    }

    /** Reads and checks the structure of the archive open in {@code channel}. */
    static ZipArchive open(FileChannel channel) throws IOException {
        long size = channel.size();
        End end = findEnd(channel, size);
        List<Entry> entries = central(channel, end);
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(e -> e.localOffset));
        for (Entry e : byOffset) {
            local(channel, e, end.centralOffset);
        }
        for (int i = 1; i < byOffset.size(); i++) {
            Entry a = byOffset.get(i - 1);
            Entry b = byOffset.get(i);
            if (b.localOffset < a.end) {
                throw new Damaged("entries '" + a.name + "' and '" + b.name + "' overlap: the first spans bytes "
                        + a.localOffset + " to " + a.end + ", the second starts at byte " + b.localOffset);
            }
        }
        return new ZipArchive(channel, Collections.unmodifiableList(entries));
    }

    /** The uncompressed data of {@code e}; its CRC-32 and size are checked when it is read to the end. */
    InputStream open(Entry e) {
        InputStream raw = new Range(channel, e.dataOffset, e.compressedSize);
        return new Checked(e, e.method == STORED ? raw : new Inflating(raw));
    }

    /** The end record's fields, with zip64 values in place of their 0xFFFF... markers. */
    private record End(long entries, long centralSize, long centralOffset, long start) {
    }

    private static End findEnd(FileChannel ch, long size) throws IOException {
        int tail = (int) Math.min(size, END_LENGTH + MAX_COMMENT);
        ByteBuffer b = read(ch, size - tail, tail);
        int at = -1;
        for (int i = tail - END_LENGTH; i >= 0; i--) {
            if (b.getInt(i) == END_SIG && i + END_LENGTH + (b.getShort(i + 20) & U16) == tail) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new Damaged("no end-of-central-directory record ends the file", true);
        }
        long endAt = size - tail + at;
        int disk = b.getShort(at + 4) & U16;
        int centralDisk = b.getShort(at + 6) & U16;
        long here = b.getShort(at + 8) & U16;
        long total = b.getShort(at + 10) & U16;
        long centralSize = b.getInt(at + 12) & U32;
        long centralOffset = b.getInt(at + 16) & U32;
        long start = endAt;
        if (endAt >= ZIP64_LOCATOR_LENGTH && read(ch, endAt - ZIP64_LOCATOR_LENGTH, 4).getInt(0) == ZIP64_LOCATOR_SIG) {
            ByteBuffer loc = read(ch, endAt - ZIP64_LOCATOR_LENGTH, ZIP64_LOCATOR_LENGTH);
            long z64At = loc.getLong(8);
            if (loc.getInt(4) != 0 || loc.getInt(16) != 1) {
                throw new Damaged("the zip64 end locator says the archive spans several disks");
            }
            start = endAt - ZIP64_LOCATOR_LENGTH - ZIP64_END_LENGTH;
            if (z64At != start || start < 0) {
                throw new Damaged("the zip64 end locator points at byte " + Long.toUnsignedString(z64At)
                        + ", but the zip64 end record would start at byte " + start);
            }
            ByteBuffer z = read(ch, start, ZIP64_END_LENGTH);
            if (z.getInt(0) != ZIP64_END_SIG || z.getLong(4) != ZIP64_END_LENGTH - 12) {
                throw new Damaged("no valid zip64 end record at byte " + start + ", where the zip64 end locator points");
            }
            disk = check64(z.getInt(16) & U32, disk, U16, "disk number");
            centralDisk = check64(z.getInt(20) & U32, centralDisk, U16, "disk of the central directory");
            here = check64(z.getLong(24), here, U16, "entries on this disk");
            total = check64(z.getLong(32), total, U16, "entries");
            centralSize = check64(z.getLong(40), centralSize, U32, "central directory size");
            centralOffset = check64(z.getLong(48), centralOffset, U32, "central directory offset");
        }
        if (disk != 0 || centralDisk != 0) {
            throw new Damaged("the end record says the archive spans several disks (disk " + disk + ", central directory on "
                    + "disk " + centralDisk + "); spanned archives are not read");
        }
        if (here != total) {
            throw new Damaged("the end record counts " + here + " entries on this disk and " + total + " in all");
        }
        if (total > MAX_ENTRIES) {
            throw new Damaged("the end record counts " + total + " entries, more than a checkpoint holds ("
                    + MAX_ENTRIES + ")");
        }
        if (centralOffset < 0 || centralSize < 0 || centralOffset + centralSize != start) {
            throw new Damaged("the end record places the central directory at bytes " + centralOffset + " to "
                    + (centralOffset + centralSize) + ", but the end record starts at byte " + start);
        }
        if (centralSize < total * CENTRAL_LENGTH) {
            throw new Damaged("the end record counts " + total + " entries, more than its " + centralSize
                    + "-byte central directory can hold");
        }
        return new End(total, centralSize, centralOffset, start);
    }

    /** The zip64 value, which the classic field must repeat unless it holds the "see zip64" marker. */
    private static long check64(long value64, long classic, long marker, String what) throws Damaged {
        if (classic != marker && classic != value64) {
            throw new Damaged("the end record's " + what + " (" + classic + ") differs from the zip64 end record's ("
                    + Long.toUnsignedString(value64) + ")");
        }
        if (value64 < 0) {
            throw new Damaged("the zip64 end record's " + what + " is " + Long.toUnsignedString(value64));
        }
        return value64;
    }

    private static int check64(long value64, int classic, int marker, String what) throws Damaged {
        return (int) Math.min(Integer.MAX_VALUE, check64(value64, (long) classic, marker, what));
    }

    private static List<Entry> central(FileChannel ch, End end) throws IOException {
        if (end.centralSize > MAX_CENTRAL_BYTES) {
            throw new Damaged("the central directory is " + end.centralSize + " bytes, more than a checkpoint's ("
                    + MAX_CENTRAL_BYTES + ")");
        }
        ByteBuffer b = read(ch, end.centralOffset, (int) end.centralSize);
        long total = 0;
        List<Entry> out = new ArrayList<>();
        int at = 0;
        for (long i = 0; i < end.entries; i++) {
            String where = "central directory entry " + (i + 1) + " of " + end.entries + " (byte "
                    + (end.centralOffset + at) + ")";
            if (at + CENTRAL_LENGTH > b.capacity() || b.getInt(at) != CENTRAL_SIG) {
                throw new Damaged(where + " is not where the end record's count puts it");
            }
            int needed = b.getShort(at + 6) & U16;
            int flags = b.getShort(at + 8) & U16;
            int method = b.getShort(at + 10) & U16;
            long crc = b.getInt(at + 16) & U32;
            long csize = b.getInt(at + 20) & U32;
            long usize = b.getInt(at + 24) & U32;
            int nameLength = b.getShort(at + 28) & U16;
            int extraLength = b.getShort(at + 30) & U16;
            int commentLength = b.getShort(at + 32) & U16;
            int disk = b.getShort(at + 34) & U16;
            long offset = b.getInt(at + 42) & U32;
            int next = at + CENTRAL_LENGTH + nameLength + extraLength + commentLength;
            if (next > b.capacity()) {
                throw new Damaged(where + " runs past the end of the central directory");
            }
            byte[] nameBytes = bytes(b, at + CENTRAL_LENGTH, nameLength);
            String name = name(nameBytes, flags, where);
            Zip64 z = zip64(b, at + CENTRAL_LENGTH + nameLength, extraLength, usize == U32, csize == U32,
                    offset == U32, disk == U16, "entry '" + name + "'");
            usize = z.size >= 0 ? z.size : usize;
            csize = z.compressedSize >= 0 ? z.compressedSize : csize;
            offset = z.offset >= 0 ? z.offset : offset;
            disk = z.disk >= 0 ? (int) Math.min(Integer.MAX_VALUE, z.disk) : disk;
            String e = "entry '" + name + "'";
            if (disk != 0) {
                throw new Damaged(e + " is on disk " + disk + ": the archive spans several disks");
            }
            if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) != 0) {
                throw new Damaged(e + " is encrypted");
            }
            if ((flags & FLAG_PATCHED) != 0) {
                throw new Damaged(e + " is compressed patched data (flag bit 5), which no reader supports");
            }
            if (needed > MAX_VERSION_NEEDED) {
                throw new Damaged(e + " needs zip version " + needed / 10 + "." + needed % 10 + "; the newest is 6.3");
            }
            if (method != STORED && method != DEFLATED) {
                throw new Damaged(e + " uses compression method " + method
                        + "; numpy.savez stores (0) and numpy.savez_compressed deflates (8)");
            }
            if (method == STORED && csize != usize) {
                throw new Damaged(e + " is stored (not compressed) but records " + csize + " bytes compressed and "
                        + usize + " uncompressed");
            }
            if (method == DEFLATED && usize > csize * MAX_DEFLATE_RATIO + 1) {
                throw new Damaged(e + " claims " + usize + " bytes from " + csize + " compressed bytes, more than "
                        + "deflate can give (" + MAX_DEFLATE_RATIO + " to 1)");
            }
            if (offset < 0 || offset >= end.centralOffset) {
                throw new Damaged(e + " has its local header at byte " + Long.toUnsignedString(offset)
                        + ", past the start of the central directory at byte " + end.centralOffset);
            }
            total += usize;
            if (usize < 0 || total < 0 || total > MAX_TOTAL_BYTES) {
                throw new Damaged("the entries up to '" + name + "' hold " + Long.toUnsignedString(total)
                        + " bytes uncompressed, more than a checkpoint can (" + MAX_TOTAL_BYTES + ")");
            }
            Entry entry = new Entry(name, method, crc, csize, usize, offset);
            entry.flags = flags;
            entry.nameBytes = nameBytes;
            out.add(entry);
            at = next;
        }
        if (at != b.capacity()) {
            throw new Damaged("the central directory holds " + (b.capacity() - at) + " bytes after its "
                    + end.entries + " entries, which the end record does not count");
        }
        return out;
    }

    /** Checks the local header of {@code e} against the central directory and finds its data. */
    private static void local(FileChannel ch, Entry e, long centralOffset) throws IOException {
        String what = "entry '" + e.name + "'";
        if (e.localOffset + LOCAL_LENGTH > centralOffset) {
            throw new Damaged(what + " has its local header at byte " + e.localOffset
                    + ", past the start of the central directory at byte " + centralOffset);
        }
        ByteBuffer h = read(ch, e.localOffset, LOCAL_LENGTH);
        if (h.getInt(0) != LOCAL_SIG) {
            throw new Damaged(what + " has no local header at byte " + e.localOffset + ", where the central directory "
                    + "puts it");
        }
        int flags = h.getShort(6) & U16;
        int method = h.getShort(8) & U16;
        long crc = h.getInt(14) & U32;
        long csize = h.getInt(18) & U32;
        long usize = h.getInt(22) & U32;
        int nameLength = h.getShort(26) & U16;
        int extraLength = h.getShort(28) & U16;
        long variable = e.localOffset + LOCAL_LENGTH;
        if (variable + nameLength + extraLength > centralOffset) {
            throw new Damaged(what + ": its local header at byte " + e.localOffset
                    + " runs into the central directory at byte " + centralOffset);
        }
        ByteBuffer v = read(ch, variable, nameLength + extraLength);
        byte[] name = bytes(v, 0, nameLength);
        String at = "its local header at byte " + e.localOffset;
        if (!java.util.Arrays.equals(name, e.nameBytes)) {
            String shown;
            try {
                shown = name(name, flags, "the local header at byte " + e.localOffset);
            } catch (Damaged d) {
                shown = new String(name, StandardCharsets.ISO_8859_1);
            }
            throw new Damaged(what + " is named '" + shown + "' in " + at);
        }
        if (method != e.method) {
            throw new Damaged(what + ": " + at + " records compression method " + method + ", the central directory "
                    + e.method);
        }
        if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) != 0) {
            throw new Damaged(what + " is encrypted");
        }
        boolean descriptor = (flags & FLAG_DESCRIPTOR) != 0;
        if (descriptor != ((e.flags & FLAG_DESCRIPTOR) != 0)) {
            throw new Damaged(what + ": " + at + " and the central directory disagree on whether a data descriptor "
                    + "follows the data (flag bit 3)");
        }
        Zip64 z = zip64(v, nameLength, extraLength, usize == U32, csize == U32, false, false, what);
        if (!descriptor) {
            usize = z.size >= 0 ? z.size : usize;
            csize = z.compressedSize >= 0 ? z.compressedSize : csize;
            compare(what, at, "CRC-32", crc, e.crc, true);
            compare(what, at, "compressed size", csize, e.compressedSize, false);
            compare(what, at, "uncompressed size", usize, e.size, false);
        }
        e.dataOffset = variable + nameLength + extraLength;
        long dataEnd = e.dataOffset + e.compressedSize;
        if (dataEnd > centralOffset || dataEnd < 0) {
            throw new Damaged(what + " ends at byte " + dataEnd + ", past the start of the central directory at byte "
                    + centralOffset);
        }
        e.end = dataEnd;
        if (descriptor) {
            e.end = descriptor(ch, e, dataEnd, centralOffset, z.present() || e.size >= U32 || e.compressedSize >= U32);
        }
    }

    /** Checks the data descriptor after the data of {@code e}; returns where it ends. */
    private static long descriptor(FileChannel ch, Entry e, long at, long centralOffset, boolean zip64) throws IOException {
        String what = "entry '" + e.name + "': its data descriptor at byte " + at;
        int length = zip64 ? 24 : 16;
        ByteBuffer d = read(ch, at, (int) Math.max(0, Math.min(length, centralOffset - at)));
        int skip = d.capacity() >= 4 && d.getInt(0) == DESCRIPTOR_SIG ? 4 : 0;
        int needed = skip + (zip64 ? 20 : 12);
        if (d.capacity() < needed) {
            throw new Damaged(what + " runs into the central directory at byte " + centralOffset);
        }
        long crc = d.getInt(skip) & U32;
        long csize = zip64 ? d.getLong(skip + 4) : d.getInt(skip + 4) & U32;
        long usize = zip64 ? d.getLong(skip + 12) : d.getInt(skip + 8) & U32;
        compare("entry '" + e.name + "'", "its data descriptor at byte " + at, "CRC-32", crc, e.crc, true);
        compare("entry '" + e.name + "'", "its data descriptor at byte " + at, "compressed size", csize, e.compressedSize,
                false);
        compare("entry '" + e.name + "'", "its data descriptor at byte " + at, "uncompressed size", usize, e.size, false);
        return at + needed;
    }

    private static void compare(String what, String where, String field, long local, long central, boolean hex)
            throws Damaged {
        if (local != central) {
            String l = hex ? String.format("%08x", local) : Long.toUnsignedString(local);
            String c = hex ? String.format("%08x", central) : Long.toUnsignedString(central);
            throw new Damaged(what + ": " + where + " records " + field + " " + l + ", the central directory " + c);
        }
    }

    /** The values of a zip64 extended-information extra field, -1 for those absent. */
    private record Zip64(long size, long compressedSize, long offset, long disk, boolean present) {
    }

    /**
     * Walks an extra-field block (checking that its records fill it exactly) and reads the zip64
     * record's values for the fields whose classic value is the marker, in APPNOTE's order.
     */
    private static Zip64 zip64(ByteBuffer b, int from, int length, boolean wantSize, boolean wantCompressed,
                               boolean wantOffset, boolean wantDisk, String what) throws Damaged {
        long size = -1;
        long compressed = -1;
        long offset = -1;
        long disk = -1;
        boolean seen = false;
        int at = from;
        int end = from + length;
        while (at < end) {
            if (at + 4 > end) {
                throw new Damaged(what + " has a corrupt extra field: " + (end - at) + " stray bytes at its end");
            }
            int id = b.getShort(at) & U16;
            int size16 = b.getShort(at + 2) & U16;
            int data = at + 4;
            if (data + size16 > end) {
                throw new Damaged(what + " has a corrupt extra field: record 0x" + Integer.toHexString(id) + " of "
                        + size16 + " bytes runs past the field's end");
            }
            if (id == ZIP64_EXTRA && !seen) {
                seen = true;
                int p = data;
                int stop = data + size16;
                if (wantSize) {
                    size = p + 8 <= stop ? b.getLong(p) : -2;
                    p += 8;
                }
                if (wantCompressed) {
                    compressed = p + 8 <= stop ? b.getLong(p) : -2;
                    p += 8;
                }
                if (wantOffset) {
                    offset = p + 8 <= stop ? b.getLong(p) : -2;
                    p += 8;
                }
                if (wantDisk) {
                    disk = p + 4 <= stop ? b.getInt(p) & U32 : -2;
                }
                if (size == -2 || compressed == -2 || offset == -2 || disk == -2) {
                    throw new Damaged(what + " has a zip64 extra field of " + size16 + " bytes, too short for the sizes "
                            + "and offset it must hold");
                }
                if (size < -2 || compressed < -2 || offset < -2) {
                    throw new Damaged(what + " has a zip64 size or offset over 2^63 bytes");
                }
            }
            at = data + size16;
        }
        return new Zip64(size, compressed, offset, disk, seen);
    }

    private static String name(byte[] bytes, int flags, String where) throws Damaged {
        boolean ascii = true;
        for (byte x : bytes) {
            ascii &= x >= 0;
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        // As Python's zipfile: UTF-8 when flag bit 11 says so, else the original IBM PC code page.
        Charset cs = (flags & FLAG_UTF8) != 0 ? StandardCharsets.UTF_8 : cp437();
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Damaged(where + " has a name that is not valid " + cs.name() + ": " + Npy.hex(bytes));
        }
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    private static byte[] bytes(ByteBuffer b, int at, int n) {
        byte[] out = new byte[n];
        b.get(at, out);
        return out;
    }

    /** Exactly {@code n} bytes at {@code position}, little-endian. */
    private static ByteBuffer read(FileChannel ch, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int got = ch.read(b, position + b.position());
            if (got < 0) {
                throw new Damaged("the file ends at byte " + (position + b.position()) + ", inside a record that needs "
                        + n + " bytes from byte " + position);
            }
        }
        return b.clear();
    }

    /** A stream that reads in blocks; one byte is a block of one. */
    private abstract static class BlockStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }

    /** The bytes of one stretch of the file, read at their positions (the channel is shared). */
    private static final class Range extends BlockStream {
        private final FileChannel ch;
        private long position;
        private long left;

        Range(FileChannel ch, long position, long length) {
            this.ch = ch;
            this.position = position;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            int got = ch.read(ByteBuffer.wrap(b, off, n), position);
            if (got < 0) {
                throw new EOFException("the file ends at byte " + position + ", inside an entry's data");
            }
            position += got;
            left -= got;
            return got;
        }
    }

    /** Raw deflate, which must end exactly at the end of the compressed data. */
    private static final class Inflating extends BlockStream {
        private final InputStream raw;
        private final Inflater inflater = new Inflater(true);
        private final byte[] input = new byte[1 << 16];

        Inflating(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            try {
                while (true) {
                    if (inflater.finished()) {
                        if (inflater.getRemaining() > 0 || raw.read() >= 0) {
                            throw new Damaged("it has bytes after the end of its deflate stream");
                        }
                        return -1;
                    }
                    int n = inflater.inflate(b, off, len);
                    if (n > 0) {
                        return n;
                    }
                    if (inflater.needsDictionary()) {
                        throw new Damaged("its deflate stream asks for a preset dictionary");
                    }
                    if (inflater.needsInput()) {
                        int got = raw.read(input, 0, input.length);
                        if (got < 0) {
                            throw new Damaged("its deflate stream is cut short");
                        }
                        inflater.setInput(input, 0, got);
                    }
                }
            } catch (DataFormatException e) {
                throw new Damaged("it is not valid deflate data: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            inflater.end();
        }
    }

    /** Counts and checksums the entry's bytes, and checks both when the data ends. */
    private static final class Checked extends BlockStream {
        private final Entry entry;
        private final InputStream in;
        private final CRC32 crc = new CRC32();
        private long count;

        Checked(Entry entry, InputStream in) {
            this.entry = entry;
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, (int) Math.min(len, Math.max(1, entry.size - count + 1)));
            if (n < 0) {
                if (count != entry.size) {
                    throw new Damaged("it holds " + count + " bytes, the archive records " + entry.size);
                }
                if (crc.getValue() != entry.crc) {
                    throw new IOException(String.format("its CRC-32 is %08x, the archive records %08x", crc.getValue(),
                            entry.crc));
                }
                return -1;
            }
            crc.update(b, off, n);
            count += n;
            if (count > entry.size) {
                throw new Damaged("it holds more than the " + entry.size + " bytes the archive records");
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

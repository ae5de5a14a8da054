package dev.spikeforge.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the records of a valid zip archive are, so that tests can damage one field of one record:
 * the end-of-central-directory record, each central-directory entry and each local header. Reads
 * only archives without a comment or zip64 records, as CheckpointWriter writes them.
 */
final class ZipLayout {

    /** Offsets of the fields tests patch, from the start of their record (APPNOTE 4.3.7, 4.3.12, 4.3.16). */
    static final int LOCAL_METHOD = 8;
    static final int LOCAL_CRC = 14;
    static final int LOCAL_CSIZE = 18;
    static final int LOCAL_USIZE = 22;
    static final int LOCAL_NAME = 30;
    static final int CEN_FLAGS = 8;
    static final int CEN_METHOD = 10;
    static final int CEN_CRC = 16;
    static final int CEN_CSIZE = 20;
    static final int CEN_USIZE = 24;
    static final int CEN_DISK = 34;
    static final int CEN_OFFSET = 42;
    static final int CEN_NAME = 46;
    static final int END_DISK = 4;
    static final int END_ENTRIES_HERE = 8;
    static final int END_ENTRIES = 10;
    static final int END_CEN_SIZE = 12;
    static final int END_CEN_OFFSET = 16;

    final int end;
    final List<Integer> central = new ArrayList<>();
    final List<Integer> local = new ArrayList<>();

    ZipLayout(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        end = zip.length - 22;
        if (b.getInt(end) != 0x06054b50) {
            throw new IllegalArgumentException("not an archive without comment");
        }
        int n = b.getShort(end + END_ENTRIES) & 0xFFFF;
        int at = b.getInt(end + END_CEN_OFFSET);
        for (int i = 0; i < n; i++) {
            central.add(at);
            local.add(b.getInt(at + CEN_OFFSET));
            at += 46 + (b.getShort(at + 28) & 0xFFFF) + (b.getShort(at + 30) & 0xFFFF) + (b.getShort(at + 32) & 0xFFFF);
        }
    }

    static void putInt(byte[] zip, int at, long value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    }

    static void putShort(byte[] zip, int at, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    }

    static long getInt(byte[] zip, int at) {
        return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(at) & 0xFFFFFFFFL;
    }
}

package io.electionbench.core.election;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * RECORDS: a run of consecutive txns of a leader's sync stream, as the txn log records the leader sent
 * them in ({@link io.electionbench.core.log.LogRecords}: little-endian length, zxid, CRC32C, payload,
 * back to back), each one checked by the transport, its CRC included, before the run was put here. The
 * learner logs the run as it is, with one append ({@link io.electionbench.core.log.TxnLog#appendRecords}).
 *
 * <pre>
 *  0 fromSid  long
 *  8 length   int    bytes of records
 * 12 count    int    records in the run
 * 16 records  byte[length]
 * </pre>
 */
final class RecordsFlyweight extends InboundFlyweight {
    static final int LENGTH_OFFSET = 8;
    static final int COUNT_OFFSET = 12;
    static final int RECORDS_OFFSET = 16;

    int recordsOffset() {
        return offset + RECORDS_OFFSET;
    }

    int recordsLength() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    int count() {
        return buffer.getInt(offset + COUNT_OFFSET);
    }

    static void encode(final MutableDirectBuffer buffer, final int index, final long fromSid,
        final DirectBuffer records, final int recordsOffset, final int length, final int count) {
        buffer.putLong(index + FROM_OFFSET, fromSid);
        buffer.putInt(index + LENGTH_OFFSET, length);
        buffer.putInt(index + COUNT_OFFSET, count);
        buffer.putBytes(index + RECORDS_OFFSET, records, recordsOffset, length);
    }
}

package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.log.LogRecords;

/** Test proposals whose payload is a function of their zxid, and a verifier that reads them off an agent's ring. */
final class TestProposals {
    private TestProposals() {
    }

    /** 8 to 4007 bytes, varying with the zxid so that frames and records are of many sizes. */
    static int length(final long zxid) {
        return 8 + (int)(zxid * 37 % 4000);
    }

    /** The zxid (little-endian), then a pattern of it. */
    static byte[] payload(final long zxid) {
        final byte[] bytes = new byte[length(zxid)];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(zxid);
        for (int i = 8; i < bytes.length; i++) {
            bytes[i] = (byte)(zxid * 31 + i);
        }
        return bytes;
    }

    /** Drains PROPOSALs from a ring, checking they come as zxids 1, 2, 3... each with its {@link #payload}. */
    static final class Verifier {
        final StringBuilder errors = new StringBuilder();
        private final RingBuffer ring;
        private final long expected;
        private long last;

        Verifier(final RingBuffer ring, final long expected) {
            this.ring = ring;
            this.expected = expected;
        }

        /** Drains what arrived; true once every proposal up to the expected zxid has. */
        boolean poll() {
            ring.read((type, buffer, index, length) -> {
                if (type == InboundMessages.PROPOSAL) {
                    final InboundRecord record = InboundRecord.read(type, buffer, index);
                    check(record.longs[0], record.payload);
                } else if (type == InboundMessages.RECORDS) {
                    final InboundRecord run = InboundRecord.read(type, buffer, index);
                    final ByteBuffer records = ByteBuffer.wrap(run.payload).order(ByteOrder.LITTLE_ENDIAN);
                    int count = 0;
                    for (int at = 0; at < run.payload.length; count++) {
                        final int n = records.getInt(at + LogRecords.LENGTH_OFFSET);
                        check(records.getLong(at + LogRecords.ZXID_OFFSET), Arrays.copyOfRange(run.payload,
                            at + LogRecords.HEADER_BYTES, at + LogRecords.HEADER_BYTES + n));
                        at += LogRecords.HEADER_BYTES + n;
                    }
                    if (count != run.longs[0] && errors.length() < 500) {
                        errors.append("a run of ").append(count).append(" records says ").append(run.longs[0]);
                    }
                }
            });
            return last >= expected;
        }

        private void check(final long zxid, final byte[] payload) {
            if ((zxid != last + 1 || !Arrays.equals(payload(zxid), payload)) && errors.length() < 500) {
                errors.append("proposal ").append(zxid).append(" after ").append(last).append(" (")
                    .append(payload.length).append(" bytes) ");
            }
            last = zxid;
        }

        long last() {
            return last;
        }
    }
}

package io.electionbench.core.election;

import io.electionbench.core.log.TxnLog;

/**
 * What a server keeps across restarts: its transaction history and ZooKeeper's {@code acceptedEpoch}
 * and {@code currentEpoch} files. The election reads it for the initial vote; recovery writes it in
 * ZooKeeper's order (accepted epoch before ACKEPOCH, the synced history and then the current epoch
 * before the NEWLEADER ACK). Every setter is durable when it returns; one that cannot be throws
 * {@link java.io.UncheckedIOException}, and the agent gives up the role it was negotiating.
 *
 * <p>Single writer: only the agent thread calls the setters and the log's mutators.
 */
public interface PersistentState {
    /** The history. An empty one reports {@link TxnLog#NO_ZXID}; {@link #lastLoggedZxid()} maps that to 0. */
    TxnLog log();

    /**
     * The last logged zxid, 0 for an empty history (ZooKeeper's fresh database: epoch 0, counter 0;
     * its election ignores a zxid of -1).
     */
    default long lastLoggedZxid() {
        final long last = log().lastZxid();
        return last < 0 ? 0 : last;
    }

    long currentEpoch();

    long acceptedEpoch();

    /** Durably records the epoch this server promised not to go below (before ACKEPOCH). */
    void acceptedEpoch(long epoch);

    /** Durably records the epoch whose history this server has logged (before the NEWLEADER ACK). */
    void currentEpoch(long epoch);

    /**
     * Returns only if the storage takes a durable write now; else throws (an
     * {@link java.io.UncheckedIOException} naming the file or directory). A member whose storage failed
     * stays out of elections until this returns (docs/storage.md, "When the disk fails"). The default
     * flushes the log, which writes and forces what it still holds in memory.
     */
    default void checkWritable() {
        log().flush();
    }
}

package io.electionbench.core.zab;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.LongPredicate;

import org.agrona.DirectBuffer;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.log.CommittedWindow;
import io.electionbench.core.log.RecordSpan;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.core.sync.SyncPlan;
import io.electionbench.core.sync.SyncPlanner;
import io.electionbench.core.zab.LearnerProgress.Phase;

/**
 * A leader's sync streams, one per learner whose epoch acknowledgement counted (ZooKeeper's
 * {@code LearnerHandler.syncFollower} and the stream it queues): the sync is planned by
 * {@link SyncPlanner} (DIFF, TRUNC or SNAP), then streamed from the log at the pace the link accepts,
 * at most {@link #SYNC_BATCH} txns per learner per duty cycle, from the log's segment files where it
 * keeps them (sendfile) and entry by entry otherwise; NEWLEADER follows the last txn. A learner that
 * left its last syncs unfinished has its next one held back (docs/recovery.md, "Sync"). A send the
 * link refuses drops the learner; a link that is not writable pauses its stream until a later duty
 * cycle. One preallocated object per agent; nothing is allocated per txn. Agent thread only.
 */
public final class SyncStreamer {
    /** Default size of the snapshot chunks a leader streams; see {@link #snapshotChunkBytes(int)}. */
    public static final int SNAPSHOT_CHUNK_BYTES = 64 * 1024;
    /** Txns streamed to one syncing learner per duty cycle, so one sync cannot starve the rest. */
    static final int SYNC_BATCH = 4096;
    /**
     * Bytes of log records per batch a sync stream sends from a file: a quarter of the 512 KiB frame
     * limit, a few hundred small txns, so a batch is far below a link's high-water mark.
     */
    static final int RECORD_BATCH_BYTES = 128 << 10;
    private static final int SPANS_SENT = 0;
    private static final int SPANS_DROPPED = 1;
    private static final int SPANS_UNAVAILABLE = 2;

    private final Member member;
    private final Ensemble ensemble;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final TxnLog log;
    /** The member's in-memory committed window, which may hold txns the log compacted. */
    private final CommittedWindow window;
    /** Fast policy: a learner exactly at the snapshot zxid continues from the log (docs/storage.md). */
    private final boolean isSnapshotZxidHeld;
    private final Leadership leadership;
    private final Discovery discovery;
    private final SyncPlan plan = new SyncPlan();
    private final EntryStream entries = new EntryStream();
    private final RecordSpan span = new RecordSpan();
    /** Created once: a method reference made per sync would allocate, and bootstrap on the first failover. */
    private final LongPredicate leaderHas = this::leaderHas;
    private int snapshotChunkBytes = SNAPSHOT_CHUNK_BYTES;
    private long syncTxnsSent;
    private long syncBytesSent;
    private long syncsDeferred;

    public SyncStreamer(final Member member, final Ensemble ensemble, final ElectionPolicy policy,
        final PeerPublisher publisher, final PersistentState storage, final CommittedWindow window,
        final Leadership leadership, final Discovery discovery) {
        this.member = member;
        this.ensemble = ensemble;
        this.isSnapshotZxidHeld = policy.isSnapshotZxidASyncPoint();
        this.window = window;
        this.publisher = publisher;
        this.storage = storage;
        this.log = storage.log();
        this.leadership = leadership;
        this.discovery = discovery;
    }

    /**
     * The size of the snapshot chunks this node streams; every receiver's inbound ring must take a
     * chunk plus 48 bytes of header in one message (an eighth of its capacity).
     */
    public void snapshotChunkBytes(final int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("snapshot chunk bytes must be positive: " + bytes);
        }
        this.snapshotChunkBytes = bytes;
    }

    /** Per duty cycle while leading: held-back syncs whose wait is over start, and every running stream moves on. */
    public int doWork() {
        int work = 0;
        if (discovery.isEpochAcked()) {
            work += startDeferredSyncs();
        }
        long rest = leadership.learnerMask();
        while (rest != 0 && member.isLeading()) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(index).phase() == Phase.SYNCING) {
                work += pumpSync(index);
            }
        }
        return work;
    }

    /**
     * Plans the learner's sync ({@link SyncPlanner}) and starts the stream: DIFF and TRUNC send the txns
     * after the plan's zxid; SNAP sends the leader's snapshot (or an empty one at zxid 0 when the leader
     * holds its whole history) and then every txn after it. NEWLEADER follows the last txn.
     * While a learner syncs, new proposals reach it through the stream, which reads up to the log's end.
     */
    public void startSync(final int index) {
        final LearnerProgress learner = leadership.learner(index);
        if (learner.isSyncHeldBack(member.nowNs())) {
            if (!learner.isSyncDeferred()) {
                syncsDeferred++;
            }
            learner.syncDeferred(true);
            return;
        }
        learner.syncDeferred(false);
        final long followerLast = learner.lastZxid();
        final long followerEpoch = learner.currentEpoch();
        final long leaderLast = storage.lastLoggedZxid();
        final long snapshotZxid = log.snapshotZxid();
        final long windowStart = snapshotZxid < 0 ? 0 : snapshotZxid;
        // LearnerHandler.syncFollower: the window's bounds, both the leader's last zxid when it is empty.
        final long minCommitted = window.isEmpty() ? leaderLast : window.minZxid();
        final long diskFirst = isSnapshotZxidHeld ? windowStart : log.firstZxid();
        SyncPlanner.plan(leaderLast, minCommitted, leaderLast, diskFirst, leaderHas, followerLast, followerEpoch,
            learner.snapshotZxid(), plan);
        final long sid = ensemble.sid(index);
        final SyncMode mode = plan.mode();
        final long startZxid = mode == SyncMode.SNAP ? windowStart : plan.zxid();
        if (!publisher.sendSyncStart(sid, mode.code(), startZxid)) {
            leadership.dropUnreachable(index);
            return;
        }
        learner.phase(Phase.SYNCING);
        learner.syncCursorZxid(startZxid);
        learner.snapshotCursor(mode == SyncMode.SNAP ? 0 : -1);
        pumpSync(index);
    }

    /**
     * Whether the leader can continue a learner's history from {@code zxid}: a txn its window or its log
     * holds. ZooKeeper finds nothing else (its {@code ZKDatabase.getProposalsFromTxnLog} needs the
     * learner's zxid itself in the log), so a learner exactly at the leader's snapshot, whose log starts
     * after it, gets a SNAP. The fast policy counts the snapshot zxid (0 when there is none) as held too:
     * a zxid names the history up to it, the snapshot is that history, and the txns after it are in the
     * log, so a DIFF from there is exact and sends no state.
     */
    private boolean leaderHas(final long zxid) {
        if (window.contains(zxid) || log.contains(zxid)) {
            return true;
        }
        final long snapshotZxid = log.snapshotZxid();
        return isSnapshotZxidHeld && (zxid == 0 && snapshotZxid < 0 || zxid == snapshotZxid);
    }

    /**
     * Streams what the link takes (at most a batch) of one learner's sync; NEWLEADER when it reaches the log's end.
     * While the link is not writable this is no work, so the agent's idle strategy backs off (it parks at most 1 ms,
     * less than the link takes to drain from its high to its low water mark) instead of spinning on a core the
     * transport needs to drain it.
     */
    private int pumpSync(final int index) {
        try {
            return streamSync(index);
        } catch (final UncheckedIOException e) {
            // The log cannot be read, or its staged appends cannot be written before a read: a full disk.
            member.storageFailed("cannot read the log for a learner's sync", e);
            return 1;
        }
    }

    private int streamSync(final int index) {
        final long sid = ensemble.sid(index);
        if (!publisher.isWritable(sid)) {
            return 0;
        }
        final LearnerProgress learner = leadership.learner(index);
        if (learner.snapshotCursor() >= 0) {
            final DirectBuffer snapshot = log.snapshotState();
            final long total = log.snapshotZxid() < 0 ? 0 : snapshot.capacity();
            final long zxid = learner.syncCursorZxid();
            final long digest = log.snapshotZxid() < 0 ? 0 : log.snapshotDigest();
            final Path file = total == 0 ? null : log.snapshotFile();
            final long fileOffset = log.snapshotStateOffset();
            int chunks = 0;
            do {
                final long position = learner.snapshotCursor();
                final int length = (int)Math.min(snapshotChunkBytes, total - position);
                final boolean isSent = file == null
                    ? publisher.sendSnapshotChunk(sid, zxid, digest, total, position, snapshot, (int)position, length)
                    : publisher.sendSnapshotChunk(sid, zxid, digest, total, position, file, fileOffset, snapshot,
                        (int)position, length);
                if (!isSent) {
                    leadership.dropUnreachable(index);
                    return 1;
                }
                syncBytesSent += length;
                learner.snapshotCursor(position + length);
                chunks++;
            } while (learner.snapshotCursor() < total && chunks < SYNC_BATCH && publisher.isWritable(sid));
            if (learner.snapshotCursor() < total) {
                return 1;
            }
            learner.snapshotCursor(-1);
        }
        if (learner.syncCursorZxid() < log.snapshotZxid() && streamWindow(index, sid) != 0) {
            return 1;
        }
        final int streamed = streamRecordSpans(index, sid);
        if (streamed == SPANS_DROPPED) {
            return 1;
        }
        if (streamed == SPANS_UNAVAILABLE) {
            entries.start(index, sid);
            log.read(learner.syncCursorZxid() + 1, entries);
            if (entries.failed) {
                leadership.dropUnreachable(index);
                return 1;
            }
            learner.syncCursorZxid(entries.lastSent);
        }
        if (learner.syncCursorZxid() < storage.lastLoggedZxid()) {
            return 1;
        }
        if (!publisher.sendNewLeader(sid, Zxid.make(discovery.newEpoch(), 0))) {
            leadership.dropUnreachable(index);
            return 1;
        }
        learner.phase(Phase.NEWLEADER_SENT);
        return 1;
    }

    /**
     * A DIFF from inside the committed window whose next txns the log compacted into its snapshot: they
     * come from the window, up to the snapshot zxid, and the log's follow. The window holds a run of the
     * history ending at the log's last txn, so while it still holds the last txn sent, it holds the next;
     * once it no longer does (it dropped its oldest for newer txns while the link was full), the learner
     * is let go, to be planned afresh when it rejoins.
     *
     * @return 0 when the window part is done, 1 when the stream waits or the learner was dropped
     */
    private int streamWindow(final int index, final long sid) {
        final LearnerProgress learner = leadership.learner(index);
        if (!window.contains(learner.syncCursorZxid())) {
            leadership.dropUnreachable(index);
            return 1;
        }
        entries.start(index, sid);
        window.read(learner.syncCursorZxid() + 1, log.snapshotZxid(), entries);
        if (entries.failed) {
            leadership.dropUnreachable(index);
            return 1;
        }
        learner.syncCursorZxid(entries.lastSent);
        return learner.syncCursorZxid() < log.snapshotZxid() ? 1 : 0;
    }

    /**
     * Sends the learner's next records as batches straight from the log's segment files
     * ({@link PeerPublisher#sendRecords}: sendfile, the txns never enter this JVM's memory), up to
     * {@link #SYNC_BATCH} txns or until the link is full. Only where the log keeps files and the
     * publisher can send from them; otherwise, or when a record alone exceeds a batch, the caller
     * streams entry by entry.
     *
     * @return {@link #SPANS_SENT} (the cursor moved, or the link is full), {@link #SPANS_DROPPED} (the
     *         learner was dropped), or {@link #SPANS_UNAVAILABLE} to stream entry by entry instead
     */
    private int streamRecordSpans(final int index, final long sid) {
        if (!publisher.canSendRecords()) {
            return SPANS_UNAVAILABLE;
        }
        final LearnerProgress learner = leadership.learner(index);
        int sent = 0;
        while (sent < SYNC_BATCH && learner.syncCursorZxid() < storage.lastLoggedZxid()) {
            if (!log.recordSpan(learner.syncCursorZxid() + 1, RECORD_BATCH_BYTES, span)) {
                return sent > 0 ? SPANS_SENT : SPANS_UNAVAILABLE;
            }
            if (!publisher.sendRecords(sid, span.file(), span.position(), span.length(), span.count(), span.firstZxid(),
                span.lastZxid())) {
                leadership.dropUnreachable(index);
                return SPANS_DROPPED;
            }
            sent += span.count();
            syncTxnsSent += span.count();
            syncBytesSent += span.payloadBytes();
            learner.syncCursorZxid(span.lastZxid());
            if (!publisher.isWritable(sid)) {
                break;
            }
        }
        return SPANS_SENT;
    }

    /** Hands log entries to one learner's link, without copying, until the batch or the link is full. */
    private final class EntryStream implements TxnLog.EntryHandler {
        private int index;
        private long sid;
        private int sent;
        long lastSent;
        boolean failed;

        void start(final int index, final long sid) {
            this.index = index;
            this.sid = sid;
            this.sent = 0;
            this.lastSent = leadership.learner(index).syncCursorZxid();
            this.failed = false;
        }

        @Override
        public boolean onEntry(final long zxid, final DirectBuffer buffer, final int offset, final int length) {
            if (sent >= SYNC_BATCH || !publisher.isWritable(sid)) {
                return false;
            }
            if (!publisher.sendProposal(sid, zxid, buffer, offset, length)) {
                failed = true;
                return false;
            }
            sent++;
            syncTxnsSent++;
            syncBytesSent += length;
            lastSent = zxid;
            return true;
        }
    }

    /** Starts the held-back syncs whose wait is over. */
    private int startDeferredSyncs() {
        int work = 0;
        long rest = leadership.learnerMask();
        while (rest != 0 && member.isLeading()) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            final LearnerProgress learner = leadership.learner(index);
            if (!learner.isSyncDeferred()) {
                continue;
            }
            if (learner.phase() != Phase.EPOCH_ACKED) {
                learner.syncDeferred(false);
            } else if (member.nowNs() - learner.syncNotBeforeNs() >= 0) {
                startSync(index);
                work++;
            }
        }
        return work;
    }

    public long earliestDeferredSync(final long deadlineNs) {
        long earliest = deadlineNs;
        long rest = leadership.learnerMask();
        while (rest != 0) {
            final LearnerProgress learner = leadership.learner(Long.numberOfTrailingZeros(rest));
            rest &= rest - 1;
            if (learner.isSyncDeferred()) {
                earliest = earliest - learner.syncNotBeforeNs() <= 0 ? earliest : learner.syncNotBeforeNs();
            }
        }
        return earliest;
    }

    /** A leader's sync streams so far: txns, and payload plus snapshot bytes, sent. */
    public long syncTxnsSent() {
        return syncTxnsSent;
    }

    public long syncBytesSent() {
        return syncBytesSent;
    }

    /** Learner syncs held back because the learner had left its previous ones unfinished. */
    public long syncsDeferred() {
        return syncsDeferred;
    }
}

package io.electionbench.loadgen.write;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongArrayQueue;

import io.electionbench.core.election.WriteListener;

/**
 * The decisions of the open-loop writer on real targets, without sockets (they sit behind
 * {@link Links}), so the schedule, the retries and the leader following are tested by hand with a fake
 * clock. Single-threaded: the writer's agent calls everything.
 *
 * <ul>
 *   <li>Each due write ({@link OpenLoopSchedule}) is sent at once, whatever earlier writes are doing;
 *       a write keeps its sequence, and so its intended time, across every retry.</li>
 *   <li>Writes go to the node believed to lead: the last one that answered COMMITTED or NOT_READY, or
 *       the leader a NOT_LEADER answer named. Without one, candidates are tried in turn.</li>
 *   <li>NOT_LEADER naming a leader: resend there at once (unless it refused a connection lately).
 *       NOT_LEADER without one, NOT_READY, BUSY,
 *       UNKNOWN, a lost connection, or no answer within the answer timeout (the connection is then
 *       dropped): resend after {@link #backoffNs}, to the next candidate when the node is not the
 *       leader. UNKNOWN, lost and timed-out attempts count in {@link TrialWrites#unknown()}.</li>
 *   <li>A node that refuses a connection is skipped for {@link #connectBackoffNs}.</li>
 * </ul>
 */
final class LeaderFollowingWriter {
    /** The connections to the nodes (sockets in production, a fake in tests). */
    interface Links {
        /** Connects to {@code sid} unless connected; false if it cannot be reached now. */
        boolean connect(long sid);

        /**
         * Queues write {@code seq} on the connection to {@code sid}; false when not connected or too much is pending.
         */
        boolean send(long sid, long seq);

        /** Closes the connection to {@code sid}: answers still due on it never come. */
        void drop(long sid);
    }

    private static final long NONE = -1;

    private final long[] sids;
    private final Links links;
    private final long backoffNs;
    private final long connectBackoffNs;
    private final long answerTimeoutNs;
    /** Sequence to the index of the node it was sent to, while its answer is due. */
    private final Long2LongHashMap inFlight = new Long2LongHashMap(NONE);
    private final int[] outstanding;
    /** Since when a node with outstanding writes has not answered. */
    private final long[] silentSinceNs;
    private final long[] downUntilNs;
    private final boolean[] isDown;
    private final LongArrayQueue retries = new LongArrayQueue(NONE);
    private final LongArrayQueue fresh = new LongArrayQueue(NONE);
    private final LongArrayList scratch = new LongArrayList();
    private WriteLedger ledger;
    private long nextSeq = 1;
    private long issued;
    private boolean isStopping;
    private int leader = -1;
    private int candidate;
    private long notBeforeNs;
    private boolean hasGate;

    /**
     * @param sids             every node that may lead
     * @param backoffNs        wait before resending after a refusal or a lost attempt
     * @param connectBackoffNs how long a node that refused a connection is skipped
     * @param answerTimeoutNs  a node with writes outstanding that answers nothing for this long is dropped
     */
    LeaderFollowingWriter(final long[] sids, final Links links, final long backoffNs, final long connectBackoffNs,
        final long answerTimeoutNs) {
        this.sids = sids.clone();
        this.links = links;
        this.backoffNs = backoffNs;
        this.connectBackoffNs = connectBackoffNs;
        this.answerTimeoutNs = answerTimeoutNs;
        this.outstanding = new int[sids.length];
        this.silentSinceNs = new long[sids.length];
        this.downUntilNs = new long[sids.length];
        this.isDown = new boolean[sids.length];
    }

    /** Starts a trial's writes on {@code schedule}; sequences continue from the last trial's. */
    void begin(final OpenLoopSchedule schedule, final long wallStartMs) {
        ledger = new WriteLedger(schedule, nextSeq, wallStartMs);
        issued = 0;
        isStopping = false;
    }

    boolean isActive() {
        return ledger != null;
    }

    /** Issues no more new writes; retries of issued ones go on until {@link #isDrained()}. */
    void stop() {
        isStopping = true;
    }

    boolean isDrained() {
        return fresh.isEmpty() && retries.isEmpty() && inFlight.isEmpty();
    }

    /** The latest intended time among this trial's committed writes, or Long.MIN_VALUE. */
    long maxCommittedIntendedNs() {
        return ledger == null ? Long.MIN_VALUE : ledger.maxCommittedIntendedNs();
    }

    /** Distinct writes of this trial committed so far, or 0 between trials. */
    long committedSoFar() {
        return ledger == null ? 0 : ledger.committedCount();
    }

    /** The node believed to lead, or -1. */
    long believedLeader() {
        return leader < 0 ? -1 : sids[leader];
    }

    /** Sends what is due; returns the work done. */
    int doWork(final long nowNs) {
        if (ledger == null) {
            return 0;
        }
        int work = 0;
        if (!isStopping) {
            for (final long due = ledger.schedule().dueBy(nowNs); issued < due; issued++) {
                fresh.addLong(ledger.firstSeq() + issued);
                work++;
            }
        }
        work += dropSilentNodes(nowNs);
        if (hasGate && nowNs - notBeforeNs < 0) {
            return work;
        }
        hasGate = false;
        return work + send(nowNs);
    }

    private int send(final long nowNs) {
        int work = 0;
        while (!retries.isEmpty() || !fresh.isEmpty()) {
            final LongArrayQueue queue = retries.isEmpty() ? fresh : retries;
            final long seq = queue.peekLong();
            if (ledger.isCommitted(seq)) {
                queue.pollLong(); // a late COMMITTED answer already settled it
                continue;
            }
            final int target = target(nowNs);
            if (target < 0) {
                gate(nowNs);
                break;
            }
            if (!links.connect(sids[target])) {
                isDown[target] = true;
                downUntilNs[target] = nowNs + connectBackoffNs;
                forget(target);
                continue;
            }
            if (!links.send(sids[target], seq)) {
                gate(nowNs);
                break;
            }
            queue.pollLong();
            inFlight.put(seq, target);
            if (outstanding[target]++ == 0) {
                silentSinceNs[target] = nowNs;
            }
            work++;
        }
        return work;
    }

    /** The believed leader, else the next candidate that is not skipped; -1 when every node is. */
    private int target(final long nowNs) {
        if (leader >= 0 && !isSkipped(leader, nowNs)) {
            return leader;
        }
        for (int k = 0; k < sids.length; k++) {
            final int i = (candidate + k) % sids.length;
            if (!isSkipped(i, nowNs)) {
                candidate = i;
                return i;
            }
        }
        return -1;
    }

    private boolean isSkipped(final int i, final long nowNs) {
        if (isDown[i] && nowNs - downUntilNs[i] >= 0) {
            isDown[i] = false;
        }
        return isDown[i];
    }

    private int dropSilentNodes(final long nowNs) {
        int work = 0;
        for (int i = 0; i < sids.length; i++) {
            if (outstanding[i] > 0 && nowNs - silentSinceNs[i] > answerTimeoutNs) {
                links.drop(sids[i]);
                onDisconnected(sids[i], nowNs);
                work++;
            }
        }
        return work;
    }

    /**
     * One answer from node {@code sid}. COMMITTED always counts (even for an attempt already given up:
     * it is an acknowledgement); other answers only for the attempt in flight.
     */
    void onResult(final long sid, final long seq, final int status, final long zxid, final long leaderSid,
        final long atNs) {
        final int from = index(sid);
        final boolean isCurrent = from >= 0 && inFlight.get(seq) == from;
        if (isCurrent) {
            inFlight.remove(seq);
            outstanding[from]--;
            silentSinceNs[from] = atNs;
        }
        if (ledger == null) {
            return;
        }
        if (status == WriteListener.COMMITTED) {
            ledger.onCommitted(seq, zxid, atNs);
            leader = from;
            return;
        }
        if (!isCurrent) {
            return;
        }
        switch (status) {
            case WriteListener.NOT_LEADER:
                ledger.onRefused();
                final int named = leaderSid == sid ? -1 : index(leaderSid);
                if (named >= 0 && !isSkipped(named, atNs)) {
                    leader = named;
                } else {
                    forget(from);
                    gate(atNs);
                }
                retries.addLong(seq);
                break;
            case WriteListener.NOT_READY:
                ledger.onRefused();
                leader = from;
                gate(atNs);
                retries.addLong(seq);
                break;
            case WriteListener.BUSY:
                ledger.onRefused();
                gate(atNs);
                retries.addLong(seq);
                break;
            case WriteListener.UNKNOWN:
                ledger.onLost();
                forget(from);
                gate(atNs);
                retries.addLong(seq);
                break;
            default:
                ledger.onLost(); // TOO_LARGE cannot happen to a 128-byte write; never retried
                break;
        }
    }

    /** The connection to {@code sid} ended: its writes in flight are lost and resent elsewhere, in order. */
    void onDisconnected(final long sid, final long atNs) {
        final int i = index(sid);
        if (i < 0) {
            return;
        }
        final boolean isDisruptive = outstanding[i] > 0 || leader == i;
        if (outstanding[i] > 0) {
            scratch.clear();
            final Long2LongHashMap.EntryIterator it = inFlight.entrySet().iterator();
            while (it.hasNext()) {
                it.next();
                if (it.getLongValue() == i) {
                    scratch.addLong(it.getLongKey());
                    it.remove();
                }
            }
            scratch.sort(null);
            for (int k = 0; k < scratch.size(); k++) {
                if (ledger != null) {
                    ledger.onLost();
                }
                retries.addLong(scratch.getLong(k));
            }
            outstanding[i] = 0;
        }
        forget(i);
        if (isDisruptive) {
            gate(atNs);
        }
    }

    /**
     * Ends the trial: writes never committed are counted unanswered, connections with answers still
     * due are dropped (so no late acknowledgement can arrive unchecked), and sequences move on.
     */
    TrialWrites finish() {
        long unanswered = 0;
        unanswered += countUncommitted(fresh);
        unanswered += countUncommitted(retries);
        final Long2LongHashMap.KeyIterator keys = inFlight.keySet().iterator();
        while (keys.hasNext()) {
            if (!ledger.isCommitted(keys.nextValue())) {
                unanswered++;
            }
        }
        for (int i = 0; i < sids.length; i++) {
            if (outstanding[i] > 0) {
                links.drop(sids[i]);
                outstanding[i] = 0;
            }
        }
        inFlight.clear();
        fresh.clear();
        retries.clear();
        final TrialWrites out = ledger.finish(issued, unanswered);
        nextSeq += issued;
        ledger = null;
        return out;
    }

    private long countUncommitted(final LongArrayQueue queue) {
        long n = 0;
        while (!queue.isEmpty()) {
            if (!ledger.isCommitted(queue.pollLong())) {
                n++;
            }
        }
        return n;
    }

    /** When the writer next has something to do: the next intended write, or the end of a backoff. */
    long nextDeadlineNs(final long nowNs, final long maxWaitNs) {
        long next = nowNs + maxWaitNs;
        if (ledger != null && !isStopping) {
            final long due = ledger.schedule().intendedNs(issued);
            if (due - next < 0) {
                next = due;
            }
        }
        if (hasGate && (!retries.isEmpty() || !fresh.isEmpty()) && notBeforeNs - next < 0) {
            next = notBeforeNs;
        }
        return next;
    }

    private void forget(final int node) {
        if (leader == node) {
            leader = -1;
        }
        candidate = (node + 1) % sids.length;
    }

    private void gate(final long nowNs) {
        hasGate = true;
        notBeforeNs = nowNs + backoffNs;
    }

    private int index(final long sid) {
        for (int i = 0; i < sids.length; i++) {
            if (sids[i] == sid) {
                return i;
            }
        }
        return -1;
    }
}

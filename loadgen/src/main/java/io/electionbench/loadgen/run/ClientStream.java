package io.electionbench.loadgen.run;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongArrayQueue;

import io.electionbench.loadgen.write.OpenLoopSchedule;

/**
 * One client session's reads, or its writes: open loop ({@link OpenLoopSchedule}), each operation
 * retried until it succeeds, keeping its intended time, so its latency (answer time minus intended time)
 * is corrected for coordinated omission. Single-threaded (the client agent); no sockets (they sit behind
 * {@link Sender}), so it is stepped by hand with a fake clock in tests.
 *
 * <p>Healthy (its last answer was a success), every due operation is sent at once, pipelined. After a
 * failure it probes: one attempt at a time, {@code backoffNs} after the last failure, until one succeeds;
 * then the backlog goes out at once. A client population that stops answering builds a backlog rather
 * than a storm of retries, the way ZooKeeper's own client queues requests while it reconnects. A
 * redirect (our nodes' NOT_LEADER naming the leader) is resent at once, not counted as a failure,
 * unless it follows another redirect.
 *
 * <p>An answer for an attempt not in flight (given up on by {@link #abandon} or a timeout) is ignored,
 * even a success: that operation is retried and counts from its next success.
 */
final class ClientStream {
    /** {@link Sender#send}: the attempt is on its way. */
    static final int SENT = -1;
    /** Answer codes. */
    static final int OK = 0;
    /** Not served here, and the server named who serves it: resend there at once. */
    static final int REDIRECT = 1;
    /** The connection was lost or could not be made, or the server cannot serve now (ZooKeeper's CONNECTIONLOSS). */
    static final int CONNECTION_LOSS = 2;
    /** ZooKeeper's SESSIONMOVED. */
    static final int SESSION_MOVED = 3;
    /** ZooKeeper's SESSIONEXPIRED. */
    static final int SESSION_EXPIRED = 4;
    /** Any other failure. */
    static final int FAILED = 5;

    /** Sends an attempt of operation {@code index}: {@link #SENT}, or the code of why it could not be sent. */
    @FunctionalInterface
    interface Sender {
        int send(long index);
    }

    /** What the stream's attempts did, for the session's log; agent thread. */
    interface Outcomes {
        void onSucceeded(long atNs, long latencyNs);

        /** One attempt failed with {@code code} (never {@link #OK} or {@link #REDIRECT}). */
        void onFailed(int code, long atNs);

        void onHealth(boolean isHealthy, long atNs);
    }

    private static final long NONE = -1;

    private final OpenLoopSchedule schedule;
    private final Sender sender;
    private final Outcomes outcomes;
    private final long backoffNs;
    private final long answerTimeoutNs;
    private final LongArrayQueue retries = new LongArrayQueue(NONE);
    private final LongArrayQueue fresh = new LongArrayQueue(NONE);
    /** Operation index to when its attempt was sent. */
    private final Long2LongHashMap inFlight = new Long2LongHashMap(NONE);
    private final LongArrayList scratch = new LongArrayList();
    private long issued;
    private boolean isHealthy = true;
    private boolean hasRedirected;
    private long notBeforeNs;

    /**
     * @param answerTimeoutNs an attempt unanswered this long makes {@link #hasTimedOut} true; Long.MAX_VALUE for never
     */
    ClientStream(final OpenLoopSchedule schedule, final Sender sender, final Outcomes outcomes, final long backoffNs,
        final long answerTimeoutNs) {
        this.schedule = schedule;
        this.sender = sender;
        this.outcomes = outcomes;
        this.backoffNs = backoffNs;
        this.answerTimeoutNs = answerTimeoutNs;
    }

    /** Queues what is due and sends what the state allows; returns the work done. */
    int doWork(final long nowNs) {
        int work = 0;
        for (final long due = schedule.dueBy(nowNs); issued < due; issued++) {
            fresh.addLong(issued);
            work++;
        }
        while (!retries.isEmpty() || !fresh.isEmpty()) {
            if (!isHealthy && (!inFlight.isEmpty() || nowNs - notBeforeNs < 0)) {
                break;
            }
            final long index = (retries.isEmpty() ? fresh : retries).pollLong();
            final int sent = sender.send(index);
            work++;
            if (sent != SENT) {
                retries.addLong(index);
                failed(sent, nowNs);
                break;
            }
            inFlight.put(index, nowNs);
        }
        return work;
    }

    /**
     * An answer to operation {@code index}'s attempt in flight: {@link #OK}, {@link #REDIRECT}, or a
     * failure code.
     *
     * @return false when no attempt of it was in flight (the answer is ignored)
     */
    boolean onAnswer(final long index, final int code, final long atNs) {
        if (inFlight.remove(index) == NONE) {
            return false;
        }
        if (code == OK) {
            hasRedirected = false;
            outcomes.onSucceeded(atNs, Math.max(0, atNs - schedule.intendedNs(index)));
            if (!isHealthy) {
                isHealthy = true;
                outcomes.onHealth(true, atNs);
            }
            return true;
        }
        retries.addLong(index);
        if (code == REDIRECT && !hasRedirected) {
            hasRedirected = true;
            return true;
        }
        failed(code == REDIRECT ? FAILED : code, atNs);
        return true;
    }

    /**
     * Gives up on every attempt in flight (its link is gone): each is queued again, in order, and counts
     * as a failure with {@code code} unless it is {@link #REDIRECT}; the stream probes from now on.
     *
     * @return how many attempts were in flight
     */
    int abandon(final int code, final long atNs) {
        scratch.clear();
        final Long2LongHashMap.KeyIterator keys = inFlight.keySet().iterator();
        while (keys.hasNext()) {
            scratch.addLong(keys.nextValue());
        }
        inFlight.clear();
        scratch.sort(null);
        for (int i = 0; i < scratch.size(); i++) {
            retries.addLong(scratch.getLong(i));
            if (code != REDIRECT) {
                outcomes.onFailed(code, atNs);
            }
        }
        if (code != REDIRECT) {
            unhealthy(atNs);
        }
        return scratch.size();
    }

    /** True when an attempt has been in flight longer than the answer timeout. */
    boolean hasTimedOut(final long nowNs) {
        if (inFlight.isEmpty() || answerTimeoutNs == Long.MAX_VALUE) {
            return false;
        }
        final Long2LongHashMap.ValueIterator sent = inFlight.values().iterator();
        while (sent.hasNext()) {
            if (nowNs - sent.nextValue() > answerTimeoutNs) {
                return true;
            }
        }
        return false;
    }

    /** When this stream next has something to do, at most {@code maxWaitNs} from now. */
    long nextDeadlineNs(final long nowNs, final long maxWaitNs) {
        long next = earlier(nowNs + maxWaitNs, schedule.intendedNs(issued));
        if (!isHealthy && inFlight.isEmpty() && (!retries.isEmpty() || !fresh.isEmpty())) {
            next = earlier(next, notBeforeNs);
        }
        return next;
    }

    private static long earlier(final long aNs, final long bNs) {
        return aNs - bNs < 0 ? aNs : bNs;
    }

    boolean isHealthy() {
        return isHealthy;
    }

    /** Attempts in flight. */
    int inFlight() {
        return inFlight.size();
    }

    /** Operations due and not yet succeeded, in flight or waiting. */
    long backlog() {
        return inFlight.size() + retries.size() + fresh.size();
    }

    private void failed(final int code, final long atNs) {
        hasRedirected = false;
        outcomes.onFailed(code, atNs);
        unhealthy(atNs);
    }

    private void unhealthy(final long atNs) {
        notBeforeNs = atNs + backoffNs;
        if (isHealthy) {
            isHealthy = false;
            outcomes.onHealth(false, atNs);
        }
    }
}

package io.electionbench.core.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * Forces a {@link FileTxnLog}'s files on a thread of its own, so the appending (agent) thread never
 * waits for the fdatasyncs that {@link FsyncPolicy#BATCH} takes only to bound what a crash can lose, and
 * a snapshot being received is written back while it arrives instead of all at its final force.
 * Those forces acknowledge nothing: {@link FileTxnLog#flush()} still forces synchronously before anything
 * is acknowledged, so a background force is an early start on the disk's work, never a promise.
 * <p>
 * One writer (the log's thread) posts requests, one daemon thread serves them, in the shape of every
 * agent here: a duty cycle ({@link #doWork()}) and an Agrona idle strategy between cycles that found
 * nothing. A request is the file (a {@link ForcedFile}: a segment, or a snapshot's temporary file) put
 * into a single slot with a volatile write: no lock, no queue, no signal, nothing allocated. The thread
 * takes the slot with a volatile getAndSet before it forces, so requests posted while a force runs
 * coalesce into one more force afterwards. Idle, it backs off to parking {@value #MAX_IDLE_PARK_MS} ms at
 * a time, so a request waits at most that long (an early start need not be immediate) and an idle
 * thread wakes about {@code 1000 / MAX_IDLE_PARK_MS} times a second. The thread starts at the first
 * request, so a log whose flushes always come before the thresholds never has one.
 * <p>
 * A file closed meanwhile (truncation, deletion, a completed snapshot, close) makes the force throw a
 * {@link ClosedChannelException}, which is ignored: whoever closed it forced what had to survive. Any other
 * failure is kept for the log's thread ({@link #failure()}) and never ends this thread. It must not be
 * dropped: after a failed fdatasync Linux reports the error once per open file, so the log's next
 * synchronous force on the same channel may succeed while the pages that failed are lost.
 * <p>
 * The thread is never interrupted: an interrupt during {@link java.nio.channels.FileChannel#force} closes
 * the channel, which the log still writes to. {@link #close(long)} clears the running flag and waits, in
 * bounded sleeps, for the thread to say it has stopped.
 */
final class BackgroundForcer implements Runnable {
    /** The longest an idle thread parks between looks at the slot. */
    static final long MAX_IDLE_PARK_MS = 10;

    private final String threadName;
    /** The file to force next; set by the log's thread (volatile write), taken by the forcer (getAndSet). */
    private final AtomicReference<ForcedFile> request = new AtomicReference<>();
    private final IdleStrategy idle =
        new BackoffIdleStrategy(10, 10, 1_000, TimeUnit.MILLISECONDS.toNanos(MAX_IDLE_PARK_MS));
    /** Written by the log's thread only; read by the forcer every cycle. */
    private volatile boolean isRunning = true;
    /** Set by the forcer thread as its last act. */
    private volatile boolean isStopped;
    /** Completed forces; written by the forcer thread only, so the increment of a volatile is safe. */
    private volatile long forceCount;
    /** The first failure other than a closed channel; written by the forcer, read by the log's thread. */
    private volatile IOException failure;
    /** Started at the first {@link #force}; the log's thread alone reads and writes this field. */
    private Thread thread;

    BackgroundForcer(final String threadName) {
        this.threadName = threadName;
    }

    /**
     * Asks for {@code file} to be forced soon and returns at once. A request still waiting is replaced:
     * a later one covers at least what an earlier one covered, or belongs to a file the log has since
     * moved on from (a roll forces the old segment synchronously, a completed snapshot is forced whole),
     * and a background force never makes anything durable that a synchronous one does not force again.
     * Log's thread only.
     */
    void force(final ForcedFile file) {
        if (!isRunning) {
            throw new IllegalStateException(threadName + " is closed");
        }
        request.set(file);
        if (thread == null) {
            thread = new Thread(this, threadName);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Forces completed by the thread so far (any thread may read it). */
    long forceCount() {
        return forceCount;
    }

    /** The first failed background force, other than of a file closed meanwhile; null if none. */
    IOException failure() {
        return failure;
    }

    /** The thread once started, else null (for tests). */
    Thread thread() {
        return thread;
    }

    /**
     * Stops the thread: drops any request still waiting (the caller forces synchronously what must
     * survive) and waits about {@code waitMs}, in 1 ms sleeps, for a force in progress to end. The caller
     * clears its thread's interrupt flag first and restores it after its own file operations (an
     * interrupted thread's channel I/O closes the channel); a flag raised during the wait is left set.
     *
     * @return false if the thread was still forcing when the wait ended; it then stops after that force
     */
    boolean close(final long waitMs) {
        isRunning = false;
        if (thread == null) {
            return true;
        }
        final IdleStrategy wait = new SleepingMillisIdleStrategy(1);
        for (long i = 0; i < waitMs && !isStopped; i++) {
            wait.idle();
        }
        return isStopped;
    }

    @Override
    public void run() {
        while (isRunning) {
            idle.idle(doWork());
        }
        isStopped = true;
    }

    /** One duty cycle: the waiting request's force, if any. */
    int doWork() {
        final ForcedFile file = request.getAndSet(null);
        if (file == null) {
            return 0;
        }
        forceOnce(file);
        return 1;
    }

    private void forceOnce(final ForcedFile file) {
        try {
            file.channel().force(false);
            forceCount++;
        } catch (final ClosedChannelException closed) {
            // Truncated, deleted or closed by the log's thread, which forced what had to survive first.
        } catch (final IOException | RuntimeException ex) {
            failed(file, ex);
        }
    }

    /** Keeps the first failure; the forcer thread's, or a test's standing in for a failing disk. */
    void failed(final ForcedFile file, final Exception cause) {
        if (failure == null) {
            failure = new IOException("background force of " + file.path() + " failed", cause);
        }
    }
}

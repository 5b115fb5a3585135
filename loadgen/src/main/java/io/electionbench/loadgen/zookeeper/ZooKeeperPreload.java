package io.electionbench.loadgen.zookeeper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Loads data into a ZooKeeper ensemble before a cell's trials ({@code --preload}): persistent znodes
 * {@code /electionbench-preload/p-N} of a given size, created asynchronously through one session of the
 * release's own client ({@link ZooKeeperClient}) with a bounded number unanswered. Assumes nothing about
 * where the servers run; checking that every server holds the data is the caller's part.
 */
public final class ZooKeeperPreload {
    public static final String PARENT = "/electionbench-preload";
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int CLOSE_WAIT_MS = 5_000;

    private ZooKeeperPreload() {
    }

    /**
     * Creates {@code count} znodes of {@code valueBytes} bytes (zeros), at most {@code window} unanswered, by
     * {@code deadlineNs} ({@link System#nanoTime()}). A znode that already exists counts as created.
     *
     * @param servers the ensemble's client addresses, tried in this order
     * @throws IOException naming the first failed create, or how far it got by the deadline
     */
    public static void create(final ZooKeeperClient client, final List<InetSocketAddress> servers,
        final int sessionTimeoutMs, final long count, final int valueBytes, final int window, final long deadlineNs)
        throws IOException {
        final ZooKeeperSession session = client.open(servers, sessionTimeoutMs, (state, atNs) -> { });
        try {
            createParent(session, deadlineNs);
            final byte[] data = new byte[valueBytes];
            final Semaphore permits = new Semaphore(window);
            final AtomicLong created = new AtomicLong();
            final AtomicReference<String> failure = new AtomicReference<>();
            final ZooKeeperSession.CreateAnswer answer = (index, rc, name, czxid, atNs) -> {
                if (rc == ZooKeeperSession.OK || rc == ZooKeeperSession.NODE_EXISTS) {
                    created.incrementAndGet();
                } else {
                    failure.compareAndSet(null, "create " + path(index) + " failed with code " + rc);
                }
                permits.release();
            };
            for (long i = 0; i < count; i++) {
                while (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    check(failure, deadlineNs, created.get(), count);
                }
                check(failure, deadlineNs, created.get(), count);
                session.create(path(i), data, false, answer, i);
            }
            while (created.get() < count) {
                check(failure, deadlineNs, created.get(), count);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("preload: interrupted", ex);
        } finally {
            session.close(CLOSE_WAIT_MS);
        }
    }

    static String path(final long index) {
        return String.format("%s/p-%010d", PARENT, index);
    }

    private static void createParent(final ZooKeeperSession session, final long deadlineNs) throws IOException {
        while (true) {
            try {
                session.createPersistent(PARENT, new byte[0]);
                return;
            } catch (final ZooKeeperSession.Failure ex) {
                if (ex.code() == ZooKeeperSession.NODE_EXISTS) {
                    return;
                }
                if (ex.code() != ZooKeeperSession.CONNECTION_LOSS || System.nanoTime() - deadlineNs > 0) {
                    throw new IOException("preload: cannot create " + PARENT + ": " + ex.getMessage(), ex);
                }
                LockSupport.parkNanos(RETRY_NS);
            }
        }
    }

    private static void check(final AtomicReference<String> failure, final long deadlineNs, final long done,
        final long count) throws IOException {
        if (failure.get() != null) {
            throw new IOException("preload: " + failure.get() + " after " + done + " of " + count + " znodes");
        }
        if (System.nanoTime() - deadlineNs > 0) {
            throw new IOException("preload: " + done + " of " + count + " znodes created within the timeout");
        }
    }
}

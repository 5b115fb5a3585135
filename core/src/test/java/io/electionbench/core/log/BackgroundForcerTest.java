package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writeback thread alone, over channels whose force the test controls. */
class BackgroundForcerTest {
    private final BackgroundForcer forcer = new BackgroundForcer("log-writeback-test");

    @AfterEach
    void stop() throws Exception {
        forcer.close(Await.TIMEOUT_MS);
    }

    static Segment segment(final FileChannel channel) {
        return new Segment(Path.of("log.test"), channel, 1, 1, LogFormat.SEGMENT_HEADER_BYTES);
    }

    @Test
    void forcesWhatIsPostedAndIdlesBetween() {
        final ForceChannel channel = new ForceChannel();
        forcer.force(segment(channel));
        Await.until("the first force", () -> forcer.forceCount() == 1, () -> "forces " + forcer.forceCount());
        forcer.force(segment(channel));
        Await.until("the second force", () -> forcer.forceCount() == 2, () -> "forces " + forcer.forceCount());
        assertEquals(2, channel.forces.get());
        Await.until("the thread to park", () -> isParked(forcer.thread()), () -> forcer.thread().getState().toString());
    }

    /** Idle, the thread backs off to timed parks. */
    static boolean isParked(final Thread thread) {
        return thread.getState() == Thread.State.TIMED_WAITING;
    }

    @Test
    void requestsDuringAForceCoalesceIntoOneMore() throws Exception {
        final ForceChannel blocking = new ForceChannel();
        blocking.release = new CountDownLatch(1);
        forcer.force(segment(blocking));
        Await.until("the blocking force to start", () -> blocking.forces.get() == 1, () -> "not started");
        final ForceChannel later = new ForceChannel();
        for (int i = 0; i < 5; i++) {
            forcer.force(segment(later));
        }
        blocking.release.countDown();
        Await.until("both forces", () -> forcer.forceCount() == 2, () -> "forces " + forcer.forceCount());
        Await.until("the thread to park", () -> isParked(forcer.thread()), () -> forcer.thread().getState().toString());
        assertEquals(1, later.forces.get(), "five requests during a force, one force after it");
    }

    @Test
    void aChannelClosedMeanwhileIsNoFailure() throws Exception {
        final ForceChannel closed = new ForceChannel();
        closed.failure = new AsynchronousCloseException();
        forcer.force(segment(closed));
        Await.until("the force of the closed channel", () -> closed.forces.get() == 1, () -> "not tried");
        final ForceChannel open = new ForceChannel();
        forcer.force(segment(open));
        Await.until("the next force", () -> forcer.forceCount() == 1, () -> "forces " + forcer.forceCount());
        assertNull(forcer.failure());
    }

    @Test
    void anyOtherFailureIsKeptAndTheThreadGoesOn() throws Exception {
        final ForceChannel failing = new ForceChannel();
        final IOException disk = new IOException("Input/output error");
        failing.failure = disk;
        forcer.force(segment(failing));
        Await.until("the failure", () -> forcer.failure() != null, () -> "none");
        assertSame(disk, forcer.failure().getCause());
        assertTrue(forcer.failure().getMessage().contains("log.test"), forcer.failure().getMessage());
        assertEquals(0, forcer.forceCount());
        final ForceChannel healthy = new ForceChannel();
        forcer.force(segment(healthy));
        Await.until("the next force", () -> forcer.forceCount() == 1, () -> "forces " + forcer.forceCount());
        assertSame(disk, forcer.failure().getCause(), "the first failure stays");
    }

    @Test
    void closeWaitsForAForceInProgressWithinItsBound() throws Exception {
        final ForceChannel blocking = new ForceChannel();
        blocking.release = new CountDownLatch(1);
        forcer.force(segment(blocking));
        Await.until("the blocking force to start", () -> blocking.forces.get() == 1, () -> "not started");
        final ForceChannel dropped = new ForceChannel();
        forcer.force(segment(dropped));
        assertFalse(forcer.close(1), "the force still runs");
        assertThrows(IllegalStateException.class, () -> forcer.force(segment(dropped)));
        blocking.release.countDown();
        assertTrue(forcer.close(Await.TIMEOUT_MS));
        Await.until("the thread to end", () -> !forcer.thread().isAlive(), () -> forcer.thread().getState().toString());
        assertEquals(0, dropped.forces.get(), "a request waiting at close is dropped: the log forces synchronously");
    }

    @Test
    void closeWithoutARequestStartsNoThread() throws Exception {
        assertTrue(forcer.close(Await.TIMEOUT_MS));
        assertNull(forcer.thread());
    }

    /** A channel that only counts forces, optionally blocking in them or failing them. */
    static final class ForceChannel extends FileChannel {
        final AtomicInteger forces = new AtomicInteger();
        volatile CountDownLatch release;
        volatile IOException failure;

        @Override
        public void force(final boolean metaData) throws IOException {
            forces.incrementAndGet();
            final CountDownLatch latch = release;
            if (latch != null) {
                try {
                    assertTrue(latch.await(Await.TIMEOUT_MS, TimeUnit.MILLISECONDS), "released");
                } catch (final InterruptedException ex) {
                    throw new AssertionError(ex);
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public int read(final ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(final ByteBuffer[] dsts, final int offset, final int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(final ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        public FileChannel position(final long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public FileChannel truncate(final long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(final ReadableByteChannel src, final long position, final long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final ByteBuffer dst, final long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(final ByteBuffer src, final long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() {
        }
    }
}

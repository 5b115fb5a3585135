package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Fails a test when Netty's leak detector (paranoid in this build) reports a buffer it leaked:
 * {@code @ExtendWith(LeakWatch.class)} on every test class that runs real sockets, in any package.
 * The detector reports a leak when a later allocation finds the buffer collected, so after the test
 * (and its {@code @AfterEach}, which closes the nodes) this collects and allocates for a bounded while
 * (reference processing runs after the collection) before it checks. The listener is global, so a
 * leak is blamed on the test during which it was found; tests here do not run in parallel.
 */
public final class LeakWatch implements BeforeEachCallback, AfterEachCallback {
    private static final long SETTLE_NS = 300_000_000L;

    private final List<String> leaks = new ArrayList<>();

    @Override
    public void beforeEach(final ExtensionContext context) {
        synchronized (leaks) {
            leaks.clear();
        }
        ByteBufUtil.setLeakListener((resourceType, records) -> {
            synchronized (leaks) {
                leaks.add(resourceType + ": " + records);
            }
        });
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        final long deadline = System.nanoTime() + SETTLE_NS;
        while (isLeakFree() && System.nanoTime() - deadline < 0) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
            }
            LockSupport.parkNanos(10_000_000L);
        }
        ByteBufUtil.setLeakListener(null);
        synchronized (leaks) {
            assertTrue(leaks.isEmpty(), "buffers leaked: " + leaks);
        }
    }

    private boolean isLeakFree() {
        synchronized (leaks) {
            return leaks.isEmpty();
        }
    }
}

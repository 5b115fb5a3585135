package io.electionbench.core.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition another thread brings about, failing at a deadline rather than sleeping a guess. */
final class Await {
    static final long TIMEOUT_MS = 10_000;

    private Await() {
    }

    static void until(final String what, final BooleanSupplier condition, final Supplier<String> lastSeen) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting for " + what
                    + "; last seen: " + lastSeen.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}

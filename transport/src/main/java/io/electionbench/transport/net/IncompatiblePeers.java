package io.electionbench.transport.net;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.electionbench.core.quorum.Ensemble;

/**
 * The members found unable to work with us at the quorum port ({@link Incompatibility}), one slot
 * per member: written by the event loop when a connection shows it, cleared when the member speaks
 * our quorum protocol after all, read by the admin endpoint ({@code GET /state}, any thread; atomic
 * arrays, no locks).
 */
final class IncompatiblePeers {
    private final Ensemble ensemble;
    private final AtomicReferenceArray<Incompatibility> reasons;
    /** How many connections showed it since it was first seen. */
    private final AtomicLongArray times;

    IncompatiblePeers(final Ensemble ensemble) {
        this.ensemble = ensemble;
        this.reasons = new AtomicReferenceArray<>(ensemble.size());
        this.times = new AtomicLongArray(ensemble.size());
    }

    /**
     * The member at {@code index} showed {@code reason} once more (event loop).
     *
     * @return true if this is news (first seen, or another reason than before): the caller logs it
     */
    boolean record(final int index, final Incompatibility reason) {
        final Incompatibility previous = reasons.getAndSet(index, reason);
        if (previous != reason) {
            times.set(index, 1);
            return true;
        }
        times.incrementAndGet(index);
        return false;
    }

    /** The member at {@code index} spoke our protocol: it is no longer counted incompatible (event loop). */
    void clear(final int index) {
        if (reasons.get(index) != null) {
            reasons.set(index, null);
            times.set(index, 0);
        }
    }

    /** The reason recorded for the member at {@code index}, or null (any thread). */
    Incompatibility reason(final int index) {
        return reasons.get(index);
    }

    /** {@code [{"sid":1,"reason":"zookeeper_leader","detail":"...","times":3}]}, in member order (any thread). */
    String toJson() {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < ensemble.size(); i++) {
            final Incompatibility reason = reasons.get(i);
            if (reason == null) {
                continue;
            }
            json.append(json.length() == 1 ? "" : ",").append("{\"sid\":").append(ensemble.sid(i))
                .append(",\"reason\":\"").append(reason.metricName()).append("\",\"detail\":\"")
                .append(reason.description()).append("\",\"times\":").append(times.get(i)).append('}');
        }
        return json.append(']').toString();
    }
}

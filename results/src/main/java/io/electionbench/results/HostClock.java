package io.electionbench.results;

import java.time.Instant;
import java.util.Objects;

/**
 * One estimate of a host's real-time clock against the load generator's, taken by the hosts target at the start or
 * the end of a cell (docs/loadgen.md, "One clock"): the host's clock read {@code offsetMs} ahead of the load
 * generator's (negative: behind), within {@code errorMs} either way (half the least round trip, NTP-style). A
 * diagnostic: every time a cell measures is on the load generator's clock; the offsets let a user line the hosts'
 * own logs up with it.
 *
 * @param sid      the server's id in the inventory.
 * @param host     its SSH destination (user@host, an alias), as the inventory names it.
 * @param when     {@code start} or {@code end} of the cell.
 * @param at       the load generator's real time of the estimate.
 * @param offsetMs host clock minus load generator clock, ms.
 * @param errorMs  the bound on the estimate's error, ms (positive).
 */
public record HostClock(long sid, String host, String when, Instant at, double offsetMs, double errorMs) {
    public HostClock {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(at, "at");
    }
}

package io.electionbench.loadgen.sync;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trial: every lagging follower's catch-up from the same leader.
 *
 * <p>The aggregate window runs from the earliest follower's SYNC_START to the latest one's end. A
 * follower reports only the duration of its sync, so its end is taken as the moment it was seen
 * serving, which follows its NEWLEADER ACK by one loopback round trip (the leader answers the ACK with
 * UPTODATE at once, since it already serves) and a status poll, and its start as that moment minus the
 * duration. So the window errs long, by well under a millisecond; with one follower the aggregate
 * equals the follower's own figures.
 *
 * @param leaderSid the sync source
 * @param followers one entry per lagging follower, by sid
 * @param cpuNs     CPU time of this JVM's threads by role (leader_agent, leader_transport, follower_agent,
 *                  follower_transport, peers, other) from the followers' start until all of them served
 */
public record SyncTrial(long leaderSid, List<FollowerSync> followers, Map<String, Long> cpuNs) {
    public SyncTrial {
        followers = List.copyOf(followers);
        cpuNs = Collections.unmodifiableMap(new LinkedHashMap<>(cpuNs));
    }

    public long totalTxns() {
        return followers.stream().mapToLong(FollowerSync::txns).sum();
    }

    public long totalBytes() {
        return followers.stream().mapToLong(FollowerSync::bytes).sum();
    }

    /** From the first follower's sync start to the last one's end (see the class comment). */
    public long windowNs() {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (final FollowerSync f : followers) {
            start = Math.min(start, f.servingNs() - f.syncNs());
            end = Math.max(end, f.servingNs());
        }
        return end - start;
    }

    public double txnsPerSecond() {
        return totalTxns() * 1e9 / windowNs();
    }

    public double bytesPerSecond() {
        return totalBytes() * 1e9 / windowNs();
    }

    /** The slowest follower's start-to-serving time. */
    public long readyNs() {
        return followers.stream().mapToLong(FollowerSync::readyNs).max().orElse(0);
    }
}

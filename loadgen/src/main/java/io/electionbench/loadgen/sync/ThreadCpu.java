package io.electionbench.loadgen.sync;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's Java threads, grouped by their role in a sync: the leader's agent and event
 * loop, the followers' agents and event loops, the other members, and the rest (JIT compilers, the
 * benchmark itself; GC threads are not Java threads and are not counted). On a machine with few cores
 * and other load, CPU time per txn says where a sync's time goes better than wall time can.
 *
 * <p>Thread names: a node's agent runs as {@code election-<sid>} and its event loop as
 * {@code transport-<sid>-...}.
 */
final class ThreadCpu {
    static final String LEADER_AGENT = "leader_agent";
    static final String LEADER_TRANSPORT = "leader_transport";
    static final String FOLLOWER_AGENT = "follower_agent";
    static final String FOLLOWER_TRANSPORT = "follower_transport";
    static final String PEERS = "peers";
    static final String OTHER = "other";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** CPU nanoseconds so far per live thread id (threads that cannot be measured are left out). */
    static Map<Long, Long> sample() {
        final Map<Long, Long> out = new HashMap<>();
        if (!THREADS.isThreadCpuTimeSupported()) {
            return out;
        }
        for (final long id : THREADS.getAllThreadIds()) {
            final long ns = THREADS.getThreadCpuTime(id);
            if (ns >= 0) {
                out.put(id, ns);
            }
        }
        return out;
    }

    /**
     * CPU time each group used between two samples; a thread started after {@code before} counts from
     * its start.
     *
     * @param leaderSid the sync source
     * @param followers the lagging followers are sids 1..followers
     */
    static Map<String, Long> byRole(final Map<Long, Long> before, final Map<Long, Long> after, final long leaderSid,
        final int followers) {
        final Map<String, Long> out = new LinkedHashMap<>();
        for (final String group : new String[] {LEADER_AGENT, LEADER_TRANSPORT, FOLLOWER_AGENT, FOLLOWER_TRANSPORT,
            PEERS, OTHER}) {
            out.put(group, 0L);
        }
        for (final Map.Entry<Long, Long> e : after.entrySet()) {
            final ThreadInfo info = THREADS.getThreadInfo(e.getKey());
            if (info == null) {
                continue;
            }
            final long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            out.merge(role(info.getThreadName(), leaderSid, followers), used, Long::sum);
        }
        return out;
    }

    static String role(final String threadName, final long leaderSid, final int followers) {
        final boolean isAgent = threadName.startsWith("election-");
        final boolean isTransport = threadName.startsWith("transport-");
        if (!isAgent && !isTransport) {
            return OTHER;
        }
        final String rest = threadName.substring(threadName.indexOf('-') + 1);
        final int end = rest.indexOf('-');
        final long sid;
        try {
            sid = Long.parseLong(end < 0 ? rest : rest.substring(0, end));
        } catch (final NumberFormatException ex) {
            return OTHER;
        }
        if (sid == leaderSid) {
            return isAgent ? LEADER_AGENT : LEADER_TRANSPORT;
        }
        if (sid >= 1 && sid <= followers) {
            return isAgent ? FOLLOWER_AGENT : FOLLOWER_TRANSPORT;
        }
        return PEERS;
    }
}

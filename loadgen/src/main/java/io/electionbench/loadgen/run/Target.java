package io.electionbench.loadgen.run;

import java.util.List;
import java.util.Map;

import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.write.WriteDriver;
import io.electionbench.results.HostClock;

/**
 * An ensemble the load generator can start, hurt and watch: the simulator, nodes in this JVM, node
 * processes, or real ZooKeeper servers. Times are on one monotonic clock shared with the nodes'
 * event timestamps (virtual time for the simulator).
 */
public interface Target extends AutoCloseable {
    /** {@code sim}, {@code inproc}, {@code process}, ... */
    String name();

    Ensemble ensemble();

    /** Starts a server, or restarts it from its persisted state. */
    void start(long sid) throws Exception;

    /** Starts several servers at once (processes launched together, then awaited). */
    default void startAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            start(sid);
        }
    }

    /** Kills a server without shutdown (kill -9). */
    void crash(long sid) throws Exception;

    /**
     * Kills several servers as one fault: at once where the kills are remote commands, so that none of them can win
     * an election in the time another kill takes (default: one after the other).
     */
    default void crashAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            crash(sid);
        }
    }

    /** Freezes a server (SIGSTOP); false if this target cannot. */
    boolean pause(long sid) throws Exception;

    void resume(long sid) throws Exception;

    /** Cuts every link between the sides, silently. */
    void partition(long[][] sides) throws Exception;

    /**
     * Makes {@code receiver} deaf to {@code senders}: their packets to it vanish, its own still reach them (a one-way
     * cut, healed by {@link #heal}); false where this target can only cut links both ways.
     */
    default boolean cutOneWay(final long receiver, final long[] senders) throws Exception {
        return false;
    }

    /** Restores every link. */
    void heal() throws Exception;

    long nowNs();

    /** Lets time pass (virtual time on the simulator). */
    void idle(long durationNs) throws Exception;

    /** Every server's current view. */
    Map<Long, NodeView> snapshot() throws Exception;

    /** Events reported since the last call, in no particular order. */
    List<TrialEvent> drainEvents() throws Exception;

    /**
     * What the servers reported about themselves since the last call (ZooKeeper's log lines: election
     * durations, sync decisions); {@link ServerReports#NONE} where a target reports none.
     */
    default ServerReports drainReports() throws Exception {
        return ServerReports.NONE;
    }

    /**
     * Writes {@code count} values of {@code valueBytes} bytes through the serving leader of a stable
     * ensemble and returns once every running server holds them ({@code --preload}): the data every
     * trial of the cell then recovers with.
     *
     * @throws UnsupportedOperationException when this target cannot
     */
    default void preload(final long count, final int valueBytes, final long timeoutNs) throws Exception {
        throw new UnsupportedOperationException("the " + name() + " target cannot preload data");
    }

    /** Syncs that finished since the last call (learners' {@code onSynced}), in no particular order. */
    default List<SyncEvent> drainSyncs() throws Exception {
        return List.of();
    }

    /**
     * The open-loop writer for this target at {@code ratePerS} writes a second (created once, reused
     * by every trial of the cell; closed with the target).
     *
     * @param answerTimeoutNs a node with writes outstanding that answers nothing this long is given up on
     * @throws UnsupportedOperationException when this target cannot take writes
     */
    default WriteDriver writes(final double ratePerS, final long answerTimeoutNs) throws Exception {
        throw new UnsupportedOperationException("the " + name() + " target cannot take writes");
    }

    /**
     * Client sessions of this target's own kind ({@code --clients}, docs/loadgen.md "Failover as clients see
     * it"), not yet open; null where a target has none (the simulator).
     */
    default ClientTransport clients(final ClientLoad load) throws Exception {
        return null;
    }

    /**
     * The hosts target's estimate of each host's real-time clock against the load generator's, taken now
     * ({@code when}: start, end); empty for every other target, whose servers share the load generator's clock.
     */
    default List<HostClock> hostClocks(final String when) throws Exception {
        return List.of();
    }

    /** The hosts target's firewall mechanism per server id (iptables, nft, or why none); empty elsewhere. */
    default Map<String, String> faultMechanisms() {
        return Map.of();
    }

    /**
     * The widest gap, since the last call, between sending a fault's command and the server's host confirming it
     * (kill -9 until the process was gone, firewall rules until every host had them), on this target's clock; -1
     * where faults are local calls whose instant is exact (docs/loadgen.md, "Running on your own machines").
     */
    default long drainFaultUncertaintyNs() {
        return -1;
    }

    /** Election notifications sent by all servers so far, or -1 if unknown. */
    long notificationsSent() throws Exception;

    /**
     * Waits until one leader is serving and every live server that can reach it follows it and is
     * serving; false after {@code timeoutNs}.
     */
    boolean awaitStable(long timeoutNs) throws Exception;

    @Override
    void close();
}

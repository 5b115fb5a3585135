package io.electionbench.core.sim.fault;

/** What faults are done to: the simulated cluster. Sids are the ensemble's. */
public interface FaultTarget {
    boolean isUp(long sid);

    /** Starts (or restarts) a server from its persisted state. */
    void start(long sid);

    /** Kills a server without shutdown: memory is lost, storage kept; connected peers see a reset. */
    void crash(long sid);

    boolean isPartitioned();

    /** Cuts every link between servers of different groups, silently; every member in exactly one group. */
    void partition(long[][] groups);

    /** Makes {@code receiver} deaf to {@code senders}: what they send it is lost, what it sends arrives. */
    void cutOneWay(long receiver, long[] senders);

    /** Restores every link. */
    void heal();

    /** Sets a message fault for the messages sent from now on ({@link MessageFault}). */
    void faultMessages(MessageFault fault);
}

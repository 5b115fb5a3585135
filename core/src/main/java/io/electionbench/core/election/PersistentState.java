package io.electionbench.core.election;

/**
 * What a server keeps across restarts and reports in its initial vote: the last logged zxid and the
 * accepted and current epochs (ZooKeeper's {@code acceptedEpoch} and {@code currentEpoch} files).
 * The recovery phase writes it; the election only reads it.
 */
public interface PersistentState {
    long lastLoggedZxid();

    long currentEpoch();

    long acceptedEpoch();
}

package io.electionbench.core.sim.doubles;

import io.electionbench.core.election.PersistentState;
import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.log.TxnLog;

/**
 * {@link PersistentState} kept in memory: a {@link MemoryTxnLog} and two epochs. Nothing survives the
 * process; for benchmarks and tests that drive an agent by hand, and the simulator's durable state
 * ({@link io.electionbench.core.sim.SimStorage}, which adds the builders of histories).
 */
public class MemoryState implements PersistentState {
    private final MemoryTxnLog log;
    private long currentEpoch;
    private long acceptedEpoch;

    /** @param log the history, sized by the caller (pre-size it to keep a measurement free of growth) */
    public MemoryState(final MemoryTxnLog log) {
        this.log = log;
    }

    @Override
    public TxnLog log() {
        return log;
    }

    /** The history as its concrete type, for callers that compact or inspect it. */
    public MemoryTxnLog memoryLog() {
        return log;
    }

    @Override
    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    @Override
    public void acceptedEpoch(final long epoch) {
        acceptedEpoch = epoch;
    }

    @Override
    public void currentEpoch(final long epoch) {
        currentEpoch = epoch;
    }
}

package io.electionbench.core.sim;

import io.electionbench.core.election.PersistentState;

/** A simulated server's durable state: it survives a crash, unlike the agent. */
public final class SimStorage implements PersistentState {
    private long lastLoggedZxid;
    private long currentEpoch;
    private long acceptedEpoch;

    @Override
    public long lastLoggedZxid() {
        return lastLoggedZxid;
    }

    @Override
    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    /** Sets the history's end and both epochs, as a scenario's {@code state N zxid E:C} does. */
    public void set(final long lastZxid, final long current, final long accepted) {
        this.lastLoggedZxid = lastZxid;
        this.currentEpoch = current;
        this.acceptedEpoch = accepted;
    }
}

package io.electionbench.core.sim;

import org.agrona.concurrent.UnsafeBuffer;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.sim.check.SimPayloads;
import io.electionbench.core.sim.doubles.MemoryState;

/** A simulated server's durable state: an in-memory log and both epochs. It survives a crash, unlike the agent. */
public final class SimStorage extends MemoryState {
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);

    public SimStorage() {
        super(new MemoryTxnLog(16, 256));
    }

    /**
     * Appends txns {@code epoch:from .. epoch:to} with the payloads every simulated writer of that zxid
     * uses ({@link SimPayloads}), so two servers given the same range hold the same history.
     */
    public void appendRange(final long epoch, final long fromCounter, final long toCounter) {
        for (long c = fromCounter; c <= toCounter; c++) {
            final long zxid = Zxid.make(epoch, c);
            SimPayloads.fill(payload, zxid);
            memoryLog().append(zxid, payload, 0, SimPayloads.LENGTH);
        }
    }

    /** Sets both epochs, as a scenario's {@code state} line does (current epoch = the last range's epoch). */
    public void epochs(final long current, final long accepted) {
        currentEpoch(current);
        acceptedEpoch(accepted);
    }
}

package io.electionbench.loadgen.write;

/**
 * Open-loop writes during trials (docs/loadgen.md, "Writes"): started before a trial's fault,
 * stopped once the trial settled, then checked against the leader's history. Called from the trial
 * thread; on the simulator the writes happen while the target's time passes
 * ({@link io.electionbench.loadgen.run.Target#idle}, {@link io.electionbench.loadgen.run.Target#awaitStable}),
 * on real targets on the driver's own thread.
 */
public interface WriteDriver extends AutoCloseable {
    /** Starts a trial's writes on a new schedule that begins now (the target's clock). */
    void begin() throws Exception;

    /** When the current schedule began. */
    long startNs();

    /**
     * The latest intended time among the trial's committed writes, or Long.MIN_VALUE before the
     * first; a value at or after T means a write due at or after T has committed.
     */
    long maxCommittedIntendedNs();

    /**
     * Distinct writes of the current schedule acknowledged so far, for progress displays (any thread;
     * -1 when the driver does not count them live).
     */
    default long committedSoFar() {
        return -1;
    }

    /**
     * Stops new writes, waits up to {@code drainNs} for those issued to commit (retrying as needed),
     * and returns what the trial's writes did.
     */
    TrialWrites end(long drainNs) throws Exception;

    /**
     * Checks that every write acknowledged COMMITTED in {@code writes} is in the serving leader's
     * history at its zxid, with its sequence.
     *
     * @return a description of the first acknowledged write missing (or of why the check could not
     *         run), or null when none is
     */
    String missingAcknowledged(TrialWrites writes) throws Exception;

    @Override
    void close();
}

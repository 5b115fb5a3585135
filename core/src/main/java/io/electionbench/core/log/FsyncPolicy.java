package io.electionbench.core.log;

/**
 * When a {@link FileTxnLog} forces appended records to stable storage. Truncation, snapshot files,
 * renames and deletions are forced under every policy (they decide which history survives a crash);
 * under ALWAYS and BATCH a segment is also forced before the next one is created, so only the last
 * segment can hold a torn tail.
 */
public enum FsyncPolicy {
    /**
     * Force after every append: an append that returned survives a crash. ZooKeeper's
     * {@code forceSync=yes}, without its group commit.
     */
    ALWAYS,
    /**
     * Force when {@link FileTxnLog#flush()} is called (the caller batches, e.g. once per duty cycle and
     * before acknowledging), or after a configured number of appends or bytes. Appends since the last
     * force may be lost in a crash; what survives is always a prefix of what was appended. The forces
     * after that number of appends or bytes run on a background thread by default
     * ({@link FileTxnLog.Options#backgroundForce}): they bound what a crash loses but acknowledge nothing,
     * so the appender does not wait for them; flush() still forces itself.
     */
    BATCH,
    /**
     * Never force appends; the OS writes them back when it likes. A crash of the machine (not of the
     * process) may lose any suffix of the history, and with a segment roll in between even leave a
     * damaged middle segment, which recovery refuses. For benchmarks and tests.
     */
    NEVER
}

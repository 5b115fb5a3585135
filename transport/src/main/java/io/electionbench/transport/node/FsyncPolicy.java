package io.electionbench.transport.node;

import java.util.Locale;

/** zoo.cfg {@code fsync=}: when the (later) txn log forces its writes to disk. Epoch files are always forced. */
public enum FsyncPolicy {
    /** Force every write before acknowledging it (ZooKeeper's {@code forceSync=yes}). */
    ALWAYS,
    /** Force once per batch of writes. */
    BATCH,
    /** Never force (benchmarks only: a power loss may lose acknowledged writes). */
    NEVER;

    /** Parses {@code always}, {@code batch} or {@code never}, case-insensitive; null if unknown. */
    public static FsyncPolicy byName(final String name) {
        for (final FsyncPolicy policy : values()) {
            if (policy.name().equalsIgnoreCase(name)) {
                return policy;
            }
        }
        return null;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

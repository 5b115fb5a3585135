package io.electionbench.core;

/**
 * A server's role. The ordinals go on ZooKeeper's election wire (LOOKING=0, FOLLOWING=1, LEADING=2,
 * OBSERVING=3), so the declaration order must never change.
 */
public enum ServerState {
    LOOKING,
    FOLLOWING,
    LEADING,
    OBSERVING;

    private static final ServerState[] VALUES = values();

    /** The wire ordinal of this state. */
    public int code() {
        return ordinal();
    }

    /** True for a code that ZooKeeper accepts; any other state int makes the notification dropped. */
    public static boolean isValidCode(final int code) {
        return code >= 0 && code < VALUES.length;
    }

    /** The state for a wire code; callers check {@link #isValidCode(int)} first. */
    public static ServerState fromCode(final int code) {
        return VALUES[code];
    }
}

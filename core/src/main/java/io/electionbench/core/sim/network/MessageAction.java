package io.electionbench.core.sim.network;

/** What a message fault does to the next messages of a kind on a link ({@link SimNetwork#faultMessages}). */
public enum MessageAction {
    /** The message never arrives; the connection stays up, as if its sender had never sent it. */
    DROP,
    /** The message arrives later by a fixed amount; on an ordered link what follows it waits behind it. */
    DELAY,
    /** The message arrives twice, back to back. */
    DUPLICATE
}

package io.electionbench.core.scenario;

import java.util.List;

/**
 * One line of a scenario file, parsed. Setup commands ({@link Ensemble}, {@link Group},
 * {@link Weight}, {@link Policy}, {@link Seed}, {@link State}, {@link Snapshot}) describe the
 * ensemble before it runs; actions change it; expectations check it.
 */
public sealed interface Command {
    /** The 1-based line in the file. */
    int line();

    /** The line's text without its comment. */
    String text();

    record Ensemble(int line, String text, int size, long[] observers) implements Command {
    }

    record Group(int line, String text, long group, long[] sids) implements Command {
    }

    record Weight(int line, String text, long sid, long weight) implements Command {
    }

    record Policy(int line, String text, String name) implements Command {
    }

    record Seed(int line, String text, long seed) implements Command {
    }

    /**
     * Persisted history before start: inclusive zxid ranges, in order, ending at {@code lastZxid}; the
     * current (and accepted) epoch is that zxid's epoch unless an {@code epoch N} suffix names a later one
     * (a server that acknowledged a newer leader before any of its txns arrived); {@code acceptedEpoch}
     * may be above it ({@code accepted A current C}: ACKEPOCH sent, NEWLEADER never acknowledged). With
     * {@code newEpochZxid} the history ends in the new-epoch zxid {@code lastZxid} = E:0 (joined epoch E,
     * no txn of it): the ranges before it are held in a snapshot taken at E:0, as a learner synced by
     * SNAP from a leader at E:0 holds them ({@code Learner.syncWithLeader} snapshots at NEWLEADER).
     */
    record State(int line, String text, long sid, List<long[]> ranges, long lastZxid, long epoch, long acceptedEpoch,
        boolean newEpochZxid) implements Command {
        /** Both epochs {@code epoch}, the history ending in a txn. */
        public State(final int line, final String text, final long sid, final List<long[]> ranges, final long lastZxid,
            final long epoch) {
            this(line, text, sid, ranges, lastZxid, epoch, epoch, false);
        }
    }

    record Snapshot(int line, String text, long sid, long uptoZxid) implements Command {
    }

    /** A snapshot taken at a zxid: nothing held changes until a {@link Purge} or a restart. */
    record TakeSnapshot(int line, String text, long sid, long atZxid) implements Command {
    }

    /** The log before the server's newest snapshot taken is deleted; its committed window keeps. */
    record Purge(int line, String text, long sid) implements Command {
    }

    /** A running server's committed window drops every txn before {@code fromZxid} (MAX_VALUE: all). */
    record Window(int line, String text, long sid, long fromZxid) implements Command {
    }

    record Start(int line, String text, long[] sids) implements Command {
    }

    record Crash(int line, String text, long[] sids) implements Command {
    }

    record Restart(int line, String text, long[] sids) implements Command {
    }

    record Partition(int line, String text, long[][] groups) implements Command {
    }

    record Heal(int line, String text) implements Command {
    }

    record Write(int line, String text, int count) implements Command {
    }

    record Run(int line, String text, long durationNs) implements Command {
    }

    /**
     * {@code run until EVENT [within D]}: runs until the event's condition holds (at once if it holds
     * now), for at most {@code boundNs} of virtual time; the command before it is not settled.
     */
    record RunUntil(int line, String text, UntilKind kind, long sid, String state, long boundNs) implements Command {
    }

    /** What {@code run until} waits for. */
    enum UntilKind {
        /** {@code run until SID STATE}: the server is in that state (DOWN: not running). */
        STATE,
        /** {@code run until sync SID}: the server is receiving its sync stream (DIFF, TRUNC or SNAP). */
        SYNC
    }

    /** {@code drop|delay|duplicate FROM->TO KIND ...}: a fault on the next messages of a kind. */
    record Fault(int line, String text, io.electionbench.core.sim.fault.MessageFault fault) implements Command {
    }

    /**
     * {@code expect KIND args... [within D]}; validated by the parser, judged by the runner. With
     * {@code withinNs} >= 0 the expectation must also have held without a break since no later than
     * that much virtual time after the previous action began.
     */
    record Expect(int line, String text, ExpectKind kind, long sid, String value, long[] sids, long withinNs)
        implements Command {
        /** An expectation without a time bound. */
        public Expect(final int line, final String text, final ExpectKind kind, final long sid, final String value,
            final long[] sids) {
            this(line, text, kind, sid, value, sids, -1);
        }
    }

    enum ExpectKind {
        LEADER, NO_LEADER, STATE, SYNC, LOG_EQUAL, ZXID, EPOCH, ACCEPTED_EPOCH, ROUND
    }
}

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
     * (a server that acknowledged a newer leader before any of its txns arrived).
     */
    record State(int line, String text, long sid, List<long[]> ranges, long lastZxid, long epoch) implements Command {
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

    /** {@code expect KIND args...}; validated by the parser, judged by the runner. */
    record Expect(int line, String text, ExpectKind kind, long sid, String value, long[] sids) implements Command {
    }

    enum ExpectKind {
        LEADER, NO_LEADER, STATE, SYNC, LOG_EQUAL, ZXID
    }
}

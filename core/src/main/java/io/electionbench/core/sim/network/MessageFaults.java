package io.electionbench.core.sim.network;

import java.util.Arrays;

/**
 * The message faults set on a network and not yet used up: per link and kind, an action for the next
 * N messages. One preallocated {@link Rule} per rule set, made only when a rule is added; matching a
 * message scans the live rules in the order they were added, and the first that matches takes the
 * message and counts it. With no rule set, {@link #take} is never called. Simulator thread only.
 */
final class MessageFaults {
    /** One rule: {@code action} for the next {@code remaining} messages of {@code kind} on one link. */
    private static final class Rule {
        final MessageAction action;
        final int from;
        final int to;
        final MessageKind kind;
        final long delayNs;
        long remaining;

        Rule(final MessageAction action, final int from, final int to, final MessageKind kind, final long count,
            final long delayNs) {
            this.action = action;
            this.from = from;
            this.to = to;
            this.kind = kind;
            this.remaining = count;
            this.delayNs = delayNs;
        }
    }

    private Rule[] rules = new Rule[8];
    private int count;
    /** The delay of the last {@link MessageAction#DELAY} that {@link #take} returned. */
    private long takenDelayNs;

    boolean isEmpty() {
        return count == 0;
    }

    void add(final MessageAction action, final int from, final int to, final MessageKind kind, final long n,
        final long delayNs) {
        if (count == rules.length) {
            rules = Arrays.copyOf(rules, count * 2);
        }
        rules[count++] = new Rule(action, from, to, kind, n, delayNs);
    }

    /**
     * The action for a message of {@code kind} from {@code from} to {@code to} (member indexes), or null
     * when no rule matches; the matching rule counts it and is removed when used up.
     */
    MessageAction take(final int from, final int to, final MessageKind kind) {
        for (int r = 0; r < count; r++) {
            final Rule rule = rules[r];
            if (rule.from == from && rule.to == to && rule.kind == kind) {
                takenDelayNs = rule.delayNs;
                if (--rule.remaining == 0) {
                    System.arraycopy(rules, r + 1, rules, r, count - r - 1);
                    rules[--count] = null;
                }
                return rule.action;
            }
        }
        return null;
    }

    long takenDelayNs() {
        return takenDelayNs;
    }

    /** Rules not used up. */
    int size() {
        return count;
    }
}

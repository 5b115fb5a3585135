package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.List;

import io.electionbench.loadgen.hosts.Fleet;
import io.electionbench.loadgen.hosts.Inventory;

/**
 * The faults of the hosts targets, made by the hosts themselves, and when: a partition is firewall rules on every
 * host of each side against the addresses of the other sides (a silent, symmetric drop, as the local targets'
 * partitions are), added on all hosts at once; each fault's {@link Fleet.Bracket} (command sent, host confirmed) is
 * kept so a trial's fault instant carries its uncertainty.
 */
final class HostFaults {
    private final Fleet fleet;
    private final List<Fleet.Bracket> brackets = new java.util.concurrent.CopyOnWriteArrayList<>();

    HostFaults(final Fleet fleet) {
        this.fleet = fleet;
    }

    /** Keeps {@code b} (null: nothing happened) and returns it. */
    Fleet.Bracket record(final Fleet.Bracket b) {
        if (b != null) {
            brackets.add(b);
        }
        return b;
    }

    /** Every bracket since the last call. */
    List<Fleet.Bracket> drain() {
        final List<Fleet.Bracket> out = new ArrayList<>(brackets);
        brackets.removeAll(out);
        return out;
    }

    /** The widest bracket since the last call, in ns, or -1 when there was none; forgets them. */
    long widestNs() {
        long widest = -1;
        for (final Fleet.Bracket b : drain()) {
            widest = Math.max(widest, b.uncertaintyNs());
        }
        return widest;
    }

    /** Cuts every link between the sides on every host of them, dropping silently in both directions. */
    void partition(final long[][] sides) throws Exception {
        final long sentNs = System.nanoTime();
        fleet.each(s -> {
            final List<String> others = new ArrayList<>();
            boolean isMember = false;
            for (final long[] side : sides) {
                final boolean isOwn = contains(side, s.sid());
                isMember |= isOwn;
                if (!isOwn) {
                    for (final long sid : side) {
                        others.add(fleet.inventory().server(sid).address());
                    }
                }
            }
            if (isMember && !others.isEmpty()) {
                fleet.cut(s.sid(), others, true, true, Fleet.Cut.DROP);
            }
            return null;
        });
        record(new Fleet.Bracket(sentNs, System.nanoTime()));
    }

    /**
     * Drops, on {@code receiver}'s host, every packet from the {@code senders}' addresses; its own packets still
     * leave.
     */
    void cutOneWay(final long receiver, final long[] senders) throws Exception {
        final List<String> from = new ArrayList<>();
        for (final long sid : senders) {
            from.add(address(sid));
        }
        record(fleet.cut(receiver, from, true, false, Fleet.Cut.DROP));
    }

    /** kill -9 of each server of {@code sids} on its own host, all at once; {@code name} names its process. */
    void killAll(final long[] sids, final java.util.function.LongFunction<String> name) throws Exception {
        fleet.each(s -> {
            if (contains(sids, s.sid())) {
                record(fleet.kill(s.sid(), name.apply(s.sid())));
            }
            return null;
        });
    }

    /** Removes every rule on every host. */
    void heal() throws Exception {
        record(fleet.heal());
    }

    private static boolean contains(final long[] side, final long sid) {
        for (final long s : side) {
            if (s == sid) {
                return true;
            }
        }
        return false;
    }

    /** The inventory's address of {@code sid}. */
    String address(final long sid) {
        final Inventory.Server s = fleet.inventory().server(sid);
        return s.address();
    }
}

package io.electionbench.core.sim.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.electionbench.core.sim.network.NetworkModel;

/**
 * The faults of one randomized run, drawn from the run's generator so that a seed gives the same
 * schedule: the network (latency, loss, duplication, reordering, and under {@link Fault#BACKPRESSURE}
 * links that hold little), and at a step a crash or restart, or a partition (under {@link Fault#ONE_WAY}
 * sometimes a one-way cut) or heal, when those faults are on. Each fault done is logged first, in the
 * words of the run's schedule.
 */
public final class RandomFaults {
    private final Set<Fault> faults;
    private final long seed;
    private final int size;
    /** Under {@link Fault#ONE_WAY}: which partitions become one-way cuts, and of whom; a generator of its own. */
    private final SplittableRandom oneWay;

    public RandomFaults(final Set<Fault> faults, final long seed, final int size) {
        this.faults = faults;
        this.seed = seed;
        this.size = size;
        this.oneWay = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + size + 1);
    }

    /** The run's network: at least 20-519 us one way and up to 3 ms more; the faults' loss, duplication, reordering. */
    public NetworkModel network(final SplittableRandom rnd) {
        final long min = TimeUnit.MICROSECONDS.toNanos(20 + rnd.nextInt(500));
        final long max = min + TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(3000));
        final double loss = faults.contains(Fault.LOSS) ? pick(rnd, 0, 0.01, 0.05, 0.2) : 0;
        final double dup = faults.contains(Fault.DUPLICATE) ? pick(rnd, 0, 0.01, 0.1) : 0;
        final boolean fifo = !faults.contains(Fault.REORDER) || rnd.nextBoolean();
        return linkQueues(new NetworkModel(min, max, loss, dup, fifo));
    }

    /**
     * Under {@link Fault#BACKPRESSURE}, links that hold little: from one notification on its way and
     * quorum links full at 8 messages, to the defaults. Drawn from a generator of their own, so the
     * schedule of a seed is the same with and without this fault.
     */
    private NetworkModel linkQueues(final NetworkModel model) {
        if (!faults.contains(Fault.BACKPRESSURE)) {
            return model;
        }
        final SplittableRandom rnd = new SplittableRandom(seed * 0xC2B2AE3D27D4EB4FL + size);
        final int capacity = (int)pick(rnd, 8, 16, 64, NetworkModel.DEFAULT_QUORUM_LINK_CAPACITY);
        final int election = (int)pick(rnd, 1, 2, 4, NetworkModel.DEFAULT_ELECTION_LINK_CAPACITY);
        return model.withLinkQueues(election, Math.min(capacity / 2, NetworkModel.DEFAULT_QUORUM_HIGH_WATER),
            capacity);
    }

    /** The network once every fault has stopped: no loss, no duplication, links that hold the defaults. */
    public static NetworkModel calm(final NetworkModel model) {
        return model.withLoss(0).withDuplicates(0).withLinkQueues(NetworkModel.DEFAULT_ELECTION_LINK_CAPACITY,
            NetworkModel.DEFAULT_QUORUM_HIGH_WATER, NetworkModel.DEFAULT_QUORUM_LINK_CAPACITY);
    }

    /** Under {@link Fault#CRASH}: crashes a random server that is up, or restarts it if it is down. */
    public void crashOrRestart(final SplittableRandom rnd, final FaultTarget target, final Consumer<String> log) {
        if (!faults.contains(Fault.CRASH)) {
            return;
        }
        final long sid = 1 + rnd.nextInt(size);
        if (target.isUp(sid)) {
            log.accept("crash " + sid);
            target.crash(sid);
        } else {
            log.accept("restart " + sid);
            target.start(sid);
        }
    }

    /**
     * Under {@link Fault#PARTITION}: heals a partitioned ensemble half the time, else cuts it into two
     * or three random sides (a side may come out empty, so sometimes fewer).
     */
    public void partitionOrHeal(final SplittableRandom rnd, final FaultTarget target, final Consumer<String> log) {
        if (!faults.contains(Fault.PARTITION)) {
            return;
        }
        if (target.isPartitioned() && rnd.nextBoolean()) {
            log.accept("heal");
            target.heal();
            return;
        }
        final int sides = 2 + rnd.nextInt(2);
        final List<List<Long>> groups = new ArrayList<>();
        for (int g = 0; g < sides; g++) {
            groups.add(new ArrayList<>());
        }
        for (long sid = 1; sid <= size; sid++) {
            groups.get(rnd.nextInt(sides)).add(sid);
        }
        groups.removeIf(List::isEmpty);
        if (faults.contains(Fault.ONE_WAY) && oneWay.nextInt(3) == 0) {
            cutOneWay(target, log);
            return;
        }
        final long[][] arrays = new long[groups.size()][];
        final StringJoiner text = new StringJoiner(" | ", "partition ", "");
        for (int g = 0; g < arrays.length; g++) {
            arrays[g] = groups.get(g).stream().mapToLong(Long::longValue).toArray();
            final StringJoiner side = new StringJoiner(",");
            groups.get(g).forEach(s -> side.add(Long.toString(s)));
            text.add(side.toString());
        }
        log.accept(text.toString());
        target.partition(arrays);
    }

    /**
     * Instead of a partition: one random server hears nothing from the others, which still hear it. Drawn
     * from a generator of its own, so the rest of a seed's schedule is the same with and without this fault.
     */
    private void cutOneWay(final FaultTarget target, final Consumer<String> log) {
        final long receiver = 1 + oneWay.nextInt(size);
        final long[] senders = new long[size - 1];
        final StringJoiner text = new StringJoiner(",", "cut-one-way " + receiver + " from ", "");
        int n = 0;
        for (long sid = 1; sid <= size; sid++) {
            if (sid != receiver) {
                senders[n++] = sid;
                text.add(Long.toString(sid));
            }
        }
        log.accept(text.toString());
        target.cutOneWay(receiver, senders);
    }

    private static double pick(final SplittableRandom rnd, final double... values) {
        return values[rnd.nextInt(values.length)];
    }
}

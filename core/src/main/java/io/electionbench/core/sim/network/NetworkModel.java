package io.electionbench.core.sim.network;

import java.util.concurrent.TimeUnit;

/**
 * How the simulated network treats a message: a one-way latency drawn uniformly from
 * [minLatency, maxLatency], optional loss and duplication, and per-link FIFO (TCP) or free
 * reordering; and how much each link holds (the link model of docs/architecture.md): an election
 * link refuses a notification while {@link #electionLinkCapacity()} are on their way, a quorum link
 * is not writable from {@link #quorumHighWater()} messages on its way (or stuck in a cut) and refuses
 * every send from {@link #quorumLinkCapacity()} on, as the transport's water marks and pending-bytes
 * cap do. Immutable; {@code with*} return copies.
 */
public final class NetworkModel {
    /** A quiet LAN: 100-300 us one way, nothing lost, FIFO links. */
    public static final NetworkModel LAN = new NetworkModel(
        TimeUnit.MICROSECONDS.toNanos(100), TimeUnit.MICROSECONDS.toNanos(300), 0, 0, true);
    /** Notifications one election link holds on their way by default: more than any election sends. */
    public static final int DEFAULT_ELECTION_LINK_CAPACITY = 1024;
    /** Messages on their way from which a quorum link is not writable by default: one sync batch. */
    public static final int DEFAULT_QUORUM_HIGH_WATER = 4096;
    /** Messages on their way from which a quorum link refuses sends by default (hopelessly backed up). */
    public static final int DEFAULT_QUORUM_LINK_CAPACITY = 1 << 16;

    private final long minLatencyNs;
    private final long maxLatencyNs;
    private final double lossRate;
    private final double duplicateRate;
    private final boolean isFifo;
    private final int electionLinkCapacity;
    private final int quorumHighWater;
    private final int quorumLinkCapacity;

    /** A network whose links hold the default amounts. */
    public NetworkModel(final long minLatencyNs, final long maxLatencyNs, final double lossRate,
        final double duplicateRate, final boolean isFifo) {
        this(minLatencyNs, maxLatencyNs, lossRate, duplicateRate, isFifo, DEFAULT_ELECTION_LINK_CAPACITY,
            DEFAULT_QUORUM_HIGH_WATER, DEFAULT_QUORUM_LINK_CAPACITY);
    }

    public NetworkModel(final long minLatencyNs, final long maxLatencyNs, final double lossRate,
        final double duplicateRate, final boolean isFifo, final int electionLinkCapacity, final int quorumHighWater,
        final int quorumLinkCapacity) {
        if (minLatencyNs < 0 || maxLatencyNs < minLatencyNs) {
            throw new IllegalArgumentException("latency range must satisfy 0 <= min <= max");
        }
        if (lossRate < 0 || lossRate >= 1 || duplicateRate < 0 || duplicateRate >= 1) {
            throw new IllegalArgumentException("loss and duplicate rates must be in [0, 1)");
        }
        if (electionLinkCapacity < 1 || quorumHighWater < 1 || quorumLinkCapacity < quorumHighWater) {
            throw new IllegalArgumentException("link queues must satisfy 1 <= capacity (election), "
                + "1 <= high water <= capacity (quorum)");
        }
        this.electionLinkCapacity = electionLinkCapacity;
        this.quorumHighWater = quorumHighWater;
        this.quorumLinkCapacity = quorumLinkCapacity;
        this.minLatencyNs = minLatencyNs;
        this.maxLatencyNs = maxLatencyNs;
        this.lossRate = lossRate;
        this.duplicateRate = duplicateRate;
        this.isFifo = isFifo;
    }

    public long minLatencyNs() {
        return minLatencyNs;
    }

    public long maxLatencyNs() {
        return maxLatencyNs;
    }

    public double lossRate() {
        return lossRate;
    }

    public double duplicateRate() {
        return duplicateRate;
    }

    public boolean isFifo() {
        return isFifo;
    }

    /** Notifications an election link holds on their way; one more is refused. */
    public int electionLinkCapacity() {
        return electionLinkCapacity;
    }

    /** Quorum messages on their way (or stuck in a cut) from which the link is not writable. */
    public int quorumHighWater() {
        return quorumHighWater;
    }

    /** Quorum messages on their way (or stuck in a cut) from which the link refuses every send. */
    public int quorumLinkCapacity() {
        return quorumLinkCapacity;
    }

    public NetworkModel withLoss(final double rate) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, rate, duplicateRate, isFifo, electionLinkCapacity,
            quorumHighWater, quorumLinkCapacity);
    }

    public NetworkModel withDuplicates(final double rate) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, lossRate, rate, isFifo, electionLinkCapacity,
            quorumHighWater, quorumLinkCapacity);
    }

    public NetworkModel withLatency(final long minNs, final long maxNs) {
        return new NetworkModel(minNs, maxNs, lossRate, duplicateRate, isFifo, electionLinkCapacity,
            quorumHighWater, quorumLinkCapacity);
    }

    public NetworkModel withFifo(final boolean fifo) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, lossRate, duplicateRate, fifo, electionLinkCapacity,
            quorumHighWater, quorumLinkCapacity);
    }

    /** Links that hold {@code election} notifications, and quorum links writable below {@code highWater}. */
    public NetworkModel withLinkQueues(final int election, final int highWater, final int capacity) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, lossRate, duplicateRate, isFifo, election, highWater,
            capacity);
    }

    @Override
    public String toString() {
        return "latency=" + minLatencyNs / 1000 + ".." + maxLatencyNs / 1000 + "us loss=" + lossRate
            + " dup=" + duplicateRate + (isFifo ? " fifo" : " reorder") + " queues=" + electionLinkCapacity + "/"
            + quorumHighWater + "/" + quorumLinkCapacity;
    }
}

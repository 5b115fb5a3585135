package io.electionbench.core.sim;

import java.util.concurrent.TimeUnit;

/**
 * How the simulated network treats a message: a one-way latency drawn uniformly from
 * [minLatency, maxLatency], optional loss and duplication, and per-link FIFO (TCP) or free
 * reordering. Immutable; {@code with*} return copies.
 */
public final class NetworkModel {
    /** A quiet LAN: 100-300 us one way, nothing lost, FIFO links. */
    public static final NetworkModel LAN = new NetworkModel(
        TimeUnit.MICROSECONDS.toNanos(100), TimeUnit.MICROSECONDS.toNanos(300), 0, 0, true);

    private final long minLatencyNs;
    private final long maxLatencyNs;
    private final double lossRate;
    private final double duplicateRate;
    private final boolean isFifo;

    public NetworkModel(final long minLatencyNs, final long maxLatencyNs, final double lossRate,
        final double duplicateRate, final boolean isFifo) {
        if (minLatencyNs < 0 || maxLatencyNs < minLatencyNs) {
            throw new IllegalArgumentException("latency range must satisfy 0 <= min <= max");
        }
        if (lossRate < 0 || lossRate >= 1 || duplicateRate < 0 || duplicateRate >= 1) {
            throw new IllegalArgumentException("loss and duplicate rates must be in [0, 1)");
        }
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

    public NetworkModel withLoss(final double rate) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, rate, duplicateRate, isFifo);
    }

    public NetworkModel withDuplicates(final double rate) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, lossRate, rate, isFifo);
    }

    public NetworkModel withLatency(final long minNs, final long maxNs) {
        return new NetworkModel(minNs, maxNs, lossRate, duplicateRate, isFifo);
    }

    public NetworkModel withFifo(final boolean fifo) {
        return new NetworkModel(minLatencyNs, maxLatencyNs, lossRate, duplicateRate, fifo);
    }

    @Override
    public String toString() {
        return "latency=" + minLatencyNs / 1000 + ".." + maxLatencyNs / 1000 + "us loss=" + lossRate
            + " dup=" + duplicateRate + (isFifo ? " fifo" : " reorder");
    }
}

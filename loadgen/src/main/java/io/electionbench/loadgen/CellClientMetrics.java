package io.electionbench.loadgen;

import java.util.List;
import java.util.Map;

import io.electionbench.loadgen.run.ClientTrial;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Metric;

/**
 * A cell's client-session metrics (docs/loadgen.md, "Failover as clients see it"): per session and trial
 * its disconnected time and read and write unavailability, every successful operation's latency from its
 * intended time, and per trial the failed attempts and expired sessions of all sessions together.
 */
final class CellClientMetrics {
    final Metric disconnected;
    final Metric readUnavailable;
    final Metric writeUnavailable;
    final Metric readLatency;
    final Metric writeLatency;
    final Metric connectionLosses;
    final Metric sessionMoves;
    final Metric expired;
    final long connectionLossTotal;
    final long sessionMoveTotal;
    final long expiredTotal;
    final int unrecovered;

    CellClientMetrics(final List<ClientTrial> trials) {
        final Metric.Builder disc = Metric.builder("ms", Better.LOWER);
        final Metric.Builder readUn = Metric.builder("ms", Better.LOWER);
        final Metric.Builder writeUn = Metric.builder("ms", Better.LOWER);
        final Metric.Builder readLat = Metric.builder("ms", Better.LOWER);
        final Metric.Builder writeLat = Metric.builder("ms", Better.LOWER);
        final Metric.Builder losses = Metric.builder("errors", Better.LOWER);
        final Metric.Builder moves = Metric.builder("errors", Better.LOWER);
        final Metric.Builder exp = Metric.builder("sessions", Better.LOWER);
        long lossSum = 0;
        long moveSum = 0;
        long expiredSum = 0;
        int notRecovered = 0;
        for (final ClientTrial t : trials) {
            addMs(disc, t.disconnectedNs());
            addMs(readUn, t.readUnavailableNs());
            addMs(writeUn, t.writeUnavailableNs());
            addMs(readLat, t.readLatenciesNs());
            addMs(writeLat, t.writeLatenciesNs());
            losses.add(t.connectionLosses());
            moves.add(t.sessionMoves());
            exp.add(t.expired());
            lossSum += t.connectionLosses();
            moveSum += t.sessionMoves();
            expiredSum += t.expired();
            notRecovered += t.unrecovered();
        }
        this.disconnected = disc.build();
        this.readUnavailable = readUn.build();
        this.writeUnavailable = writeUn.build();
        this.readLatency = readLat.build();
        this.writeLatency = writeLat.build();
        this.connectionLosses = losses.build();
        this.sessionMoves = moves.build();
        this.expired = exp.build();
        this.connectionLossTotal = lossSum;
        this.sessionMoveTotal = moveSum;
        this.expiredTotal = expiredSum;
        this.unrecovered = notRecovered;
    }

    private static void addMs(final Metric.Builder b, final long[] ns) {
        for (final long v : ns) {
            b.add(v / 1e6);
        }
    }

    /** Sessions and their moves exist only for ZooKeeper; our nodes' would always be zero. */
    void addTo(final Cell.Builder cell, final boolean hasSessions) {
        if (disconnected.n() > 0) {
            cell.metric("client_disconnected_ms", disconnected);
        }
        cell.metric("client_read_unavailable_ms", readUnavailable)
            .metric("client_write_unavailable_ms", writeUnavailable)
            .metric("client_read_latency_ms", readLatency).metric("client_write_latency_ms", writeLatency)
            .metric("connection_loss_errors", connectionLosses);
        if (hasSessions) {
            cell.metric("sessions_expired", expired).metric("session_moved_errors", sessionMoves);
        }
    }

    void putJson(final Map<String, Object> m, final boolean hasSessions) {
        final String[] names = {"client_disconnected", "client_read_unavailable", "client_write_unavailable",
            "client_read_latency", "client_write_latency"};
        final Metric[] metrics = {disconnected, readUnavailable, writeUnavailable, readLatency, writeLatency};
        for (int i = 0; i < names.length; i++) {
            m.put(names[i] + "_p50_ms", CellWriteMetrics.orNull(metrics[i], 0.5));
            m.put(names[i] + "_p99_ms", CellWriteMetrics.orNull(metrics[i], 0.99));
            m.put(names[i] + "_max_ms", CellWriteMetrics.orNull(metrics[i], 1.0));
        }
        m.put("connection_loss_errors", connectionLossTotal);
        if (hasSessions) {
            m.put("sessions_expired", expiredTotal);
            m.put("session_moved_errors", sessionMoveTotal);
        }
        m.put("client_sessions_unrecovered", unrecovered);
    }
}

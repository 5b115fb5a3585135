package io.electionbench.loadgen;

import java.util.Map;

import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.SyncSummary;
import io.electionbench.loadgen.run.TrialRunner;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Metric;

/**
 * A cell's write and sync metrics (docs/loadgen.md, "Writes"): every committed write's latency,
 * one unavailability per measured election, committed and unknown counts per trial, and the sync
 * rates of the trials in which a follower synced data (none for the others).
 */
final class CellWriteMetrics {
    final Metric latency;
    final Metric unavailability;
    final Metric committed;
    final Metric unknown;
    final Metric syncTxnsPerS;
    final Metric syncBytesPerS;
    final Metric syncMs;
    final long committedTotal;
    final long unknownTotal;

    CellWriteMetrics(final CellRunner.CellOutcome o) {
        final Metric.Builder lat = Metric.builder("ms", Better.LOWER);
        final Metric.Builder com = Metric.builder("writes", Better.HIGHER);
        final Metric.Builder unk = Metric.builder("writes", Better.LOWER);
        long committedSum = 0;
        long unknownSum = 0;
        for (final TrialWrites w : o.writes()) {
            for (final long ns : w.latenciesNs()) {
                lat.add(ns / 1e6);
            }
            com.add(w.committed());
            unk.add(w.unknown());
            committedSum += w.committed();
            unknownSum += w.unknown();
        }
        final Metric.Builder unavail = Metric.builder("ms", Better.LOWER);
        for (final TrialRunner.Sample s : o.samples()) {
            if (s.writeUnavailabilityNs() >= 0) {
                unavail.add(s.writeUnavailabilityNs() / 1e6);
            }
        }
        final Metric.Builder txns = Metric.builder("txns/s", Better.HIGHER);
        final Metric.Builder bytes = Metric.builder("bytes/s", Better.HIGHER);
        final Metric.Builder span = Metric.builder("ms", Better.LOWER);
        for (final SyncSummary sync : o.syncs()) {
            txns.add(sync.txnsPerS());
            bytes.add(sync.bytesPerS());
            span.add(sync.spanNs() / 1e6);
        }
        this.latency = lat.build();
        this.unavailability = unavail.build();
        this.committed = com.build();
        this.unknown = unk.build();
        this.syncTxnsPerS = txns.build();
        this.syncBytesPerS = bytes.build();
        this.syncMs = span.build();
        this.committedTotal = committedSum;
        this.unknownTotal = unknownSum;
    }

    void addTo(final Cell.Builder cell) {
        cell.metric("write_latency_ms", latency).metric("write_unavailability_ms", unavailability)
            .metric("writes_committed", committed).metric("writes_unknown", unknown);
        if (syncTxnsPerS.n() > 0) {
            cell.metric("sync_txns_per_s", syncTxnsPerS).metric("sync_bytes_per_s", syncBytesPerS)
                .metric("sync_ms", syncMs);
        }
    }

    void putJson(final Map<String, Object> m) {
        m.put("write_latency_p50_ms", orNull(latency, 0.5));
        m.put("write_latency_p90_ms", orNull(latency, 0.9));
        m.put("write_latency_p99_ms", orNull(latency, 0.99));
        m.put("write_latency_p999_ms", orNull(latency, 0.999));
        m.put("write_latency_max_ms", orNull(latency, 1.0));
        m.put("write_unavailability_p50_ms", orNull(unavailability, 0.5));
        m.put("write_unavailability_max_ms", orNull(unavailability, 1.0));
        m.put("writes_committed", committedTotal);
        m.put("writes_unknown", unknownTotal);
        m.put("sync_txns_per_s_p50", orNull(syncTxnsPerS, 0.5));
        m.put("sync_bytes_per_s_p50", orNull(syncBytesPerS, 0.5));
        m.put("sync_ms_p50", orNull(syncMs, 0.5));
    }

    static Double orNull(final Metric m, final double q) {
        return m.n() == 0 ? null : m.quantile(q);
    }
}

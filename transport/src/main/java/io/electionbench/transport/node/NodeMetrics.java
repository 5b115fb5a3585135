package io.electionbench.transport.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.net.FailReason;
import io.electionbench.transport.net.PeerTransport;
import io.electionbench.transport.net.RefuseReason;
import io.electionbench.transport.net.TransportCounters;
import io.electionbench.transport.wire.WireError;

/**
 * A node's {@code GET /metrics}, through the Prometheus Java client: a registry of its own (an in-process
 * ensemble runs several nodes in one JVM, so never the default registry) of callback metrics that read the
 * live values when scraped ({@link TransportCounters}, the published {@link NodeStatus}, the {@link StorageAlarm},
 * the admin endpoint's write outcomes, the agent's {@link ElectionDurations}), and the JVM's metrics from the
 * client's instrumentation, written in the text format 0.0.4. Nothing here runs on the agent thread or a read
 * path; a scrape allocates, as any HTTP answer does. No label names the member: Prometheus adds {@code instance}
 * per scrape target. The names and HELP texts are listed in docs/transport.md, "Metrics".
 */
final class NodeMetrics {
    private static final String ELECTION_DURATION = "electionbench_election_duration_seconds";
    private static final String PREFIX = "electionbench_";
    private static final double NS_PER_SECOND = 1e9;
    /**
     * The JVM's and the process's metrics, one registry per process and shared by its nodes: JvmMetrics keeps
     * every registry it was given in a static set (and adds a GC listener per registry), so a registry per node
     * would keep every closed node reachable. Made at the first scrape (holder class), not when a node starts:
     * JvmMetrics loads the JMX beans, which a restarting node should not wait for.
     */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = jvmRegistry();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** Registers every metric; the callbacks read {@code node} and {@code publisher} when scraped. */
    NodeMetrics(final ElectionNode node, final StatusPublisher publisher) {
        transportMetrics(node);
        electionMetrics(publisher);
        recoveryMetrics(publisher);
        storageMetrics(publisher.storageAlarm());
        adminMetrics(node);
        registry.register((MultiCollector)() -> Jvm.REGISTRY.scrape());
    }

    /** Any thread: the text format of every metric now. */
    String scrape() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void transportMetrics(final ElectionNode node) {
        final TransportCounters counters = node.counters();
        for (int i = 0; i < TransportCounters.fixedCount(); i++) {
            final int counter = i;
            counter(TransportCounters.name(i), null, help(i), () -> counters.get(counter));
        }
        gauge("client_connections_open", null, "Write-client connections open on the quorum port now", () -> {
            final PeerTransport transport = node.transport();
            return transport == null ? 0 : transport.openClientConnections();
        });
        CounterWithCallback.builder().name(PREFIX + "bad_frames")
            .help("Frames and connection headers rejected, by the wire error found (docs/transport.md)")
            .labelNames("reason").callback(c -> {
                for (final WireError error : WireError.values()) {
                    if (error != WireError.NONE && error != WireError.INCOMPLETE) {
                        c.call(counters.badFrames(error), error.metricName());
                    }
                }
            }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "connections_refused")
            .help("Connections closed during their handshake (or a write client's before its first frame), by reason")
            .labelNames("reason").callback(c -> {
                for (final RefuseReason reason : RefuseReason.values()) {
                    c.call(counters.refusedCount(reason), reason.metricName());
                }
            }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "connections_failed")
            .help("Connections closed because an exception reached their handler, by reason")
            .labelNames("reason").callback(c -> {
                for (final FailReason reason : FailReason.values()) {
                    c.call(counters.failedCount(reason), reason.metricName());
                }
            }).register(registry);
    }

    private void electionMetrics(final StatusPublisher publisher) {
        counter("elections", null, "Elections this member decided (LOOKING to FOLLOWING, LEADING or OBSERVING)",
            () -> publisher.status().decisions());
        counter("election_rounds", null, "Times this member started looking for a leader",
            () -> publisher.status().electionRounds());
        gauge("last_election_seconds", Unit.SECONDS, "How long this member's last election took, LOOKING to decision",
            () -> publisher.status().lastElectionNs() / NS_PER_SECOND);
        registry.register(new ElectionDurationCollector(publisher.electionDurations()));
        GaugeWithCallback.builder().name(PREFIX + "state")
            .help("1 for the role this member is in, 0 for the others (all 0 before its first duty cycle)")
            .labelNames("state").callback(g -> {
                final String state = publisher.status().state();
                for (final ServerState s : ServerState.values()) {
                    g.call(s.name().equals(state) ? 1 : 0, s.name());
                }
            }).register(registry);
        gauge("serving", null, "1 while this member serves: its leader's epoch is established or it is UPTODATE",
            () -> publisher.status().isServing() ? 1 : 0);
        gauge("current_epoch", null,
            "The epoch of the last leader this member synced with or led (ZooKeeper's currentEpoch)",
            () -> publisher.status().currentEpoch());
        gauge("accepted_epoch", null, "The highest epoch this member promised to a leader (ZooKeeper's acceptedEpoch)",
            () -> publisher.status().acceptedEpoch());
    }

    private void recoveryMetrics(final StatusPublisher publisher) {
        counter("writes_committed", null, "Writes this member committed as leader",
            () -> publisher.status().writesCommitted());
        counter("sync_txns_sent", null, "Transactions this member sent as leader in sync streams (DIFF, TRUNC, SNAP)",
            () -> publisher.status().syncTxnsSent());
        counter("sync_sent_bytes", Unit.BYTES, "Payload and snapshot bytes this member sent as leader in sync streams",
            () -> publisher.status().syncBytesSent());
        counter("syncs_received", null, "Sync streams this member received as learner, logged and acknowledged",
            () -> publisher.status().syncsReceived());
        counter("sync_txns_received", null, "Transactions this member received as learner in sync streams",
            () -> publisher.status().syncTxnsReceived());
        counter("sync_received_bytes", Unit.BYTES, "Payload and snapshot bytes this member received in sync streams",
            () -> publisher.status().syncBytesReceived());
        gauge("last_sync_seconds", Unit.SECONDS, "How long the last sync this member received took, first message"
            + " to NEWLEADER ACK", () -> publisher.status().lastSyncNs() / NS_PER_SECOND);
    }

    private void storageMetrics(final StorageAlarm alarm) {
        counter("storage_failures", null, "Storage I/O failures and failed probes (docs/storage.md, When the disk"
            + " fails)", alarm::failures);
        gauge("storage_failed", null, "1 while a storage failure keeps this member out of elections",
            () -> alarm.isFailing() ? 1 : 0);
    }

    private void adminMetrics(final ElectionNode node) {
        CounterWithCallback.builder().name(PREFIX + "admin_writes")
            .help("POST /write answers of the admin endpoint, by status")
            .labelNames("status").callback(c -> {
                final AdminServer admin = node.admin();
                if (admin == null) {
                    return;
                }
                for (int outcome = WriteListener.COMMITTED; outcome <= WriteListener.TOO_LARGE; outcome++) {
                    c.call(admin.writeOutcomes(outcome), WriteListener.statusName(outcome));
                }
                c.call(admin.writeOutcomes(-1), "timeout");
            }).register(registry);
        counter("admin_answers", null, "Answers the admin endpoint wrote, of any kind", () -> {
            final AdminServer admin = node.admin();
            return admin == null ? 0 : admin.answered();
        });
        CounterWithCallback.builder().name(PREFIX + "admin_connections_closed")
            .help("Admin connections the endpoint closed, by reason (docs/transport.md, Admin endpoint)")
            .labelNames("reason").callback(c -> {
                final AdminServer admin = node.admin();
                if (admin == null) {
                    return;
                }
                for (final AdminConnection.CloseReason reason : AdminConnection.CloseReason.values()) {
                    c.call(admin.closes(reason), reason.metricName());
                }
            }).register(registry);
    }

    private void counter(final String name, final Unit unit, final String help, final LongSupplier value) {
        final CounterWithCallback.Builder builder = CounterWithCallback.builder().name(PREFIX + name).help(help)
            .callback(c -> c.call(value.getAsLong()));
        if (unit != null) {
            builder.unit(unit);
        }
        builder.register(registry);
    }

    private void gauge(final String name, final Unit unit, final String help, final DoubleSupplier value) {
        final GaugeWithCallback.Builder builder = GaugeWithCallback.builder().name(PREFIX + name).help(help)
            .callback(g -> g.call(value.getAsDouble()));
        if (unit != null) {
            builder.unit(unit);
        }
        builder.register(registry);
    }

    /** The HELP text of a fixed transport counter. */
    static String help(final int counter) {
        switch (counter) {
            case TransportCounters.NOTIFICATIONS_SENT:
                return "Election notifications (votes) written to peers";
            case TransportCounters.NOTIFICATIONS_RECEIVED:
                return "Election notifications received from peers";
            case TransportCounters.QUORUM_SENT:
                return "Quorum-port messages written to peers";
            case TransportCounters.QUORUM_RECEIVED:
                return "Quorum-port messages received from peers";
            case TransportCounters.CONNECTIONS_ACCEPTED:
                return "Peer connections accepted on the election and quorum ports";
            case TransportCounters.CONNECTS_FAILED:
                return "Connection attempts to peers that failed before the connection was up";
            case TransportCounters.LINKS_UP:
                return "Peer links that came up";
            case TransportCounters.LINKS_DOWN:
                return "Peer links that went down";
            case TransportCounters.INBOUND_DROPPED:
                return "Election messages dropped because the agent's inbound ring was full";
            case TransportCounters.OUTBOUND_DROPPED:
                return "Outgoing messages dropped: no link to the peer, or no room on it";
            case TransportCounters.FAULT_DROPPED:
                return "Messages dropped by an injected isolation (POST /fault/isolate)";
            case TransportCounters.AUTH_SUCCEEDED:
                return "Peer connections whose peerAuthSecret challenge-response succeeded";
            case TransportCounters.TLS_HANDSHAKES:
                return "Peer connections whose mutual TLS handshake succeeded";
            case TransportCounters.INBOUND_PAUSED:
                return "Times a quorum link stopped reading because the agent's ring was full (nothing dropped)";
            case TransportCounters.CLIENT_CONNECTIONS:
                return "Write-client connections accepted on the quorum port";
            case TransportCounters.CLIENT_WRITES:
                return "WRITE frames received from write clients";
            case TransportCounters.CLIENT_WRITES_BUSY:
                return "WRITEs the transport answered BUSY itself (ring full or too many outstanding)";
            case TransportCounters.SNAPSHOT_FILE_CHUNKS:
                return "SNAP chunks this member sent as leader from its snapshot file (sendfile)";
            case TransportCounters.RECORD_FILE_BATCHES:
                return "Sync record batches this member sent as leader from a log segment (sendfile)";
            case TransportCounters.RECORD_BATCHES_COPIED:
                return "Sync record batches this member sent as leader, read into the frame (TLS)";
            case TransportCounters.RECORD_BATCHES_RECEIVED:
                return "Record batches this member received and checked (every record's CRC)";
            case TransportCounters.NOTIFICATIONS_SUPERSEDED:
                return "Notifications replaced by a newer one before they could be written (link down, peer not"
                    + " reading)";
            case TransportCounters.QUORUM_RESETS:
                return "Quorum connections closed on purpose: a send on them failed,"
                    + " or an injected fault dropped frames";
            case TransportCounters.HALF_OPEN_RESETS:
                return "Election connections closed and redialled because the peer prompted while they were up"
                    + " (half open)";
            default:
                throw new IllegalArgumentException("no HELP for transport counter " + counter);
        }
    }

    private static PrometheusRegistry jvmRegistry() {
        final PrometheusRegistry jvm = new PrometheusRegistry();
        JvmMetrics.builder().register(jvm);
        return jvm;
    }

    /** {@link ElectionDurations} as a classic histogram in seconds. */
    private static final class ElectionDurationCollector implements Collector {
        private final ElectionDurations durations;

        ElectionDurationCollector(final ElectionDurations durations) {
            this.durations = durations;
        }

        @Override
        public MetricSnapshot collect() {
            final long[] counts = new long[ElectionDurations.UPPER_BOUNDS_SECONDS.length];
            final long sumNs = durations.read(counts);
            return HistogramSnapshot.builder().name(ELECTION_DURATION).unit(Unit.SECONDS)
                .help("How long this member's elections took, LOOKING to decision (ZooKeeper's election_time)")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(ElectionDurations.UPPER_BOUNDS_SECONDS, counts))
                    .sum(sumNs / NS_PER_SECOND).build())
                .build();
        }

        @Override
        public String getPrometheusName() {
            return ELECTION_DURATION;
        }
    }
}

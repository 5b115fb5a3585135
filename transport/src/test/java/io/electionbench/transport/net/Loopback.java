package io.electionbench.transport.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;

/**
 * Loopback transports for socket tests, without agents: each member's ring is the test's to drain.
 * Public so the client package's tests can use it.
 */
public final class Loopback implements AutoCloseable {
    public final PeerTransport[] transports;
    public final RingBuffer[] rings;
    public final TransportCounters[] counters;
    private final int[] quorumPorts;
    private final int[] electionPorts;

    /**
     * {@code size} members 1..size, not yet started; member {@code sid}'s inbound ring has
     * {@code ringBytes[sid - 1]} bytes (a power of two).
     */
    public Loopback(final int size, final byte[] authSecret, final int... ringBytes) throws IOException {
        final int[] ports = FreePorts.pick(2 * size);
        this.quorumPorts = new int[size];
        this.electionPorts = new int[size];
        final List<PeerAddress> servers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            quorumPorts[i] = ports[2 * i];
            electionPorts[i] = ports[2 * i + 1];
            servers.add(new PeerAddress(i + 1, "127.0.0.1", quorumPorts[i], electionPorts[i], false));
        }
        this.transports = new PeerTransport[size];
        this.rings = new RingBuffer[size];
        this.counters = new TransportCounters[size];
        for (int i = 0; i < size; i++) {
            final TransportConfig config = new TransportConfig()
                .mySid(i + 1)
                .ensemble(Ensemble.majority(size))
                .servers(servers)
                .handshakeTimeoutMs(2_000)
                .authSecret(authSecret)
                .conclude();
            rings[i] = MemberAgent.newInboundRing(i < ringBytes.length ? ringBytes[i] : 1 << 20);
            counters[i] = new TransportCounters();
            transports[i] = new PeerTransport(config, rings[i], counters[i]);
        }
    }

    public PeerTransport node(final long sid) {
        return transports[(int)sid - 1];
    }

    public RingBuffer ring(final long sid) {
        return rings[(int)sid - 1];
    }

    public TransportCounters counters(final long sid) {
        return counters[(int)sid - 1];
    }

    public int quorumPort(final long sid) {
        return quorumPorts[(int)sid - 1];
    }

    public void startAll() {
        for (final PeerTransport transport : transports) {
            transport.start();
        }
    }

    /** Waits until every pair of members has its quorum link up. */
    public void awaitQuorumLinks(final long timeoutMs) {
        await(timeoutMs, "every quorum link up", () -> {
            for (int i = 0; i < transports.length; i++) {
                for (int j = 0; j < transports.length; j++) {
                    if (i != j && !transports[i].isQuorumLinkUp(j + 1)) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** Polls {@code condition} until it holds, failing after {@code timeoutMs}. */
    public static void await(final long timeoutMs, final String what, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public void close() {
        for (final PeerTransport transport : transports) {
            if (transport != null) {
                transport.close();
            }
        }
    }
}

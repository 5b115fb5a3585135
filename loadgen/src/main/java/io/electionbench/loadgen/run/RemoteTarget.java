package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.node.AdminAddress;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;

/**
 * electionbench nodes that already run, anywhere, listed in their own zoo.cfg-shaped config (each
 * with an {@code admin.N=host:port} line per server). A crash is {@code POST /fault/crash}
 * (the node halts at once, as kill -9); partitions are {@code POST /fault/isolate}. This target
 * cannot start a node: after a crash it waits, up to the trial timeout, for whatever supervises the
 * node (systemd, Kubernetes, a shell loop) to bring it back. Timestamps come from the nodes, so the
 * nodes and the load generator must share a clock: run the load generator on the nodes' host, or
 * expect times offset by the hosts' clock difference.
 */
final class RemoteTarget extends AdminTarget {
    private final long restartTimeoutMs;

    private RemoteTarget(final Path configFile, final NodeConfig config, final Map<Long, String> urls,
        final Map<Long, InetSocketAddress> quorum, final long restartTimeoutMs) {
        super(configFile, config.ensemble(), urls, config.adminToken(), quorum,
            config.transportConfig(quorum.keySet().iterator().next()).authSecret(),
            config.transportConfig(quorum.keySet().iterator().next()).tls());
        this.restartTimeoutMs = restartTimeoutMs;
    }

    static RemoteTarget open(final Path configFile, final long restartTimeoutMs) throws Exception {
        final NodeConfig config = NodeConfigParser.parse(configFile);
        final Map<Long, String> urls = new HashMap<>();
        final Map<Long, InetSocketAddress> quorum = new HashMap<>();
        for (final long sid : config.servers().keySet()) {
            final PeerAddress peer = config.server(sid);
            quorum.put(sid, InetSocketAddress.createUnresolved(peer.host(), peer.quorumPort()));
            final AdminAddress admin = config.admin(sid);
            if (admin == null || admin.port() == 0) {
                throw new IllegalArgumentException(configFile + ": server." + sid + " has no admin." + sid
                    + "=host:port line; the remote target needs an admin endpoint for every server");
            }
            urls.put(sid, "http://" + admin.host() + ":" + admin.port());
        }
        return new RemoteTarget(configFile, config, urls, quorum, restartTimeoutMs);
    }

    @Override
    public String name() {
        return "remote";
    }

    /** Attaches to a node, waiting for its supervisor to have (re)started it. */
    @Override
    protected void launch(final long sid) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(restartTimeoutMs);
        while (true) {
            try {
                state(sid);
                return;
            } catch (final IOException ex) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("remote node " + sid + " at " + adminUrl(sid) + " is not up after "
                        + restartTimeoutMs + " ms; the remote target cannot start nodes, so something must restart it",
                        ex);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    @Override
    protected void kill(final long sid) throws Exception {
        try {
            post(sid, "/fault/crash");
        } catch (final IOException ex) {
            // The node halts while answering; a dropped connection is the expected outcome.
        }
    }

    @Override
    public boolean pause(final long sid) {
        return false;
    }

    @Override
    public void resume(final long sid) {
    }
}

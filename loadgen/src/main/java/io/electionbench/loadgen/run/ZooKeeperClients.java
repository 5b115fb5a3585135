package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.loadgen.zookeeper.ZooKeeperClient;
import io.electionbench.loadgen.zookeeper.ZooKeeperSession;

/**
 * Real ZooKeeper client sessions of the release under test ({@link ZooKeeperClient}), one
 * {@link ZooKeeperSession} each: session i tries the servers from server i mod n on, in order (ZooKeeper's
 * own client would shuffle them), and reads ({@code getData}) and writes ({@code setData}, 16 bytes) its own
 * znode {@code /electionbench-clients/c-i}, so the data does not grow. The client reconnects by itself, as
 * its users see it: a lost connection fails the requests in flight with CONNECTIONLOSS, requests made while
 * it reconnects wait for the next connection (or fail with the attempt), and it waits up to a second
 * (random) before each reconnect ({@code ClientCnxn.SendThread.startConnect}). Its watcher's states are
 * the connection events; an expired session is replaced by a new one with the same znode.
 */
final class ZooKeeperClients implements ClientTransport {
    static final String PARENT = "/electionbench-clients";
    private static final long OPEN_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int CLOSE_WAIT_MS = 2_000;

    private final ZooKeeperClient client;
    private final List<InetSocketAddress> servers;
    private final int sessionTimeoutMs;
    private final AtomicReferenceArray<Handle> current;
    private volatile Events events;

    /**
     * @param servers every server's client address, in sid order
     */
    ZooKeeperClients(final ZooKeeperClient client, final List<InetSocketAddress> servers, final int sessionTimeoutMs,
        final int sessions) {
        this.client = client;
        this.servers = List.copyOf(servers);
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.current = new AtomicReferenceArray<>(sessions);
    }

    @Override
    public void open(final Events to) throws IOException {
        this.events = to;
        final long deadline = System.nanoTime() + OPEN_WAIT_NS;
        for (int i = 0; i < current.length(); i++) {
            current.set(i, new Handle(i));
        }
        create(current.get(0).zk, PARENT, deadline);
        for (int i = 0; i < current.length(); i++) {
            create(current.get(i).zk, path(i), deadline);
        }
    }

    /** Creates a persistent znode (one that exists will do), waiting for the session's first connection. */
    private static void create(final ZooKeeperSession zk, final String path, final long deadline) throws IOException {
        while (true) {
            try {
                zk.createPersistent(path, new byte[0]);
                return;
            } catch (final ZooKeeperSession.Failure ex) {
                if (ex.code() == ZooKeeperSession.NODE_EXISTS) {
                    return;
                }
                if (ex.code() != ZooKeeperSession.CONNECTION_LOSS || System.nanoTime() - deadline > 0) {
                    throw new IOException("client session: cannot create " + path + ": " + ex.getMessage(), ex);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    static String path(final int session) {
        return PARENT + "/c-" + session;
    }

    @Override
    public int sessions() {
        return current.length();
    }

    @Override
    public long answerTimeoutNs() {
        return Long.MAX_VALUE; // the client's own read timeout (2/3 of the session timeout) fails what it holds
    }

    @Override
    public boolean hasConnectionEvents() {
        return true;
    }

    @Override
    public int read(final int session, final long token) {
        final Handle h = current.get(session);
        try {
            h.zk.getData(path(session), h.onRead, token);
            return ClientStream.SENT;
        } catch (final IllegalStateException ex) {
            return ClientStream.FAILED;
        }
    }

    @Override
    public int write(final int session, final long token) {
        final Handle h = current.get(session);
        final byte[] data = new byte[16]; // ZooKeeper keeps the array until the request is sent
        ByteBuffer.wrap(data).putLong(0, session).putLong(8, token);
        try {
            h.zk.setData(path(session), data, h.onWrite, token);
            return ClientStream.SENT;
        } catch (final IllegalStateException ex) {
            return ClientStream.FAILED;
        }
    }

    @Override
    public boolean onFailed(final int session, final boolean isWrite, final int code) {
        return false; // ZooKeeper's client picks the next server itself
    }

    @Override
    public void reset(final int session, final boolean isWrite) {
        // Never asked: answerTimeoutNs() is unbounded.
    }

    @Override
    public void renew(final int session) {
        final Handle old = current.get(session);
        try {
            current.set(session, new Handle(session));
        } catch (final IOException ex) {
            System.err.println("electionbench run: client session " + session + " expired, not renewed: " + ex);
            return;
        }
        closeInBackground(List.of(old.zk));
    }

    /** Closes every session, each on a thread of its own (a session without a server waits in its close). */
    @Override
    public void close() {
        final List<ZooKeeperSession> all = new ArrayList<>();
        for (int i = 0; i < current.length(); i++) {
            if (current.get(i) != null) {
                all.add(current.get(i).zk);
            }
        }
        for (final Thread t : closeInBackground(all)) {
            try {
                t.join(CLOSE_WAIT_MS + 1_000L);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static List<Thread> closeInBackground(final List<ZooKeeperSession> sessions) {
        final List<Thread> threads = new ArrayList<>();
        for (final ZooKeeperSession s : sessions) {
            final Thread t = new Thread(() -> s.close(CLOSE_WAIT_MS), "zookeeper-client-close");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    /** ZooKeeper's result code as a {@link ClientStream} code. */
    static int code(final int rc) {
        switch (rc) {
            case ZooKeeperSession.OK:
                return ClientStream.OK;
            case ZooKeeperSession.CONNECTION_LOSS:
                return ClientStream.CONNECTION_LOSS;
            case ZooKeeperSession.SESSION_MOVED:
                return ClientStream.SESSION_MOVED;
            case ZooKeeperSession.SESSION_EXPIRED:
                return ClientStream.SESSION_EXPIRED;
            default:
                return ClientStream.FAILED;
        }
    }

    /** One ZooKeeper session of client session {@code index}; its reports count only while it is the current one. */
    private final class Handle {
        private final int index;
        private final ZooKeeperSession zk;
        private final ZooKeeperSession.Answer onRead = (ctx, rc, zxid, atNs) -> answer(false, ctx, rc, atNs);
        private final ZooKeeperSession.Answer onWrite = (ctx, rc, zxid, atNs) -> answer(true, ctx, rc, atNs);

        Handle(final int index) throws IOException {
            this.index = index;
            final List<InetSocketAddress> order = new ArrayList<>();
            for (int k = 0; k < servers.size(); k++) {
                order.add(servers.get((index + k) % servers.size()));
            }
            this.zk = client.open(order, sessionTimeoutMs, this::onState);
        }

        private void answer(final boolean isWrite, final long token, final int rc, final long atNs) {
            if (current.get(index) == this) {
                events.onAnswer(index, isWrite, token, code(rc), atNs);
            }
        }

        private void onState(final String state, final long atNs) {
            if (current.get(index) != this) {
                return;
            }
            switch (state) {
                case "Disconnected":
                    events.onConnection(index, DISCONNECTED, atNs);
                    break;
                case "SyncConnected":
                case "ConnectedReadOnly":
                    events.onConnection(index, CONNECTED, atNs);
                    break;
                case "Expired":
                    events.onConnection(index, EXPIRED, atNs);
                    break;
                default:
                    break;
            }
        }
    }
}

package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.concurrent.UnsafeBuffer;

import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.client.WriteClient;
import io.electionbench.transport.net.TlsConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Client sessions of our own nodes, the way {@link ZooKeeperClients} are sessions of ZooKeeper: session i is
 * attached to server i mod n and moves to the next server (in sid order, round robin) when an operation
 * there fails, as ZooKeeper's client moves on a lost connection. Our protocol has no read request, so a read
 * is {@code GET /state} of the attached server's admin endpoint, successful when the server is serving (a
 * follower synced with an established leader, or that leader): what a ZooKeeper server needs before it
 * answers a read. A write is a 16-byte WRITE through the project's binary {@link WriteClient} to the quorum
 * port of the server it believes leads: first the attached one, then the leader a NOT_LEADER answer names;
 * after a lost connection or another refusal, the next server. All write clients share one I/O thread, all
 * reads one HTTP client.
 *
 * <p>Codes: COMMITTED and a serving state are {@link ClientStream#OK}; NOT_LEADER naming a leader is a
 * {@link ClientStream#REDIRECT}; a connection that is refused, lost ({@link Events#onLinkLost}) or that does
 * not answer is {@link ClientStream#CONNECTION_LOSS}, as are UNKNOWN outcomes (the write's fate was lost
 * with the leader); NOT_LEADER without a leader, NOT_READY, BUSY and a server that is not serving are
 * {@link ClientStream#FAILED}. Our nodes have no sessions, so none expires or moves; there are no connection
 * events, and {@link SessionLog} takes disconnected stretches from the streams' health.
 */
final class NodeClients implements ClientTransport {
    private static final int PAYLOAD_BYTES = 16;
    private static final int CONNECT_TIMEOUT_MS = 200;
    private static final String SERVING = "\"serving\":true";

    private final long[] sids;
    private final List<InetSocketAddress> quorum;
    private final List<URI> states;
    private final byte[] secret;
    private final TlsConfig tls;
    private final long answerTimeoutNs;
    private final boolean isEpoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final HttpClient http;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
    private final WriteClient[] clients;
    /** Agent thread: per session, the server index reads go to, and the one writes go to. */
    private final int[] attached;
    private final int[] writeTarget;
    /** Per session, the leader a NOT_LEADER answer named (I/O thread writes, agent reads), or -1. */
    private final AtomicLongArray leaderHint;
    private volatile Events events;

    /**
     * @param sids     the servers, in order
     * @param quorum   each server's quorum port (writes), in that order
     * @param adminUrls each server's admin endpoint, {@code http://host:port}, in that order
     */
    NodeClients(final long[] sids, final List<InetSocketAddress> quorum, final List<String> adminUrls,
        final byte[] secret, final TlsConfig tls, final ClientLoad load) {
        this.sids = sids.clone();
        this.quorum = List.copyOf(quorum);
        this.states = adminUrls.stream().map(u -> URI.create(u + "/state")).toList();
        this.secret = secret;
        this.tls = tls;
        this.answerTimeoutNs = load.readTimeoutNs();
        this.clients = new WriteClient[load.sessions()];
        this.attached = new int[load.sessions()];
        this.writeTarget = new int[load.sessions()];
        this.leaderHint = new AtomicLongArray(load.sessions());
        for (int i = 0; i < attached.length; i++) {
            attached[i] = i % sids.length;
            writeTarget[i] = attached[i];
            leaderHint.set(i, -1);
        }
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("client-io", true),
            isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)).build();
    }

    @Override
    public void open(final Events to) {
        this.events = to;
    }

    @Override
    public int sessions() {
        return clients.length;
    }

    @Override
    public long answerTimeoutNs() {
        return answerTimeoutNs;
    }

    @Override
    public boolean hasConnectionEvents() {
        return false;
    }

    @Override
    public int read(final int session, final long token) {
        final HttpRequest request = HttpRequest.newBuilder(states.get(attached[session]))
            .timeout(Duration.ofNanos(answerTimeoutNs)).GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, ex) -> {
            final long atNs = System.nanoTime();
            final int code = ex != null ? ClientStream.CONNECTION_LOSS
                : r.statusCode() == 200 && r.body().contains(SERVING) ? ClientStream.OK : ClientStream.FAILED;
            events.onAnswer(session, false, token, code, atNs);
        });
        return ClientStream.SENT;
    }

    @Override
    public int write(final int session, final long token) {
        WriteClient client = clients[session];
        if (client == null) {
            client = new WriteClient(new Answers(session), group, isEpoll).authSecret(secret).tls(tls);
            clients[session] = client;
        }
        if (!client.isConnected()) {
            final InetSocketAddress at = quorum.get(writeTarget[session]);
            try {
                client.connect(at.getHostString(), at.getPort(), CONNECT_TIMEOUT_MS);
            } catch (final IOException | IllegalStateException ex) {
                if (!client.isConnected()) {
                    moveWrites(session, (writeTarget[session] + 1) % sids.length);
                    return ClientStream.CONNECTION_LOSS;
                }
            }
        }
        payload.putLong(0, token, ByteOrder.BIG_ENDIAN);
        payload.putLong(8, session, ByteOrder.BIG_ENDIAN);
        return client.write(token, payload, 0, PAYLOAD_BYTES) ? ClientStream.SENT : ClientStream.FAILED;
    }

    private int indexOf(final long sid) {
        for (int i = 0; i < sids.length; i++) {
            if (sids[i] == sid) {
                return i;
            }
        }
        return 0;
    }

    /** Agent thread: writes of this session go to server {@code index} from now on, on a new connection. */
    private void moveWrites(final int session, final int index) {
        writeTarget[session] = index;
        if (clients[session] != null) {
            clients[session].close();
            clients[session] = null;
        }
    }

    @Override
    public boolean onFailed(final int session, final boolean isWrite, final int code) {
        if (!isWrite) {
            attached[session] = (attached[session] + 1) % sids.length;
            return false;
        }
        final long hint = leaderHint.getAndSet(session, -1);
        moveWrites(session, code == ClientStream.REDIRECT && hint > 0 ? indexOf(hint)
            : (writeTarget[session] + 1) % sids.length);
        return true;
    }

    @Override
    public void reset(final int session, final boolean isWrite) {
        onFailed(session, isWrite, ClientStream.CONNECTION_LOSS);
    }

    @Override
    public void close() {
        for (int i = 0; i < clients.length; i++) {
            if (clients[i] != null) {
                clients[i].close();
                clients[i] = null;
            }
        }
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    /** One session's write answers, on the I/O thread. */
    private final class Answers implements WriteClient.Listener {
        private final int session;

        Answers(final int session) {
            this.session = session;
        }

        @Override
        public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
            final long atNs = System.nanoTime();
            final int code;
            if (status == WriteListener.COMMITTED) {
                code = ClientStream.OK;
            } else if (status == WriteListener.NOT_LEADER && leaderSid > 0) {
                leaderHint.set(session, leaderSid);
                code = ClientStream.REDIRECT;
            } else if (status == WriteListener.UNKNOWN) {
                code = ClientStream.CONNECTION_LOSS;
            } else {
                code = ClientStream.FAILED;
            }
            events.onAnswer(session, true, sequence, code, atNs);
        }

        @Override
        public void onDisconnected(final Throwable cause) {
            events.onLinkLost(session, true, System.nanoTime());
        }
    }
}

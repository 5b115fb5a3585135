package io.electionbench.loadgen.write;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.WriteListener;
import io.electionbench.loadgen.zookeeper.ZooKeeperClient;
import io.electionbench.loadgen.zookeeper.ZooKeeperSession;

/**
 * Open-loop writes to real Apache ZooKeeper through its own client, of the release under test
 * ({@link ZooKeeperClient}: that release's jars in a class loader of their own). Each write is an asynchronous
 * {@code create} of a persistent sequential znode {@code /electionbench/w-} whose 128-byte data
 * starts with the write's sequence (big-endian); its zxid is the new znode's czxid.
 *
 * <p>The same {@link LeaderFollowingWriter} schedules and retries, with the whole ensemble as one
 * "node": ZooKeeper's client picks a server (the list shuffled, as its {@code StaticHostProvider} does)
 * and reconnects by itself, and followers forward writes, so there is no leader to follow.
 * CONNECTIONLOSS and OPERATIONTIMEOUT answers (ZooKeeper cannot tell
 * whether such a write happened) count as unknown and the write is sent again 2 ms later; an expired
 * session is replaced by a new one. The client waits up to a second (random) before reconnecting
 * after a lost connection, and every server drops its clients when it leaves its role in an
 * election: that is in ZooKeeper's write unavailability, as a real client sees it.
 *
 * <p>The safety check runs {@code sync} and then reads every acknowledged znode: it must exist, with
 * the acknowledged czxid and the write's sequence.
 */
public final class ZooKeeperWriteDriver extends AgentWriteDriver {
    static final String PARENT = "/electionbench";
    private static final long ENSEMBLE = 1;
    private static final long CONNECT_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int CLOSE_WAIT_MS = 2_000;

    /** One create's outcome, from ZooKeeper's event thread. */
    private record Answer(long seq, int rc, long czxid, String name, long atNs) {
    }

    private final List<InetSocketAddress> servers;
    private final int sessionTimeoutMs;
    private final ZooKeeperClient client;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    /** Acknowledged czxid to znode name, for the safety check (agent thread writes, trial thread reads after end). */
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final ZooKeeperSession.CreateAnswer onCreated = this::onCreated;
    private volatile ZooKeeperSession zk;
    private volatile boolean isExpired;

    /**
     * @param jars             the release's jars
     *                         ({@link io.electionbench.loadgen.zookeeper.ZooKeeperDistribution#jars()})
     * @param servers          every server's client address
     * @param sessionTimeoutMs asked of the servers (they grant 2 to 20 ticks)
     */
    public ZooKeeperWriteDriver(final List<Path> jars, final List<InetSocketAddress> servers,
        final int sessionTimeoutMs, final double ratePerS) throws Exception {
        super(ratePerS);
        final List<InetSocketAddress> shuffled = new ArrayList<>(servers);
        Collections.shuffle(shuffled);
        this.servers = List.copyOf(shuffled);
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.client = ZooKeeperClient.of(jars);
        zk = newSession();
        createParent();
        start(new LeaderFollowingWriter(new long[] {ENSEMBLE}, new ZooKeeperLinks(), SocketWriteDriver.BACKOFF_NS,
            SocketWriteDriver.CONNECT_BACKOFF_NS, TimeUnit.MILLISECONDS.toNanos(4L * sessionTimeoutMs)),
            "zookeeper-writer");
    }

    /** A new client session; it connects in the background, requests wait for it. */
    private ZooKeeperSession newSession() throws IOException {
        isExpired = false;
        return client.open(servers, sessionTimeoutMs, (state, atNs) -> {
            if ("Expired".equals(state)) {
                isExpired = true;
                wake();
            }
        });
    }

    /** Creates {@link #PARENT}, waiting for the first connection (up to 30 s). */
    private void createParent() throws IOException {
        final long deadline = System.nanoTime() + CONNECT_WAIT_NS;
        while (true) {
            try {
                zk.createPersistent(PARENT, new byte[0]);
                return;
            } catch (final ZooKeeperSession.Failure ex) {
                if (ex.code() == ZooKeeperSession.NODE_EXISTS) {
                    return;
                }
                if (ex.code() != ZooKeeperSession.CONNECTION_LOSS || System.nanoTime() - deadline > 0) {
                    throw new IOException("ZooKeeper at " + servers + ": cannot create " + PARENT + ": "
                        + ex.getMessage(), ex);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /** Create2Callback, on ZooKeeper's event thread. */
    private void onCreated(final long seq, final int rc, final String name, final long czxid, final long atNs) {
        answers.add(new Answer(seq, rc, czxid, name, atNs));
        if (rc != ZooKeeperSession.OK) {
            wake();
        }
    }

    @Override
    protected int drainAnswers() {
        int n = 0;
        Answer a;
        while ((a = answers.poll()) != null) {
            n++;
            if (a.rc() == ZooKeeperSession.OK) {
                names.put(a.czxid(), a.name());
                writer().onResult(ENSEMBLE, a.seq(), WriteListener.COMMITTED, a.czxid(), -1, a.atNs());
            } else {
                if (a.rc() == ZooKeeperSession.SESSION_EXPIRED) {
                    isExpired = true;
                }
                writer().onResult(ENSEMBLE, a.seq(), WriteListener.UNKNOWN, -1, -1, a.atNs());
            }
        }
        return n;
    }

    /** Every acknowledged znode exists with its czxid and sequence, read after a {@code sync} with the leader. */
    @Override
    public String missingAcknowledged(final TrialWrites writes) {
        final long[] zxids = writes.ackZxids();
        final long[] seqs = writes.ackSeqs();
        final ZooKeeperSession session = zk;
        try {
            session.sync(PARENT, 4L * sessionTimeoutMs);
            for (int i = 0; i < zxids.length; i++) {
                final String name = names.get(zxids[i]);
                final ZooKeeperSession.Read read;
                try {
                    read = session.read(name);
                } catch (final ZooKeeperSession.Failure ex) {
                    if (ex.code() == ZooKeeperSession.NO_NODE) {
                        return "acknowledged write " + seqs[i] + " (" + name + ", czxid " + Zxid.toString(zxids[i])
                            + ") is missing";
                    }
                    throw ex;
                }
                final byte[] data = read.data();
                final long held = data.length >= Long.BYTES ? ByteBuffer.wrap(data).getLong(0) : -1;
                if (held != seqs[i] || read.czxid() != zxids[i]) {
                    return name + " holds write " + held + " created at " + Zxid.toString(read.czxid())
                        + ", acknowledged as write " + seqs[i] + " at " + Zxid.toString(zxids[i]);
                }
            }
            return null;
        } catch (final ZooKeeperSession.Failure ex) {
            return "the acknowledged writes could not be checked: " + ex.getMessage();
        }
    }

    @Override
    protected void closeConnections() {
        closeQuietly(zk);
    }

    /** Closes a session on a thread of its own: with the ensemble down, ZooKeeper's close waits for an answer. */
    private static void closeQuietly(final ZooKeeperSession session) {
        final Thread t = new Thread(() -> session.close(CLOSE_WAIT_MS), "zookeeper-close");
        t.setDaemon(true);
        t.start();
    }

    /** The ensemble as one node: "connected" while the session lives; a new session after it expired. */
    private final class ZooKeeperLinks implements LeaderFollowingWriter.Links {
        private final byte[] scratch = new byte[SocketWriteDriver.PAYLOAD_BYTES];

        @Override
        public boolean connect(final long sid) {
            if (!isExpired) {
                return true;
            }
            closeQuietly(zk);
            try {
                zk = newSession();
                return true;
            } catch (final IOException ex) {
                return false;
            }
        }

        @Override
        public boolean send(final long sid, final long seq) {
            final byte[] data = scratch.clone(); // ZooKeeper keeps the array until the request is sent
            ByteBuffer.wrap(data).putLong(0, seq);
            try {
                zk.create(PARENT + "/w-", data, true, onCreated, seq);
                return true;
            } catch (final IllegalStateException ex) {
                return false;
            }
        }

        @Override
        public void drop(final long sid) {
            isExpired = true; // a new session on the next connect; the old one's answers are lost with it
        }
    }
}

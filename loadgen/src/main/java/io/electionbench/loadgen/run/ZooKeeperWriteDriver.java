package io.electionbench.loadgen.run;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.WriteListener;

/**
 * Open-loop writes to real Apache ZooKeeper through its own client, of the release under test (loaded
 * from that release's jars in a class loader of its own, so its Netty 4.1 never meets ours; SLF4J is shared, with ZooKeeper's loggers at ERROR: its reconnects during faults are expected). Each write is an asynchronous
 * {@code create} of a persistent sequential znode {@code /electionbench/w-} whose 128-byte data
 * starts with the write's sequence (big-endian); its zxid is the new znode's czxid.
 *
 * <p>The same {@link LeaderFollowingWriter} schedules and retries, with the whole ensemble as one
 * "node": ZooKeeper's client picks a server and reconnects by itself, and followers forward writes,
 * so there is no leader to follow. CONNECTIONLOSS and OPERATIONTIMEOUT answers (ZooKeeper cannot tell
 * whether such a write happened) count as unknown and the write is sent again 2 ms later; an expired
 * session is replaced by a new one. The client waits up to a second (random) before reconnecting
 * after a lost connection, and every server drops its clients when it leaves its role in an
 * election: that is in ZooKeeper's write unavailability, as a real client sees it.
 *
 * <p>The safety check runs {@code sync} and then reads every acknowledged znode: it must exist, with
 * the acknowledged czxid and the write's sequence.
 */
final class ZooKeeperWriteDriver extends AgentWriteDriver {
    static final String PARENT = "/electionbench";
    private static final long ENSEMBLE = 1;
    private static final int OK = 0;
    private static final int CONNECTION_LOSS = -4;
    private static final int OPERATION_TIMEOUT = -7;
    private static final int NODE_EXISTS = -110;
    private static final int SESSION_EXPIRED = -112;
    private static final long CONNECT_WAIT_NS = TimeUnit.SECONDS.toNanos(30);

    /** One create's outcome, from ZooKeeper's event thread. */
    private record Answer(long seq, int rc, long czxid, String name, long atNs) {
    }

    private final String connectString;
    private final int sessionTimeoutMs;
    private final ClassLoader loader;
    private final Class<?> zooKeeperClass;
    private final Class<?> watcherInterface;
    private final Class<?> create2Callback;
    private final Class<?> statClass;
    private final Object openAcl;
    private final Object persistentSequential;
    private final Object persistent;
    private final Method createAsync;
    private final Method createSync;
    private final Method getData;
    private final Method sync;
    private final Method close;
    private final Method czxid;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    /** Acknowledged czxid to znode name, for the safety check (agent thread writes, trial thread reads after end). */
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final Object callback;
    private volatile Object zk;
    private volatile boolean isExpired;

    /**
     * @param jars             the release's jars ({@link io.electionbench.loadgen.zookeeper.ZooKeeperDistribution#jars()})
     * @param connectString    every server's client address, {@code host:port,...}
     * @param sessionTimeoutMs asked of the servers (they grant 2 to 20 ticks)
     */
    ZooKeeperWriteDriver(final List<Path> jars, final String connectString, final int sessionTimeoutMs, final double ratePerS) throws Exception {
        super(ratePerS);
        this.connectString = connectString;
        this.sessionTimeoutMs = sessionTimeoutMs;
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "error");
        this.loader = isolatedLoader(jars);
        zooKeeperClass = loader.loadClass("org.apache.zookeeper.ZooKeeper");
        watcherInterface = loader.loadClass("org.apache.zookeeper.Watcher");
        create2Callback = loader.loadClass("org.apache.zookeeper.AsyncCallback$Create2Callback");
        statClass = loader.loadClass("org.apache.zookeeper.data.Stat");
        final Class<?> createMode = loader.loadClass("org.apache.zookeeper.CreateMode");
        openAcl = loader.loadClass("org.apache.zookeeper.ZooDefs$Ids").getField("OPEN_ACL_UNSAFE").get(null);
        persistentSequential = createMode.getField("PERSISTENT_SEQUENTIAL").get(null);
        persistent = createMode.getField("PERSISTENT").get(null);
        createAsync = zooKeeperClass.getMethod("create", String.class, byte[].class, List.class, createMode, create2Callback, Object.class);
        createSync = zooKeeperClass.getMethod("create", String.class, byte[].class, List.class, createMode);
        getData = zooKeeperClass.getMethod("getData", String.class, boolean.class, statClass);
        sync = zooKeeperClass.getMethod("sync", String.class);
        close = zooKeeperClass.getMethod("close");
        czxid = statClass.getMethod("getCzxid");
        callback = Proxy.newProxyInstance(loader, new Class<?>[] {create2Callback}, new CreateCallback());
        zk = newSession();
        createParent();
        start(new LeaderFollowingWriter(new long[] {ENSEMBLE}, new ZooKeeperLinks(), SocketWriteDriver.BACKOFF_NS,
            SocketWriteDriver.CONNECT_BACKOFF_NS, TimeUnit.MILLISECONDS.toNanos(4L * sessionTimeoutMs)), "zookeeper-writer");
    }

    /** ZooKeeper's jars first, then the JDK; SLF4J from ours (one logging setup). */
    static ClassLoader isolatedLoader(final List<Path> jars) throws IOException {
        final List<URL> urls = new ArrayList<>();
        for (final Path jar : jars) {
            final String name = jar.getFileName().toString();
            if (!name.startsWith("slf4j-") && !name.startsWith("logback-")) {
                urls.add(toUrl(jar));
            }
        }
        final ClassLoader ours = ZooKeeperWriteDriver.class.getClassLoader();
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException {
                return name.startsWith("org.slf4j.") ? ours.loadClass(name) : super.loadClass(name, resolve);
            }
        };
    }

    private static URL toUrl(final Path jar) throws MalformedURLException {
        return jar.toUri().toURL();
    }

    /** A new client session; it connects in the background, requests wait for it. */
    private Object newSession() throws Exception {
        isExpired = false;
        final Object watcher = Proxy.newProxyInstance(loader, new Class<?>[] {watcherInterface}, (proxy, method, args) -> {
            if ("process".equals(method.getName())) {
                final Object state = args[0].getClass().getMethod("getState").invoke(args[0]);
                if ("Expired".equals(String.valueOf(state))) {
                    isExpired = true;
                    wake();
                }
                return null;
            }
            return objectMethod(proxy, method, args);
        });
        return zooKeeperClass.getConstructor(String.class, int.class, watcherInterface).newInstance(connectString, sessionTimeoutMs, watcher);
    }

    /** Creates {@link #PARENT}, waiting for the first connection (up to 30 s). */
    private void createParent() throws Exception {
        final long deadline = System.nanoTime() + CONNECT_WAIT_NS;
        while (true) {
            try {
                createSync.invoke(zk, PARENT, new byte[0], openAcl, persistent);
                return;
            } catch (final InvocationTargetException ex) {
                final int code = code(ex.getCause());
                if (code == NODE_EXISTS) {
                    return;
                }
                if (code != CONNECTION_LOSS || System.nanoTime() - deadline > 0) {
                    throw new IOException("ZooKeeper at " + connectString + ": cannot create " + PARENT + ": " + ex.getCause(), ex.getCause());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    @Override
    protected int drainAnswers() {
        int n = 0;
        Answer a;
        while ((a = answers.poll()) != null) {
            n++;
            if (a.rc() == OK) {
                names.put(a.czxid(), a.name());
                writer().onResult(ENSEMBLE, a.seq(), WriteListener.COMMITTED, a.czxid(), -1, a.atNs());
            } else {
                if (a.rc() == SESSION_EXPIRED) {
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
        try {
            sync.invoke(zk, PARENT);
            for (int i = 0; i < zxids.length; i++) {
                final String name = names.get(zxids[i]);
                final Object stat = statClass.getConstructor().newInstance();
                final byte[] data;
                try {
                    data = (byte[])getData.invoke(zk, name, false, stat);
                } catch (final InvocationTargetException ex) {
                    if (code(ex.getCause()) == -101) {
                        return "acknowledged write " + seqs[i] + " (" + name + ", czxid " + Zxid.toString(zxids[i]) + ") is missing";
                    }
                    throw ex;
                }
                final long held = data.length >= Long.BYTES ? ByteBuffer.wrap(data).getLong(0) : -1;
                if (held != seqs[i] || (long)czxid.invoke(stat) != zxids[i]) {
                    return name + " holds write " + held + " created at " + Zxid.toString((long)czxid.invoke(stat))
                        + ", acknowledged as write " + seqs[i] + " at " + Zxid.toString(zxids[i]);
                }
            }
            return null;
        } catch (final InvocationTargetException ex) {
            return "the acknowledged writes could not be checked: " + ex.getCause();
        } catch (final ReflectiveOperationException ex) {
            return "the acknowledged writes could not be checked: " + ex;
        }
    }

    @Override
    protected void closeConnections() {
        closeQuietly(zk);
    }

    /** Closes a session on a thread of its own: with the ensemble down, ZooKeeper's close waits for an answer. */
    private void closeQuietly(final Object session) {
        final Thread t = new Thread(() -> {
            try {
                close.invoke(session);
            } catch (final ReflectiveOperationException ex) {
                // Closing anyway.
            }
        }, "zookeeper-close");
        t.setDaemon(true);
        t.start();
    }

    /** KeeperException.code().intValue(), or 0 for anything else. */
    private static int code(final Throwable keeperException) {
        try {
            final Object code = keeperException.getClass().getMethod("code").invoke(keeperException);
            return (int)code.getClass().getMethod("intValue").invoke(code);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            return 0;
        }
    }

    private static Object objectMethod(final Object proxy, final Method method, final Object[] args) {
        switch (method.getName()) {
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "electionbench-zookeeper-" + method.getName();
        }
    }

    /** Create2Callback.processResult(rc, path, ctx, name, stat), on ZooKeeper's event thread. */
    private final class CreateCallback implements InvocationHandler {
        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) throws Exception {
            if (!"processResult".equals(method.getName())) {
                return objectMethod(proxy, method, args);
            }
            final long atNs = System.nanoTime();
            final int rc = (int)args[0];
            final long czxidValue = rc == OK && args[4] != null ? (long)czxid.invoke(args[4]) : -1;
            answers.add(new Answer((long)args[2], rc, czxidValue, (String)args[3], atNs));
            if (rc != OK) {
                wake();
            }
            return null;
        }
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
            } catch (final Exception ex) {
                return false;
            }
        }

        @Override
        public boolean send(final long sid, final long seq) {
            final byte[] data = scratch.clone(); // ZooKeeper keeps the array until the request is sent
            ByteBuffer.wrap(data).putLong(0, seq);
            try {
                createAsync.invoke(zk, PARENT + "/w-", data, openAcl, persistentSequential, callback, seq);
                return true;
            } catch (final ReflectiveOperationException ex) {
                return false;
            }
        }

        @Override
        public void drop(final long sid) {
            isExpired = true; // a new session on the next connect; the old one's answers are lost with it
        }
    }
}

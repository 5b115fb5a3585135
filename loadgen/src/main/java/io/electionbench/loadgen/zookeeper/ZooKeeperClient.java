package io.electionbench.loadgen.zookeeper;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client of one ZooKeeper release, loaded from that release's own jars in a class loader of its own
 * and called reflectively: the load generator is compiled against no ZooKeeper version, releases differ
 * in their client API, and a release's Netty 4.1 must never meet ours. SLF4J is shared (one logging
 * setup), with ZooKeeper's loggers at ERROR: its reconnects during faults are expected. One loader per
 * release for the life of the JVM ({@link #of}); each {@link ZooKeeperSession} is one real client
 * session. Only API that every release from 3.8.0 on has is used (no blocking {@code sync}, which came
 * with 3.9). Nothing here assumes the servers run on this machine (docs/loadgen.md, "Failover as clients
 * see it").
 */
public final class ZooKeeperClient {
    private static final Map<List<Path>, ZooKeeperClient> LOADED = new ConcurrentHashMap<>();

    final ClassLoader loader;
    final Class<?> zooKeeperClass;
    final Class<?> watcherInterface;
    final Class<?> hostProviderInterface;
    final Class<?> dataCallback;
    final Class<?> statCallback;
    final Class<?> voidCallback;
    final Class<?> create2Callback;
    final Class<?> statClass;
    final Object openAcl;
    final Object persistent;
    final Object persistentSequential;
    final Constructor<?> newSession;
    final Method getDataAsync;
    final Method getDataSync;
    final Method setDataAsync;
    final Method createAsync;
    final Method createSync;
    final Method syncAsync;
    final Method closeWaiting;
    final Method sessionId;
    final Method czxid;
    final Method mzxid;

    private ZooKeeperClient(final List<Path> jars) throws IOException, ReflectiveOperationException {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "error");
        loader = isolatedLoader(jars);
        zooKeeperClass = loader.loadClass("org.apache.zookeeper.ZooKeeper");
        watcherInterface = loader.loadClass("org.apache.zookeeper.Watcher");
        hostProviderInterface = loader.loadClass("org.apache.zookeeper.client.HostProvider");
        dataCallback = loader.loadClass("org.apache.zookeeper.AsyncCallback$DataCallback");
        statCallback = loader.loadClass("org.apache.zookeeper.AsyncCallback$StatCallback");
        voidCallback = loader.loadClass("org.apache.zookeeper.AsyncCallback$VoidCallback");
        create2Callback = loader.loadClass("org.apache.zookeeper.AsyncCallback$Create2Callback");
        statClass = loader.loadClass("org.apache.zookeeper.data.Stat");
        final Class<?> createMode = loader.loadClass("org.apache.zookeeper.CreateMode");
        openAcl = loader.loadClass("org.apache.zookeeper.ZooDefs$Ids").getField("OPEN_ACL_UNSAFE").get(null);
        persistent = createMode.getField("PERSISTENT").get(null);
        persistentSequential = createMode.getField("PERSISTENT_SEQUENTIAL").get(null);
        newSession = zooKeeperClass.getConstructor(String.class, int.class, watcherInterface, boolean.class,
            hostProviderInterface);
        getDataAsync = zooKeeperClass.getMethod("getData", String.class, boolean.class, dataCallback, Object.class);
        getDataSync = zooKeeperClass.getMethod("getData", String.class, boolean.class, statClass);
        setDataAsync = zooKeeperClass.getMethod("setData", String.class, byte[].class, int.class, statCallback,
            Object.class);
        createAsync = zooKeeperClass.getMethod("create", String.class, byte[].class, List.class, createMode,
            create2Callback, Object.class);
        createSync = zooKeeperClass.getMethod("create", String.class, byte[].class, List.class, createMode);
        syncAsync = zooKeeperClass.getMethod("sync", String.class, voidCallback, Object.class);
        closeWaiting = zooKeeperClass.getMethod("close", int.class);
        sessionId = zooKeeperClass.getMethod("getSessionId");
        czxid = statClass.getMethod("getCzxid");
        mzxid = statClass.getMethod("getMzxid");
    }

    /**
     * The client of the release whose jars these are (loaded on first use, then shared).
     *
     * @param jars the release's jars ({@link ZooKeeperDistribution#jars()})
     * @throws IOException when the jars do not hold a ZooKeeper client of a supported release
     */
    public static ZooKeeperClient of(final List<Path> jars) throws IOException {
        final ZooKeeperClient known = LOADED.get(jars);
        if (known != null) {
            return known;
        }
        try {
            final ZooKeeperClient loaded = new ZooKeeperClient(jars);
            final ZooKeeperClient raced = LOADED.putIfAbsent(List.copyOf(jars), loaded);
            return raced != null ? raced : loaded;
        } catch (final ReflectiveOperationException ex) {
            throw new IOException("these jars hold no ZooKeeper client of 3.8.0 or later: " + ex, ex);
        }
    }

    /**
     * Opens a session; it connects in the background, and requests made meanwhile wait for it.
     *
     * @param servers          the servers in the order the session tries them (not shuffled; see
     *                         {@link OrderedHostProvider})
     * @param sessionTimeoutMs asked of the servers (they grant 2 to 20 ticks)
     * @param listener         the session's connection states, on ZooKeeper's event thread
     */
    public ZooKeeperSession open(final List<InetSocketAddress> servers, final int sessionTimeoutMs,
        final ZooKeeperSession.StateListener listener) throws IOException {
        final StringBuilder connect = new StringBuilder();
        for (final InetSocketAddress s : servers) {
            connect.append(connect.length() == 0 ? "" : ",").append(s.getHostString()).append(':').append(s.getPort());
        }
        final Object watcher = proxy(watcherInterface, (proxy, method, args) -> {
            if ("process".equals(method.getName())) {
                final long atNs = System.nanoTime();
                final Object state = args[0].getClass().getMethod("getState").invoke(args[0]);
                listener.onState(String.valueOf(state), atNs);
                return null;
            }
            return objectMethod(proxy, method, args);
        });
        final Object hostProvider = proxy(hostProviderInterface, new OrderedHostProvider(servers));
        try {
            return new ZooKeeperSession(this, newSession.newInstance(connect.toString(), sessionTimeoutMs, watcher,
                false, hostProvider));
        } catch (final ReflectiveOperationException ex) {
            throw new IOException("cannot open a ZooKeeper session to " + connect + ": " + cause(ex), ex);
        }
    }

    /** An instance of one of ZooKeeper's interfaces, answering {@link Object}'s methods itself. */
    Object proxy(final Class<?> zooKeeperInterface, final InvocationHandler handler) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {zooKeeperInterface}, handler);
    }

    static Object objectMethod(final Object proxy, final Method method, final Object[] args) {
        switch (method.getName()) {
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "electionbench-zookeeper-" + method.getName();
        }
    }

    /** What a reflective call threw, unwrapped. */
    static Throwable cause(final ReflectiveOperationException ex) {
        return ex instanceof java.lang.reflect.InvocationTargetException && ex.getCause() != null ? ex.getCause() : ex;
    }

    /** ZooKeeper's jars first, then the JDK; SLF4J from ours. */
    private static ClassLoader isolatedLoader(final List<Path> jars) throws IOException {
        final List<URL> urls = new ArrayList<>();
        for (final Path jar : jars) {
            final String name = jar.getFileName().toString();
            if (!name.startsWith("slf4j-") && !name.startsWith("logback-")) {
                urls.add(toUrl(jar));
            }
        }
        final ClassLoader ours = ZooKeeperClient.class.getClassLoader();
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

    /**
     * ZooKeeper's {@code StaticHostProvider} without its shuffle: the servers are tried in the order
     * given, so session i can start at server i mod n. Otherwise its rules ({@code
     * StaticHostProvider.next} and {@code onConnected}): round robin from the first, and a sleep of
     * {@code spinDelay} (ZooKeeper passes 1 s) on coming back to the last server it was connected to
     * without having connected anywhere else. Called on the session's own send thread only; no
     * reconfiguration (the server list never changes here).
     */
    static final class OrderedHostProvider implements InvocationHandler {
        private final List<InetSocketAddress> servers;
        private int current = -1;
        private int last = -1;

        OrderedHostProvider(final List<InetSocketAddress> servers) {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("a ZooKeeper session needs at least one server");
            }
            this.servers = List.copyOf(servers);
        }

        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) {
            switch (method.getName()) {
                case "size":
                    return servers.size();
                case "next":
                    return next((long)args[0]);
                case "onConnected":
                    last = current;
                    return null;
                case "updateServerList":
                    return false;
                default:
                    return objectMethod(proxy, method, args);
            }
        }

        InetSocketAddress next(final long spinDelayMs) {
            current = (current + 1) % servers.size();
            final boolean isRound = current == last && spinDelayMs > 0;
            if (last == -1) {
                last = 0; // no sleep before the very first attempt
            }
            if (isRound) {
                try {
                    Thread.sleep(spinDelayMs);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt(); // closing: ZooKeeper's send thread checks its state next
                }
            }
            return servers.get(current);
        }
    }
}

package io.electionbench.loadgen.run;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Loads data into a real ZooKeeper ensemble before a cell's trials ({@code --preload}): persistent znodes
 * {@code /electionbench-preload/p-N} of a given size, created asynchronously through ZooKeeper's own client
 * of the release under test (its jars in a class loader of their own, as {@link ZooKeeperWriteDriver}),
 * with a bounded number unanswered.
 */
final class ZooKeeperPreload implements AutoCloseable {
    static final String PARENT = "/electionbench-preload";
    private static final int OK = 0;
    private static final int NODE_EXISTS = -110;

    private final ClassLoader loader;
    private final Object zk;
    private final Object openAcl;
    private final Object persistent;
    private final Class<?> stringCallback;
    private final Method createAsync;
    private final Method createSync;
    private final Method close;

    ZooKeeperPreload(final List<Path> jars, final String connectString, final int sessionTimeoutMs) throws Exception {
        loader = ZooKeeperWriteDriver.isolatedLoader(jars);
        final Class<?> zooKeeper = loader.loadClass("org.apache.zookeeper.ZooKeeper");
        final Class<?> watcher = loader.loadClass("org.apache.zookeeper.Watcher");
        final Class<?> createMode = loader.loadClass("org.apache.zookeeper.CreateMode");
        stringCallback = loader.loadClass("org.apache.zookeeper.AsyncCallback$StringCallback");
        openAcl = loader.loadClass("org.apache.zookeeper.ZooDefs$Ids").getField("OPEN_ACL_UNSAFE").get(null);
        persistent = createMode.getField("PERSISTENT").get(null);
        createAsync = zooKeeper.getMethod("create", String.class, byte[].class, List.class, createMode, stringCallback,
            Object.class);
        createSync = zooKeeper.getMethod("create", String.class, byte[].class, List.class, createMode);
        close = zooKeeper.getMethod("close");
        final Object ignore = Proxy.newProxyInstance(loader, new Class<?>[] {watcher}, (proxy, method, args) ->
            "process".equals(method.getName()) ? null : method.getName().equals("hashCode") ? 0 : proxy == args[0]);
        zk = zooKeeper.getConstructor(String.class, int.class, watcher).newInstance(connectString, sessionTimeoutMs, ignore);
    }

    /** Creates {@code count} znodes of {@code valueBytes} bytes, at most {@code window} unanswered; by the deadline. */
    void create(final long count, final int valueBytes, final int window, final long deadlineNs) throws Exception {
        createParent(deadlineNs);
        final byte[] data = new byte[valueBytes];
        final Semaphore permits = new Semaphore(window);
        final AtomicLong created = new AtomicLong();
        final AtomicReference<String> failure = new AtomicReference<>();
        final Object callback = Proxy.newProxyInstance(loader, new Class<?>[] {stringCallback}, (proxy, method, args) -> {
            if ("processResult".equals(method.getName())) {
                final int rc = (Integer)args[0];
                if (rc == OK || rc == NODE_EXISTS) {
                    created.incrementAndGet();
                } else {
                    failure.compareAndSet(null, "create " + args[1] + " failed with code " + rc);
                }
                permits.release();
                return null;
            }
            return method.getName().equals("hashCode") ? 0 : proxy == args[0];
        });
        for (long i = 0; i < count; i++) {
            while (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                check(failure, deadlineNs, created.get(), count);
            }
            check(failure, deadlineNs, created.get(), count);
            createAsync.invoke(zk, String.format("%s/p-%010d", PARENT, i), data, openAcl, persistent, callback, null);
        }
        while (created.get() < count) {
            check(failure, deadlineNs, created.get(), count);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void createParent(final long deadlineNs) throws Exception {
        while (true) {
            try {
                createSync.invoke(zk, PARENT, new byte[0], openAcl, persistent);
                return;
            } catch (final InvocationTargetException ex) {
                final String name = ex.getCause().getClass().getSimpleName();
                if (name.equals("NodeExistsException")) {
                    return;
                }
                if (!name.equals("ConnectionLossException") || System.nanoTime() - deadlineNs > 0) {
                    throw new IOException("preload: cannot create " + PARENT + ": " + ex.getCause(), ex.getCause());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private static void check(final AtomicReference<String> failure, final long deadlineNs, final long done, final long count)
        throws IOException {
        if (failure.get() != null) {
            throw new IOException("preload: " + failure.get() + " after " + done + " of " + count + " znodes");
        }
        if (System.nanoTime() - deadlineNs > 0) {
            throw new IOException("preload: " + done + " of " + count + " znodes created within the timeout");
        }
    }

    @Override
    public void close() throws Exception {
        close.invoke(zk);
    }
}

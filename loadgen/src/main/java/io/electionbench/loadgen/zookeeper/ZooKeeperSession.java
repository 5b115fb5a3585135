package io.electionbench.loadgen.zookeeper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One session of a release's own ZooKeeper client ({@link ZooKeeperClient#open}): asynchronous reads,
 * writes and creates whose answers carry the load generator's clock, and the few blocking calls the load
 * generator needs to set up and check. Answers and connection states arrive on the session's event thread
 * (ZooKeeper's {@code ClientCnxn.EventThread}), in order, stamped with {@link System#nanoTime()} as they
 * arrive; the handlers must not block. Result codes are ZooKeeper's ({@code KeeperException.Code}).
 */
public final class ZooKeeperSession {
    public static final int OK = 0;
    public static final int CONNECTION_LOSS = -4;
    public static final int OPERATION_TIMEOUT = -7;
    public static final int NO_NODE = -101;
    public static final int NODE_EXISTS = -110;
    public static final int SESSION_EXPIRED = -112;
    public static final int SESSION_MOVED = -118;
    /** Not a ZooKeeper code: the call could not be made at all (the reflective call failed). */
    public static final int NOT_CALLED = Integer.MIN_VALUE;

    /** Connection states ({@code Watcher.Event.KeeperState}: SyncConnected, Disconnected, Expired, Closed, ...). */
    @FunctionalInterface
    public interface StateListener {
        void onState(String keeperState, long atNs);
    }

    /** A read's or write's outcome; {@code zxid} is the znode's mzxid on success, else -1. */
    @FunctionalInterface
    public interface Answer {
        void onAnswer(long ctx, int rc, long zxid, long atNs);
    }

    /** A create's outcome: the created znode's name and czxid on success. */
    @FunctionalInterface
    public interface CreateAnswer {
        void onCreated(long ctx, int rc, String name, long czxid, long atNs);
    }

    /** A znode's data and the zxid that created it. */
    public record Read(byte[] data, long czxid) {
    }

    /** A blocking call that ZooKeeper answered with an error (or that could not be made). */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        Failure(final int code, final String message, final Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        /** ZooKeeper's result code, or {@link #NOT_CALLED}. */
        public int code() {
            return code;
        }
    }

    /** The handler and the caller's context of one asynchronous call. */
    private record Call(Object handler, long ctx) {
    }

    private final ZooKeeperClient client;
    private final Object zk;
    private final Object dataCallback;
    private final Object statCallback;
    private final Object createCallback;

    ZooKeeperSession(final ZooKeeperClient client, final Object zk) {
        this.client = client;
        this.zk = zk;
        this.dataCallback = client.proxy(client.dataCallback, (proxy, method, args) -> {
            if (!"processResult".equals(method.getName())) {
                return ZooKeeperClient.objectMethod(proxy, method, args);
            }
            answer(args, args[4]); // (rc, path, ctx, data, stat)
            return null;
        });
        this.statCallback = client.proxy(client.statCallback, (proxy, method, args) -> {
            if (!"processResult".equals(method.getName())) {
                return ZooKeeperClient.objectMethod(proxy, method, args);
            }
            answer(args, args[3]); // (rc, path, ctx, stat)
            return null;
        });
        this.createCallback = client.proxy(client.create2Callback, (proxy, method, args) -> {
            if (!"processResult".equals(method.getName())) {
                return ZooKeeperClient.objectMethod(proxy, method, args);
            }
            final long atNs = System.nanoTime(); // (rc, path, ctx, name, stat)
            final int rc = (int)args[0];
            final Call call = (Call)args[2];
            final long created = rc == OK && args[4] != null ? (long)client.czxid.invoke(args[4]) : -1;
            ((CreateAnswer)call.handler()).onCreated(call.ctx(), rc, (String)args[3], created, atNs);
            return null;
        });
    }

    private void answer(final Object[] args, final Object stat) throws ReflectiveOperationException {
        final long atNs = System.nanoTime();
        final int rc = (int)args[0];
        final Call call = (Call)args[2];
        final long zxid = rc == OK && stat != null ? (long)client.mzxid.invoke(stat) : -1;
        ((Answer)call.handler()).onAnswer(call.ctx(), rc, zxid, atNs);
    }

    /** Asynchronous {@code getData(path, false, ...)}. */
    public void getData(final String path, final Answer answer, final long ctx) {
        invoke(client.getDataAsync, path, false, dataCallback, new Call(answer, ctx));
    }

    /** Asynchronous {@code setData(path, data, -1, ...)}: any version. ZooKeeper keeps {@code data} until sent. */
    public void setData(final String path, final byte[] data, final Answer answer, final long ctx) {
        invoke(client.setDataAsync, path, data, -1, statCallback, new Call(answer, ctx));
    }

    /** Asynchronous {@code create} of a persistent znode, sequential or not, open to all. */
    public void create(final String path, final byte[] data, final boolean isSequential, final CreateAnswer answer,
        final long ctx) {
        invoke(client.createAsync, path, data, client.openAcl,
            isSequential ? client.persistentSequential : client.persistent, createCallback, new Call(answer, ctx));
    }

    /** Blocking {@code create} of a persistent znode, open to all; waits as long as the session does. */
    public String createPersistent(final String path, final byte[] data) throws Failure {
        return (String)call(client.createSync, path, data, client.openAcl, client.persistent);
    }

    /** Blocking {@code getData(path, false, stat)}. */
    public Read read(final String path) throws Failure {
        final Object stat;
        try {
            stat = client.statClass.getConstructor().newInstance();
        } catch (final ReflectiveOperationException ex) {
            throw new Failure(NOT_CALLED, "cannot make a ZooKeeper Stat: " + ex, ex);
        }
        final byte[] data = (byte[])call(client.getDataSync, path, false, stat);
        try {
            return new Read(data, (long)client.czxid.invoke(stat));
        } catch (final ReflectiveOperationException ex) {
            throw new Failure(NOT_CALLED, "cannot read a ZooKeeper Stat: " + ex, ex);
        }
    }

    /**
     * {@code sync(path)}: this session's server catches up with the leader. Through the asynchronous call,
     * which every release has (the blocking one came with 3.9); waits up to {@code timeoutMs}.
     */
    public void sync(final String path, final long timeoutMs) throws Failure {
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        final Object callback = client.proxy(client.voidCallback, (proxy, method, args) -> {
            if (!"processResult".equals(method.getName())) {
                return ZooKeeperClient.objectMethod(proxy, method, args);
            }
            done.complete((Integer)args[0]);
            return null;
        });
        invoke(client.syncAsync, path, callback, null);
        final int rc;
        try {
            rc = done.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (final TimeoutException ex) {
            throw new Failure(OPERATION_TIMEOUT, "sync " + path + ": no answer within " + timeoutMs + " ms", ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Failure(NOT_CALLED, "sync " + path + ": interrupted", ex);
        } catch (final ExecutionException ex) {
            throw new Failure(NOT_CALLED, "sync " + path + ": " + ex.getCause(), ex.getCause());
        }
        if (rc != OK) {
            throw new Failure(rc, "sync " + path + ": ZooKeeper answered " + rc, null);
        }
    }

    public long sessionId() {
        try {
            return (long)client.sessionId.invoke(zk);
        } catch (final ReflectiveOperationException ex) {
            return -1;
        }
    }

    /**
     * Closes the session and waits up to {@code waitMs} for its threads to end ({@code ZooKeeper.close(int)}).
     * With no server to answer, ZooKeeper's close waits for its next connection attempt to fail: call it
     * where that may block.
     *
     * @return true when the session's threads ended in time
     */
    public boolean close(final int waitMs) {
        try {
            return (boolean)client.closeWaiting.invoke(zk, waitMs);
        } catch (final ReflectiveOperationException ex) {
            return false;
        }
    }

    private void invoke(final Method m, final Object... args) {
        try {
            m.invoke(zk, args);
        } catch (final ReflectiveOperationException ex) {
            final Throwable cause = ZooKeeperClient.cause(ex);
            throw new IllegalStateException("ZooKeeper " + m.getName() + ": " + cause, cause);
        }
    }

    private Object call(final Method m, final Object... args) throws Failure {
        try {
            return m.invoke(zk, args);
        } catch (final InvocationTargetException ex) {
            final int code = code(ex.getCause());
            throw new Failure(code, "ZooKeeper " + m.getName() + " " + args[0] + ": " + ex.getCause(), ex.getCause());
        } catch (final ReflectiveOperationException ex) {
            throw new Failure(NOT_CALLED, "ZooKeeper " + m.getName() + ": " + ex, ex);
        }
    }

    /** {@code KeeperException.code().intValue()}, or {@link #NOT_CALLED} for anything else. */
    private static int code(final Throwable keeperException) {
        try {
            final Object code = keeperException.getClass().getMethod("code").invoke(keeperException);
            return (int)code.getClass().getMethod("intValue").invoke(code);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            return NOT_CALLED;
        }
    }
}

package io.electionbench.loadgen.run;

/**
 * The client sessions of one target as {@link ClientDriver} drives them: real ZooKeeper sessions
 * ({@link ZooKeeperClients}) or sessions of our nodes' binary write client and admin endpoint
 * ({@link NodeClients}). {@link #read}, {@link #write} and {@link #onFailed} are called on the driver's
 * agent thread only; answers come back on the clients' own threads through {@link Events}, stamped with
 * {@link System#nanoTime()} as they arrive. A {@code token} is the driver's name for one attempt, at most
 * 48 bits; it comes back with the attempt's answer.
 */
interface ClientTransport extends AutoCloseable {
    /** Where answers and connection events go; any thread, never blocking. */
    interface Events {
        /** An attempt's answer: {@link ClientStream#OK}, {@link ClientStream#REDIRECT} or a failure code. */
        void onAnswer(int session, boolean isWrite, long token, int code, long atNs);

        /** Every attempt of that kind in flight on that session is lost (its connection ended). */
        void onLinkLost(int session, boolean isWrite, long atNs);

        /** A connection event of a client that reports them ({@link #hasConnectionEvents}). */
        void onConnection(int session, int event, long atNs);
    }

    /** {@link Events#onConnection} events. */
    int DISCONNECTED = 1;
    int CONNECTED = 2;
    int EXPIRED = 3;

    /** Opens every session and waits until each can serve (blocking; before the first trial). */
    void open(Events events) throws Exception;

    int sessions();

    /** An attempt unanswered this long is given up on ({@link #reset}); Long.MAX_VALUE: the client times out itself. */
    long answerTimeoutNs();

    /** True when the client reports its own connection events (ZooKeeper's watcher states). */
    boolean hasConnectionEvents();

    /** Sends one read: {@link ClientStream#SENT}, or the code of why it could not be sent. */
    int read(int session, long token);

    /** Sends one write, as {@link #read}. */
    int write(int session, long token);

    /**
     * An attempt of this session failed with {@code code}, or was redirected ({@link ClientStream#REDIRECT}):
     * the transport may move to another server.
     *
     * @return true when it dropped the connection of that kind's other attempts in flight (they are resent)
     */
    boolean onFailed(int session, boolean isWrite, int code);

    /** The session's attempts of this kind are given up on (no answer in time): drop their connection. */
    void reset(int session, boolean isWrite);

    /** A session expired: replace it with a new one (ZooKeeper). */
    default void renew(int session) {
    }

    @Override
    void close();
}

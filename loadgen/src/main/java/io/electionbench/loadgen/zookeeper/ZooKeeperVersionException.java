package io.electionbench.loadgen.zookeeper;

/**
 * A ZooKeeper release or install that cannot be used: a version that does not exist or is not
 * supported, a repository that cannot be reached with nothing cached, a directory that is not a
 * ZooKeeper distribution. The message is one line naming the flag value and what is wrong.
 */
public final class ZooKeeperVersionException extends Exception {
    private static final long serialVersionUID = 1L;

    public ZooKeeperVersionException(final String message) {
        super(message);
    }

    public ZooKeeperVersionException(final String message, final Throwable cause) {
        super(message, cause);
    }
}

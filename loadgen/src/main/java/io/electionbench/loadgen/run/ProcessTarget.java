package io.electionbench.loadgen.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;

/**
 * One JVM per node running {@code electionbench node}, with a small heap; crash is SIGKILL
 * ({@code destroyForcibly}), pause and resume are SIGSTOP and SIGCONT. Each node logs to
 * {@code node-N.log} in the run's work directory.
 */
final class ProcessTarget extends AdminTarget {
    private static final String MAIN = "io.electionbench.loadgen.Main";

    private final ChildJvms jvms;
    private final String heap;
    private long archivingSid = -1;
    private Path archiveOut;

    ProcessTarget(final Path dir, final int size, final ElectionPolicy policy, final NodeTiming timing,
        final FsyncPolicy fsync, final String heap) throws IOException {
        super(dir, size, policy, timing, fsync);
        this.jvms = new ChildJvms(size);
        this.heap = heap;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    protected void launch(final long sid) throws Exception {
        spawn(sid);
        awaitUp(sid);
    }

    @Override
    protected void spawn(final long sid) throws Exception {
        final List<String> args = new java.util.ArrayList<>();
        if (archiveOut != null) {
            if (sid == archivingSid) {
                args.add("-XX:ArchiveClassesAtExit=" + archiveOut);
            }
        } else {
            args.addAll(NodeClassArchive.nodeFlags(heap, System.err));
        }
        args.addAll(nodeArgs(configFile, sid));
        jvms.start(sid, ChildJvms.command(heap, args), dir.resolve("node-" + sid + ".log"));
    }

    /**
     * Makes this a {@link NodeClassArchive} training ensemble: node {@code sid} writes the classes it
     * loaded to {@code archive} when it exits, and no node uses an archive.
     */
    void archiveAtExit(final long sid, final Path archive) {
        this.archivingSid = sid;
        this.archiveOut = archive;
    }

    /**
     * The JVM arguments after the heap and flags that run {@code electionbench node} for {@code sid} on this classpath.
     */
    static List<String> nodeArgs(final java.nio.file.Path config, final long sid) {
        final List<String> args = new java.util.ArrayList<>(List.of("--add-exports",
            "java.base/jdk.internal.misc=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 22) {
            args.add("--enable-native-access=ALL-UNNAMED"); // Netty's epoll library, quietly on 22+
        }
        args.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN, "node", "--config", config.toString(),
            "--id", Long.toString(sid)));
        return args;
    }

    @Override
    protected void awaitUp(final long sid) throws Exception {
        try {
            awaitAdmin(sid, 20_000);
        } catch (final IOException ex) {
            final Process p = jvms.process(sid);
            throw new IOException(ex.getMessage() + (p.isAlive() ? "" : " (the process exited with status "
                + p.exitValue() + "; see " + dir.resolve("node-" + sid + ".log") + ")"), ex);
        }
    }

    /** Node {@code sid}'s process, or null when none was started since it was last killed. */
    Process process(final long sid) {
        return jvms.process(sid);
    }

    /** Where node {@code sid} logs. */
    Path logFile(final long sid) {
        return dir.resolve("node-" + sid + ".log");
    }

    @Override
    protected void kill(final long sid) throws InterruptedException {
        jvms.kill(sid);
    }

    /** Every kill signalled before any is waited for ({@link ChildJvms#kill(long[])}). */
    @Override
    protected void killAll(final long[] sids) throws InterruptedException {
        jvms.kill(sids);
    }

    @Override
    public boolean pause(final long sid) throws Exception {
        paused.add(sid);
        return jvms.signal(sid, "-STOP");
    }

    @Override
    public void resume(final long sid) throws Exception {
        jvms.signal(sid, "-CONT");
        paused.remove(sid);
    }

    @Override
    public void close() {
        super.close();
        jvms.killAll();
    }
}

package io.electionbench.loadgen.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;

/**
 * One JVM per node running {@code electionbench node}, with a small heap; crash is SIGKILL
 * ({@code destroyForcibly}), pause and resume are SIGSTOP and SIGCONT. Each node logs to
 * {@code node-N.log} in the run's work directory.
 */
final class ProcessTarget extends AdminTarget {
    private static final String MAIN = "io.electionbench.loadgen.Main";

    private final Process[] processes;
    private final String heap;

    ProcessTarget(final Path dir, final int size, final ElectionPolicy policy, final NodeTiming timing, final String heap) throws IOException {
        super(dir, size, policy, timing);
        this.processes = new Process[size + 1];
        this.heap = heap;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    protected void launch(final long sid) throws Exception {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-Xms" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            MAIN, "node", "--config", configFile.toString(), "--id", Long.toString(sid)));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + sid + ".log").toFile()));
        processes[(int)sid] = pb.start();
        try {
            awaitAdmin(sid, 20_000);
        } catch (final IOException ex) {
            final Process p = processes[(int)sid];
            throw new IOException(ex.getMessage() + (p.isAlive() ? "" : " (the process exited with status " + p.exitValue()
                + "; see " + dir.resolve("node-" + sid + ".log") + ")"), ex);
        }
    }

    @Override
    protected void kill(final long sid) throws InterruptedException {
        final Process p = processes[(int)sid];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            processes[(int)sid] = null;
        }
    }

    @Override
    public boolean pause(final long sid) throws Exception {
        return signal(sid, "-STOP");
    }

    @Override
    public void resume(final long sid) throws Exception {
        signal(sid, "-CONT");
    }

    private boolean signal(final long sid, final String signal) throws IOException, InterruptedException {
        final Process p = processes[(int)sid];
        if (p == null) {
            return false;
        }
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).redirectErrorStream(true).start();
        return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
    }

    @Override
    public void close() {
        super.close();
        for (int sid = 1; sid < processes.length; sid++) {
            final Process p = processes[sid];
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (int sid = 1; sid < processes.length; sid++) {
            final Process p = processes[sid];
            if (p != null) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

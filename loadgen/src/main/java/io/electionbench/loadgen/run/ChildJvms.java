package io.electionbench.loadgen.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM per server, indexed by sid: started with a small heap and C1 only (several JVMs share
 * two cores), killed with SIGKILL, paused with SIGSTOP. Output goes to a log file per server.
 */
public final class ChildJvms {
    private final Process[] processes;

    ChildJvms(final int size) {
        this.processes = new Process[size + 1];
    }

    /**
     * JVM flags every child gets after its heap: our nodes and ZooKeeper servers alike, so the
     * comparison is fair. SerialGC and C1 only, to spare two cores the C2 and GC threads; on Linux,
     * transparent huge pages for the heap: a killed JVM's sockets close only after the kernel has
     * freed its memory, and with the heap in 2 MiB pages that took 5.7-6.3 ms instead of 8.5-10.8 ms
     * (medians of 7 kill -9s of an idle node, 2-core VM), which is the first part of every crash's
     * detection, for ZooKeeper alike. Where the kernel has no THP the JVM warns once and goes on.
     */
    static final String DEFAULT_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
        + (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
            ? " -XX:+UseTransparentHugePages" : "");
    private static volatile String flags = DEFAULT_FLAGS;

    /** Replaces the children's JVM flags (whitespace-separated), e.g. to try full C2 compilation. */
    static void flags(final String jvmFlags) {
        flags = jvmFlags;
    }

    /** The flags children get now (after the heap), as {@link #flags(String)} last set them. */
    static String currentFlags() {
        return flags;
    }

    /** The java command line for a child: this JVM's java binary, the heap, the flags, then {@code args}. */
    static List<String> command(final String heap, final List<String> args) {
        final List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-Xmx" + heap, "-Xms" + heap));
        for (final String flag : flags.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Starts {@code java <heap> <flags> -version} once, so a heap or flag the JVM refuses is one clear line
     * before any server starts, not a stack trace after the first one failed; null when the JVM takes them,
     * else the JVM's own first line of complaint.
     */
    public static String check(final String heap) {
        final List<String> cmd = command(heap, List.of("-version"));
        try {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "java -version with these flags did not finish within 30 s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            final String text = new String(out, java.nio.charset.StandardCharsets.UTF_8).strip();
            final String first = text.lines().filter(l -> !l.isBlank()).findFirst()
                .orElse("exit status " + p.exitValue());
            return "the JVM refuses heap " + heap + " with flags '" + flags.trim() + "': " + first;
        } catch (final IOException ex) {
            return "cannot start " + cmd.get(0) + ": " + ex.getMessage();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "interrupted while checking the JVM flags";
        }
    }

    /** Starts server {@code sid}; starting one that is still alive is an error (its ports are taken). */
    void start(final long sid, final List<String> command, final Path log) throws IOException {
        final Process old = processes[(int)sid];
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("server " + sid + " is already running (pid " + old.pid() + ")");
        }
        processes[(int)sid] = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    Process process(final long sid) {
        return processes[(int)sid];
    }

    /** SIGKILL, then wait for the kernel to reap it, so its ports are free for a restart. */
    void kill(final long sid) throws InterruptedException {
        final Process p = processes[(int)sid];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            processes[(int)sid] = null;
        }
    }

    /**
     * SIGKILL to every one of {@code sids} first, then waits for each to be reaped: one fault, so that none
     * of them can win an election in the time the kill of another takes (waiting for a JVM to be reaped
     * takes milliseconds, about as long as our nodes' election).
     */
    void kill(final long[] sids) throws InterruptedException {
        for (final long sid : sids) {
            final Process p = processes[(int)sid];
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (final long sid : sids) {
            kill(sid);
        }
    }

    /** Sends {@code -STOP} or {@code -CONT}; false when the server is not running or kill failed. */
    boolean signal(final long sid, final String signal) throws IOException, InterruptedException {
        final Process p = processes[(int)sid];
        if (p == null) {
            return false;
        }
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).redirectErrorStream(true)
            .start();
        return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
    }

    /** Kills every child and waits for them. */
    void killAll() {
        for (final Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (int sid = 1; sid < processes.length; sid++) {
            try {
                kill(sid);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

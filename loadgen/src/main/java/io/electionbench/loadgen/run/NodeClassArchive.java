package io.electionbench.loadgen.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;

/**
 * An application class-data-sharing archive (the JDK's dynamic AppCDS archive, JEP 350) of the classes a
 * node loads from its start to following a leader, so that the process target's node JVMs map those
 * classes instead of parsing and verifying them one by one: a restarted node spends most of its rejoin
 * in the JVM's start-up, not in the protocol (docs/loadgen.md, "A restarted node's time").
 *
 * <p>The archive is built once per classpath (each jar's path, size and modification time), JVM and
 * child flags, by a training run: a two-member ensemble on loopback whose member 1, a follower once
 * member 2 wins, writes the archive when it exits ({@code -XX:ArchiveClassesAtExit}). It is kept next to
 * the jar (or in the temporary directory when that is not writable) under a name that carries that key,
 * so a rebuilt jar or another JVM gets its own. Nodes then start with {@code -XX:SharedArchiveFile} and
 * {@code -Xshare:auto}: a JVM that cannot use the archive says so in the node's log and runs without it.
 * Only jars can be archived, so a classpath with directories (a build tree, as in tests) gets none.
 * ZooKeeper servers are started without one, as {@code zkServer.sh} starts them.
 */
final class NodeClassArchive {
    /** How long the training ensemble may take to elect before the archive is given up. */
    private static final long TRAINING_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private static volatile boolean isEnabled = true;
    private static Path archive;
    private static String archiveKey;
    private static String refusal;
    private static String lastInputs;
    private static List<String> lastFlags = List.of();

    private NodeClassArchive() {
    }

    /** Turns the archive on or off for the nodes started from now on ({@code run --node-class-archive}). */
    static void enabled(final boolean enabled) {
        isEnabled = enabled;
    }

    /**
     * The JVM flags that make a node use the archive, building it first if this classpath, JVM and flag
     * set has none yet; empty when it is off or cannot be built (the reason is printed once to {@code log}).
     */
    static synchronized List<String> nodeFlags(final String heap, final PrintStream log) {
        if (!isEnabled) {
            return List.of();
        }
        // Every node start asks, restarts inside a measured trial included: the jars do not change during
        // a run, so the answer for the same heap and flags is kept rather than the classpath read again.
        final String inputs = heap + '|' + ChildJvms.currentFlags();
        if (inputs.equals(lastInputs)) {
            return lastFlags;
        }
        lastInputs = inputs;
        lastFlags = flagsFor(heap, log);
        return lastFlags;
    }

    private static List<String> flagsFor(final String heap, final PrintStream log) {
        final String key;
        try {
            key = key(heap, classpath());
        } catch (final IOException ex) {
            return refuse("cannot read the classpath's jars: " + ex.getMessage(), log);
        }
        if (key == null) {
            return refuse("the classpath has directories (a build tree); only jars can be archived", log);
        }
        if (!key.equals(archiveKey)) {
            archiveKey = key;
            refusal = null;
            archive = null;
            try {
                archive = locate(key);
                if (!Files.isRegularFile(archive)) {
                    train(archive, heap, log);
                }
            } catch (final IOException | RuntimeException ex) {
                archive = null;
                return refuse("training failed: " + ex.getMessage(), log);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                archive = null;
                return List.of();
            }
        }
        return archive == null ? List.of() : List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
    }

    /** Forgets the archive and any refusal already said, as in a new load generator (tests). */
    static synchronized void forget() {
        lastInputs = null;
        archive = null;
        archiveKey = null;
        refusal = null;
    }

    private static List<String> refuse(final String why, final PrintStream log) {
        if (!why.equals(refusal)) {
            refusal = why;
            log.println("electionbench: nodes start without a class-data archive: " + why);
        }
        return List.of();
    }

    /**
     * A digest of what the archive depends on: each classpath jar's path, size and modification time, the
     * JVM, the heap and the child flags; null when the classpath holds anything but jars.
     */
    static String key(final String heap, final List<String> classpath) throws IOException {
        final StringBuilder text = new StringBuilder();
        for (final String entry : classpath) {
            final Path jar = Path.of(entry).toAbsolutePath();
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return null;
            }
            text.append(jar).append('|').append(Files.size(jar)).append('|')
                .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
        }
        text.append(System.getProperty("java.home")).append('|').append(System.getProperty("java.vm.version"))
            .append('|').append(heap).append('|').append(ChildJvms.currentFlags());
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (final NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static List<String> classpath() {
        final List<String> out = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                out.add(entry);
            }
        }
        return out;
    }

    /** Next to the first jar when that directory is writable, else in the temporary directory. */
    private static Path locate(final String key) throws IOException {
        final Path jarDir = Path.of(classpath().get(0)).toAbsolutePath().getParent();
        final String name = "electionbench-node-" + key + ".jsa";
        if (jarDir != null && Files.isWritable(jarDir)) {
            return jarDir.resolve(name);
        }
        return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "electionbench-cds"))
            .resolve(name);
    }

    /**
     * Runs the training ensemble and moves the archive member 1 wrote at its exit into place. Member 1
     * stops with SIGTERM (the archive is written on the JVM's orderly exit, never on SIGKILL).
     */
    private static void train(final Path target, final String heap, final PrintStream log)
        throws IOException, InterruptedException {
        final long startNs = System.nanoTime();
        log.println("electionbench: building the nodes' class-data archive (once per jar, JVM and flags): "
            + target);
        final Path dir = Files.createTempDirectory("electionbench-cds-training");
        final Path written = dir.resolve("archive.jsa");
        try (ProcessTarget training = new ProcessTarget(dir, 2, ElectionPolicy.FAST, new NodeTiming(100, 10, 5),
            FsyncPolicy.BATCH, heap)) {
            training.archiveAtExit(1, written);
            try {
                training.startAll(new long[] {1, 2});
            } catch (final IOException | InterruptedException | RuntimeException ex) {
                throw ex;
            } catch (final Exception ex) {
                throw new IOException("cannot start the training nodes: " + ex.getMessage(), ex);
            }
            if (!training.awaitStable(TRAINING_TIMEOUT_NS)) {
                throw new IOException("the two training nodes did not elect within 30 s (see " + dir + ")");
            }
            final Process member = training.process(1);
            member.destroy();
            if (!member.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("training node 1 did not exit within 30 s of SIGTERM");
            }
        }
        if (!Files.isRegularFile(written) || Files.size(written) == 0) {
            throw new IOException("the training node wrote no archive (see " + dir.resolve("node-1.log") + ")");
        }
        final Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        Files.move(written, partial, StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final AtomicMoveNotSupportedException ex) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
        deleteTree(dir);
        log.printf("electionbench: class-data archive built in %.1f s (%d MiB)%n",
            (System.nanoTime() - startNs) / 1e9, Files.size(target) >> 20);
    }

    private static void deleteTree(final Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (final IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        } catch (final IOException | UncheckedIOException ex) {
            // a training directory left in the temporary directory is harmless
        }
    }
}

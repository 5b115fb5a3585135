package io.electionbench.loadgen;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code electionbench jmh [--jar PATH] [JMH args]}: runs the shaded benchmarks jar in a child JVM
 * (the same {@code java} as this one, stdio inherited) and returns its exit status. The jar's main
 * class, {@code BenchMain}, runs JMH and stores the run under {@code results/runs/<commit>/} of the
 * working directory's git tree. The loadgen module does not depend on the benchmarks module: JMH's
 * generated classes and the benchmarks' own dependencies stay in their jar, which also forks the
 * JVMs JMH measures in.
 *
 * <p>Contract: the first argument that is not one of this command's options ({@code --jar},
 * {@code --help}, or a leading {@code --}) and every argument after it are JMH's, passed in order
 * and unchanged. {@link Main#newCommandLine()} sets stop-at-unmatched on this command for that, so
 * {@code -h}, {@code -l}, {@code -f 1} and benchmark regexps all reach JMH.
 */
@Command(name = "jmh", sortOptions = false,
    customSynopsis = "electionbench jmh [--jar PATH] [JMH args]...",
    description = {
        "Run the JMH microbenchmarks in a child JVM and store the run (docs/benchmarks.md).",
        "The benchmarks are benchmarks/target/benchmarks.jar; the run is stored under results/runs/<commit>/. The first"
            + " argument that is not --jar or --help, and every one after it, is JMH's and passed through unchanged"
            + " (a leading -- ends jmh's own options). JMH's own help: electionbench jmh -h; its list: electionbench"
            + " jmh -l.",
        "Exit status: the benchmarks jar's (1 when a benchmark fails), 2 when the jar is missing or JMH does not"
            + " know an option.",
        ""})
final class JmhCommand implements Callable<Integer> {
    /** The shaded jar the benchmarks module builds, relative to the repository root. */
    static final Path DEFAULT_JAR = Path.of("benchmarks", "target", "benchmarks.jar");
    private static final String BUILD_HINT =
        "build it with 'mvn -B -q -DskipTests package' in the repository root, or give --jar PATH";
    private static final String NAME = "jmh";

    @Option(names = "--jar", paramLabel = "PATH",
        description = "The benchmarks jar. Default: benchmarks/target/benchmarks.jar in the working directory, "
            + "else in the checkout this jar was built in.")
    Path jar;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean isHelp;

    /** JMH's arguments, in order and unchanged. */
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        final Lookup lookup = findJar(jar, Path.of("").toAbsolutePath(), selfLocation());
        if (lookup.jar() == null) {
            return Cli.fail(NAME, "no benchmarks jar at " + lookup.tried().stream().map(Path::toString)
                .collect(Collectors.joining(" or ")) + "; " + BUILD_HINT);
        }
        return runChild(new ProcessBuilder(command(javaExecutable(), lookup.jar(), jmhArgs)).inheritIO());
    }

    /**
     * Where the benchmarks jar is.
     *
     * @param jar   the jar found, or null when there is none
     * @param tried every path looked at, in order, without duplicates
     */
    record Lookup(Path jar, List<Path> tried) {
    }

    /**
     * Finds the benchmarks jar: {@code explicit} when given (no fallback, so a mistyped {@code --jar}
     * is an error), else {@link #DEFAULT_JAR} under {@code workDir}, else under the repository that
     * {@code self} (this jar, or loadgen's classes directory, both in {@code loadgen/target/}) was
     * built in.
     */
    static Lookup findJar(final Path explicit, final Path workDir, final Path self) {
        final Set<Path> candidates = new LinkedHashSet<>();
        if (explicit != null) {
            candidates.add(explicit);
        } else {
            candidates.add(workDir.resolve(DEFAULT_JAR).normalize());
            if (self != null && self.toAbsolutePath().getParent() != null) {
                candidates.add(self.toAbsolutePath().getParent().resolve("../..").resolve(DEFAULT_JAR).normalize());
            }
        }
        for (final Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return new Lookup(candidate, List.copyOf(candidates));
            }
        }
        return new Lookup(null, List.copyOf(candidates));
    }

    /** {@code java -jar JAR ARGS...}. */
    static List<String> command(final Path java, final Path jar, final List<String> args) {
        final List<String> command = new ArrayList<>(args.size() + 3);
        command.add(java.toString());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return command;
    }

    /**
     * Starts the child and waits for it. A shutdown hook destroys it if this JVM is stopped first
     * (a terminal's Ctrl-C reaches both; a kill of this process alone must not orphan a long run).
     *
     * @return the child's exit status
     */
    static int runChild(final ProcessBuilder builder) throws IOException, InterruptedException {
        final Process child = builder.start();
        final Thread destroyChild = new Thread(child::destroy, "electionbench-jmh-destroy-child");
        Runtime.getRuntime().addShutdownHook(destroyChild);
        try {
            return child.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(destroyChild);
            } catch (final IllegalStateException ex) {
                // Already shutting down: the hook runs and destroys the child.
            }
        }
    }

    /** The {@code java} launcher of this JVM, so that the benchmarks run on the same Java. */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** This jar, or loadgen's classes directory when not run from the jar; null when unknown. */
    static Path selfLocation() {
        final CodeSource source = JmhCommand.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (final URISyntaxException | IllegalArgumentException | FileSystemNotFoundException ex) {
            return null;
        }
    }
}

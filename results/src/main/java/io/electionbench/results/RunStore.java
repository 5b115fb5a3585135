package io.electionbench.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The run files under {@code <root>/results/runs/<commit>/}. Finds runs by file, directory,
 * stored-commit prefix or git revision, and orders commits for history plots. JMH's own
 * {@code -rf json} output kept beside a JMH run ({@link #jmhResultFile}) is not a run file.
 */
public final class RunStore {
    /** How JMH's own result file beside a stored run ends: {@code <run stem>.jmh-result.json}. */
    public static final String JMH_RESULT_SUFFIX = ".jmh-result.json";

    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-fA-F]{4,40}");

    private final Path root;

    /**
     * @param root repository root; runs live in {@code root/results/runs}.
     */
    public RunStore(final Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * @return the git top-level of the working directory, or the working directory itself when it
     *         is not inside a git repository.
     */
    public static Path defaultRoot() {
        final Path cwd = Path.of("").toAbsolutePath();
        return Git.run(cwd, "rev-parse", "--show-toplevel").map(Path::of).orElse(cwd);
    }

    /**
     * @param root repository root.
     * @return {@code root/results/runs}.
     */
    public static Path runsDir(final Path root) {
        return root.resolve("results").resolve("runs");
    }

    /**
     * @param runFile a stored run file, {@code .../<stem>.json}.
     * @return where JMH's own JSON for that run is kept: {@code .../<stem>.jmh-result.json}.
     */
    public static Path jmhResultFile(final Path runFile) {
        final String name = runFile.getFileName().toString();
        final String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return runFile.resolveSibling(stem + JMH_RESULT_SUFFIX);
    }

    /** @return the repository root. */
    public Path root() {
        return root;
    }

    /** @return {@code root/results/runs}. */
    public Path runsDir() {
        return runsDir(root);
    }

    /**
     * Finds the runs an argument names, trying in order: an existing file (one run); an existing
     * directory (every *.json below it); a hex prefix of 4 to 40 digits matching exactly one stored
     * commit directory; a git revision ({@code HEAD~1}, a branch, a tag) resolved with
     * {@code git rev-parse} in the root.
     *
     * @param spec the argument.
     * @return the runs, sorted by start time then file name; never empty.
     * @throws ResultsException when the argument names no run or is an ambiguous prefix.
     * @throws RunFileException when a named run file is invalid.
     */
    public List<StoredRun> resolve(final String spec) {
        final Path path = Path.of(spec);
        if (Files.isRegularFile(path)) {
            return List.of(new StoredRun(path, RunCodec.read(path)));
        }
        if (Files.isDirectory(path)) {
            final List<StoredRun> runs = readAll(path);
            if (runs.isEmpty()) {
                throw new ResultsException("no run files (*.json) in directory " + path);
            }
            return runs;
        }
        if (spec.endsWith(".json")) {
            throw new RunFileException(path, "no such file");
        }
        return commitRuns(resolveCommit(spec), spec);
    }

    /**
     * @return every run in the store, sorted by start time then file name.
     * @throws RunFileException when a stored file is invalid.
     */
    public List<StoredRun> all() {
        return Files.isDirectory(runsDir()) ? readAll(runsDir()) : List.of();
    }

    /**
     * Orders commits for history: by position in {@code git rev-list --topo-order HEAD} (oldest
     * first) when the root is a git repository, then, for commits git does not know or that are
     * not ancestors of HEAD, by the earliest start time of their runs.
     *
     * @param runs runs of any commits.
     * @return distinct commits, oldest first.
     */
    public List<String> commitOrder(final List<StoredRun> runs) {
        final Map<String, Instant> firstStart = new HashMap<>();
        for (final StoredRun r : runs) {
            firstStart.merge(r.run().commit(), r.run().started(), (a, b) -> a.isBefore(b) ? a : b);
        }
        final Map<String, Integer> gitPosition = new HashMap<>();
        final Optional<String> revList = Git.run(root, "rev-list", "--topo-order", "--reverse", "HEAD");
        if (revList.isPresent() && !revList.get().isEmpty()) {
            final String[] shas = revList.get().split("\\s+");
            for (int i = 0; i < shas.length; i++) {
                gitPosition.put(shas[i], i);
            }
        }
        return firstStart.keySet().stream()
            .sorted(Comparator.<String>comparingInt(c -> gitPosition.getOrDefault(c, Integer.MAX_VALUE))
                .thenComparing(firstStart::get)
                .thenComparing(Comparator.naturalOrder()))
            .collect(Collectors.toList());
    }

    private String resolveCommit(final String spec) {
        if (HEX_PREFIX.matcher(spec).matches()) {
            final String prefix = spec.toLowerCase(Locale.ROOT);
            final List<String> matches = storedCommits().stream().filter(c -> c.startsWith(prefix)).sorted()
                .collect(Collectors.toList());
            if (matches.size() == 1) {
                return matches.get(0);
            }
            if (matches.size() > 1) {
                throw new ResultsException("ambiguous commit prefix '" + spec + "': matches "
                    + String.join(", ", matches));
            }
        }
        return Git.run(root, "rev-parse", "--verify", "--quiet", spec + "^{commit}")
            .orElseThrow(() -> new ResultsException("'" + spec + "' is not a run file, a directory, a stored commit"
                + " prefix under " + runsDir() + " or a git revision in " + root));
    }

    private List<StoredRun> commitRuns(final String sha, final String spec) {
        final Path dir = runsDir().resolve(sha);
        final List<StoredRun> runs = Files.isDirectory(dir) ? readAll(dir) : List.of();
        if (runs.isEmpty()) {
            throw new ResultsException("no runs stored for commit " + sha
                + (sha.equals(spec) ? "" : " (from '" + spec + "')") + " under " + runsDir());
        }
        return runs;
    }

    private List<String> storedCommits() {
        if (!Files.isDirectory(runsDir())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(runsDir())) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(Collectors.toList());
        } catch (final IOException ex) {
            throw new ResultsException("cannot list " + runsDir() + ": " + ex.getMessage(), ex);
        }
    }

    private static List<StoredRun> readAll(final Path dir) {
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                .filter(p -> p.getFileName().toString().endsWith(".json"))
                .filter(p -> !p.getFileName().toString().endsWith(JMH_RESULT_SUFFIX))
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted()
                .collect(Collectors.toList());
        } catch (final IOException ex) {
            throw new ResultsException("cannot list " + dir + ": " + ex.getMessage(), ex);
        }
        final List<StoredRun> runs = new ArrayList<>();
        for (final Path f : files) {
            runs.add(new StoredRun(f, RunCodec.read(f)));
        }
        runs.sort(Comparator.comparing((StoredRun r) -> r.run().started()).thenComparing(StoredRun::file));
        return runs;
    }
}

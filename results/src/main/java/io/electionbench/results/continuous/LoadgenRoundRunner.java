package io.electionbench.results.continuous;

import io.electionbench.results.ResultsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one round as
 * {@code java -jar <jar> run <run options> --seed S --trials 1 --warmup 0 --json --out DIR}
 * with each side's own jar, so each commit is measured by its own load generator. The round's
 * output goes to {@code <logs>/<side>-<round>.log}.
 *
 * <p>Exit 1 of the load generator (a trial did not recover, or a safety check failed) still
 * stores the round's cells; it is recorded as a warning and the run continues. Any other
 * non-zero exit fails the round.
 */
public final class LoadgenRoundRunner implements RoundRunner {
    private final Map<Side, Path> jars;
    private final List<String> runOptions;
    private final Path logs;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param jars       each side's electionbench.jar.
     * @param runOptions options passed to {@code run} unchanged.
     * @param logs       directory for the rounds' logs.
     */
    public LoadgenRoundRunner(final Map<Side, Path> jars, final List<String> runOptions, final Path logs) {
        this.jars = new EnumMap<>(jars);
        this.runOptions = List.copyOf(runOptions);
        this.logs = Objects.requireNonNull(logs, "logs");
    }

    /**
     * @param jar        the jar to run.
     * @param runOptions options passed to {@code run} unchanged (without {@code --seed}).
     * @param seed       this round's simulator seed.
     * @param out        the round's scratch directory.
     * @return the command line of one round.
     */
    public static List<String> command(final Path jar, final List<String> runOptions, final long seed, final Path out) {
        final List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(List.of("-jar", jar.toString(), "run"));
        c.addAll(runOptions);
        c.addAll(List.of("--seed", Long.toString(seed)));
        c.addAll(List.of("--trials", "1", "--warmup", "0", "--json", "--out", out.toString()));
        return c;
    }

    @Override
    public void run(final Side side, final int round, final long seed, final Path out)
        throws IOException, InterruptedException {
        final Path log = logs.resolve(side.label() + "-" + round + ".log");
        final int exit = Processes.logged(out, command(jars.get(side), runOptions, seed, out), log);
        if (exit == 1) {
            warnings.add("round " + round + " of " + side.label() + ": a trial did not recover or a safety check failed"
                + " (its cells are kept); log: " + log);
        } else if (exit != 0) {
            throw new ResultsException("round " + round + " of " + side.label() + " failed: electionbench run exited "
                + exit + lastLine(log) + "; log: " + log);
        }
    }

    /** @return warnings about rounds that finished with exit 1, in order. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private static String lastLine(final Path log) throws IOException {
        final List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return ": " + lines.get(i).strip();
            }
        }
        return "";
    }
}

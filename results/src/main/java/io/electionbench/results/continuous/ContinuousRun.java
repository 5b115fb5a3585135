package io.electionbench.results.continuous;

import io.electionbench.results.GitInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunWriter;
import io.electionbench.results.StoredRun;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The measuring half of {@code electionbench continuous}, independent of git and Maven: runs the
 * rounds interleaved through a {@link RoundRunner}, each with its own seed, merges each side's
 * measured rounds into one run and stores it under {@code <root>/results/runs/<sha>/}. A cell that
 * every round still measured identically (a target that ignores the seed) keeps one round's
 * samples, so that n counts distinct measurements and the p-values do not treat copies as evidence.
 */
public final class ContinuousRun {
    private final Path root;
    private final Map<Side, String> revisions;
    private final Map<Side, String> shas;
    private final int rounds;
    private final int warmupRounds;
    private final long seedBase;
    private final List<String> runOptions;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param root         repository root whose store receives the merged runs.
     * @param revisions    per side, the revision as the user gave it.
     * @param shas         per side, the full commit sha it resolved to.
     * @param rounds       measured rounds, at least 1.
     * @param warmupRounds discarded rounds first, at least 0.
     * @param seedBase     seed of side A in the first round (see {@link Interleaving#seed}).
     * @param runOptions   the user's options to {@code electionbench run} (without {@code --seed}),
     *                     recorded in the config.
     */
    public ContinuousRun(final Path root, final Map<Side, String> revisions, final Map<Side, String> shas,
        final int rounds, final int warmupRounds, final long seedBase, final List<String> runOptions) {
        this.root = Objects.requireNonNull(root, "root");
        this.revisions = new EnumMap<>(revisions);
        this.shas = new EnumMap<>(shas);
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.seedBase = seedBase;
        this.runOptions = List.copyOf(runOptions);
    }

    /**
     * Runs every round, then merges and stores each side.
     *
     * @param runner   runs one side once.
     * @param listener told before every step.
     * @param scratch  directory for the rounds' output.
     * @return per side, the stored merged run.
     * @throws IOException when a round's directory or a merged run file cannot be written.
     * @throws InterruptedException when interrupted.
     * @throws io.electionbench.results.ResultsException when a round fails or stored nothing.
     */
    public Map<Side, StoredRun> run(final RoundRunner runner, final Interleaving.Listener listener, final Path scratch)
        throws IOException, InterruptedException {
        final Instant started = Instant.now();
        final Map<Side, List<Path>> dirs = new Interleaving(rounds, warmupRounds, seedBase, runner, listener)
            .run(scratch);
        final Map<Side, StoredRun> stored = new EnumMap<>(Side.class);
        for (final Side side : Side.values()) {
            final List<RunResult> sideRounds = RoundMerge.readRounds(dirs.get(side));
            final Set<String> repeated = new LinkedHashSet<>(RoundMerge.repeatedCells(sideRounds));
            repeated.forEach(id -> warnings.add(side.label() + " " + id + ": every round gave identical samples"
                + " although each ran with its own --seed (a target that ignores the seed); the copies are kept once,"
                + " so n counts one round"));
            final RunResult merged = RoundMerge.merge(envelope(side, sideRounds, started), sideRounds, repeated);
            final RunWriter writer = RunWriter.create(root, merged);
            stored.put(side, new StoredRun(writer.file(), writer.current()));
        }
        return stored;
    }

    /** @return warnings found while merging (repeated rounds), for the user. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The seeds this side's measured rounds ran with, in round order. */
    private List<Long> measuredSeeds(final Side side) {
        final List<Long> seeds = new ArrayList<>();
        for (int round = warmupRounds + 1; round <= warmupRounds + rounds; round++) {
            seeds.add(Interleaving.seed(seedBase, round, side));
        }
        return seeds;
    }

    private RunResult envelope(final Side side, final List<RunResult> sideRounds, final Instant started) {
        final RunResult first = sideRounds.get(0);
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", "continuous");
        config.put("side", side.label());
        for (final Side s : Side.values()) {
            final Map<String, Object> named = new LinkedHashMap<>();
            named.put("revision", revisions.get(s));
            named.put("commit", shas.get(s));
            config.put(s.label(), named);
        }
        config.put("rounds", rounds);
        config.put("warmup_rounds", warmupRounds);
        config.put("seeds", measuredSeeds(side));
        config.put("round_files", sideRounds.size());
        config.put("run_options", runOptions);
        config.put("run_config", first.config());
        // The worktree is a clean detached checkout of the commit, whatever the user's checkout holds.
        return RunResult.builder(Kind.LOADGEN).git(new GitInfo(shas.get(side), false, "HEAD")).host(first.host())
            .started(started).config(config).build();
    }
}

package io.electionbench.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.sim.SimulationRun;
import io.electionbench.core.sim.fault.Fault;
import io.electionbench.loadgen.SimulateShards.Parameters;
import io.electionbench.loadgen.SimulateShards.ShardFile;
import io.electionbench.results.GitInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electionbench simulate}: randomized fault schedules on the deterministic simulator, with the
 * safety and liveness invariants checked throughout. Any violation prints its seed and the command
 * that replays it. {@code --shard K/N} runs one slice of the seeds and writes it to a file, {@code --merge}
 * prints the files of all N slices as the one run they make up ({@link SimulateShards}).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = {
        "Run randomized fault schedules in the deterministic simulator and check the invariants.",
        "Faults: crashes, restarts, partitions, loss, duplication, reordering. Invariants: never two leaders each"
            + " followed by a quorum; a leader elected in its round has the greatest vote of its quorum; observers and"
            + " zero-weight servers never lead; within 120 s of virtual time after the last fault heals, a serving"
            + " leader followed by a quorum (and, under the fast policy, by every server). 'slow' counts"
            + " zookeeper-policy runs where a quorum elected in time but some server had not yet joined (ZooKeeper's"
            + " resend backoff reaches 60 s).",
        "A sweep too big for one machine: run --shard 1/N .. N/N anywhere (each writes --out FILE), then"
            + " --merge FILE... prints the whole sweep's summary as one run would.",
        "Exit 0 when every run is clean, 1 on any violation, 2 on bad arguments or shard files that do not make"
            + " up one sweep."})
final class SimulateCommand implements Callable<Integer> {
    /** The options that define a sweep, which --merge takes from its files instead. */
    private static final List<String> SWEEP_OPTIONS = List.of("--sizes", "--seeds", "--first-seed", "--seed",
        "--policy", "--faults", "--shard", "--out", "--trace");

    @Spec
    CommandSpec commandSpec;

    @Option(names = "--sizes", paramLabel = "N,N", description = "Ensemble sizes (default: ${DEFAULT-VALUE}).",
        defaultValue = "3,5,7,9")
    String sizes;

    @Option(names = "--seeds", paramLabel = "N",
        description = "Seeds per size and policy (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    long seeds;

    @Option(names = "--first-seed", paramLabel = "S", description = "First seed (default: ${DEFAULT-VALUE}).",
        defaultValue = "1")
    long firstSeed;

    @Option(names = "--seed", paramLabel = "S",
        description = "Run this one seed and print its schedule and trace (replay).")
    Long seed;

    @Option(names = "--policy", paramLabel = "P", description = "fast, zookeeper or all (default: ${DEFAULT-VALUE}).",
        defaultValue = "all")
    String policy;

    @Option(names = "--faults", paramLabel = "F,F", defaultValue = "all", description = "crash, partition, loss,"
        + " duplicate, reorder, backpressure (links that fill up and refuse sends), one-way (some partitions cut"
        + " only the links into one server), all, none (default:"
        + " ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--trace", description = "Print each run's schedule and state-change trace.")
    boolean isTrace;

    @Option(names = "--json", description = "Print one JSON summary object per size and policy, one per line.")
    boolean isJson;

    @Option(names = "--shard", paramLabel = "K/N", description = "Run only shard K of N (1 <= K <= N): the K-th of N"
        + " contiguous slices of the seeds, for every size and policy, and write it to --out.")
    String shard;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the run's result as a shard file for --merge"
        + " (default with --shard: simulate-shard-K-of-N.json).")
    Path out;

    @Option(names = "--merge", paramLabel = "FILE", arity = "1..*", description = "Print the summary of the whole"
        + " sweep that these shard files make up (shards 1..N of one sweep, each once), exit 1 on any violation.")
    List<Path> merge;

    @Override
    public Integer call() throws IOException {
        if (merge != null) {
            return merge();
        }
        final List<Integer> sizeList;
        final Set<Fault> faultSet;
        final List<ElectionPolicy> policies;
        final SimulateShards.Spec slice;
        try {
            sizeList = Cli.intList(sizes, "ensemble size", 1, 64);
            faultSet = Fault.parse(faults);
            policies = policy.equalsIgnoreCase("all") ? List.of(ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER)
                : List.of(ElectionPolicy.byName(policy));
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be at least 1");
            }
            if (seed != null && (shard != null || out != null)) {
                throw new IllegalArgumentException("--seed replays one seed; " + (shard != null ? "--shard" : "--out")
                    + " is for a sweep of --seeds");
            }
            slice = shard == null ? SimulateShards.Spec.WHOLE : SimulateShards.Spec.parse(shard, seeds);
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("simulate", ex.getMessage());
        }
        final long first = seed != null ? seed : slice.firstSeed(firstSeed, seeds);
        final long count = seed != null ? 1 : slice.seeds(seeds);
        final Path file = out != null ? out
            : shard != null ? Path.of("simulate-shard-" + slice.index() + "-of-" + slice.count() + ".json") : null;
        if (file != null && !SimulateShards.isWritable(file)) {
            return Cli.fail("simulate", file + ": cannot write there (a directory, or in one not writable)");
        }
        final long startNs = System.nanoTime();
        final List<SimulateCell> cells = sweep(sizeList, policies, faultSet, first, count, file != null);
        if (file != null) {
            final Parameters parameters = new Parameters(sizeList, policies.stream().map(ElectionPolicy::name).toList(),
                faultSet.stream().map(Fault::flag).toList(), firstSeed, seeds);
            final SimulateShards.Shard part = new SimulateShards.Shard(slice.index(), slice.count(), first, count);
            try {
                write(file, parameters, part, cells, (System.nanoTime() - startNs) / 1_000_000);
            } catch (final IOException ex) {
                return Cli.fail("simulate", file + ": cannot write: " + ex.getMessage());
            }
            System.err.println("electionbench simulate: shard " + slice + ", " + SimulateShards.range(first, count)
                + ", written to " + file);
        }
        return cells.stream().allMatch(c -> c.violations() == 0) ? 0 : 1;
    }

    private static void write(final Path file, final Parameters parameters, final SimulateShards.Shard part,
        final List<SimulateCell> cells, final long wallMs) throws IOException {
        final long runs = part.seeds() * cells.size();
        final GitInfo git = GitInfo.build().orElse(GitInfo.unknown());
        SimulateShards.write(file, new ShardFile(SimulateShards.SCHEMA, parameters, part, git.commit(), git.isDirty(),
            wallMs, SimulateCell.runsPerSecond(runs, wallMs), cells.stream().map(SimulateCell::result).toList()));
    }

    /** Runs seeds {@code [first, first + count)} at every policy and size, printing each cell as it ends. */
    private List<SimulateCell> sweep(final List<Integer> sizeList, final List<ElectionPolicy> policies,
        final Set<Fault> faultSet, final long first, final long count, final boolean isKeepingFailures)
        throws IOException {
        final boolean trace = isTrace || seed != null;
        final Progress progress = new Progress("simulate", count * sizeList.size() * policies.size(), isJson);
        final List<SimulateCell> cells = new ArrayList<>();
        long done = 0;
        SimulateCell.printHeader(isJson);
        for (final ElectionPolicy p : policies) {
            for (final int size : sizeList) {
                final SimulateCell cell = new SimulateCell(p.name(), size, isKeepingFailures);
                for (long s = first; s < first + count; s++) {
                    final SimulationRun run = new SimulationRun(size, s, p, faultSet).run(trace);
                    if (trace) {
                        printTrace(run, size, s);
                    }
                    cell.add(run, s);
                    progress.update(++done);
                }
                cell.finish();
                cell.print(isJson);
                cells.add(cell);
            }
        }
        return cells;
    }

    /** {@code --merge}: the shard files' cells added up in shard order, printed as the unsharded run prints. */
    private int merge() throws IOException {
        for (final String option : SWEEP_OPTIONS) {
            if (commandSpec.commandLine().getParseResult().hasMatchedOption(option)) {
                return Cli.fail("simulate", "--merge takes the sweep from its files; " + option
                    + " does not go with it");
            }
        }
        final List<ShardFile> shards;
        try {
            shards = SimulateShards.readAll(merge);
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("simulate", ex.getMessage());
        }
        final Parameters parameters = shards.get(0).parameters();
        final List<String> names = SimulateShards.cellNames(parameters);
        boolean isClean = true;
        long runs = 0;
        SimulateCell.printHeader(isJson);
        for (int i = 0; i < names.size(); i++) {
            final SimulateCell.Result head = shards.get(0).cells().get(i);
            final SimulateCell cell = new SimulateCell(head.policy(), head.size(), true);
            for (final ShardFile f : shards) {
                cell.add(f.cells().get(i));
            }
            cell.printFailures();
            cell.print(isJson);
            isClean &= cell.violations() == 0;
            runs += cell.runs();
        }
        final long sumMs = shards.stream().mapToLong(ShardFile::wallMs).sum();
        final ShardFile longest = shards.stream().max((a, b) -> Long.compare(a.wallMs(), b.wallMs())).orElseThrow();
        System.err.printf("electionbench simulate: merged %d shards, %s, %d runs; shard wall time %.1f s in all,"
            + " %.1f s the longest (shard %s), %.1f runs/s per shard%n", shards.size(),
            SimulateShards.range(parameters.firstSeed(), parameters.seeds()), runs, sumMs / 1e3,
            longest.wallMs() / 1e3, longest.shard().spec(), SimulateCell.runsPerSecond(runs, sumMs));
        return isClean ? 0 : 1;
    }

    private static void printTrace(final SimulationRun run, final int size, final long s) {
        System.out.printf("-- size %d seed %d, network %s%n   schedule:%n", size, s, run.network());
        run.schedule().forEach(line -> System.out.println("     " + line));
        System.out.println("   trace:");
        System.out.print(run.trace().indent(5));
    }
}

package io.electionbench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.electionbench.core.sim.network.SendFailure;

/**
 * Seed sharding for {@code simulate --shard K/N} and {@code --merge}: which seeds shard K of N runs, the
 * file a shard writes, and the checks that a set of files is one whole sweep. Shard K runs the K-th of N
 * contiguous slices of the seed range, the first {@code seeds % N} slices one seed longer, for every size
 * and policy, so the shards' union is exactly the unsharded run's seeds. See docs/loadgen.md, "Randomized
 * sweeps".
 */
final class SimulateShards {
    /** The {@code schema} of a shard file; a file of another schema is refused. */
    static final String SCHEMA = "electionbench-simulate-shard/1";

    private static final Pattern SPEC = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    private SimulateShards() {
    }

    /** Shard {@code index} of {@code count}, 1-based. */
    record Spec(int index, int count) {
        /** The whole range as one shard: what an unsharded run with {@code --out} writes. */
        static final Spec WHOLE = new Spec(1, 1);

        /**
         * Parses {@code --shard K/N} for a range of {@code seeds} seeds.
         *
         * @throws IllegalArgumentException naming the flag and the value when it is not K/N with 1 <= K <= N,
         *                                  or N is more than the seeds to split.
         */
        static Spec parse(final String text, final long seeds) {
            final Matcher m = SPEC.matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--shard '" + text + "' is not K/N (shard K of N, such as 3/8)");
            }
            final int index = Integer.parseInt(m.group(1));
            final int count = Integer.parseInt(m.group(2));
            if (count < 1) {
                throw new IllegalArgumentException("--shard " + text + ": N must be at least 1");
            }
            if (index < 1 || index > count) {
                throw new IllegalArgumentException("--shard " + text + ": K counts from 1 to N (" + count + ")");
            }
            if (count > seeds) {
                throw new IllegalArgumentException("--shard " + text + ": " + count + " shards of " + seeds
                    + " seeds would leave some empty; use at most " + seeds + " shards or more --seeds");
            }
            return new Spec(index, count);
        }

        /** The first seed this shard runs, of the range {@code [firstSeed, firstSeed + seeds)}. */
        long firstSeed(final long firstSeed, final long seeds) {
            final long i = index - 1;
            return firstSeed + i * (seeds / count) + Math.min(i, seeds % count);
        }

        /** How many seeds this shard runs. */
        long seeds(final long seeds) {
            return seeds / count + (index - 1 < seeds % count ? 1 : 0);
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    /** What a sweep ran: equal in every shard of it. Policies and faults by their command-line names. */
    record Parameters(List<Integer> sizes, List<String> policies, List<String> faults, long firstSeed, long seeds) {
    }

    /** Which shard a file holds and its slice of the seeds. */
    record Shard(int index, int count, long firstSeed, long seeds) {
        Spec spec() {
            return new Spec(index, count);
        }
    }

    /**
     * A shard file. {@code commit} is the build's ({@code GitInfo.build()}) or {@code unknown}; {@code wallMs}
     * and {@code runsPerS} cover the whole shard, every cell of it.
     */
    record ShardFile(String schema, Parameters parameters, Shard shard, String commit, boolean dirty, long wallMs,
        double runsPerS, List<SimulateCell.Result> cells) {
    }

    /** False when {@code file} could not be written after a sweep: checked before it, not after hours of runs. */
    static boolean isWritable(final Path file) {
        Path dir = file.toAbsolutePath().getParent();
        while (dir != null && !Files.exists(dir)) {
            dir = dir.getParent();
        }
        return !Files.isDirectory(file) && dir != null && Files.isDirectory(dir) && Files.isWritable(dir);
    }

    /** Writes {@code file} whole or not at all (a temporary file beside it, then a rename). */
    static void write(final Path file, final ShardFile shard) throws IOException {
        final Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            MAPPER.writeValue(tmp.toFile(), shard);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads one shard file.
     *
     * @throws IllegalArgumentException naming the file: missing, unreadable, not JSON (a truncated file
     *                                  included), not a shard file, or inconsistent in itself.
     */
    static ShardFile read(final Path file) {
        final JsonNode tree;
        try {
            tree = MAPPER.readTree(Files.readString(file));
        } catch (final NoSuchFileException ex) {
            throw new IllegalArgumentException(file + ": no such file", ex);
        } catch (final JsonProcessingException ex) {
            throw new IllegalArgumentException(file + ": malformed JSON at line " + ex.getLocation().getLineNr()
                + ", column " + ex.getLocation().getColumnNr() + ": " + firstLine(ex), ex);
        } catch (final IOException ex) {
            throw new IllegalArgumentException(file + ": cannot read: " + ex.getMessage(), ex);
        }
        final ShardFile shard;
        try {
            shard = MAPPER.treeToValue(tree, ShardFile.class);
        } catch (final JsonProcessingException ex) {
            throw new IllegalArgumentException(file + ": not a simulate shard file: at "
                + (ex instanceof JsonMappingException m ? path(m) : "the top") + ": " + mappingProblem(ex), ex);
        }
        if (!SCHEMA.equals(shard.schema())) {
            throw new IllegalArgumentException(file + ": schema '" + shard.schema() + "', expected '" + SCHEMA + "'");
        }
        checkSelf(file, shard);
        return shard;
    }

    private static String firstLine(final JsonProcessingException ex) {
        return ex.getOriginalMessage().lines().findFirst().orElse("");
    }

    /** Jackson's message, short: {@code missing} and {@code null} for a field left out or null. */
    private static String mappingProblem(final JsonProcessingException ex) {
        final String message = firstLine(ex);
        if (message.contains("creator property")) {
            return message.startsWith("Null") ? "null" : "missing";
        }
        return message;
    }

    private static String path(final JsonMappingException ex) {
        final StringBuilder out = new StringBuilder();
        for (final JsonMappingException.Reference r : ex.getPath()) {
            if (r.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
            } else {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.length() == 0 ? "the top" : out.toString();
    }

    /** The shard's slice is the one its K/N gives, and it has one cell per policy and size, each of every seed. */
    private static void checkSelf(final Path file, final ShardFile f) {
        final Parameters p = f.parameters();
        final Shard s = f.shard();
        if (s.count() < 1 || s.index() < 1 || s.index() > s.count() || s.count() > p.seeds()) {
            throw new IllegalArgumentException(file + ": shard " + s.index() + "/" + s.count() + " is not a shard of "
                + p.seeds() + " seeds");
        }
        final Spec spec = s.spec();
        if (s.firstSeed() != spec.firstSeed(p.firstSeed(), p.seeds()) || s.seeds() != spec.seeds(p.seeds())) {
            throw new IllegalArgumentException(file + ": shard " + spec + " of " + range(p.firstSeed(), p.seeds())
                + " is seeds " + range(spec.firstSeed(p.firstSeed(), p.seeds()), spec.seeds(p.seeds()))
                + ", the file says " + range(s.firstSeed(), s.seeds()));
        }
        final List<String> expected = cellNames(p);
        final List<String> actual = f.cells().stream().map(c -> c.policy() + " size " + c.size()).toList();
        if (!expected.equals(actual)) {
            throw new IllegalArgumentException(file + ": cells " + actual + ", its parameters make " + expected);
        }
        final Set<String> kinds = new TreeSet<>();
        for (final SendFailure kind : SendFailure.values()) {
            kinds.add(kind.label());
        }
        for (final SimulateCell.Result c : f.cells()) {
            if (c.runs() != s.seeds()) {
                throw new IllegalArgumentException(file + ": " + c.policy() + " size " + c.size() + " has " + c.runs()
                    + " runs, its shard " + s.seeds() + " seeds");
            }
            if (c.failures().size() != c.violations()) {
                throw new IllegalArgumentException(file + ": " + c.policy() + " size " + c.size() + " counts "
                    + c.violations() + " violations but lists " + c.failures().size());
            }
            if (!kinds.equals(new TreeSet<>(c.sendFailures().keySet()))) {
                throw new IllegalArgumentException(file + ": " + c.policy() + " size " + c.size()
                    + " send_failures has kinds " + new TreeSet<>(c.sendFailures().keySet()) + ", this build " + kinds);
            }
            if (c.sendFailures().containsValue(null)) {
                throw new IllegalArgumentException(file + ": " + c.policy() + " size " + c.size()
                    + " send_failures has a null count");
            }
            try {
                SimulateCell.decode(c.settleNsHistogram());
            } catch (final IllegalArgumentException ex) {
                throw new IllegalArgumentException(file + ": " + c.policy() + " size " + c.size() + ": "
                    + ex.getMessage(), ex);
            }
        }
    }

    static List<String> cellNames(final Parameters p) {
        final List<String> out = new ArrayList<>();
        for (final String policy : p.policies()) {
            for (final int size : p.sizes()) {
                out.add(policy + " size " + size);
            }
        }
        return out;
    }

    /** {@code seeds 501..1000}. */
    static String range(final long first, final long seeds) {
        return "seeds " + first + ".." + (first + seeds - 1);
    }

    /**
     * Reads shard files and checks that they are one sweep: the same parameters and commit, and shards 1..N of
     * the same N each exactly once. Returns them in shard order.
     *
     * @throws IllegalArgumentException naming the file and what differs, or the shards missing.
     */
    static List<ShardFile> readAll(final List<Path> files) {
        final Map<Integer, Path> byIndex = new LinkedHashMap<>();
        final List<ShardFile> shards = new ArrayList<>();
        final Path first = files.get(0);
        ShardFile base = null;
        for (final Path file : files) {
            final ShardFile f = read(file);
            if (base == null) {
                base = f;
            } else {
                checkSame(first, base, file, f);
            }
            final Path other = byIndex.putIfAbsent(f.shard().index(), file);
            if (other != null) {
                throw new IllegalArgumentException(file + " and " + other + " are both shard " + f.shard().spec());
            }
            shards.add(f);
        }
        final int count = base.shard().count();
        final List<Integer> missing = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            if (!byIndex.containsKey(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("shard" + (missing.size() == 1 ? " " : "s ")
                + missing.stream().map(k -> k + "/" + count).collect(Collectors.joining(", "))
                + " missing (given: " + byIndex.keySet().stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(", ")) + ")");
        }
        shards.sort(Comparator.comparingInt(f -> f.shard().index()));
        return shards;
    }

    private static void checkSame(final Path firstFile, final ShardFile first, final Path file, final ShardFile f) {
        final Parameters a = first.parameters();
        final Parameters b = f.parameters();
        differs(file, "sizes", b.sizes(), firstFile, a.sizes());
        differs(file, "policies", b.policies(), firstFile, a.policies());
        differs(file, "faults", b.faults(), firstFile, a.faults());
        differs(file, "first seed", b.firstSeed(), firstFile, a.firstSeed());
        differs(file, "seeds", b.seeds(), firstFile, a.seeds());
        differs(file, "shard count", f.shard().count(), firstFile, first.shard().count());
        differs(file, "commit", f.commit(), firstFile, first.commit());
    }

    private static void differs(final Path file, final String what, final Object value, final Path firstFile,
        final Object expected) {
        if (!Objects.equals(value, expected)) {
            throw new IllegalArgumentException(file + ": " + what + " " + show(value) + ", but " + firstFile + " has "
                + show(expected) + " (not shards of one sweep)");
        }
    }

    private static String show(final Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "none" : list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}

package io.electionbench.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.results.Cell;
import io.electionbench.results.RunStore;
import io.electionbench.results.StoredRun;

/** {@link BenchMain} runs JMH from its command line and stores what it measured. */
class BenchMainTest {
    private static final String[] SHORT = {"-f", "0", "-wi", "0", "-i", "1", "-r", "50ms", "-foe", "true"};

    @TempDir
    Path root;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args) throws IOException {
        final String[] all = new String[SHORT.length + args.length];
        System.arraycopy(SHORT, 0, all, 0, SHORT.length);
        System.arraycopy(args, 0, all, SHORT.length, args.length);
        return BenchMain.run(all, root, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void storesTheRunAsKindJmh() throws IOException {
        assertEquals(0, run("VoteCompareBenchmark.packed"), err.toString(StandardCharsets.UTF_8));

        final List<StoredRun> runs = new RunStore(root).all();
        assertEquals(1, runs.size());
        final List<Cell> cells = runs.get(0).run().cells();
        assertEquals(1, cells.size());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("stored " + runs.get(0).file()),
            out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheUsersResultFormatAndStillStores() throws IOException {
        final Path csv = root.resolve("mine.csv");
        assertEquals(0,
            run("-rf", "csv", "-rff", csv.toString(), "NotificationCodecBenchmark.decode", "-p", "configServers=0"),
            err.toString(StandardCharsets.UTF_8));

        assertTrue(Files.readString(csv).contains("NotificationCodecBenchmark.decode"));
        assertEquals(1, new RunStore(root).all().get(0).run().cells().size());
    }

    @Test
    void failsWithoutStoringWhenNothingMatches() throws IOException {
        assertEquals(BenchMain.EXIT_FAILURE, run("NoSuchBenchmark"));

        assertTrue(err.toString(StandardCharsets.UTF_8).contains("No matching benchmarks"));
        assertTrue(new RunStore(root).all().isEmpty());
    }

    @Test
    void rejectsBadOptionsLikeJmh() throws IOException {
        assertEquals(BenchMain.EXIT_BAD_INPUT, run("-i", "many"));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("electionbench jmh: "), text);
        assertEquals(1, text.strip().split("\n").length, "one line: " + text);
        assertTrue(new RunStore(root).all().isEmpty());
    }

    @Test
    void keepsJmhsOwnJsonBesideTheStoredRunWhereJmhSaidItSavedIt() throws IOException {
        final ByteArrayOutputStream jmhOut = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(jmhOut, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("VoteCompareBenchmark.packed"), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
        final java.util.regex.Matcher saved = java.util.regex.Pattern.compile("Benchmark result is saved to (\\S+)")
            .matcher(jmhOut.toString(StandardCharsets.UTF_8));
        assertTrue(saved.find(), jmhOut.toString(StandardCharsets.UTF_8));
        final Path jmhJson = Path.of(saved.group(1));
        assertTrue(Files.isRegularFile(jmhJson), "JMH said it saved " + jmhJson);
        assertTrue(Files.readString(jmhJson).strip().startsWith("["), "JMH's own -rf json array");
        final Path stored = new RunStore(root).all().get(0).file();
        assertEquals(stored.resolveSibling(stored.getFileName().toString().replace(".json", ".jmh-result.json")),
            jmhJson.toAbsolutePath());
    }
}

package io.electionbench.loadgen;

import static io.electionbench.loadgen.RunCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.sim.network.SendFailure;

class ScenarioAndSimulateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void seedScenariosPassWithExitZero() {
        final RunCommandTest.Result r = cli("scenario", "../core/scenarios/seed-startup.scn",
            "../core/scenarios/seed-leader-failure.scn");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("PASS ../core/scenarios/seed-startup.scn"), r.out());
    }

    /** A directory stands for its .scn files in name order; one with none, or a missing path, is one line and 2. */
    @Test
    void aDirectoryRunsItsScenarioFiles(@TempDir final Path dir) throws Exception {
        Files.copy(Path.of("../core/scenarios/seed-startup.scn"), dir.resolve("b.scn"));
        Files.copy(Path.of("../core/scenarios/seed-leader-failure.scn"), dir.resolve("a.scn"));
        Files.writeString(dir.resolve("notes.txt"), "not a scenario");
        final RunCommandTest.Result r = cli("scenario", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().indexOf("PASS " + dir.resolve("a.scn")) >= 0, r.out());
        assertTrue(r.out().indexOf("PASS " + dir.resolve("a.scn")) < r.out().indexOf("PASS " + dir.resolve("b.scn")),
            r.out());
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        final RunCommandTest.Result none = cli("scenario", empty.toString());
        assertEquals(2, none.code());
        assertEquals("electionbench scenario: " + empty + ": a directory with no .scn files", none.err().strip());
        final RunCommandTest.Result missing = cli("scenario", dir.resolve("nope.scn").toString());
        assertEquals(2, missing.code());
        assertEquals("electionbench scenario: " + dir.resolve("nope.scn") + ": no such file", missing.err().strip());
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        final RunCommandTest.Result r = cli("scenario", "--json", "../core/scenarios/seed-leader-failure.scn");
        assertEquals(0, r.code(), r.err());
        final JsonNode j = JSON.readTree(r.out().strip());
        final List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("file", "passed", "policy", "virtual_ms", "expectations", "final"), keys.subList(0, 6));
        assertEquals("../core/scenarios/seed-leader-failure.scn", j.get("file").asText());
        assertTrue(j.get("passed").asBoolean());
        final JsonNode first = j.get("expectations").get(0);
        assertEquals(11, first.get("line").asInt());
        assertEquals("expect leader 2", first.get("text").asText());
        assertTrue(first.get("ok").asBoolean());
        assertEquals("LEADING", j.get("final").get("2").get("state").asText());
        assertEquals(2, j.get("final").get("1").get("leader").asLong());
        assertEquals("1:102", j.get("final").get("1").get("zxid").asText(),
            "recovery synced 1 to the leader's history");
        assertEquals("DOWN", j.get("final").get("3").get("state").asText());
        for (final JsonNode server : j.get("final")) {
            final List<String> fields = new ArrayList<>();
            server.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("state", "leader", "epoch", "zxid"), fields);
        }
        assertEquals(2, j.get("final").get("2").get("epoch").asLong(), "the new leader established epoch 2");
        final JsonNode e = j.get("expectations").get(0);
        final List<String> expectationFields = new ArrayList<>();
        e.fieldNames().forEachRemaining(expectationFields::add);
        assertEquals(List.of("line", "text", "ok", "actual"), expectationFields);
    }

    @Test
    void aFailedExpectationExitsOneAndAMalformedFileTwo(@TempDir final Path dir) throws Exception {
        final Path wrong = Files.writeString(dir.resolve("wrong.scn"), "ensemble 3\nstart 1 2 3\nexpect leader 1\n");
        final RunCommandTest.Result failed = cli("scenario", wrong.toString());
        assertEquals(1, failed.code());
        assertTrue(failed.out().contains("actual: leader 3"), failed.out());
        final Path bad = Files.writeString(dir.resolve("bad.scn"), "ensemble 3\nstart 9\n");
        final RunCommandTest.Result malformed = cli("scenario", bad.toString());
        assertEquals(2, malformed.code());
        assertEquals(bad + ":2: server 9 is not in the ensemble (voters 1..3)", malformed.err().strip());
        assertEquals(2, cli("scenario", dir.resolve("missing.scn").toString()).code());
    }

    @Test
    void simulateRunsCleanAndReportsPerSizeAndPolicy() throws Exception {
        final RunCommandTest.Result r = cli("simulate", "--sizes", "3,5", "--seeds", "50", "--json");
        assertEquals(0, r.code(), r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(4, lines.length, r.out());
        for (final String line : lines) {
            final JsonNode j = JSON.readTree(line);
            assertEquals(50, j.get("runs").asInt());
            assertEquals(0, j.get("violations").asInt());
            final JsonNode refused = j.get("send_failures");
            assertEquals(SendFailure.values().length, refused.size(),
                "every kind is reported, zero or not: " + refused);
            assertTrue(refused.get("notification").asLong() > 0, "50 runs with every fault fill some election link: "
                + refused);
        }
        final RunCommandTest.Result quiet = cli("simulate", "--sizes", "3", "--seeds", "20", "--faults", "none");
        assertEquals(0, quiet.code(), quiet.err());
        assertFalse(quiet.out().contains("refused sends"), "no faults, no refused send: " + quiet.out());
        final RunCommandTest.Result text = cli("simulate", "--sizes", "3", "--seeds", "50", "--faults", "backpressure");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("refused sends: "), "links that fill up refuse sends: " + text.out());
    }

    @Test
    void simulateReplaysOneSeedWithItsTrace() {
        final RunCommandTest.Result r = cli("simulate", "--sizes", "5", "--seed", "7", "--policy", "fast");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("schedule:") && r.out().contains("LEADING"), r.out());
    }

    @Test
    void simulateRejectsBadArguments() {
        assertEquals(2, cli("simulate", "--faults", "meteor").code());
        assertEquals(2, cli("simulate", "--sizes", "0").code());
        assertEquals(2, cli("simulate", "--seeds", "0").code());
    }
}

package io.electionbench.loadgen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.Main;

/**
 * Real Apache ZooKeeper behind the fault proxies: the leader is cut off from both followers (both ways,
 * or only what they send it), they elect another and serve, and after the heal the old leader rejoins
 * (the trial runner waits for a stable ensemble before it reports). A short tickTime keeps detection at
 * syncLimit x tickTime = 2.5 s.
 */
class ZooKeeperPartitionTest {
    @Test
    void partitionLeaderRecoversOnRealZooKeeper() throws Exception {
        final JsonNode cell = runOneTrial("partition-leader");
        // The followers can only notice a silent cut by their own timeout.
        assertTrue(cell.get("detection_p50_ms").asDouble() >= 1000, "detection waits for syncLimit ticks: " + cell);
        assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > cell.get("detection_p50_ms").asDouble(),
            cell.toString());
    }

    /**
     * The leader deaf to its followers (its proxies drop what they send it, both ports) still reaches
     * them: it loses its quorum of acks after syncLimit ticks and steps down, and the followers elect
     * another; after the heal the ensemble is whole again.
     */
    @Test
    void oneWayLeaderRecoversOnRealZooKeeper() throws Exception {
        final JsonNode cell = runOneTrial("one-way-leader");
        assertTrue(cell.get("detection_p50_ms").asDouble() >= 1000, "the leader notices by its own timeout: " + cell);
        assertTrue(cell.get("time_to_ready_p50_ms").asDouble() >= cell.get("detection_p50_ms").asDouble(),
            cell.toString());
    }

    private static JsonNode runOneTrial(final String pattern) throws Exception {
        final PrintStream out = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.newCommandLine().execute("run", "--target", "zookeeper", "--sizes", "3", "--patterns",
                pattern, "--trials", "1", "--warmup", "0", "--no-store", "--json", "--tick-time", "500");
        } finally {
            System.setOut(out);
        }
        final String text = captured.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, code, text);
        final JsonNode cell = new ObjectMapper().readTree(text);
        assertEquals(pattern, cell.get("pattern").asText(), text);
        assertEquals(1, cell.get("n").asInt(), "one recovered trial, not a skip: " + text);
        assertEquals(0, cell.get("failed").asInt(), text);
        assertTrue(cell.get("violations").isEmpty(), text);
        return cell;
    }
}

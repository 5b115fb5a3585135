package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.TransportCounters;

/** Real-socket ensembles in one JVM elect, lose their leader and re-elect. */
@ExtendWith(LeakWatch.class)
class InProcessEnsembleTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void electsLosesLeaderAndReelects(final int size) throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, size)) {
            ensemble.startAll();
            // Serving: every member has synced with the leader, so histories and epochs are equal.
            final long first = ensemble.awaitServing(10_000);
            assertTrue(first > size / 2,
                "empty servers started in order elect a sid of the first quorum or later: " + first);
            final long stoppedNs = System.nanoTime();
            ensemble.stop(first);
            final long second = ensemble.awaitServing(10_000);
            assertNotEquals(first, second);
            for (int sid = 1; sid <= size; sid++) {
                if (sid != first) {
                    // The quorum link's EOF, at once; not syncLimit of silence.
                    assertEquals("connection to leader lost", firstLookingReason(ensemble, sid, stoppedNs),
                        "node " + sid);
                }
            }
            // Equal histories: the highest sid of whichever survivors formed the first quorum leads. The
            // highest survivor usually, but the fast policy may decide before the last survivor notices
            // the crash (it then follows); any quorum's highest sid is at least the quorum size.
            assertTrue(second >= size / 2 + 1, "a quorum's highest sid leads: " + second);
            final long sent = ensemble.nodes[1].counters().get(TransportCounters.NOTIFICATIONS_SENT);
            assertTrue(sent > 0, "notifications flowed over the sockets");
        }
    }

    /**
     * The reason {@code sid} gave for its first change to LOOKING after {@code sinceNs}, from its
     * {@code /events} history.
     */
    private static String firstLookingReason(final TestEnsemble ensemble, final long sid, final long sinceNs)
        throws Exception {
        final HttpResponse<Stream<String>> response = Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create(ensemble.admin(sid) + "/events?since=" + sinceNs))
                .timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> events = response.body()) {
            return events.filter(event -> event.contains("\"to\":\"LOOKING\""))
                .map(event -> Http.field(event, "reason")).findFirst().orElse(null);
        }
    }

    @Test
    void nioFallbackElects() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, "nativeTransport=false")) {
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(10_000);
            assertTrue(!ensemble.nodes[1].transport().isEpoll());
            ensemble.stop(leader);
            assertNotEquals(leader, ensemble.awaitLeader(10_000));
        }
    }

    @Test
    void restartedNodeJoinsExistingLeader() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, "electionPolicy=zookeeper")) {
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(10_000);
            final long follower = leader == 1 ? 2 : 1;
            ensemble.stop(follower);
            ensemble.start(follower);
            assertEquals(leader, ensemble.awaitLeader(10_000));
            assertEquals("zookeeper", ensemble.nodes[(int)leader].status().policy());
        }
    }
}

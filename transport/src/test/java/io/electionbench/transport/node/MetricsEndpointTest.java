package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import io.electionbench.transport.net.LeakWatch;

/**
 * {@code GET /metrics} of a live member, read strictly ({@link PromText}: HELP and TYPE on every family, counters
 * end in {@code _total}, no {@code sid} label, a whole election-duration histogram), and its values follow the
 * member through an election: the state gauge flips to LOOKING and back, elections and the histogram's count grow
 * together, notifications sent grow.
 */
@ExtendWith(LeakWatch.class)
class MetricsEndpointTest {
    private static final String DURATION = "electionbench_election_duration_seconds";

    @TempDir
    Path dir;

    @Test
    void everyFamilyIsDescribedAndValuesFollowAnElection() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(10_000);
            final long follower = leader == 1 ? 2 : 1;
            final String base = ensemble.admin(follower);

            final HttpResponse<String> response = Http.get(base + "/metrics");
            assertEquals(200, response.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", PrometheusTextFormatWriter.CONTENT_TYPE);
            assertEquals(PrometheusTextFormatWriter.CONTENT_TYPE,
                response.headers().firstValue("content-type").orElse(null), "the text format's own content type");
            final PromText first = awaitScrape(base, m -> m.value(DURATION + "_count")
                == m.value("electionbench_elections_total"), "the histogram counting every election");
            assertEquals(1, first.value("electionbench_state", "state", "FOLLOWING"), first.text());
            assertEquals(0, first.value("electionbench_state", "state", "LOOKING"), first.text());
            assertEquals(0, first.value("electionbench_bad_frames_total", "reason", "bad_frame_length"));
            assertEquals(0, first.value("electionbench_connections_refused_total", "reason", "unknown_sid"));
            assertEquals(1, first.value("electionbench_serving"));
            assertTrue(first.value("electionbench_elections_total") >= 1, first.text());
            assertTrue(first.value(DURATION + "_sum") > 0, first.text());
            assertTrue(first.hasFamily("electionbench_sync_received_bytes_total"), first.text());
            assertTrue(first.hasFamily("electionbench_sync_sent_bytes_total"), first.text());
            assertTrue(first.hasFamily("jvm_memory_used_bytes"), "the client library's JVM metrics");
            assertTrue(first.hasFamily("process_cpu_seconds_total"), "the client library's process metrics");

            // Cut the follower off its leader: it looks (syncLimit ticks later), then rejoins once healed.
            assertEquals(200, Http.post(base + "/fault/isolate?peers=" + leader, null).statusCode());
            final PromText looking = awaitScrape(base, m -> m.value("electionbench_state", "state", "LOOKING") == 1,
                "the state gauge at LOOKING");
            assertEquals(0, looking.value("electionbench_state", "state", "FOLLOWING"), looking.text());
            assertEquals(0, looking.value("electionbench_serving"), looking.text());
            assertEquals(200, Http.post(base + "/fault/heal", null).statusCode());

            final double elections = first.value("electionbench_elections_total");
            final PromText after = awaitScrape(base, m -> m.value("electionbench_elections_total") > elections
                && m.value(DURATION + "_count") == m.value("electionbench_elections_total")
                && m.value("electionbench_state", "state", "LOOKING") == 0, "a second election, counted");
            assertTrue(after.value(DURATION + "_sum") > first.value(DURATION + "_sum"), after.text());
            assertTrue(after.value("electionbench_notifications_sent_total")
                > first.value("electionbench_notifications_sent_total"), after.text());
            assertTrue(after.value("electionbench_election_rounds_total")
                > first.value("electionbench_election_rounds_total"), after.text());
        }
    }

    /** Scrapes until {@code condition} holds (each scrape read strictly), for at most 10 s. */
    private static PromText awaitScrape(final String base, final Predicate<PromText> condition, final String what) {
        final PromText[] last = new PromText[1];
        TestEnsemble.await(10_000, what, () -> {
            try {
                last[0] = PromText.parse(Http.get(base + "/metrics").body());
            } catch (final IOException ex) {
                throw new UncheckedIOException(ex);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            return condition.test(last[0]);
        }, () -> last[0] == null ? "no scrape" : last[0].text());
        return last[0];
    }
}

package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.LeakWatch;

/**
 * {@code GET /log} (read on the agent thread: ranges, the limit and its continuation, payloads under
 * 8 bytes, bad parameters naming themselves) and the {@code synced} event kind of {@code GET /events}
 * (only for subscribers that ask for it; a rejoining follower reports the txns it received).
 */
@ExtendWith(LeakWatch.class)
class LogEndpointTest {
    private static final java.util.regex.Pattern ENTRY = java.util.regex.Pattern.compile("\\[\"(\\d+:\\d+)\",(-?\\d+|null)]");

    @TempDir
    Path dir;

    @Test
    void logRangesLimitsAndBadParameters() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            final long leader = ensemble.awaitServing(15_000);
            final String url = ensemble.admin(leader);
            for (long seq = 100; seq < 105; seq++) {
                assertEquals(200, Http.post(url + "/write", bigEndian(seq, 128), null).statusCode());
            }
            assertEquals(200, Http.post(url + "/write", new byte[] {1, 2, 3}, null).statusCode());

            final String all = get(url + "/log");
            assertEquals("0:0", Http.field(all, "snapshotZxid"), "no snapshot: the zxid before every txn: " + all);
            assertEquals("1:6", Http.field(all, "lastZxid"), all);
            assertEquals(List.of("1:1", "1:2", "1:3", "1:4", "1:5", "1:6"), zxids(all), all);
            assertEquals(List.of("100", "101", "102", "103", "104", "null"), firstLongs(all),
                "each payload's first long, big-endian; none for a 3-byte payload: " + all);
            assertEquals("null", Http.field(all, "next"), all);

            assertEquals(List.of("1:2", "1:3"), zxids(get(url + "/log?from=1:2&to=1:3")));
            final String limited = get(url + "/log?from=1:2&limit=2");
            assertEquals(List.of("1:2", "1:3"), zxids(limited));
            assertEquals("1:4", Http.field(limited, "next"), "where the next call continues: " + limited);
            assertEquals(List.of(), zxids(get(url + "/log?from=2:0")), "nothing past the end");

            final long follower = leader == 1 ? 2 : 1;
            TestEnsemble.await(5_000, "the follower logged all six", () -> ensemble.nodes[(int)follower].status().zxid() == zxid(1, 6));
            assertEquals(zxids(all), zxids(get(ensemble.admin(follower) + "/log")), "a follower answers from its own log");

            for (final Map.Entry<String, String> bad : Map.of("from=abc", "'from'", "to=1:x", "'to'", "limit=0", "'limit'",
                "limit=100001", "'limit'", "limit=ten", "'limit'", "from=1:5&to=1:2", "'from'").entrySet()) {
                final HttpResponse<String> r = Http.get(url + "/log?" + bad.getKey());
                assertEquals(400, r.statusCode(), bad.getKey() + ": " + r.body());
                assertTrue(r.body().contains(bad.getValue()), bad.getKey() + " names " + bad.getValue() + ": " + r.body());
            }
            assertEquals(200, Http.get(url + "/state").statusCode(), "the endpoint still answers after the 400s");
        }
    }

    @Test
    void syncedEventsOnlyWhenAskedForAndWithTheTxnsMoved() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            final long leader = ensemble.awaitServing(15_000);
            final long follower = leader == 3 ? 2 : 3;
            ensemble.stop(follower);
            for (long seq = 1; seq <= 4; seq++) {
                assertEquals(200, Http.post(ensemble.admin(leader) + "/write", bigEndian(seq, 128), null).statusCode());
            }
            ensemble.start(follower);
            ensemble.awaitServing(15_000);

            final List<String> withSyncs = events(ensemble.admin(follower) + "/events?since=0&kinds=state,synced", "synced", 5_000);
            final String synced = withSyncs.get(withSyncs.size() - 1);
            assertEquals(Long.toString(follower), Http.field(synced, "sid"), synced);
            assertEquals(Long.toString(leader), Http.field(synced, "leader"), synced);
            assertEquals("DIFF", Http.field(synced, "mode"), synced);
            assertEquals("4", Http.field(synced, "txns"), synced);
            assertEquals(Integer.toString(4 * 128), Http.field(synced, "bytes"), synced);
            assertEquals("1:4", Http.field(synced, "lastZxid"), synced);
            assertTrue(Long.parseLong(Http.field(synced, "durationNs")) >= 0, synced);
            assertEquals(null, Http.field(synced, "from"), "a sync event is not a state change: " + synced);

            final List<String> stateOnly = events(ensemble.admin(follower) + "/events?since=0", "serving", 5_000);
            for (final String e : stateOnly) {
                assertEquals(null, Http.field(e, "kind"), "state events keep their old shape and sync events stay away: " + e);
                assertTrue(Http.field(e, "from") != null && Http.field(e, "to") != null && Http.field(e, "reason") != null, e);
            }
            final List<String> leaderPhases = events(ensemble.admin(leader) + "/events?since=0&kinds=phase", "phase",
                5_000);
            final String phase = leaderPhases.get(leaderPhases.size() - 1);
            assertEquals(Long.toString(leader), Http.field(phase, "sid"), phase);
            assertTrue(Http.field(phase, "learner") != null && Http.field(phase, "phase") != null,
                "a leader's phase event names the learner and its phase: " + phase);

            final HttpResponse<String> bad = Http.get(ensemble.admin(follower) + "/events?kinds=state,votes");
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("'kinds'") && bad.body().contains("expected state, synced, phase"),
                bad.body());
        }
    }

    /** Reads the stream until an event whose kind or reason is {@code until}; returns every event read. */
    private static List<String> events(final String url, final String until, final long timeoutMs) throws Exception {
        final HttpResponse<InputStream> r = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        final List<String> out = new java.util.ArrayList<>();
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            // The history replay comes first and is complete: the wanted event is in it or arrives soon.
            while (System.nanoTime() - deadline < 0) {
                final String line = lines.readLine();
                assertTrue(line != null, "the stream ended; read " + out);
                out.add(line);
                if (until.equals(Http.field(line, "kind")) || until.equals(Http.field(line, "reason"))
                    && "FOLLOWING".equals(Http.field(line, "to"))) {
                    return out;
                }
            }
        }
        throw new AssertionError("no " + until + " event within " + timeoutMs + " ms: " + out);
    }

    private static String get(final String url) throws Exception {
        final HttpResponse<String> r = Http.get(url);
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    private static List<String> zxids(final String log) {
        return entries(log, 1);
    }

    private static List<String> firstLongs(final String log) {
        return entries(log, 2);
    }

    private static List<String> entries(final String log, final int group) {
        final List<String> out = new java.util.ArrayList<>();
        final java.util.regex.Matcher m = ENTRY.matcher(log);
        while (m.find()) {
            out.add(m.group(group));
        }
        return out;
    }

    private static long zxid(final long epoch, final long counter) {
        return (epoch << 32) | counter;
    }

    private static byte[] bigEndian(final long first, final int length) {
        return ByteBuffer.allocate(length).putLong(0, first).array();
    }
}

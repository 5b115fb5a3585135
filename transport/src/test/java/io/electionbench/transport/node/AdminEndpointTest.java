package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.LeakWatch;

@ExtendWith(LeakWatch.class)
class AdminEndpointTest {
    @TempDir
    Path dir;

    @Test
    void stateMetricsEventsAndFaults() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(10_000);
            final long follower = leader == 1 ? 2 : 1;
            final String base = "http://127.0.0.1:" + ensemble.adminPorts[(int)follower - 1];

            final String state = Http.get(base + "/state").body();
            for (final String key : new String[] {"sid", "state", "leader", "epoch", "zxid", "electionEpoch", "serving",
                "since", "policy"}) {
                assertNotNull(Http.field(state, key), key + " in " + state);
            }
            assertEquals("FOLLOWING", Http.field(state, "state"));
            assertEquals(Long.toString(leader), Http.field(state, "leader"));
            assertEquals("0:0", Http.field(state, "zxid"));
            assertEquals("fast", Http.field(state, "policy"));

            final PromText metrics = PromText.parse(Http.get(base + "/metrics").body());
            assertTrue(metrics.value("electionbench_notifications_sent_total") > 0, metrics.text());
            assertEquals(0, metrics.value("electionbench_bad_frames_total", "reason", "bad_frame_length"));
            assertEquals(0, metrics.value("electionbench_connections_refused_total", "reason", "unknown_sid"));
            assertTrue(metrics.value("electionbench_elections_total") >= 1, metrics.text());

            final HttpResponse<InputStream> events = Http.CLIENT.send(
                HttpRequest.newBuilder(URI.create(base + "/events?since=0")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
                final String first = lines.readLine();
                assertEquals("STARTING", Http.field(first, "from"), first);
                assertEquals("LOOKING", Http.field(first, "to"), first);

                // Isolating the leader makes the follower lose it after syncLimit ticks; healing lets it rejoin.
                assertEquals(200, Http.post(base + "/fault/isolate?peers=" + leader, null).statusCode());
                String line;
                do {
                    line = lines.readLine();
                } while (!"LOOKING".equals(Http.field(line, "to")));
                assertEquals("FOLLOWING", Http.field(line, "from"), line);
                assertTrue(Long.parseLong(Http.field(line, "ts")) > Long.parseLong(Http.field(first, "ts")));
                assertEquals(200, Http.post(base + "/fault/heal", null).statusCode());
                do {
                    line = lines.readLine();
                } while (!"FOLLOWING".equals(Http.field(line, "to")) && !"LEADING".equals(Http.field(line, "to")));
            }
            ensemble.awaitLeader(10_000);
            assertEquals(400, Http.post(base + "/fault/isolate?peers=42", null).statusCode());
            assertEquals(200, Http.post(base + "/fault/slow?peer=" + leader + "&delayMs=20", null).statusCode());
            assertEquals(leader, ensemble.awaitLeader(5_000), "a 20 ms delay is not a failure");
            assertEquals(400, Http.post(base + "/fault/slow?peer=" + leader, null).statusCode());
            assertEquals(200, Http.post(base + "/fault/heal", null).statusCode());
            assertEquals(404, Http.get(base + "/nope").statusCode());
        }
    }

    @Test
    void faultsNeedTheTokenBeyondLoopbackAndCrashRunsTheCrashAction() throws Exception {
        final int[] ports = TestEnsemble.freePorts(3);
        final Path cfg = dir.resolve("one.cfg");
        Files.write(cfg, List.of("dataDir=" + dir.resolve("d%d"), "adminToken=t0ken", "tickTime=100",
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1], "admin.1=0.0.0.0:" + ports[2]));
        final ElectionNode node = new ElectionNode(NodeConfigParser.parse(cfg), 1);
        final boolean[] crashed = new boolean[1];
        node.crashAction(() -> {
            crashed[0] = true;
            node.close();
        });
        try (node) {
            node.start();
            final String base = "http://127.0.0.1:" + ports[2];
            TestEnsemble.await(5_000, "a single-member ensemble leads", () -> "LEADING".equals(node.status().state()));
            assertEquals(403, Http.post(base + "/fault/heal", null).statusCode());
            assertEquals(403, Http.post(base + "/fault/heal", "wrong").statusCode());
            assertEquals(200, Http.post(base + "/fault/heal", "t0ken").statusCode());
            assertEquals(200, Http.get(base + "/state").statusCode(), "reads need no token");
            assertEquals(403, Http.post(base + "/write", new byte[] {1}, null).statusCode(), "writes need the token");
            final HttpResponse<String> write = Http.post(base + "/write", new byte[] {1}, "t0ken");
            if (write.statusCode() == 503) {
                // A lone member that has not established its epoch yet: retry later.
                assertEquals("not-ready", Http.field(write.body(), "status"), write.body());
                assertEquals("1", write.headers().firstValue("Retry-After").orElse(null));
            } else {
                assertEquals(200, write.statusCode(), write.body());
                assertEquals("committed", Http.field(write.body(), "status"), write.body());
            }
            assertEquals(200, Http.post(base + "/fault/crash", "t0ken").statusCode());
            TestEnsemble.await(5_000, "crash action ran", () -> crashed[0] && node.isClosed());
        }
    }

    /**
     * {@code GET /} lists every command with its method, {@code /ruok} answers imok, and a known path asked
     * with the wrong method is a 405 naming the right one (a GET of {@code /fault/crash} crashes nothing).
     */
    @Test
    void theCommandListLivenessAndWrongMethods() throws Exception {
        final int[] ports = TestEnsemble.freePorts(3);
        final Path cfg = dir.resolve("one.cfg");
        Files.write(cfg, List.of("dataDir=" + dir.resolve("d%d"), "tickTime=100",
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1], "admin.1=127.0.0.1:" + ports[2]));
        final ElectionNode node = new ElectionNode(NodeConfigParser.parse(cfg), 1);
        final boolean[] crashed = new boolean[1];
        node.crashAction(() -> crashed[0] = true);
        try (node) {
            node.start();
            final String base = "http://127.0.0.1:" + ports[2];
            final HttpResponse<String> list = Http.get(base + "/");
            assertEquals(200, list.statusCode(), list.body());
            final Matcher command = Pattern.compile(
                "\\{\"method\":\"(\\w+)\",\"path\":\"([^\"]*)\",\"params\":\"[^\"]*\",\"token\":(true|false),"
                    + "\"description\":\"([^\"]+)\"}").matcher(list.body());
            final List<String> listed = new ArrayList<>();
            final List<String> needToken = new ArrayList<>();
            while (command.find()) {
                listed.add(command.group(1) + " " + command.group(2));
                if (Boolean.parseBoolean(command.group(3))) {
                    needToken.add(command.group(2));
                }
            }
            assertEquals(List.of("GET /", "GET /ruok", "GET /state", "GET /events", "GET /log", "GET /metrics",
                "POST /write", "POST /fault/isolate", "POST /fault/deafen", "POST /fault/heal", "POST /fault/slow",
                "POST /fault/crash"),
                listed);
            assertEquals(List.of("/log", "/write", "/fault/isolate", "/fault/deafen", "/fault/heal", "/fault/slow",
                "/fault/crash"),
                needToken, "what needs the admin token beyond loopback");

            final HttpResponse<String> ruok = Http.get(base + "/ruok");
            assertEquals(200, ruok.statusCode());
            assertEquals("imok", ruok.body().trim());

            for (final String postOnly : List.of("/write", "/fault/crash", "/fault/isolate?peers=1")) {
                final HttpResponse<String> r = Http.get(base + postOnly);
                assertEquals(405, r.statusCode(), postOnly + ": " + r.body());
                assertEquals("POST", r.headers().firstValue("Allow").orElse(null), postOnly);
                assertTrue(r.body().contains("takes POST, not GET"), r.body());
            }
            final HttpResponse<String> postState = Http.post(base + "/state", null);
            assertEquals(405, postState.statusCode(), postState.body());
            assertEquals("GET", postState.headers().firstValue("Allow").orElse(null));
            final HttpResponse<String> unknown = Http.get(base + "/nope");
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("GET / lists the commands"), unknown.body());
            final HttpResponse<String> bad = Http.post(base + "/fault/isolate?peers=x", null);
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("'peers'") && !bad.body().contains("NumberFormat"), bad.body());
            assertFalse(crashed[0], "a GET of /fault/crash must not crash the node");
            assertEquals(200, Http.get(base + "/state").statusCode(), "the connection and the node are fine");
        }
    }
}

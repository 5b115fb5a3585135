package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.TransportCounters;

/**
 * Hostile HTTP over real sockets against the admin endpoint of a running 3-node ensemble: clients that
 * pipeline and never read, requests that fail to decode, bad query parameters, connections that stop
 * mid-request and event streams nobody reads. Each must leave the node bounded, answered in order and
 * the ensemble serving.
 */
@ExtendWith(LeakWatch.class)
class AdminHostileInputTest {
    /** What one connection may hold in Netty's outbound buffer: the high water mark and one answer, with room. */
    private static final long MAX_PENDING_BYTES = 256 << 10;
    static final String GET_METRICS = "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n";
    @TempDir
    Path dir;
    private TestEnsemble ensemble;

    @BeforeEach
    void start() throws Exception {
        ensemble = new TestEnsemble(dir, 3);
        ensemble.startAll();
        ensemble.awaitServing(10_000);
    }

    @AfterEach
    void stop() {
        ensemble.close();
    }

    /**
     * 20,000 pipelined {@code GET /metrics} whose answers are never read: the node stops reading once
     * its answers stop leaving (unbounded, it read them all and held every answer, 80 MB), serves other
     * connections meanwhile and is answering at once after the client leaves.
     */
    @Test
    void aClientThatPipelinesAndNeverReadsIsHeldBack() throws Exception {
        final int requests = 20_000;
        final AdminServer admin = ensemble.nodes[1].admin();
        final long answeredBefore = admin.answered();
        final AtomicBoolean isRunning = new AtomicBoolean(true);
        final AtomicLong maxPending = new AtomicLong();
        final Thread sampler = new Thread(() -> {
            while (isRunning.get()) {
                maxPending.accumulateAndGet(admin.pendingOutboundBytes(), Math::max);
                LockSupport.parkNanos(200_000);
            }
        }, "sampler");
        final RawHttp client = new RawHttp(ensemble.adminPorts[0], 4096);
        final Thread writer = new Thread(() -> client.pipeline(GET_METRICS, requests), "pipeline");
        try {
            sampler.start();
            writer.start();
            final long answered = awaitAnswersSettle(admin, answeredBefore + requests) - answeredBefore;
            System.out.printf("AdminHostileInputTest: %d of %d pipelined requests answered to a client that does not"
                + " read, at most %d bytes held%n", answered, requests, maxPending.get());
            assertTrue(maxPending.get() <= MAX_PENDING_BYTES, "bytes held for a client that does not read: "
                + maxPending.get());
            assertTrue(answered < requests / 2, "answered " + answered + " of " + requests + " requests nobody read");
            assertAnswersPromptly(ensemble.admin(1));
        } finally {
            isRunning.set(false);
            client.close();
            writer.join(10_000);
            sampler.join(10_000);
        }
        assertAnswersPromptly(ensemble.admin(1));
        ensemble.awaitServing(10_000);
    }

    /** The admin endpoint has its own event loop: with it stalled, the node's peer links carry on. */
    @Test
    void aStalledAdminLoopDoesNotStopPeerTraffic() throws Exception {
        final ElectionNode node = ensemble.nodes[1];
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        node.admin().executor().execute(() -> {
            stalled.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(stalled.await(5, TimeUnit.SECONDS), "the admin loop ran the stall");
            final long received = node.counters().get(TransportCounters.QUORUM_RECEIVED);
            TestEnsemble.await(5_000, "quorum messages while the admin loop is stalled", () ->
                node.counters().get(TransportCounters.QUORUM_RECEIVED) >= received + 10);
        } finally {
            release.countDown();
        }
        assertAnswersPromptly(ensemble.admin(1));
        ensemble.stop(1);
        TestEnsemble.await(5_000, "node 1's admin thread gone", () -> !isThreadAlive("admin-1-"));
    }

    /**
     * Requests Netty could not decode are refused with 400 (431 for headers, 414 for the request line)
     * and the connection closed; none of them reaches the agent: the next good write is the next zxid.
     */
    @Test
    void requestsThatFailToDecodeAreRefusedAndStoreNothing() throws Exception {
        final long leader = ensemble.awaitServing(10_000);
        final String base = ensemble.admin(leader);
        final long first = committedZxid(base);
        final String big = "a".repeat(100 << 10);
        final String[][] cases = {
            {"400", "POST /write HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\nabcd"},
            {"400", "POST /write HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\nabcd"},
            {"400", "POST /write HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"},
            {"400", "POST /write HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n"},
            {"431", "POST /write HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\nContent-Length: 4\r\n\r\nabcd"},
            {"414", "POST /write?" + big + " HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd"},
        };
        for (final String[] c : cases) {
            final String what = c[1].substring(0, Math.min(90, c[1].length())).replace("\r\n", " | ");
            try (RawHttp client = new RawHttp(ensemble.adminPorts[(int)leader - 1])) {
                client.send(c[1]);
                final RawHttp.Answer answer = client.read();
                assertEquals(Integer.parseInt(c[0]), answer.status, what + ": " + answer);
                assertTrue(answer.body.contains("\"error\""), what + ": " + answer);
                assertTrue(answer.isClose(), what + ": " + answer);
                assertTrue(client.awaitClosedMs(5_000) >= 0, what + ": the connection is closed after the answer");
            }
        }
        final long next = committedZxid(base);
        assertEquals(Zxid.make(Zxid.epoch(first), Zxid.counter(first) + 1), next,
            "the write after the refused ones is the next zxid: " + Zxid.toString(first) + " then "
                + Zxid.toString(next));
    }

    /**
     * Writes and reads pipelined on one connection are answered in request order: a write waits for
     * its outcome from the agent, and the requests behind it wait for that answer.
     */
    @Test
    void pipelinedWritesAndReadsAreAnsweredInOrder() throws Exception {
        final long leader = ensemble.awaitServing(10_000);
        final long first = committedZxid(ensemble.admin(leader));
        final String write = "POST /write HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n12345678";
        try (RawHttp client = new RawHttp(ensemble.adminPorts[(int)leader - 1])) {
            client.send(write + write + "GET /state HTTP/1.1\r\nHost: a\r\n\r\n" + write);
            for (final int n : new int[] {1, 2, 0, 3}) {
                final RawHttp.Answer answer = client.read();
                assertEquals(200, answer.status, answer.toString());
                if (n == 0) {
                    assertEquals("LEADING", Http.field(answer.body, "state"), answer.toString());
                } else {
                    assertEquals("committed", Http.field(answer.body, "status"), "answer " + n + ": " + answer);
                    assertEquals(Zxid.toString(Zxid.make(Zxid.epoch(first), Zxid.counter(first) + n)),
                        Http.field(answer.body, "zxid"), "answer " + n + ": " + answer);
                }
            }
        }
    }

    /** Every numeric query parameter: non-numeric, negative where it must not be, and overflowing. */
    @Test
    void badQueryParametersAreRefusedNamingTheParameter() throws Exception {
        final String base = ensemble.admin(1);
        final int port = ensemble.adminPorts[0];
        final String[][] gets = {
            {"since", "/events?since=abc"},
            {"since", "/events?since=99999999999999999999"},
            {"since", "/events?since="},
            {"limit", "/log?limit=-1"},
            {"limit", "/log?limit=abc"},
            {"limit", "/log?limit=99999999999"},
            {"from", "/log?from=abc"},
            {"kinds", "/events?kinds=bogus"},
        };
        for (final String[] c : gets) {
            final RawHttp.Answer r = answer(port, "GET", c[1]);
            assertEquals(400, r.status, c[1] + ": " + r);
            assertTrue(r.body.contains("'" + c[0] + "'"), c[1] + ": " + r);
        }
        final String[][] posts = {
            {"delayMs", "/fault/slow?peer=2&delayMs=-5"},
            {"delayMs", "/fault/slow?peer=2&delayMs=abc"},
            {"delayMs", "/fault/slow?peer=2&delayMs=99999999999"},
            {"delayMs", "/fault/slow?peer=2&delayMs=" + (AdminServer.MAX_DELAY_MS + 1)},
            {"peer", "/fault/slow?peer=abc&delayMs=5"},
            {"peer", "/fault/slow?peer=42&delayMs=5"},
            {"peer", "/fault/slow?peer=99999999999999999999&delayMs=5"},
            {"peers", "/fault/isolate?peers=2,abc"},
            {"peers", "/fault/isolate?peers=-1"},
            {"peers", "/fault/isolate?peers=42"},
            {"peers", "/fault/isolate?peers="},
        };
        for (final String[] c : posts) {
            final RawHttp.Answer r = answer(port, "POST", c[1]);
            assertEquals(400, r.status, c[1] + ": " + r);
            assertTrue(r.body.contains("'" + c[0] + "'"), c[1] + ": " + r);
        }
        final RawHttp.Answer range = answer(port, "POST", "/fault/slow?peer=2&delayMs=-5");
        assertTrue(range.body.contains("0.." + AdminServer.MAX_DELAY_MS), range.toString());
        assertEquals(0, ensemble.nodes[1].transport().faults().isolatedSids().length, "no refused command took effect");
        assertEquals(0, ensemble.nodes[1].transport().faults().delayMs(1), "no refused command took effect");
        assertFalse(ensemble.nodes[1].transport().faults().isEnabled(), "nor did one put fault handlers in place");
        assertEquals(200, Http.post(base + "/fault/slow?peer=2&delayMs=0", null).statusCode());
        assertTrue(ensemble.nodes[1].transport().faults().isEnabled(), "an accepted fault command enables faults");
        assertEquals(200, Http.get(base + "/state").statusCode());
    }

    /**
     * A connection that sends half a request line and one that trickles a request a byte at a time are
     * closed {@link AdminServer#REQUEST_TIMEOUT_MS} after their first bytes; a keep-alive connection idle
     * after its answer is not (it has {@link AdminServer#IDLE_TIMEOUT_MS}), nor is an {@code /events}
     * stream open meanwhile, which still delivers.
     */
    @Test
    void connectionsThatStopMidRequestAreClosed() throws Exception {
        final long timeoutMs = AdminServer.REQUEST_TIMEOUT_MS;
        final int port = ensemble.adminPorts[0];
        try (RawHttp events = new RawHttp(port); RawHttp half = new RawHttp(port); RawHttp idle = new RawHttp(port);
            RawHttp trickle = new RawHttp(port)) {
            events.send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
            final RawHttp.Answer head = events.readHead();
            assertEquals(200, head.status, head.toString());
            half.send("GET /sta");
            idle.send("GET /state HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, idle.read().status);
            final long startNs = System.nanoTime();
            final byte[] request = "GET /state HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            final long maxMs = timeoutMs + 3_000;
            assertTrue(trickle(trickle, request, timeoutMs / 10),
                "a request trickled over " + timeoutMs + " ms was cut off");
            final long halfMs = half.awaitClosedMs(maxMs);
            assertTrue(halfMs >= 0, "a half request line is closed within " + maxMs + " ms");
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(timeoutMs * 9 / 10),
                "closed early");
            idle.send("GET /state HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, idle.read().status, "a keep-alive connection idle for the request timeout is kept");
            // The event stream outlived them all: a state change still arrives on it.
            assertEquals(200, Http.post(ensemble.admin(1) + "/fault/isolate?peers=2,3", null).statusCode());
            assertTrue(events.readUntil("\"to\":\"LOOKING\"", 10_000), "the /events stream still delivers");
            assertEquals(200, Http.post(ensemble.admin(1) + "/fault/heal", null).statusCode());
        }
        ensemble.awaitServing(10_000);
    }

    /**
     * An {@code /events} subscriber that never reads is cut off once its backlog passes
     * {@link AdminServer#MAX_EVENTS_BACKLOG_BYTES}, instead of the node holding every event for it.
     */
    @Test
    void anEventStreamNobodyReadsIsCutOff() throws Exception {
        final AdminServer admin = ensemble.nodes[1].admin();
        final int before = admin.connectionCount();
        try (RawHttp subscriber = new RawHttp(ensemble.adminPorts[0], 4096)) {
            subscriber.send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
            TestEnsemble.await(5_000, "the subscriber connected", () -> admin.connectionCount() > before);
            final String reason = "x".repeat(1000);
            long maxPending = 0;
            for (int i = 0; i < 20_000 && admin.connectionCount() > before; i++) {
                admin.publish(new NodeEvent(System.nanoTime(), 1, "FOLLOWING", "FOLLOWING", 2, 1, reason));
                maxPending = Math.max(maxPending, admin.pendingOutboundBytes());
                if (i % 100 == 0) {
                    LockSupport.parkNanos(1_000_000); // lets the loop deliver, so the backlog is seen growing
                }
            }
            TestEnsemble.await(5_000, "the subscriber that does not read is closed",
                () -> admin.connectionCount() <= before);
            assertTrue(maxPending <= AdminServer.MAX_EVENTS_BACKLOG_BYTES + MAX_PENDING_BYTES,
                "backlog held: " + maxPending);
            assertTrue(subscriber.awaitClosedMs(5_000) >= 0, "the subscriber sees the stream end");
        }
        assertAnswersPromptly(ensemble.admin(1));
    }

    /**
     * Sends all but the last byte of {@code request}, one every {@code pauseMs}, while the connection is open.
     *
     * @return true if the peer closed it before
     */
    private static boolean trickle(final RawHttp client, final byte[] request, final long pauseMs) throws IOException {
        for (int sent = 0; sent < request.length - 1; sent++) {
            try {
                if (client.isClosedNow()) {
                    return true;
                }
                client.send(new byte[] {request[sent]});
            } catch (final IOException ex) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
        }
        return client.isClosedNow();
    }

    /**
     * Waits until the endpoint has answered {@code target} requests or its answer count stopped growing for
     * a second (it stopped reading); returns the count.
     */
    static long awaitAnswersSettle(final AdminServer admin, final long target) {
        return awaitAnswersSettle(admin, target, 1_000);
    }

    /** As {@link #awaitAnswersSettle(AdminServer, long)}, settled after {@code quietMs} without an answer. */
    static long awaitAnswersSettle(final AdminServer admin, final long target, final long quietMs) {
        final long[] last = {admin.answered(), System.nanoTime()};
        TestEnsemble.await(30_000, "the answers to settle", () -> {
            final long now = admin.answered();
            if (now != last[0]) {
                last[0] = now;
                last[1] = System.nanoTime();
            }
            return now >= target || System.nanoTime() - last[1] > TimeUnit.MILLISECONDS.toNanos(quietMs);
        });
        return admin.answered();
    }

    /** A {@code GET /state} on a new connection answers within a second. */
    static void assertAnswersPromptly(final String base) throws Exception {
        final long startNs = System.nanoTime();
        try (RawHttp client = new RawHttp(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
            client.send("GET /state HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertEquals(200, client.read().status);
        }
        final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(ms < 1_000, "GET /state took " + ms + " ms");
    }

    /**
     * The answer's head and {@code Content-Length} body on a new connection (a raw socket: a 200 that
     * starts an endless event stream must not hang the test).
     */
    private static RawHttp.Answer answer(final int port, final String method, final String path) throws IOException {
        try (RawHttp client = new RawHttp(port)) {
            client.send(method + " " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return client.read();
        }
    }

    /** POSTs an 8-byte write and returns its zxid (it must commit). */
    private static long committedZxid(final String base) throws Exception {
        final HttpResponse<String> r = Http.post(base + "/write", new byte[8], null);
        assertEquals(200, r.statusCode(), r.body());
        return Zxid.parse(Http.field(r.body(), "zxid"));
    }

    private static boolean isThreadAlive(final String namePrefix) {
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(namePrefix) && thread.isAlive()) {
                return true;
            }
        }
        return false;
    }
}

package io.electionbench.transport.node;

import java.util.HashMap;
import java.util.Map;

import io.netty.handler.codec.http.HttpMethod;

/**
 * The admin endpoint's commands, each with the one method it answers: {@code GET /} lists them (as
 * ZooKeeper's AdminServer lists its own under {@code /commands}), and a request for a known path with
 * another method is a 405 naming the method it takes. docs/transport.md, "The admin endpoint".
 */
enum AdminCommand {
    COMMANDS(HttpMethod.GET, "/", "", false, "this list"),
    RUOK(HttpMethod.GET, "/ruok", "", false,
        "liveness, as ZooKeeper's ruok: answers imok while the node runs, serving or not"),
    STATE(HttpMethod.GET, "/state", "", false, "the node's role, leader, epochs, zxids and whether it serves, as JSON"),
    EVENTS(HttpMethod.GET, "/events", "since=NS, kinds=state,synced,phase", false,
        "state changes (and syncs) as they happen, one JSON object per line"),
    LOG(HttpMethod.GET, "/log", "from=E:C, to=E:C, limit=N", true,
        "the txns held between two zxids, with the first 8 bytes of each payload"),
    METRICS(HttpMethod.GET, "/metrics", "", false, "Prometheus text format"),
    WRITE(HttpMethod.POST, "/write", "", true, "the body as one write, answered when committed (or not)"),
    ISOLATE(HttpMethod.POST, "/fault/isolate", "peers=SID,SID", true,
        "drop every message to and from these peers until /fault/heal"),
    DEAFEN(HttpMethod.POST, "/fault/deafen", "peers=SID,SID", true,
        "drop every message from these peers (messages to them still go out) until /fault/heal"),
    HEAL(HttpMethod.POST, "/fault/heal", "", true, "remove every injected fault"),
    SLOW(HttpMethod.POST, "/fault/slow", "peer=SID, delayMs=MS", true, "delay every message to this peer"),
    CRASH(HttpMethod.POST, "/fault/crash", "", true, "stop the node at once, as a kill would");

    private static final Map<String, AdminCommand> BY_PATH = new HashMap<>();
    private static final String LIST_JSON;

    static {
        final StringBuilder json = new StringBuilder("{\"commands\":[");
        for (final AdminCommand command : values()) {
            BY_PATH.put(command.path, command);
            json.append(command.ordinal() == 0 ? "" : ",").append("{\"method\":\"").append(command.method.name())
                .append("\",\"path\":\"").append(command.path).append("\",\"params\":\"").append(command.params)
                .append("\",\"token\":").append(command.isTokenNeeded).append(",\"description\":\"")
                .append(NodeEvent.escape(command.description)).append("\"}");
        }
        LIST_JSON = json.append("]}").toString();
    }

    private final HttpMethod method;
    private final String path;
    private final String params;
    private final boolean isTokenNeeded;
    private final String description;

    AdminCommand(final HttpMethod method, final String path, final String params, final boolean isTokenNeeded,
        final String description) {
        this.method = method;
        this.path = path;
        this.params = params;
        this.isTokenNeeded = isTokenNeeded;
        this.description = description;
    }

    /** The command at {@code path}, or null for no such command. */
    static AdminCommand of(final String path) {
        return BY_PATH.get(path);
    }

    HttpMethod method() {
        return method;
    }

    String path() {
        return path;
    }

    /**
     * {@code {"commands":[{"method","path","params","token","description"},...]}}; {@code token}: it needs
     * the admin token when asked from beyond loopback.
     */
    static String listJson() {
        return LIST_JSON;
    }
}

package io.electionbench.loadgen.run;

import java.nio.file.Path;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.node.ElectionNode;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;

/** Every node in this JVM over real loopback sockets. A crash closes the node's sockets at once; no pause. */
final class InprocTarget extends AdminTarget {
    private final NodeConfig config;
    private final ElectionNode[] nodes;

    InprocTarget(final Path dir, final int size, final ElectionPolicy policy, final NodeTiming timing,
        final FsyncPolicy fsync) throws Exception {
        super(dir, size, policy, timing, fsync);
        this.config = NodeConfigParser.parse(configFile);
        this.nodes = new ElectionNode[size + 1];
    }

    @Override
    public String name() {
        return "inproc";
    }

    @Override
    protected void launch(final long sid) throws Exception {
        final ElectionNode node = new ElectionNode(config, sid);
        node.crashAction(node::close);
        nodes[(int)sid] = node;
        node.start();
    }

    @Override
    protected void kill(final long sid) {
        final ElectionNode node = nodes[(int)sid];
        if (node != null) {
            node.close();
            nodes[(int)sid] = null;
        }
    }

    @Override
    public boolean pause(final long sid) {
        return false;
    }

    @Override
    public void resume(final long sid) {
    }

    @Override
    public void close() {
        super.close();
        for (int sid = 1; sid < nodes.length; sid++) {
            kill(sid);
        }
    }
}

package io.electionbench.loadgen.hosts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
    @TempDir
    Path dir;

    private Path file(final String... lines) throws IOException {
        return Files.write(dir.resolve("hosts.cfg"), List.of(lines));
    }

    @Test
    void readsDefaultsOverridesAndBothDestinationForms() throws IOException {
        final Inventory inv = Inventory.parse(file("runs = zookeeper 3.9.5   # the release", "dir = /var/tmp/eb",
            "ssh.config = ssh.cfg",
            "server.1 = 10.0.0.11", "server.1.ssh = admin@db1:2200", "server.2 = 10.0.0.12", "server.2.ssh = db2",
            "server.2.heap = 1g", "server.2.java = /opt/jdk/bin/java", "server.2.ports = 12888:13888:12181",
                "server.2.firewall = NFT", "server.3 = 10.0.0.13"));
        assertEquals(3, inv.size());
        assertEquals(new Inventory.Runs("zookeeper", "3.9.5"), inv.runs());
        assertEquals(dir.resolve("ssh.cfg"), inv.sshConfig());
        final Inventory.Server s1 = inv.server(1);
        assertEquals(List.of("-p", "2200", "admin@db1"), s1.ssh().sshArguments());
        assertEquals("/var/tmp/eb", s1.dir());
        assertEquals("128m", s1.heap());
        assertEquals("java", s1.java());
        assertArrayEquals(new int[] {2888, 3888, 2181}, s1.ports());
        assertEquals("auto", s1.firewall());
        assertEquals("nft", inv.server(2).firewall());
        final Inventory.Server s2 = inv.server(2);
        assertEquals(List.of("db2"), s2.ssh().sshArguments());
        assertNull(s2.ssh().user());
        assertEquals("1g", s2.heap());
        assertEquals("/opt/jdk/bin/java", s2.java());
        assertEquals(12181, s2.servicePort());
        assertEquals(List.of("10.0.0.13"), inv.server(3).ssh().sshArguments(), "no .ssh: the address itself");
    }

    @Test
    void ourNodesDefaultToTheAdminPort8080() throws IOException {
        final Inventory inv = Inventory.parse(file("runs = electionbench", "dir = /srv/eb", "server.1 = a"));
        assertEquals(new Inventory.Runs("electionbench", null), inv.runs());
        assertEquals(8080, inv.server(1).servicePort());
    }

    @Test
    void eachMistakeNamesTheFileAndTheKey() throws IOException {
        assertMessage("server.1.sh: unknown key", "runs = electionbench", "dir = /d", "server.1 = a",
            "server.1.sh = b");
        assertMessage("colour: unknown key", "colour = blue", "server.1 = a");
        assertMessage("server.1.dir: missing", "runs = electionbench", "server.1 = a");
        assertMessage("dir: 'relative' is not an absolute path", "runs = electionbench", "dir = relative",
            "server.1 = a");
        assertMessage("server.1.runs: missing", "dir = /d", "server.1 = a");
        assertMessage("runs: 'zookeeper' is not", "runs = zookeeper", "dir = /d", "server.1 = a");
        assertMessage("server.2.runs: runs zookeeper 3.9.5 but server.1 runs electionbench", "runs = electionbench",
            "dir = /d",
            "server.1 = a", "server.2 = b", "server.2.runs = zookeeper 3.9.5");
        assertMessage("server.1.ssh: port 70000 is not 1..65535", "runs = electionbench", "dir = /d", "server.1 = a",
            "server.1.ssh = u@h:70000");
        assertMessage("ports: '1:1:2' uses one port twice", "runs = electionbench", "dir = /d", "ports = 1:1:2",
            "server.1 = a");
        assertMessage("no server.N = address line", "runs = electionbench", "dir = /d");
        assertMessage("server.1: '10.0.0.1;reboot' is not a host name or an IPv4 or IPv6 address",
            "runs = electionbench", "dir = /d", "server.1 = 10.0.0.1;reboot");
        assertMessage("server.1.firewall: 'pf' is not auto, iptables or nft", "runs = electionbench", "dir = /d",
            "server.1 = a", "server.1.firewall = pf");
    }

    private void assertMessage(final String expected, final String... lines) throws IOException {
        final Path f = file(lines);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Inventory.parse(f));
        assertTrue(ex.getMessage().startsWith(f + ": ") && ex.getMessage().contains(expected), ex.getMessage());
    }
}

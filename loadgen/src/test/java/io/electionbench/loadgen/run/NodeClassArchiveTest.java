package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the class-data archive is keyed on, and that a classpath it cannot archive (directories, as
 * under Maven's tests) leaves nodes on plain JVMs with one line saying why. The archive itself is built
 * and used by every run of the shaded jar, in CI's main job.
 */
class NodeClassArchiveTest {
    @TempDir
    Path dir;

    @Test
    void theKeyFollowsTheJarsTheHeapAndTheFlags() throws Exception {
        final Path jar = Files.write(dir.resolve("a.jar"), new byte[] {1, 2, 3});
        final List<String> cp = List.of(jar.toString());
        final String key = NodeClassArchive.key("64m", cp);
        assertNotNull(key);
        assertEquals(key, NodeClassArchive.key("64m", cp), "the same inputs give the same archive");
        assertNotEquals(key, NodeClassArchive.key("128m", cp), "another heap gets its own archive");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));
        final String rebuilt = NodeClassArchive.key("64m", cp);
        assertNotEquals(key, rebuilt, "a rebuilt jar gets its own archive");
        final String flags = ChildJvms.currentFlags();
        try {
            ChildJvms.flags("-XX:+UseParallelGC");
            assertNotEquals(rebuilt, NodeClassArchive.key("64m", cp), "other child flags get their own archive");
        } finally {
            ChildJvms.flags(flags);
        }
    }

    @Test
    void directoriesOnTheClasspathMeanNoArchive() throws Exception {
        final Path classes = Files.createDirectories(dir.resolve("classes"));
        assertNull(NodeClassArchive.key("64m", List.of(classes.toString())));
        final Path jar = Files.write(dir.resolve("b.jar"), new byte[] {1});
        assertNull(NodeClassArchive.key("64m", List.of(jar.toString(), classes.toString())));
        assertNull(NodeClassArchive.key("64m", List.of(dir.resolve("missing.jar").toString())));
    }

    @Test
    void underMavenTheNodesStartPlainAndSayWhyOnce() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
        NodeClassArchive.forget();
        assertEquals(List.of(), NodeClassArchive.nodeFlags("64m", log));
        assertEquals(List.of(), NodeClassArchive.nodeFlags("64m", log));
        final String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("without a class-data archive: the classpath has directories"), text);
        assertEquals(text.indexOf("electionbench:"), text.lastIndexOf("electionbench:"), "said once: " + text);
    }
}

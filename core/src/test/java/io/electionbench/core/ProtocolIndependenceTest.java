package io.electionbench.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The protocol never depends on the simulator or the scenario language: no source file of the
 * protocol packages (and of the core's top level) names {@code io.electionbench.core.sim} or
 * {@code io.electionbench.core.scenario}, in an import, a qualified name or a Javadoc link
 * (docs/architecture.md, "The simulator's packages"). The test reads the sources, so it runs from the
 * core module's directory, as Surefire runs it.
 */
class ProtocolIndependenceTest {
    private static final Path CORE = Path.of("src/main/java/io/electionbench/core");
    private static final List<String> PROTOCOL_PACKAGES = List.of("election", "zab", "quorum", "log", "sync");
    private static final List<String> FORBIDDEN =
        List.of("io.electionbench.core.sim", "io.electionbench.core.scenario");

    @Test
    void noProtocolSourceNamesTheSimulatorOrTheScenarios() throws IOException {
        assertTrue(Files.isDirectory(CORE), "core sources not found at " + CORE.toAbsolutePath());
        final List<Path> sources = new ArrayList<>();
        try (Stream<Path> top = Files.list(CORE)) {
            top.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
        }
        for (final String pkg : PROTOCOL_PACKAGES) {
            final Path dir = CORE.resolve(pkg);
            assertTrue(Files.isDirectory(dir), "protocol package " + pkg + " not found at " + dir.toAbsolutePath());
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
            }
        }
        assertTrue(sources.size() > 20, "only " + sources.size() + " protocol sources found: " + sources);
        final List<String> offenders = new ArrayList<>();
        for (final Path source : sources) {
            final List<String> lines = read(source);
            for (int i = 0; i < lines.size(); i++) {
                for (final String name : FORBIDDEN) {
                    if (lines.get(i).contains(name)) {
                        offenders.add(source + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "protocol sources that name the simulator or the scenarios");
    }

    private static List<String> read(final Path source) {
        try {
            return Files.readAllLines(source);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot read " + source, ex);
        }
    }
}

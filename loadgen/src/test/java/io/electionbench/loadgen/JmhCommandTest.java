package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.loadgen.RunCommandTest.Result;
import picocli.CommandLine;

/** {@code electionbench jmh}: argument passthrough, the jar lookup, the child JVM and its exit status. */
class JmhCommandTest {
    /** Exit status of {@link EchoMain}, so that a test sees the child's status come back. */
    private static final int ECHO_STATUS = 3;

    @TempDir
    Path dir;

    private static List<String> parsedJmhArgs(final String... args) {
        final CommandLine.ParseResult parsed = Main.newCommandLine().parseArgs(args);
        return ((JmhCommand)parsed.subcommand().commandSpec().userObject()).jmhArgs;
    }

    @Test
    void everyArgumentFromTheFirstUnknownOneIsJmhsUnchanged() {
        assertEquals(List.of("-h"), parsedJmhArgs("jmh", "-h"));
        assertEquals(List.of("-f", "1", "--help", "--jar", "x.jar", "-jvmArgsAppend", "-Xmx1g -Dx=a b",
            "VoteCompareBenchmark.packed"), parsedJmhArgs("jmh", "-f", "1", "--help", "--jar", "x.jar",
            "-jvmArgsAppend", "-Xmx1g -Dx=a b", "VoteCompareBenchmark.packed"));
        assertEquals(List.of("VoteCompareBenchmark", "-prof", "gc"),
            parsedJmhArgs("jmh", "--jar", "x.jar", "VoteCompareBenchmark", "-prof", "gc"));
        assertEquals(List.of("--help"), parsedJmhArgs("jmh", "--", "--help"));
        assertEquals(List.of(), parsedJmhArgs("jmh"));
    }

    @Test
    void helpIsTheCommandsOwnAndPointsAtJmhs() {
        final Result r = RunCommandTest.cli("jmh", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("electionbench jmh [--jar PATH] [JMH args]"), r.out());
        assertTrue(r.out().contains("electionbench jmh -h"), r.out());
    }

    @Test
    void findsTheGivenJarTheWorkingDirectorysOrTheOneBesideItsOwnBuild() throws IOException {
        final Path repo = dir.resolve("repo");
        final Path self = repo.resolve("loadgen/target/electionbench.jar");
        final Path built = repo.resolve(JmhCommand.DEFAULT_JAR);
        final Path other = dir.resolve("elsewhere");
        Files.createDirectories(other);

        final JmhCommand.Lookup none = JmhCommand.findJar(null, other, self);
        assertNull(none.jar());
        assertEquals(List.of(other.resolve(JmhCommand.DEFAULT_JAR), built), none.tried());

        Files.createDirectories(built.getParent());
        Files.createFile(built);
        assertEquals(built, JmhCommand.findJar(null, other, self).jar(), "beside the electionbench jar's build");
        assertEquals(built, JmhCommand.findJar(null, repo, repo.resolve("loadgen/target/classes")).jar(),
            "classes directory");
        assertEquals(List.of(built), JmhCommand.findJar(null, repo, self).tried(), "the same path once");

        final Path local = other.resolve(JmhCommand.DEFAULT_JAR);
        Files.createDirectories(local.getParent());
        Files.createFile(local);
        assertEquals(local, JmhCommand.findJar(null, other, self).jar(), "the working directory's first");

        final Path missing = dir.resolve("mine.jar");
        final JmhCommand.Lookup explicit = JmhCommand.findJar(missing, other, self);
        assertNull(explicit.jar(), "a given --jar has no fallback");
        assertEquals(List.of(missing), explicit.tried());
    }

    @Test
    void aMissingJarIsOneLineNamingItAndHowToBuildAndExitsTwo() {
        final Path missing = dir.resolve("no-such.jar");
        final Result r = RunCommandTest.cli("jmh", "--jar", missing.toString(), "-l");
        assertEquals(Cli.BAD_INPUT, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("electionbench jmh: no benchmarks jar at " + missing + "; build it with 'mvn "),
            r.err());
        assertEquals("", r.out());
    }

    @Test
    void runsTheJarInAChildJvmWithTheArgumentsAndReturnsItsStatus() throws IOException {
        final Path jar = echoJar(dir.resolve("echo.jar"));
        final List<String> args = List.of("-f", "1", "-h", "-jvmArgsAppend", "-Xmx1g -Dx=a b", "--help",
            "VoteCompareBenchmark.packed");
        final Result r = RunCommandTest.cli(Stream.concat(Stream.of("jmh", "--jar", jar.toString()), args.stream())
            .toArray(String[]::new));

        assertEquals(ECHO_STATUS, r.code(), r.err());
        assertEquals(args, Files.readAllLines(EchoMain.argsFile(jar), StandardCharsets.UTF_8));
    }

    /**
     * The real benchmarks jar found as the command finds it from loadgen's build, run with {@code -f 0}
     * (JMH in the child itself) in a directory outside git, where it stores under the commit it was built from.
     * Needs the benchmarks module packaged, as the reactor build does before loadgen.
     */
    @Test
    void runsTheBenchmarksJarAndItStoresTheRun() throws IOException, InterruptedException {
        final JmhCommand.Lookup lookup = JmhCommand.findJar(null, Path.of("").toAbsolutePath(),
            JmhCommand.selfLocation());
        assumeTrue(lookup.jar() != null, "no benchmarks jar at " + lookup.tried()
            + "; package the benchmarks module first");
        final Path output = dir.resolve("output.txt");
        final ProcessBuilder builder = new ProcessBuilder(JmhCommand.command(JmhCommand.javaExecutable(), lookup.jar(),
            List.of("-f", "0", "-wi", "0", "-i", "1", "-r", "50ms", "-foe", "true", "VoteCompareBenchmark.packed")))
            .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());

        assertEquals(0, JmhCommand.runChild(builder), Files.readString(output));
        final List<Path> stored;
        final String commit = io.electionbench.results.GitInfo.build().map(io.electionbench.results.GitInfo::commit)
            .orElse(io.electionbench.results.GitInfo.UNKNOWN);
        try (Stream<Path> s = Files.list(dir.resolve("results/runs/" + commit))) {
            stored = s.collect(Collectors.toList());
        }
        final List<Path> runs = stored.stream().filter(p -> p.getFileName().toString().endsWith("-jmh.json")).toList();
        assertEquals(1, runs.size(), stored.toString());
        assertTrue(Files.readString(runs.get(0)).contains("VoteCompareBenchmark.packed"));
        assertEquals(2, stored.size(), "the run and JMH's own JSON beside it: " + stored);
        assertTrue(stored.stream().anyMatch(p -> p.getFileName().toString().endsWith(".jmh-result.json")),
            stored.toString());
    }

    /** A jar whose main class is {@link EchoMain}, copied from the test classes. */
    private static Path echoJar(final Path jar) throws IOException {
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, EchoMain.class.getName());
        final String entry = EchoMain.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
            JarOutputStream out = new JarOutputStream(file, manifest);
            InputStream in = EchoMain.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    /**
     * Stands in for the benchmarks jar: writes its arguments, one per line, beside its own jar (its
     * stdio is the test JVM's, which surefire reads) and exits with {@link #ECHO_STATUS}.
     */
    public static final class EchoMain {
        private EchoMain() {
        }

        static Path argsFile(final Path jar) {
            return jar.resolveSibling(jar.getFileName() + ".args");
        }

        public static void main(final String[] args) throws IOException, URISyntaxException {
            final Path jar = Path.of(EchoMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.write(argsFile(jar), List.of(args), StandardCharsets.UTF_8);
            System.exit(ECHO_STATUS);
        }
    }
}

package io.electionbench.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.scenario.Scenario;
import io.electionbench.core.scenario.ScenarioException;
import io.electionbench.core.scenario.ScenarioParser;
import io.electionbench.core.scenario.ScenarioResult;
import io.electionbench.core.scenario.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code electionbench scenario FILE... [--json] [--policy P]}: replays scenario files in the simulator. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
    description = {
        "Replay scenario files deterministically in the simulator and check their expectations.",
        "Exit 0 when every expectation of every file holds, 1 when one fails, 2 on a malformed file.",
        "The language is described in docs/scenarios.md."})
final class ScenarioCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files (.scn).")
    List<Path> files;

    @Option(names = "--json", description = "Print one JSON object per file, one per line.")
    boolean isJson;

    @Option(names = "--policy", paramLabel = "P",
        description = "Override each file's election policy: fast or zookeeper.")
    String policy;

    @Override
    public Integer call() throws JsonProcessingException {
        final ElectionPolicy override;
        try {
            override = policy == null ? null : ElectionPolicy.byName(policy);
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("scenario", ex.getMessage());
        }
        final List<Path> expanded = new ArrayList<>();
        for (final Path file : files) {
            if (Files.isDirectory(file)) {
                // A directory stands for its scenario files, in name order, as a shell glob would list them.
                try (java.util.stream.Stream<Path> in = Files.list(file)) {
                    final List<Path> scn = in.filter(p -> p.getFileName().toString().endsWith(".scn")
                        && Files.isRegularFile(p)).sorted().toList();
                    if (scn.isEmpty()) {
                        return Cli.fail("scenario", file + ": a directory with no .scn files");
                    }
                    expanded.addAll(scn);
                } catch (final java.io.IOException ex) {
                    return Cli.fail("scenario", file + ": cannot list: " + ex.getMessage());
                }
            } else if (!Files.exists(file)) {
                return Cli.fail("scenario", file + ": no such file");
            } else if (!Files.isRegularFile(file)) {
                return Cli.fail("scenario", file + ": not a regular file");
            } else {
                expanded.add(file);
            }
        }
        int exit = 0;
        for (final Path file : expanded) {
            final ScenarioResult result;
            try {
                final Scenario scenario = ScenarioParser.parse(file);
                result = ScenarioRunner.run(scenario, override);
            } catch (final ScenarioException ex) {
                // FILE:LINE: what is wrong, as compilers print it, so editors can jump to the line.
                System.err.println(ex.getMessage());
                return Cli.BAD_INPUT;
            }
            if (isJson) {
                System.out.println(JSON.writeValueAsString(toJson(result)));
            } else {
                print(result);
            }
            if (!result.passed()) {
                exit = 1;
            }
        }
        return exit;
    }

    private static void print(final ScenarioResult r) {
        System.out.printf("%s %s (policy %s, %d expectations)%n", r.passed() ? "PASS" : "FAIL", r.file(), r.policy(),
            r.expectations().size());
        for (final ScenarioResult.Expectation e : r.expectations()) {
            if (!e.ok()) {
                System.out.printf("  %s:%d: %s%n    actual: %s%n", r.file(), e.line(), e.text(), e.actual());
            }
        }
        for (final String note : r.notes()) {
            System.out.println("  note: " + note);
        }
    }

    static Map<String, Object> toJson(final ScenarioResult r) {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", r.file());
        out.put("passed", r.passed());
        out.put("policy", r.policy());
        out.put("virtual_ms", r.virtualNs() / 1e6);
        final List<Map<String, Object>> expectations = new ArrayList<>();
        for (final ScenarioResult.Expectation e : r.expectations()) {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", e.line());
            m.put("text", e.text());
            m.put("ok", e.ok());
            m.put("actual", e.actual());
            expectations.add(m);
        }
        out.put("expectations", expectations);
        final Map<String, Object> fin = new LinkedHashMap<>();
        r.finalState().forEach((sid, n) -> {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", n.state());
            m.put("leader", n.leader());
            m.put("epoch", n.epoch());
            m.put("zxid", n.zxid());
            fin.put(Long.toString(sid), m);
        });
        out.put("final", fin);
        out.put("notes", r.notes());
        return out;
    }
}

package io.electionbench.core.scenario;

import java.util.List;

/** A parsed scenario file: its name and commands in order. */
public record Scenario(String file, List<Command> commands) {
    public Scenario {
        commands = List.copyOf(commands);
    }
}

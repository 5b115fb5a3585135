package io.electionbench.results;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run: the envelope (what, where, when, how configured) and its finished cells. Immutable;
 * {@link #withCell(Cell)} returns a new run. See docs/results.md for the JSON schema.
 *
 * @param schema  schema version, {@value #SCHEMA}.
 * @param kind    what produced the run.
 * @param commit  full sha of the measured commit, or "unknown".
 * @param isDirty true when the working tree had uncommitted changes to tracked files.
 * @param branch  branch name at run time.
 * @param started when the run started (UTC; stored to the millisecond).
 * @param host    machine and JVM.
 * @param config  everything needed to rerun, free-form JSON-compatible values.
 * @param cells   finished cells in measurement order.
 */
public record RunResult(
    int schema,
    Kind kind,
    String commit,
    boolean isDirty,
    String branch,
    Instant started,
    HostInfo host,
    Map<String, Object> config,
    List<Cell> cells) {
    /** The schema version this code reads and writes. */
    public static final int SCHEMA = 1;

    /** Checks required components and copies the collections. */
    public RunResult {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(branch, "branch");
        started = Objects.requireNonNull(started, "started").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(host, "host");
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config == null ? Map.of() : config));
        cells = List.copyOf(cells == null ? List.of() : cells);
    }

    /**
     * Starts a run envelope; defaults: git unknown, host {@link HostInfo#detect()} is NOT implied
     * (set it), started now, empty config.
     *
     * @param kind what produces the run.
     * @return a builder.
     */
    public static Builder builder(final Kind kind) {
        return new Builder(kind);
    }

    /**
     * @param cell a finished cell.
     * @return this run with the cell appended.
     */
    public RunResult withCell(final Cell cell) {
        final List<Cell> more = new ArrayList<>(cells);
        more.add(Objects.requireNonNull(cell, "cell"));
        return new RunResult(schema, kind, commit, isDirty, branch, started, host, config, more);
    }

    /** Collects the envelope of a run; not thread-safe. */
    public static final class Builder {
        private final Kind kind;
        private GitInfo git = GitInfo.unknown();
        private Instant started = Instant.now();
        private HostInfo host;
        private Map<String, Object> config = Map.of();
        private final List<Cell> cells = new ArrayList<>();

        private Builder(final Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        /**
         * @param git commit, dirty flag and branch, e.g. {@link GitInfo#detect}.
         * @return this.
         */
        public Builder git(final GitInfo git) {
            this.git = Objects.requireNonNull(git, "git");
            return this;
        }

        /**
         * @param started when the run started.
         * @return this.
         */
        public Builder started(final Instant started) {
            this.started = Objects.requireNonNull(started, "started");
            return this;
        }

        /**
         * @param host machine and JVM, e.g. {@link HostInfo#detect()}.
         * @return this.
         */
        public Builder host(final HostInfo host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param config JSON-compatible values (String, Number, Boolean, List, Map, null).
         * @return this.
         */
        public Builder config(final Map<String, Object> config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param cell a finished cell.
         * @return this.
         */
        public Builder cell(final Cell cell) {
            cells.add(Objects.requireNonNull(cell, "cell"));
            return this;
        }

        /** @return the run; the host must have been set. */
        public RunResult build() {
            return new RunResult(SCHEMA, kind, git.commit(), git.isDirty(), git.branch(), started,
                Objects.requireNonNull(host, "host not set: use HostInfo.detect()"), config, cells);
        }
    }
}

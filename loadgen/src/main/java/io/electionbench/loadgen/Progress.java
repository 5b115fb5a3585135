package io.electionbench.loadgen;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a whole run on stderr, in units of work over all its cells (for a load test a real trial, or
 * a whole simulated cell), never in {@code --json} mode.
 * On a terminal one line is redrawn with the current cell, a bar, the time so far and the ETA of the run;
 * elsewhere (a pipe, a CI log) each finished cell prints one line with the run's progress and ETA, so a
 * run of many minutes is never silent. The ETA is the remaining units at the run's own rate so far.
 */
final class Progress {
    private static final long REDRAW_NS = 100_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean isQuiet;
    private final boolean isTerminal;
    private final String label;
    private final long total;
    private final long startNs = System.nanoTime();
    private long lastDrawNs;
    private long done;
    private String cell = "";
    private long cellBase;
    private long cellStartNs = startNs;

    Progress(final String label, final long total, final boolean isQuiet) {
        this(label, total, isQuiet, System.console() != null, System.err);
    }

    Progress(final String label, final long total, final boolean isQuiet, final boolean isTerminal,
        final PrintStream out) {
        this.out = out;
        this.isQuiet = isQuiet;
        this.isTerminal = isTerminal;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /** A new cell starts; its units count from what is done so far. */
    void cell(final String name) {
        cell = name;
        cellBase = done;
        cellStartNs = System.nanoTime();
    }

    /** Units done within the current cell. */
    void inCell(final long cellDone) {
        update(cellBase + cellDone);
    }

    /** Units done in the whole run. */
    void update(final long unitsDone) {
        done = Math.min(total, Math.max(done, unitsDone));
        if (isQuiet || !isTerminal) {
            return;
        }
        final long now = System.nanoTime();
        if (done < total && now - lastDrawNs < REDRAW_NS) {
            return;
        }
        lastDrawNs = now;
        final int filled = (int)(WIDTH * done / total);
        out.printf(Locale.ROOT, "\r%s%s [%s%s] %d%%  elapsed %s  ETA %s ", label, cell.isEmpty() ? "" : " " + cell,
            "#".repeat(filled), " ".repeat(WIDTH - filled), 100 * done / total,
            duration((now - startNs) / 1_000_000_000L), eta(now));
        if (done >= total) {
            out.print("\r" + " ".repeat(label.length() + cell.length() + WIDTH + 60) + "\r");
        }
        out.flush();
    }

    /** The current cell is finished (its units counted, skipped or not): off a terminal, one line says so. */
    void cellDone(final long unitsDone, final String outcome) {
        update(unitsDone);
        if (isQuiet || isTerminal) {
            return;
        }
        final long now = System.nanoTime();
        out.printf(Locale.ROOT, "%s %s: %s in %s; run %d%% done, ETA %s%n", label, cell, outcome,
            duration((now - cellStartNs) / 1_000_000_000L), 100 * done / total, eta(now));
        out.flush();
    }

    private String eta(final long now) {
        if (done == 0) {
            return "?";
        }
        if (done >= total) {
            return "0s";
        }
        final double elapsedS = (now - startNs) / 1e9;
        return duration(Math.round(elapsedS * (total - done) / done));
    }

    /** {@code 42s}, {@code 3m05s}, {@code 1h02m}. */
    static String duration(final long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}

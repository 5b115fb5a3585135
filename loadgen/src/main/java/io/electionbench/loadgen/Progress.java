package io.electionbench.loadgen;

import java.io.PrintStream;

/**
 * A one-line progress bar with rate and ETA on stderr, shown only on a terminal and never in
 * {@code --json} mode, so piped output stays clean.
 */
final class Progress {
    private final PrintStream out;
    private final boolean isEnabled;
    private final String label;
    private final long total;
    private final long startNs = System.nanoTime();
    private long lastDrawNs;

    Progress(final String label, final long total, final boolean isQuiet) {
        this.out = System.err;
        this.isEnabled = !isQuiet && System.console() != null;
        this.label = label;
        this.total = total;
    }

    void update(final long done) {
        if (!isEnabled) {
            return;
        }
        final long now = System.nanoTime();
        if (done < total && now - lastDrawNs < 100_000_000L) {
            return;
        }
        lastDrawNs = now;
        final double elapsedS = (now - startNs) / 1e9;
        final double rate = done / Math.max(elapsedS, 1e-9);
        final long etaS = done == 0 ? 0 : Math.round((total - done) / rate);
        final int width = 30;
        final int filled = (int)(width * done / Math.max(1, total));
        out.printf("\r%s [%s%s] %d/%d  %.0f/s  ETA %ds ", label, "#".repeat(filled), " ".repeat(width - filled), done, total, rate, etaS);
        if (done >= total) {
            out.print("\r" + " ".repeat(label.length() + width + 50) + "\r");
        }
        out.flush();
    }
}

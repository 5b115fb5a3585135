/**
 * {@code electionbench continuous}: builds two commits in git worktrees, runs their benchmark rounds
 * interleaved (A B A B ...) through a {@link io.electionbench.results.continuous.RoundRunner}, and merges
 * each side's rounds into one stored run.
 */
package io.electionbench.results.continuous;

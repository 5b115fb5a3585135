package io.electionbench.results.report;

import io.electionbench.results.HostInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Labels machines "M1", "M2", ... in the order runs first show them. Two hosts are one machine
 * when {@link HostInfo#machineDifferences} is empty (CPU model, cores, memory): the rule by which
 * {@code compare} refuses verdicts, so a label change in the history is where verdicts stop.
 */
final class Machines {
    private final List<HostInfo> representatives = new ArrayList<>();

    /** @param hosts every run's host, in run order. */
    Machines(final List<HostInfo> hosts) {
        hosts.forEach(this::label);
    }

    /**
     * @param host a run's host.
     * @return its machine's label; a host not seen before gets the next one.
     */
    String label(final HostInfo host) {
        for (int i = 0; i < representatives.size(); i++) {
            if (representatives.get(i).machineDifferences(host).isEmpty()) {
                return "M" + (i + 1);
            }
        }
        representatives.add(host);
        return "M" + representatives.size();
    }
}

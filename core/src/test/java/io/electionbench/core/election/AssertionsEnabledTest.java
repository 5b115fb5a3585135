package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.electionbench.core.zab.LearnerProgress;

/**
 * The agent and its phases assert their invariants where state is entered (one role at a time,
 * learners are members, nothing committed beyond the log, a learner's phase moves one step at a
 * time); those checks are only worth having if the tests run them.
 */
class AssertionsEnabledTest {
    @Test
    void coreTestsRunWithAssertionsEnabled() {
        assertTrue(MemberAgent.class.desiredAssertionStatus() && LearnerProgress.class.desiredAssertionStatus(),
            "core's tests must run with -ea (surefire's enableAssertions, set in the parent pom)");
    }
}

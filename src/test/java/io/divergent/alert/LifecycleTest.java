package io.divergent.alert;

import io.divergent.config.Severity;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, nineteenth pass: a firing alert that can neither remind nor escalate keeps its status
 * while its condition holds (its streak stops counting), so the store writes nothing for it. What
 * is told must not change: the same transitions, at the same windows, with the same streaks,
 * starts and triggers as an alert whose streak keeps counting.
 */
class LifecycleTest {

    private static final long MINUTE = 60_000;

    /** What a step tells: its transition and the fields an alert event carries. */
    private static String told(final Lifecycle.Step step, final AlertStatus before, final int window) {
        if (step.transition() == null) {
            return null;
        }
        final boolean resolved = step.transition() == Lifecycle.Transition.RESOLVED;
        final AlertStatus episode = resolved ? before : step.status();
        return window + " " + step.transition() + " " + episode.severity() + " started " + episode.startedAt()
                + " trigger " + episode.triggerStart() + "-" + episode.triggerEnd() + " windows "
                + (resolved ? step.status().falseStreak() : step.status().trueStreak());
    }

    private static List<String> run(final Lifecycle lifecycle, final List<Boolean> conditions, final Severity highest,
                                    final List<AlertStatus> statuses) {
        final List<String> told = new ArrayList<>();
        AlertStatus status = AlertStatus.INACTIVE;
        for (int w = 0; w < conditions.size(); w++) {
            final Lifecycle.Step step = lifecycle.step(status, conditions.get(w), Severity.WARNING, highest,
                    w * MINUTE, (w + 1) * MINUTE);
            final String line = told(step, status, w);
            if (line != null) {
                told.add(line);
            }
            status = step.status();
            statuses.add(status);
        }
        return told;
    }

    @Property(tries = 500)
    void aStatusThatStopsCountingTellsWhatACountingOneTells(
            @ForAll @Size(max = 80) final List<Boolean> conditions,
            @ForAll @IntRange(min = 1, max = 4) final int forWindows,
            @ForAll @IntRange(min = 1, max = 4) final int resolveAfter) {
        final Lifecycle lifecycle = new Lifecycle(forWindows, 0, resolveAfter);
        final List<AlertStatus> frozen = new ArrayList<>();
        final List<AlertStatus> counting = new ArrayList<>();
        // Every window's condition holds at WARNING: a rule whose highest severity is CRITICAL
        // could still escalate, so its streak counts; one whose highest is WARNING cannot.
        assertThat(run(lifecycle, conditions, Severity.WARNING, frozen))
                .isEqualTo(run(lifecycle, conditions, Severity.CRITICAL, counting));
        for (int w = 0; w < conditions.size(); w++) {
            assertThat(frozen.get(w).sinceNotified()).as("no reminders: nothing counts since the notification").isZero();
            assertThat(frozen.get(w).firing()).isEqualTo(counting.get(w).firing());
            if (w > 0 && frozen.get(w - 1).firing() && frozen.get(w).firing() && conditions.get(w)
                    && conditions.get(w - 1)) {
                assertThat(frozen.get(w)).as("held: the same status, nothing to write").isEqualTo(frozen.get(w - 1));
            }
        }
    }
}

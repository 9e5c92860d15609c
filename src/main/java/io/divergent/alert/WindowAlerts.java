package io.divergent.alert;

import io.divergent.avro.AlertKind;
import io.divergent.avro.AlertState;
import io.divergent.avro.Comparison;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.DriftAlert;
import io.divergent.avro.NoDriftCalibration;
import io.divergent.avro.NoDriftValue;
import io.divergent.config.AlertPolicy;
import io.divergent.config.Direction;
import io.divergent.config.MonitorConfig;
import io.divergent.config.Severity;
import io.divergent.config.Threshold;
import io.divergent.math.Cusum;
import io.divergent.math.Measure;
import io.divergent.math.MultipleTesting;
import org.apache.avro.Schema;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the events of one monitor's window, closed together in one task, into alerts: corrects
 * their G-test p-values together ({@code g_p_value_adjusted}), steps each series' change detector
 * ({@code change_statistic}), and moves each (series, rule) alert through its {@link Lifecycle}.
 * A rule is a measure with thresholds ({@link AlertKind#THRESHOLD}) or the change detector
 * ({@link #CHANGE}). Contract: docs/streaming.md, "Alerts". One instance per monitor; the state
 * lives wherever {@link States} keeps it (a changelogged store in the topology).
 */
public final class WindowAlerts {

    /** The rule name of the change detector. */
    public static final String CHANGE = "change";
    /** The rule name of the no-data alert. */
    public static final String NO_DATA = "no_data";
    /** The rule name of the volume alert. */
    public static final String VOLUME = "volume";
    /** The event field a CHANGE alert names: the detector's statistic S, compared with h. */
    private static final String CHANGE_MEASURE = "change_statistic";
    private static final String NO_UNIT = "NONE";

    /** Where the alert statuses of (series, rule) pairs are read and written. */
    public interface States {
        /** The status, {@link AlertStatus#INACTIVE} when none is stored. */
        AlertStatus get(String series, String rule);

        /** Stores a status; an {@link AlertStatus#inactive()} one may be deleted instead. */
        void put(String series, String rule, AlertStatus status);

        /** Statuses in a map of this JVM (simulations; the topology keeps them in a changelogged store). */
        static States inMemory() {
            final Map<List<String>, AlertStatus> statuses = new java.util.HashMap<>();
            return new States() {
                @Override
                public AlertStatus get(final String series, final String rule) {
                    return statuses.getOrDefault(List.of(series, rule), AlertStatus.INACTIVE);
                }

                @Override
                public void put(final String series, final String rule, final AlertStatus status) {
                    if (status.inactive()) {
                        statuses.remove(List.of(series, rule));
                    } else {
                        statuses.put(List.of(series, rule), status);
                    }
                }
            };
        }
    }

    /** One threshold rule: a measure and its thresholds, warning before critical, the highest severity among them. */
    private record Rule(Measure measure, List<Threshold> thresholds, Schema.Field noDrift, boolean distance,
                        Severity highest) {
    }

    private final MonitorConfig monitor;
    private final AlertPolicy policy;
    private final Lifecycle lifecycle;
    private final List<Rule> rules = new ArrayList<>();

    public WindowAlerts(final MonitorConfig monitor) {
        this.monitor = monitor;
        this.policy = monitor.alerts();
        this.lifecycle = new Lifecycle(policy.forWindows(), policy.repeatWindows(), policy.resolveAfter());
        final Map<Measure, List<Threshold>> byMeasure = new LinkedHashMap<>();
        for (final Threshold threshold : policy.thresholds()) {
            byMeasure.computeIfAbsent(Measure.named(threshold.measure()), m -> new ArrayList<>()).add(threshold);
        }
        for (final Map.Entry<Measure, List<Threshold>> entry : byMeasure.entrySet()) {
            final Schema.Field noDrift = NoDriftCalibration.getClassSchema().getField(entry.getKey().field());
            Severity highest = Severity.WARNING;
            for (final Threshold threshold : entry.getValue()) {
                highest = threshold.severity().compareTo(highest) > 0 ? threshold.severity() : highest;
            }
            rules.add(new Rule(entry.getKey(), List.copyOf(entry.getValue()), noDrift,
                    noDrift != null && policy.effect() == AlertPolicy.Effect.EXCESS, highest));
        }
    }

    /**
     * Evaluates one window. Sets {@code g_p_value_adjusted}, {@code g_p_value_family_size} and
     * {@code change_statistic} on the events, in place.
     *
     * @param events the window's events of this monitor, in emission order, all of one window
     * @param states the alert statuses, read and written
     * @return the alert events, in event order, rules in configuration order, the change detector last
     */
    public List<DriftAlert> evaluate(final List<DivergenceEvent> events, final States states) {
        adjust(events);
        if (!policy.enabled()) {
            return List.of();
        }
        final List<DriftAlert> alerts = new ArrayList<>();
        for (final DivergenceEvent event : events) {
            final String series = event.getSeriesId();
            final long start = event.getWindowStart().toEpochMilli();
            final long end = event.getWindowEnd().toEpochMilli();
            final boolean evidence = evidence(event);
            for (final Rule rule : rules) {
                final Double value = (Double) event.get(rule.measure().field());
                final Double expected = expected(rule, event);
                final Double effect = value == null ? null : expected == null ? value : value - expected;
                Threshold fired = null;
                if (evidence && effect != null) {
                    for (final Threshold threshold : rule.thresholds()) {
                        if (threshold.fires(effect) && (fired == null || threshold.severity().compareTo(fired.severity()) > 0)) {
                            fired = threshold;
                        }
                    }
                }
                final String name = rule.measure().field();
                final AlertStatus before = states.get(series, name);
                // Hysteresis: a firing alert holds while the window still shows evidence of drift, so
                // an effect hovering around its threshold does not flap between FIRING and RESOLVED.
                final boolean condition = fired != null || before.firing() && evidence;
                final Lifecycle.Step step = lifecycle.step(before, condition,
                        fired == null ? before.severity() : fired.severity(), rule.highest(), start, end);
                states.put(series, name, step.status());
                if (step.transition() != null) {
                    final Threshold shown = fired != null ? fired : thresholdOf(rule, before.severity());
                    alerts.add(alert(event, AlertKind.THRESHOLD, step, before, name, shown.direction(), shown.value(),
                            value == null ? Double.NaN : value, effect, expected,
                            unitName(rule.measure().unitIn(monitor.unit())), policy.significance()));
                }
            }
            policy.change().ifPresent(cusum -> change(event, cusum, states, alerts));
            if (policy.noData()) {
                // Its own kind: silence is not a value below a threshold, and it needs no evidence.
                final AlertStatus before = states.get(series, NO_DATA);
                final Lifecycle.Step step = lifecycle.step(before, event.getNoData(), Severity.WARNING, Severity.WARNING,
                        start, end);
                states.put(series, NO_DATA, step.status());
                if (step.transition() != null) {
                    alerts.add(alert(event, AlertKind.NO_DATA, step, before, "observed_total", Direction.BELOW, 1,
                            event.getObservedTotal(), null, event.getExpectedTotal(), NO_UNIT, null));
                }
            }
            if (policy.volumeSignificance().isPresent()) {
                // A silent window is the no-data alert's, not a volume drop as well.
                final double level = policy.volumeSignificance().getAsDouble();
                final Double p = event.getVolumePValue();
                final AlertStatus before = states.get(series, VOLUME);
                final Lifecycle.Step step = lifecycle.step(before, !event.getNoData() && p != null && p <= level,
                        Severity.WARNING, Severity.WARNING, start, end);
                states.put(series, VOLUME, step.status());
                if (step.transition() != null) {
                    alerts.add(alert(event, AlertKind.VOLUME, step, before, "volume_p_value", Direction.BELOW, level,
                            p == null ? Double.NaN : p, (double) event.getObservedTotal(), event.getExpectedTotal(), NO_UNIT,
                            level));
                }
            }
        }
        return alerts;
    }

    /** Steps the change detector on the window's G-test score; its lifecycle follows S >= h. */
    private void change(final DivergenceEvent event, final Cusum cusum, final States states,
                        final List<DriftAlert> alerts) {
        final String series = event.getSeriesId();
        final AlertStatus before = states.get(series, CHANGE);
        double s = before.statistic();
        final boolean scored = event.getGPValue() != null && event.getObservedTotal() >= policy.minEvents();
        if (scored) {
            s = cusum.step(s, Cusum.score(event.getGPValue()));
            event.setChangeStatistic(s);
        }
        final boolean alarm = cusum.alarm(s);
        final Lifecycle.Step step = lifecycle.step(before.withStatistic(s), alarm, Severity.WARNING, Severity.WARNING,
                event.getWindowStart().toEpochMilli(), event.getWindowEnd().toEpochMilli());
        // Once its alert is resolved the detector starts afresh: S just under h would re-alarm on noise.
        final AlertStatus after = step.transition() == Lifecycle.Transition.RESOLVED
                ? step.status().withStatistic(0.0) : step.status();
        states.put(series, CHANGE, after);
        if (step.transition() != null) {
            alerts.add(alert(event, AlertKind.CHANGE, step, before, CHANGE_MEASURE, Direction.AT_LEAST, cusum.h(), s, s,
                    null, NO_UNIT, null));
        }
    }

    /** Whether a window has the evidence a threshold needs: enough events and a small enough corrected p-value. */
    private boolean evidence(final DivergenceEvent event) {
        final Double adjusted = event.getGPValueAdjusted();
        return event.getObservedTotal() >= policy.minEvents() && adjusted != null && adjusted <= policy.significance();
    }

    /** The family: the events with a G-test and enough events; their p-values corrected together. */
    private void adjust(final List<DivergenceEvent> events) {
        final List<DivergenceEvent> family = new ArrayList<>(events.size());
        for (final DivergenceEvent event : events) {
            if (event.getGPValue() != null && event.getObservedTotal() >= policy.minEvents()) {
                family.add(event);
            }
        }
        final double[] p = new double[family.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = family.get(i).getGPValue();
        }
        final double[] adjusted = MultipleTesting.adjust(p, policy.correction());
        for (int i = 0; i < p.length; i++) {
            family.get(i).setGPValueAdjusted(adjusted[i]);
            family.get(i).setGPValueFamilySize(p.length);
        }
    }

    /** The no-drift expectation a distance threshold is compared against, or null (raw effect). */
    private static Double expected(final Rule rule, final DivergenceEvent event) {
        if (!rule.distance() || event.getNoDrift() == null) {
            return null;
        }
        final NoDriftValue value = (NoDriftValue) event.getNoDrift().get(rule.noDrift().pos());
        return value == null ? null : value.getExpected();
    }

    private static Threshold thresholdOf(final Rule rule, final Severity severity) {
        for (final Threshold threshold : rule.thresholds()) {
            if (threshold.severity() == severity) {
                return threshold;
            }
        }
        return rule.thresholds().get(0);
    }

    private static DriftAlert alert(final DivergenceEvent event, final AlertKind kind, final Lifecycle.Step step,
                                    final AlertStatus before, final String measure, final Direction direction,
                                    final double threshold, final double value, final Double effect,
                                    final Double expected, final String unit, final Double significance) {
        final boolean resolved = step.transition() == Lifecycle.Transition.RESOLVED;
        final AlertStatus episode = resolved ? before : step.status();
        return DriftAlert.newBuilder()
                .setSeriesId(event.getSeriesId())
                .setMonitor(event.getMonitor())
                .setWindowStart(event.getWindowStart())
                .setWindowEnd(event.getWindowEnd())
                .setMeasure(measure)
                .setComparison(direction == Direction.BELOW ? Comparison.BELOW : Comparison.AT_LEAST)
                .setThreshold(threshold)
                .setValue(value)
                .setUnit(unit)
                .setSeverity(io.divergent.avro.Severity.valueOf(episode.severity().name()))
                .setObservedTotal(event.getObservedTotal())
                .setKind(kind)
                .setState(resolved ? AlertState.RESOLVED : AlertState.FIRING)
                .setReminder(step.transition() == Lifecycle.Transition.REMINDER)
                .setStartedAt(Instant.ofEpochMilli(episode.startedAt()))
                .setTriggerWindowStart(Instant.ofEpochMilli(episode.triggerStart()))
                .setTriggerWindowEnd(Instant.ofEpochMilli(episode.triggerEnd()))
                .setEffect(effect)
                .setExpected(expected)
                .setPValue(event.getGPValue())
                .setPValueAdjusted(event.getGPValueAdjusted())
                .setSignificance(significance)
                .setWindows(resolved ? step.status().falseStreak() : step.status().trueStreak())
                .build();
    }

    /** An alert's unit: the event's unit symbols (BITS, NATS) or NONE; PSI says NATS whatever the monitor's unit. */
    private static String unitName(final io.divergent.math.Unit unit) {
        return unit == null ? NO_UNIT : unit.name();
    }
}

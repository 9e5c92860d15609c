package io.divergent.config;

import io.divergent.math.Unit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One monitor: one categorical field of one input topic, in event-time windows, compared with a
 * reference. Built and validated by {@link DivergentConfig}.
 *
 * @param name             [A-Za-z0-9_-]+, the first part of every series id
 * @param inputTopic       the topic read
 * @param valueFormat      how its values are encoded
 * @param categoryField    path of the category (ignored for STRING values)
 * @param segmentFields    paths whose values split the monitor into series, in order
 * @param timestampField   event-time field; empty means the record timestamp
 * @param windowSize       window length, > 0
 * @param windowAdvance    hop, > 0, divides windowSize; equal to it for tumbling windows
 * @param grace            how long after its end a window stays open, >= 0
 * @param referenceMode    topic, previous window or last N windows
 * @param baselineWindows  N for LAST_N_WINDOWS (1 for PREVIOUS_WINDOW)
 * @param alpha            additive smoothing pseudo-count, >= 0
 * @param unit             bits or nats
 * @param topContributors  categories named per event, >= 0
 * @param alerts           how its events become alerts
 */
public record MonitorConfig(String name, String inputTopic, ValueFormat valueFormat, FieldPath categoryField,
                            List<FieldPath> segmentFields, Optional<FieldPath> timestampField, Duration windowSize,
                            Duration windowAdvance, Duration grace, ReferenceMode referenceMode, int baselineWindows,
                            double alpha, Unit unit, int topContributors, AlertPolicy alerts) {

    /** The alert thresholds ({@link AlertPolicy#thresholds()}). */
    public List<Threshold> thresholds() {
        return alerts.thresholds();
    }

    /**
     * Every field of a value the monitor reads: the category (unless the value is a string), the
     * segments, the timestamp. An Avro input is decoded for these alone ({@code AvroProjection}).
     */
    public List<FieldPath> fieldsRead() {
        final List<FieldPath> fields = new java.util.ArrayList<>();
        if (valueFormat != ValueFormat.STRING) {
            fields.add(categoryField);
        }
        fields.addAll(segmentFields);
        timestampField.ifPresent(fields::add);
        return List.copyOf(fields);
    }

    /** True when windows overlap (advance < size). */
    public boolean hopping() {
        return windowAdvance.compareTo(windowSize) < 0;
    }
}

package io.divergent.topology;

/**
 * One event's category for one monitor, keyed by series id on the observations repartition
 * topic. It remembers where the event came from so a late record can be dead-lettered with
 * its source coordinates after the repartition.
 *
 * @param category        the category, never empty
 * @param sourcePartition partition of the input record
 * @param sourceOffset    offset of the input record
 * @param eventTime       the event time in epoch milliseconds (the input record's timestamp, or
 *                        the monitor's timestamp field). Carried in the value, not as the record
 *                        timestamp: the broker refuses record timestamps more than
 *                        {@code message.timestamp.after.max.ms} (1 hour by default) ahead of
 *                        its clock, and a far-future event time must reach the window processor
 *                        to be dead-lettered there, not fail the repartition write
 */
public record Observation(String category, int sourcePartition, long sourceOffset, long eventTime) implements Routed {
}

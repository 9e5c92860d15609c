package io.divergent.topology;

/**
 * One event's category for one monitor, keyed by series id on the observations repartition
 * topic. It remembers where the event came from so a late record can be dead-lettered with
 * its source coordinates after the repartition.
 *
 * @param category        the category, never empty
 * @param sourcePartition partition of the input record
 * @param sourceOffset    offset of the input record
 */
public record Observation(String category, int sourcePartition, long sourceOffset) implements Routed {
}

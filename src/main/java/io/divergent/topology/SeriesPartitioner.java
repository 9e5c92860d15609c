package io.divergent.topology;

import io.divergent.config.DivergentConfig;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Which partition of the window task's input holds a series: the one home of that rule. The
 * observations (or the input), the alerting's p-value families ({@link AlertProcessor}: a
 * family is the series one task closes) and the live view's owner lookup all use it, so they
 * agree.
 *
 * <p>Two layouts, both the partition Kafka's default producer partitioner gives a key
 * ({@code toPositive(murmur2(utf8(key))) % partitions}):
 * <ul>
 *   <li>{@link #bySeriesId()}: the key is the series id. The observations repartition topic is
 *       laid out so, by its String key.</li>
 *   <li>{@link #bySegments()} ({@code input.partitioned.by.series=true}): the key is the
 *       series' partition key, {@link SeriesId#partitionKey} (its segment values joined by
 *       {@code |}), the way a producer that keys its records by that string lays out the
 *       input. A series without segment fields is on partition 0 (such a monitor needs a
 *       single-partition input).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class SeriesPartitioner {

    private static final SeriesPartitioner BY_SERIES_ID = new SeriesPartitioner(false);
    private static final SeriesPartitioner BY_SEGMENTS = new SeriesPartitioner(true);

    private final boolean bySegments;

    private SeriesPartitioner(final boolean bySegments) {
        this.bySegments = bySegments;
    }

    /** The layout of the observations repartition topic: by series id. */
    public static SeriesPartitioner bySeriesId() {
        return BY_SERIES_ID;
    }

    /** The layout of an input partitioned by series: by {@link SeriesId#partitionKey}. */
    public static SeriesPartitioner bySegments() {
        return BY_SEGMENTS;
    }

    /** The layout a configuration's window tasks read: {@link #bySegments()} iff {@code input.partitioned.by.series}. */
    public static SeriesPartitioner of(final DivergentConfig config) {
        return config.inputPartitionedBySeries() ? BY_SEGMENTS : BY_SERIES_ID;
    }

    /** True for {@link #bySegments()}. */
    public boolean isBySegments() {
        return bySegments;
    }

    /**
     * The partition that holds a series.
     *
     * @param seriesId   a series id ({@link SeriesId}); a malformed one still gets a partition
     * @param partitions the partition count, {@code >= 1}
     * @return a partition in {@code [0, partitions)}
     */
    public int partition(final String seriesId, final int partitions) {
        if (partitions == 1) {
            return 0;
        }
        final String key;
        if (bySegments) {
            if (seriesId.indexOf('|') < 0) {
                return 0;
            }
            key = SeriesId.partitionKey(seriesId);
        } else {
            key = seriesId;
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** This layout as a {@link StreamPartitioner} of series ids (the live view asks Kafka Streams for a series' owner with it). */
    public <V> StreamPartitioner<String, V> streamPartitioner() {
        return (topic, seriesId, value, partitions) -> Optional.of(Set.of(partition(seriesId, partitions)));
    }

    @Override
    public String toString() {
        return bySegments ? "by segment values" : "by series id";
    }
}

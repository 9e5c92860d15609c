package io.divergent.topology;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which partition holds a series: the rule the input check, the references and the p-value families share. */
class SeriesPartitionerTest {

    /** Where Kafka's producer puts a record keyed by {@code key} (its own code, not a copy). */
    private static int kafka(final String key, final int partitions) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    @Test
    void thePartitionKeyIsTheSegmentValuesJoinedByABar() {
        assertThat(SeriesId.partitionKey("genres")).isEmpty();
        assertThat(SeriesId.partitionKey("genres|country=DE")).isEqualTo("DE");
        assertThat(SeriesId.partitionKey("genres|model=v2|country=DE")).isEqualTo("v2|DE");
        // a missing value is the empty string
        assertThat(SeriesId.partitionKey("genres|model=|country=DE")).isEqualTo("|DE");
        // escaped characters come back as they were in the record
        final String id = SeriesId.of("genres", List.of("country"), List.of("a|b=c%d"));
        assertThat(SeriesId.partitionKey(id)).isEqualTo("a|b=c%d");
        // lenient with a malformed id: the segment's text
        assertThat(SeriesId.partitionKey("genres|country")).isEqualTo("country");
    }

    @Test
    void bySegmentsIsWhereTheDefaultPartitionerPutsARecordKeyedByThePartitionKey() {
        for (final int partitions : new int[] {2, 3, 8, 12}) {
            for (final String country : List.of("DE", "US", "FR", "IT", "a|b")) {
                final String series = SeriesId.of("genres", List.of("country"), List.of(country));
                assertThat(SeriesPartitioner.bySegments().partition(series, partitions))
                        .as("%s of %d", series, partitions).isEqualTo(kafka(country, partitions));
                final String two = SeriesId.of("genres", List.of("model", "country"), List.of("v2", country));
                assertThat(SeriesPartitioner.bySegments().partition(two, partitions)).isEqualTo(kafka("v2|" + country, partitions));
            }
        }
    }

    @Test
    void bySeriesIdIsWhereTheObservationsRepartitionPutsTheSeries() {
        for (final String series : List.of("genres", "genres|country=DE", "genres|country=US", "x|a=1|b=2")) {
            assertThat(SeriesPartitioner.bySeriesId().partition(series, 8)).isEqualTo(kafka(series, 8));
        }
    }

    @Test
    void aSeriesWithoutSegmentsIsOnPartitionZeroAndOnePartitionHoldsAll() {
        assertThat(SeriesPartitioner.bySegments().partition("genres", 8)).isZero();
        assertThat(SeriesPartitioner.bySegments().partition("genres|country=DE", 1)).isZero();
        assertThat(SeriesPartitioner.bySeriesId().partition("genres|country=DE", 1)).isZero();
    }

    @Test
    void theReferencesArePlacedByTheSameRule() {
        final String series = "genres|country=DE";
        assertThat(SeriesPartitioner.bySegments().<byte[]>streamPartitioner().partitions("t", series, new byte[0], 2))
                .isEqualTo(Optional.of(Set.of(kafka("DE", 2))));
        assertThat(SeriesPartitioner.bySeriesId().<byte[]>streamPartitioner().partitions("t", series, new byte[0], 2))
                .isEqualTo(Optional.of(Set.of(kafka(series, 2))));
    }
}

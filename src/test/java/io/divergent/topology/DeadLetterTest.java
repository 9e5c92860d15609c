package io.divergent.topology;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Dead letters always fit the producer's limit, and say what was cut. */
class DeadLetterTest {

    private static final int MAX_REQUEST_SIZE = 1_048_576;

    @Test
    void aSmallDeadLetterIsSentWhole() {
        final DeadLetter dead = letter(new byte[] {1, 2}, new byte[100]);
        final DeadLetter.Fitted fitted = dead.fit(headers("trace", 10), new RecordHeaders(), DeadLetter.budget(Map.of()));
        assertThat(fitted.deadLetter()).isSameAs(dead);
        assertThat(fitted.headers().lastHeader("trace")).isNotNull();
        assertThat(fitted.headers().lastHeader(DeadLetter.TRUNCATED)).isNull();
    }

    @Test
    void aValueThatFitsTheInputTopicButNotItsDeadLetterIsCutToFitTheProducer() {
        // The value fits the input topic (1,048,000 + overhead < 1 MiB); with the reason headers it would not.
        final byte[] value = new byte[1_048_400];
        Arrays.fill(value, (byte) '{');
        final DeadLetter dead = letter("user-1".getBytes(StandardCharsets.UTF_8), value);
        final Headers original = headers("trace", 200);
        assertThat(producerSize(dead.key(), dead.value(), concat(original, dead.headers()))).isGreaterThan(MAX_REQUEST_SIZE);

        final DeadLetter.Fitted fitted = dead.fit(original, new RecordHeaders(), DeadLetter.budget(Map.of()));

        // Kafka's own upper bound of the record's size, as KafkaProducer checks it against max.request.size.
        assertThat(producerSize(fitted.deadLetter().key(), fitted.deadLetter().value(), fitted.headers()))
                .isLessThanOrEqualTo(MAX_REQUEST_SIZE);
        assertThat(fitted.deadLetter().key()).isEqualTo(dead.key());
        assertThat(fitted.deadLetter().value()).isEqualTo(Arrays.copyOf(value, fitted.deadLetter().value().length));
        assertThat(fitted.deadLetter().value().length).isGreaterThan(1_040_000);
        assertThat(text(fitted.headers(), DeadLetter.TRUNCATED)).isEqualTo("value");
        assertThat(text(fitted.headers(), DeadLetter.ORIGINAL_SIZE)).isEqualTo("1048400");
        assertThat(fitted.headers().lastHeader("trace")).isNotNull();
        assertThat(text(fitted.headers(), DeadLetter.KIND)).isEqualTo("malformed");
    }

    @Test
    void whenTheKeyAndOriginalHeadersAloneAreTooLargeTheyGoToo() {
        final DeadLetter dead = letter(new byte[600_000], new byte[10]);
        final DeadLetter.Fitted fitted = dead.fit(headers("big", 600_000), new RecordHeaders(), DeadLetter.budget(Map.of()));
        assertThat(producerSize(fitted.deadLetter().key(), fitted.deadLetter().value(), fitted.headers()))
                .isLessThanOrEqualTo(MAX_REQUEST_SIZE);
        assertThat(text(fitted.headers(), DeadLetter.TRUNCATED)).isEqualTo("value,key,headers");
        assertThat(fitted.headers().lastHeader("big")).isNull();
        assertThat(text(fitted.headers(), DeadLetter.OFFSET)).isEqualTo("7");
    }

    @Test
    void theBudgetFollowsTheProducersMaxRequestSize() {
        assertThat(DeadLetter.budget(Map.of())).isEqualTo(MAX_REQUEST_SIZE - DeadLetter.PRODUCER_OVERHEAD);
        assertThat(DeadLetter.budget(Map.of("max.request.size", "2000000"))).isEqualTo(2_000_000 - DeadLetter.PRODUCER_OVERHEAD);
        assertThat(DeadLetter.budget(Map.of("max.request.size", "2000000", "producer.max.request.size", "5000")))
                .isEqualTo(5_000 - DeadLetter.PRODUCER_OVERHEAD);
        final DeadLetter dead = letter(new byte[3], new byte[10_000]);
        final int small = DeadLetter.budget(Map.of("max.request.size", "5000"));
        final DeadLetter.Fitted fitted = dead.fit(new RecordHeaders(), new RecordHeaders(), small);
        assertThat(producerSize(fitted.deadLetter().key(), fitted.deadLetter().value(), fitted.headers())).isLessThanOrEqualTo(5_000);
    }

    @Test
    void aLongReasonIsCut() {
        final DeadLetter dead = new DeadLetter(DeadLetter.Kind.MALFORMED, "x".repeat(5_000), null, "t", 0, 0, 0, null, null);
        assertThat(dead.reason()).hasSize(DeadLetter.MAX_REASON_CHARS).endsWith("...");
    }

    private static DeadLetter letter(final byte[] key, final byte[] value) {
        return new DeadLetter(DeadLetter.Kind.MALFORMED, "not valid JSON: something", null, "plays", 0, 7, 1_000L, key, value);
    }

    private static Headers headers(final String name, final int size) {
        final RecordHeaders headers = new RecordHeaders();
        headers.add(name, new byte[size]);
        return headers;
    }

    private static Headers concat(final Headers a, final Headers b) {
        final RecordHeaders all = new RecordHeaders(a.toArray());
        b.forEach(all::add);
        return all;
    }

    /** Kafka's internal estimate (kafka-clients 4.3.1), the bound KafkaProducer checks; test use only. */
    private static int producerSize(final byte[] key, final byte[] value, final Headers headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key == null ? null : ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value),
                headers.toArray());
    }

    private static String text(final Headers headers, final String name) {
        final Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}

package io.divergent.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's clock starts once per run, at the first non-empty poll of any of its consumers. */
class FirstRecordClockTest {

    private static final ConsumerRecords<Object, Object> NONE = new ConsumerRecords<>(Map.of(), Map.of());
    private static final ConsumerRecords<Object, Object> SOME = new ConsumerRecords<>(
            Map.of(new TopicPartition("in", 0), List.of(new ConsumerRecord<>("in", 0, 0L, "k", "v"))), Map.of());

    @Test
    void startsOnTheFirstNonEmptyPollOfAnyConsumerOfTheRunOnce() {
        final String run = UUID.randomUUID().toString();
        final String other = UUID.randomUUID().toString();
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger otherStarts = new AtomicInteger();
        FirstRecordClock.onFirstRecords(run, starts::incrementAndGet);
        FirstRecordClock.onFirstRecords(other, otherStarts::incrementAndGet);
        try {
            final FirstRecordClock first = consumerOf(run);
            final FirstRecordClock second = consumerOf(run);

            assertThat(first.onConsume(NONE)).isSameAs(NONE);
            assertThat(starts).as("an empty poll reads nothing").hasValue(0);
            assertThat(second.onConsume(SOME)).as("records pass through unchanged").isSameAs(SOME);
            assertThat(starts).hasValue(1);
            first.onConsume(SOME);
            second.onConsume(SOME);
            assertThat(starts).as("once per run, whichever consumer reads first").hasValue(1);
            assertThat(otherStarts).as("another run's clock").hasValue(0);

            consumerOf(null).onConsume(SOME);
            assertThat(otherStarts).as("a consumer with no run id starts nothing").hasValue(0);
        } finally {
            FirstRecordClock.forget(run);
            FirstRecordClock.forget(other);
        }
    }

    @Test
    void aForgottenRunDoesNotStart() {
        final String run = UUID.randomUUID().toString();
        final AtomicInteger starts = new AtomicInteger();
        FirstRecordClock.onFirstRecords(run, starts::incrementAndGet);
        FirstRecordClock.forget(run);
        consumerOf(run).onConsume(SOME);
        assertThat(starts).hasValue(0);
    }

    private static FirstRecordClock consumerOf(final String run) {
        final FirstRecordClock clock = new FirstRecordClock();
        clock.configure(run == null ? Map.of() : Map.of(FirstRecordClock.RUN_ID, run));
        return clock;
    }
}

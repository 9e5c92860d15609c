package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.avro.PlayEvent;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SubjectNameStrategyTest {

    private static final Schema PLAY = PlayEvent.getClassSchema();

    @Test
    void namesSubjectsAsConfluentDoes() {
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("plays", false, PLAY)).isEqualTo("plays-value");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subject("plays", true, PLAY)).isEqualTo("plays-key");
        assertThat(SubjectNameStrategy.RECORD_NAME.subject("plays", false, PLAY)).isEqualTo("io.divergent.avro.PlayEvent");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subject("plays", true, PLAY))
                .isEqualTo("plays-io.divergent.avro.PlayEvent");
    }

    @Test
    void parsesShortConfluentAndEnumNames() {
        assertThat(SubjectNameStrategy.parse(null)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(SubjectNameStrategy.parse("TopicNameStrategy")).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(SubjectNameStrategy.parse("io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(SubjectNameStrategy.parse(" io.confluent.kafka.serializers.subject.TopicRecordNameStrategy "))
                .isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(SubjectNameStrategy.parse("topic_record_name")).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
        assertThat(SubjectNameStrategy.parse(SubjectNameStrategy.RECORD_NAME)).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        for (final SubjectNameStrategy strategy : SubjectNameStrategy.values()) {
            assertThat(SubjectNameStrategy.parse(strategy.confluentClassName())).isEqualTo(strategy);
        }
    }

    @Test
    void rejectsUnknownNamesAndRecordStrategiesForNonRecords() {
        assertThatThrownBy(() -> SubjectNameStrategy.parse("com.example.MyStrategy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.example.MyStrategy");
        assertThatThrownBy(() -> SubjectNameStrategy.RECORD_NAME.subject("t", false, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("STRING");
        assertThatThrownBy(() -> SubjectNameStrategy.TOPIC_NAME.subject(null, false, PLAY))
                .isInstanceOf(SerializationException.class);
    }
}

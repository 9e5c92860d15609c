package io.divergent.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Forwards each observation of an {@link ObservationBatch} to the window processor, in batch
 * order, keyed by its series and with its input record's timestamp: what the window task saw
 * when each observation was a record of its own. Stateless.
 */
final class ObservationUnbatcher implements Processor<Integer, byte[], String, Observation> {

    private ProcessorContext<String, Observation> context;

    @Override
    public void init(final ProcessorContext<String, Observation> context) {
        this.context = context;
    }

    @Override
    public void process(final Record<Integer, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        final String topic = context.recordMetadata().map(m -> m.topic()).orElse("the observation batches topic");
        ObservationBatch.read(topic, record.value(),
                (series, observation, timestamp) -> context.forward(new Record<>(series, observation, timestamp)));
    }
}

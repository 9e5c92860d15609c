/**
 * Avro serdes in the Confluent wire format ({@link io.divergent.serde.WireFormat}: magic byte 0,
 * 4-byte big-endian schema id, Avro binary), interchangeable with Confluent's
 * {@code KafkaAvroSerializer} / {@code KafkaAvroDeserializer} and configured with the same keys
 * ({@link io.divergent.serde.AvroSerdeConfig}).
 */
package io.divergent.serde;

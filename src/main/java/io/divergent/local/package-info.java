/**
 * Divergent inside one JVM, for local use and CI, never part of a deployment: the embedded
 * KRaft broker ({@link io.divergent.local.EmbeddedKafkaBroker}), {@code divergent demo}
 * ({@link io.divergent.local.Demo}), {@code divergent replay} over recorded traffic on the test
 * driver ({@link io.divergent.local.Replayer}, with its plain JSON view of Avro data,
 * {@link io.divergent.serde.AvroJson}). They run the production topology and Kafka Streams
 * settings of {@link io.divergent.runtime}; nothing in {@code runtime} depends on this package.
 */
package io.divergent.local;

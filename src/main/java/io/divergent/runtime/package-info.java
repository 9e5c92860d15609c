/**
 * Divergent in production, against a real cluster ({@code divergent run}): starting the
 * application ({@link io.divergent.runtime.DivergentApp}, whose
 * {@link io.divergent.runtime.DivergentApp#streamsProperties streamsProperties} every way of
 * running the topology starts from), the topics it owns, send-failure reporting and bounded
 * RocksDB memory. What runs inside one JVM for local use (embedded broker, demo, replay) lives
 * in {@code io.divergent.local}, measurements in {@code io.divergent.bench}.
 */
package io.divergent.runtime;

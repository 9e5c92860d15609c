/**
 * A Confluent Schema Registry client of our own (Confluent's jars are not on Maven Central):
 * {@link io.divergent.registry.SchemaRegistry}, implemented over HTTP by
 * {@link io.divergent.registry.HttpSchemaRegistryClient} (Confluent, or Apicurio's
 * {@code /apis/ccompat/v7}) and in memory by {@link io.divergent.registry.MockSchemaRegistry}
 * ({@code mock://SCOPE}); {@link io.divergent.registry.SchemaRegistries#create} picks one from
 * Confluent-style configuration. Failures are {@link io.divergent.registry.RegistryException}s
 * typed by the registry's {@code error_code}.
 */
package io.divergent.registry;

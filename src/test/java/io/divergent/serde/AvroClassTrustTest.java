package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divergent.avro.Contributor;
import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.ReferenceInfo;
import io.divergent.avro.ReferenceKind;
import io.divergent.avro.Unit;
import java.util.UUID;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;

/** Avro 1.12.2's class validator: we add our generated types and keep what others installed. */
class AvroClassTrustTest {

    @Test
    void trustsTheGeneratedTypesOfTheSchemaAndKeepsAnInstalledValidator() {
        final ClassSecurityValidator.ClassSecurityPredicate original = ClassSecurityValidator.getGlobal();
        try {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(original, type -> type == UUID.class));
            new AvroDeserializer<>(DivergenceEvent.class);
            for (final Class<?> type : new Class<?>[] {DivergenceEvent.class, ReferenceInfo.class, ReferenceKind.class,
                    Unit.class, Contributor.class, UUID.class}) {
                assertThatCode(() -> ClassSecurityValidator.validate(type)).as(type.getName()).doesNotThrowAnyException();
            }
            assertThatThrownBy(() -> ClassSecurityValidator.validate(java.net.URL.class))
                    .isInstanceOf(SecurityException.class);
        } finally {
            ClassSecurityValidator.setGlobal(original);
        }
    }
}

package io.divergent.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Property
    void everyIdSurvivesTheHeader(@ForAll final int id) {
        final byte[] header = WireFormat.header(id);
        assertThat(header).hasSize(WireFormat.HEADER_SIZE);
        assertThat(header[0]).isZero();
        assertThat(WireFormat.readSchemaId(header, "t")).isEqualTo(id);
    }

    @Test
    void theIdIsBigEndian() {
        assertThat(WireFormat.header(0x01020304)).containsExactly(0, 1, 2, 3, 4);
        assertThat(WireFormat.readSchemaId(new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}, null))
                .isEqualTo(-2);
    }

    @Test
    void wrongMagicBytesSayWhatTheDataLooksLike() {
        assertThatThrownBy(() -> WireFormat.readSchemaId(new byte[] {'[', 1, 2, 3, 4}, "t"))
                .isInstanceOf(SerializationException.class).hasMessage(
                        "topic t: unknown magic byte 0x5b: not Confluent Avro wire format (JSON?)");
        assertThatThrownBy(() -> WireFormat.readSchemaId("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), null))
                .hasMessage("unknown magic byte 0x68: not Confluent Avro wire format (plain text?)");
        assertThatThrownBy(() -> WireFormat.readSchemaId(new byte[] {1, 0, 0, 0, 1}, null))
                .hasMessage("unknown magic byte 0x01: not Confluent Avro wire format");
    }

    @Test
    void writeHeaderNeedsRoom() {
        assertThatThrownBy(() -> WireFormat.writeHeader(new byte[4], 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

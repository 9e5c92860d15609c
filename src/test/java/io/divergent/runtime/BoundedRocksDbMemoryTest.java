package io.divergent.runtime;

import io.divergent.config.DivergentConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedRocksDbMemoryTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void storesShareOneBudgetWithIndexFiltersAndMemtablesChargedToIt() {
        final long budget = 32L << 20;
        try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            new BoundedRocksDbMemory().setConfig("divergent-genres-counts", options,
                    Map.of(BoundedRocksDbMemory.MEMORY_BYTES, Long.toString(budget)));
            final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
            assertThat(table.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
            assertThat(options.maxWriteBufferNumber()).isEqualTo(2);
            // Default 16 MiB memtables would exceed the 8 MiB write share of a 32 MiB budget.
            assertThat(options.writeBufferSize()).isEqualTo(BoundedRocksDbMemory.writeBufferBytes(budget)).isEqualTo(8L << 20);
        }
    }

    @Test
    void aMissingOrTinyBudgetIsRefusedByName() {
        try (Options options = new Options()) {
            assertThatThrownBy(() -> new BoundedRocksDbMemory().setConfig("s", options, Map.of()))
                    .hasMessageContaining(BoundedRocksDbMemory.MEMORY_BYTES);
            assertThatThrownBy(() -> new BoundedRocksDbMemory().setConfig("s", options,
                    Map.of(BoundedRocksDbMemory.MEMORY_BYTES, "1024")))
                    .hasMessageContaining("at least 4 MiB");
        }
    }

    @Test
    void runInstallsTheSetterWithTheConfiguredBudgetUnlessTheUserChoseOne() {
        final Map<String, String> base = Map.of("monitor.m.input.topic", "in", "monitor.m.category.field", "c",
                "monitor.m.window.size", "60s");
        final Properties defaults = DivergentApp.streamsProperties(DivergentConfig.fromMap(base));
        assertThat(defaults.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(BoundedRocksDbMemory.class.getName());
        assertThat(defaults.get(BoundedRocksDbMemory.MEMORY_BYTES)).isEqualTo(Long.toString(128L << 20));

        final Map<String, String> own = new java.util.HashMap<>(base);
        own.put("kafka.rocksdb.config.setter", "com.example.MySetter");
        assertThat(DivergentApp.streamsProperties(DivergentConfig.fromMap(own)).get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
                .isEqualTo("com.example.MySetter");

        final Map<String, String> off = new java.util.HashMap<>(base);
        off.put("rocksdb.memory.mb", "0");
        assertThat(DivergentApp.streamsProperties(DivergentConfig.fromMap(off)))
                .doesNotContainKeys(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.MEMORY_BYTES);
    }
}

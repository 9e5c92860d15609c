package io.divergent.runtime;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the off-heap memory of every RocksDB store of the process by one shared budget, the
 * way the Kafka Streams memory-management guide does: one LRU block cache for all stores, with
 * index and filter blocks cached in it, and memtables charged to the same cache through a
 * {@link WriteBufferManager}. Without it each store (one per monitor, store kind and task) takes
 * its own 50 MiB cache and up to three 16 MiB memtables, so memory grows with partitions.
 *
 * <p>The budget in bytes comes from the Streams configuration key {@value #MEMORY_BYTES}
 * ({@link DivergentApp} sets it from {@code rocksdb.memory.mb}). Stores with equal budgets share
 * one cache; the caches live as long as the JVM, since stores come and go with task
 * assignments.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Streams configuration key with the shared budget in bytes. */
    public static final String MEMORY_BYTES = "divergent.rocksdb.memory.bytes";

    /** Memtables may use up to this share of the budget; reads get the rest. */
    static final double WRITE_BUFFER_SHARE = 0.25;
    /** Index and filter blocks get priority in the cache, up to this share. */
    private static final double HIGH_PRIORITY_SHARE = 0.1;
    private static final int MEMTABLES_PER_STORE = 2;

    // Guarded by itself. Never closed: every store of the process may be using them.
    private static final Map<Long, Shared> SHARED = new HashMap<>();

    private record Shared(Cache cache, WriteBufferManager writeBuffers) {
    }

    /** Kafka Streams instantiates it by class name. */
    public BoundedRocksDbMemory() {
    }

    @Override
    public void setConfig(final String storeName, final Options options, final Map<String, Object> configs) {
        final long budget = budget(configs);
        final Shared shared = shared(budget);
        final BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(shared.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(shared.writeBuffers());
        options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
        // A memtable larger than the whole write budget would flush on every put.
        options.setWriteBufferSize(Math.min(options.writeBufferSize(), writeBufferBytes(budget)));
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(final String storeName, final Options options) {
        // The cache and the write buffer manager are shared with the other stores: not closed here.
    }

    /** The memtable budget within {@code budget} bytes. */
    static long writeBufferBytes(final long budget) {
        return Math.max(1L << 20, (long) (budget * WRITE_BUFFER_SHARE));
    }

    private static long budget(final Map<String, Object> configs) {
        final Object raw = configs.get(MEMORY_BYTES);
        if (raw == null) {
            throw new IllegalStateException(MEMORY_BYTES + " is not set: " + BoundedRocksDbMemory.class.getName()
                    + " needs the shared RocksDB budget in bytes");
        }
        final long budget = Long.parseLong(raw.toString().trim());
        if (budget < (4L << 20)) {
            throw new IllegalStateException(MEMORY_BYTES + " is " + budget + " bytes: at least 4 MiB are needed");
        }
        return budget;
    }

    private static Shared shared(final long budget) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(budget, b -> {
                final Cache cache = new LRUCache(b, -1, false, HIGH_PRIORITY_SHARE);
                return new Shared(cache, new WriteBufferManager(writeBufferBytes(b), cache));
            });
        }
    }
}

package io.divergent.topology;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.Map;

/**
 * A state store that holds nothing and calls its processor back before every commit of its task,
 * so that state the processor keeps on the heap reaches its changelogged stores inside the
 * commit (issue 16: no store operation per record).
 *
 * <p>Why a store: in Kafka Streams 4.3.1 a task's commit ({@code StreamTask.prepareCommit}, on
 * the commit interval, on a requested commit, on a rebalance and on a clean close) first calls
 * {@code flushCache()} on every store that is a {@link CachedStateStore}, then flushes the
 * record collector, then commits the input offsets (under exactly-once: in the producer's
 * transaction). A store's {@code commit}/{@code flush} runs only after that (the checkpoint), too
 * late; a punctuator can miss the commit that follows a record. So the hook is a
 * {@code CachedStateStore} and the callback runs in {@code flushCache()}: whatever it writes to a
 * logged store that is <em>not</em> cached goes to the changelog at once, before the offsets
 * that cover it are committed. (A task closed dirty also calls it; what it writes is then
 * discarded with the aborted transaction or the wiped state.) {@code CachedStateStore} is an
 * internal interface of Kafka Streams: the version is pinned, and the crash tests would fail
 * loudly if the hook stopped being called.
 *
 * <p>The store keeps no data, is not persistent and has no changelog.
 */
final class CommitHook implements StateStore, CachedStateStore<Object, Object> {

    private final String name;
    private Runnable beforeCommit = () -> { };
    private boolean open;

    private CommitHook(final String name) {
        this.name = name;
    }

    /** Sets what runs before each commit of the task (replacing what ran before). */
    void beforeCommit(final Runnable action) {
        this.beforeCommit = action;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener<Object, Object> listener, final boolean sendOldValues) {
        return false;
    }

    @Override
    public void clearCache() {
        // Holds nothing.
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    public void commit(final Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
        // Nothing to write: the callback ran in flushCache().
    }

    @Override
    public void close() {
        beforeCommit = () -> { };
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds hooks named {@code name}; no logging, no caching: there is nothing to keep. */
    static StoreBuilder<CommitHook> builder(final String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitHook> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingEnabled(final Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<CommitHook> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitHook build() {
                return new CommitHook(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}

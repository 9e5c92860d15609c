package io.divergent.runtime;

import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether any bootstrap server accepts a TCP connection, checked before a Kafka client is
 * created. A Kafka client that cannot connect retries until its timeout and logs a WARN per
 * attempt (about 30 before the first clear error); this check fails at once, in one line.
 * It proves only that something listens: a broker that listens but refuses the client (TLS,
 * SASL) is still reported by the client itself.
 */
public final class KafkaReachability {

    /** The bound of one connection attempt. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private KafkaReachability() {
    }

    /**
     * Tries each address of {@code bootstrapServers} in turn (every IP of a name, as the clients'
     * {@code use_all_dns_ips}) until one accepts a TCP connection, which is closed at once.
     *
     * @param bootstrapServers comma-separated {@code host:port} list, as {@code bootstrap.servers}
     * @param timeout          the bound of each connection attempt; positive
     * @throws IllegalStateException naming {@code bootstrap.servers} and each address's failure
     *         when none accepts, or when the list is invalid or no name in it resolves
     */
    public static void check(final String bootstrapServers, final Duration timeout) {
        final List<InetSocketAddress> addresses;
        try {
            addresses = ClientUtils.parseAndValidateAddresses(Arrays.asList(bootstrapServers.split(",")),
                    ClientDnsLookup.USE_ALL_DNS_IPS);
        } catch (final org.apache.kafka.common.config.ConfigException e) {
            throw new IllegalStateException("cannot reach Kafka: " + e.getMessage());
        }
        final List<String> failures = new ArrayList<>();
        for (final InetSocketAddress address : addresses) {
            try (Socket socket = new Socket()) {
                socket.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                return;
            } catch (final IOException e) {
                failures.add(address.getHostString() + ":" + address.getPort() + " " + e.getMessage());
            }
        }
        throw new IllegalStateException("cannot reach Kafka: no broker of " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
                + " '" + bootstrapServers + "' accepts connections (" + String.join("; ", failures)
                + "); start Kafka or set bootstrap.servers");
    }
}

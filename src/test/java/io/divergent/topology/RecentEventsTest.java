package io.divergent.topology;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecentEventsTest {

    @Test
    void theAlertHistoryKeepsTheLatestAlertEventsInOrder() {
        byte[] history = null;
        for (int i = 0; i < RecentEvents.ALERT_EVENTS + 3; i++) {
            history = RecentEvents.appendAlert(history, ("alert-" + i).getBytes(StandardCharsets.UTF_8));
        }
        final List<String> kept = RecentEvents.alerts(history).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        assertThat(kept).hasSize(RecentEvents.ALERT_EVENTS);
        assertThat(kept.get(0)).as("the 3 oldest dropped").isEqualTo("alert-3");
        assertThat(kept.get(kept.size() - 1)).isEqualTo("alert-" + (RecentEvents.ALERT_EVENTS + 2));
        assertThat(RecentEvents.alerts(null)).isEmpty();
    }
}

package postgres

import (
	"context"
	"fmt"
	"time"
)

// webhookBacklogSQL counts what active endpoints have not received yet: the delivery under
// way in each stream and the events above each stream's cursor, at most $1 of them per
// endpoint and stream, so the count stays cheap however far an endpoint is behind. It also
// gives the age of the oldest of them, measured from when it was recorded.
const webhookBacklogSQL = `
WITH active AS (
	SELECT business_id, id, events, consent_cursor, signal_cursor FROM webhook_endpoints WHERE disabled_at IS NULL),
waiting AS (
	SELECT e.recorded_at FROM active a
	CROSS JOIN LATERAL (SELECT recorded_at FROM consent_events e
		WHERE e.business_id = a.business_id AND e.id > a.consent_cursor ORDER BY e.id LIMIT $1) e
	WHERE 'consent.changed' = ANY (a.events)
	UNION ALL
	SELECT s.recorded_at FROM active a
	CROSS JOIN LATERAL (SELECT recorded_at FROM signals s
		WHERE s.business_id = a.business_id AND s.id > a.signal_cursor ORDER BY s.id LIMIT $1) s
	WHERE 'signal.recorded' = ANY (a.events)
	UNION ALL
	SELECT d.event_recorded_at FROM webhook_deliveries d
	JOIN active a ON d.business_id = a.business_id AND d.endpoint_id = a.id
	WHERE d.status = 'pending')
SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(recorded_at)), 0) FROM waiting`

// WebhookBacklog returns how many events active endpoints have not received yet (counting
// at most perStream per endpoint and stream) and how long ago the oldest of them was
// recorded; zero when none waits.
func (s *Store) WebhookBacklog(ctx context.Context, perStream int) (depth int, oldest time.Duration, err error) {
	var seconds float64
	if err := s.db.QueryRowxContext(ctx, webhookBacklogSQL, perStream).Scan(&depth, &seconds); err != nil {
		return 0, 0, fmt.Errorf("reading the webhook backlog: %w", err)
	}
	return depth, time.Duration(seconds * float64(time.Second)), nil
}

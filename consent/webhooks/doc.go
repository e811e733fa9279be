// Package webhooks delivers a business's changes to the URLs it registered: every consent
// event (consent.changed) and every platform signal (signal.recorded), signed as Standard
// Webhooks are, in order, at least once, retried with backoff for a day.
//
// # The ledger is the outbox
//
// A transactional outbox exists to make "the event committed" and "the event will be sent"
// one fact. The consent ledger and the signals table already are that fact: they are
// append-only, and the ids of one business grow in commit order (every append of a business
// commits under its advisory lock), so a reader of "id > cursor" never skips an event and
// never sees one that did not commit. Each endpoint therefore keeps one cursor per stream,
// and the dispatcher reads the next id above it. A row in webhook_deliveries is created when
// the dispatcher takes that event for the endpoint (moving the cursor in the same
// statement), and keeps its attempts, status, last status code and next attempt time. An
// event is delivered if and only if it committed, exactly as with an outbox row written in
// the event's transaction, without adding a write to the path that records consent.
//
// # Order, leases and retries
//
// Per endpoint and stream, delivery is head-of-line: the next event is taken only once the
// current one is delivered (a 2xx) or failed (a 410, which also disables the endpoint, or a
// retry window of 24 hours spent). Failed attempts, timeouts included, are retried with
// exponential backoff and jitter. One dispatcher at a time works an endpoint: it leases the
// endpoint row (claimed with FOR UPDATE SKIP LOCKED, held until a deadline it renews with
// every write, checked by every write), so replicas share the endpoints without ever making
// the same attempt twice at once, and a crashed replica's lease simply runs out.
//
// # Addresses and secrets
//
// URLs must be http or https and must not reach private, loopback or link-local addresses
// (unless AddressPolicy.AllowPrivate): checked when an endpoint is registered, and again on
// every connection, against the address actually dialled, so a name that later resolves
// elsewhere (DNS rebinding) is refused too. Signing secrets are stored sealed with AES-GCM
// under a key the database does not hold, so a dump of it alone cannot sign.
package webhooks

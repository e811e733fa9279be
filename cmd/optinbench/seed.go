package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// seedChunkPhones is how many phones one seeding transaction writes (times the categories).
const seedChunkPhones = 100_000

// seedStatementTimeout bounds each seeding statement; a chunk takes seconds.
const seedStatementTimeout = 5 * time.Minute

// Area codes of seeded phones; scenarios use others, so no seeded phone is ever "fresh".
const (
	bigArea     = "347" // the list and export business
	historyArea = "212" // --seed-events history of the traffic businesses
)

// seedLedgerSQL appends one event per phone and category, in phone order, and projects each into
// consents in the same statement. A quarter are opt-outs, the rest opt-ins to the seed
// disclosure. Phone number j is +1 AREA 2000000+j, so list order is j order, category by
// category; phone $6 gets the time $8, newer than any other, so that an updated_since list
// finds it at once.
const seedLedgerSQL = `
WITH e AS (
	INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
		disclosure_id, occurred_at, idempotency_key)
	SELECT $1, '+1' || $2 || CAST(2000000 + j AS text), c.key,
		CASE WHEN (j + c.n) % 4 = 0 THEN 'opt_out' ELSE 'opt_in' END, 'sms', 'keyword',
		CASE WHEN (j + c.n) % 4 = 0 THEN 'STOP' ELSE 'YES' END, 'optinbench-seed',
		CASE WHEN (j + c.n) % 4 = 0 THEN NULL ELSE CAST($3 AS bigint) END,
		CASE WHEN j = $6 THEN CAST($8 AS timestamptz) ELSE CAST($7 AS timestamptz) + j * interval '1 millisecond' END,
		'seed:' || $2 || ':' || j || ':' || c.key
	FROM generate_series(CAST($4 AS bigint), CAST($5 AS bigint)) AS j,
		unnest(CAST($9 AS text[])) WITH ORDINALITY AS c(key, n)
	ORDER BY j, c.key
	RETURNING business_id, id, phone, category, action, channel, occurred_at
)
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
SELECT business_id, phone, category, CASE action WHEN 'opt_in' THEN 'opted_in' ELSE 'opted_out' END, channel, occurred_at, id
FROM e`

// ledgerSeed describes the phones seeded for one business.
type ledgerSeed struct {
	business consent.Business
	area     string
	phones   int
	marker   int // the phone given the newest time; -1 for none
}

// seedPhone is the phone number j of an area, as seedLedgerSQL writes it.
func seedPhone(area string, j int) string { return fmt.Sprintf("+1%s%d", area, 2000000+j) }

// seeder writes seeded rows with plain SQL, much faster than through the store.
type seeder struct {
	db        *sql.DB
	superuser bool      // may skip the foreign-key triggers: the rows are consistent by construction
	base      time.Time // seeded events occur from here on, a millisecond apart
	markerAt  time.Time // the time of every seed's marker phone
}

func newSeeder(ctx context.Context, db *sql.DB) (*seeder, error) {
	s := &seeder{db: db}
	if err := db.QueryRowContext(ctx, `SELECT current_setting('is_superuser') = 'on'`).Scan(&s.superuser); err != nil {
		return nil, fmt.Errorf("read role: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	s.base, s.markerAt = now.Add(-60*24*time.Hour), now.Add(-24*time.Hour)
	return s, nil
}

// seed writes every phone of sd in chunks, one transaction each, and returns the rows written.
func (s *seeder) seed(ctx context.Context, sd ledgerSeed) (int64, error) {
	disclosure, err := s.disclosure(ctx, sd.business.ID)
	if err != nil {
		return 0, err
	}
	keys := categoryKeys(sd.business)
	var rows int64
	for from := 0; from < sd.phones; from += seedChunkPhones {
		to := min(from+seedChunkPhones, sd.phones) - 1
		n, err := s.chunk(ctx, sd, disclosure, keys, from, to)
		if err != nil {
			return rows, fmt.Errorf("seed %s phones %d-%d: %w", sd.business.ID, from, to, err)
		}
		rows += n
	}
	return rows, nil
}

func (s *seeder) chunk(ctx context.Context, sd ledgerSeed, disclosure int64, keys []string, from, to int) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, seedStatementTimeout)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after a commit this does nothing
	if s.superuser {
		if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return 0, err
		}
	}
	res, err := tx.ExecContext(ctx, seedLedgerSQL, sd.business.ID, sd.area, disclosure, from, to,
		sd.marker, s.base, s.markerAt, pq.Array(keys))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// seedDisclosureSQL stores the text the seeded opt-ins answered, once per business.
const seedDisclosureSQL = `
WITH t AS (SELECT CAST($2 AS text) AS text)
INSERT INTO disclosures (business_id, channel, language, text, sha256)
SELECT $1, 'sms', $3, text, encode(sha256(convert_to(text, 'UTF8')), 'hex') FROM t
ON CONFLICT (business_id, channel, language, sha256) DO UPDATE SET text = EXCLUDED.text
RETURNING id`

func (s *seeder) disclosure(ctx context.Context, businessID string) (int64, error) {
	const text = "optinbench seed: the disclosure the seeded opt-ins answered."
	var id int64
	if err := s.db.QueryRowContext(ctx, seedDisclosureSQL, businessID, text, "en-US").Scan(&id); err != nil {
		return 0, fmt.Errorf("seed disclosure of %s: %w", businessID, err)
	}
	return id, nil
}

// settle gives the planner statistics of the seeded tables and, when allowed, checkpoints, so
// that neither a stale plan nor the checkpoint of the seed's writes lands inside a figure.
func (s *seeder) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, seedStatementTimeout)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `ANALYZE consent_events, consents`); err != nil {
		return fmt.Errorf("analyze seeded tables: %w", err)
	}
	if s.superuser {
		if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return fmt.Errorf("checkpoint after seeding: %w", err)
		}
	}
	return nil
}

// phonesFor is how many phones make at least rows rows over the business's categories.
func phonesFor(b consent.Business, rows int) int {
	n := len(b.Categories)
	return (rows + n - 1) / n
}

// bigSeed is what was seeded for the list and export business.
type bigSeed struct {
	rows   int
	phones int
	marker int       // the phone whose rows carry markerAt, about nine tenths down the list
	at     time.Time // markerAt
}

// seed fills the database the selected steps need: the list and export business when one of
// them reads it, and --seed-events of history spread over the traffic businesses.
func (e *env) seed(ctx context.Context, steps []step, out io.Writer) error {
	s, err := newSeeder(ctx, e.store.DB().DB)
	if err != nil {
		return err
	}
	seeded := false
	if slices.ContainsFunc(steps, func(s step) bool { return s.big }) {
		phones := phonesFor(e.biz.big, e.opts.consents)
		sd := ledgerSeed{business: e.biz.big, area: bigArea, phones: phones, marker: phones * 9 / 10}
		start := time.Now()
		rows, err := s.seed(ctx, sd)
		if err != nil {
			return err
		}
		e.seeded = bigSeed{rows: int(rows), phones: phones, marker: sd.marker, at: s.markerAt}
		fmt.Fprintf(out, "seeded %d events and consents for %s in %s\n", rows, bigBusinessID, time.Since(start).Round(time.Millisecond))
		seeded = true
	}
	if e.opts.seedEvents > 0 {
		start := time.Now()
		var total int64
		per := phonesFor(e.biz.hot(), (e.opts.seedEvents+trafficBusinesses-1)/trafficBusinesses)
		for _, b := range e.biz.traffic {
			rows, err := s.seed(ctx, ledgerSeed{business: b, area: historyArea, phones: per, marker: -1})
			if err != nil {
				return err
			}
			total += rows
		}
		e.history = total
		fmt.Fprintf(out, "seeded %d more events (and their consents) over the %d traffic businesses in %s\n",
			total, trafficBusinesses, time.Since(start).Round(time.Millisecond))
		seeded = true
	}
	if !seeded {
		return nil
	}
	fmt.Fprintf(out, "the ledger holds %d events before the first figure\n", int64(e.seeded.rows)+e.history)
	return s.settle(ctx)
}

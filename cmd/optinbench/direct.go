package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// directAreas are the area codes of the direct_txn baseline's phones, one per window, so every
// transaction of both windows is from a fresh phone.
var directAreas = []string{"718", "917"}

// directEventSQL is the ledger row a STOP must write for one category: the columns the store
// fills for an SMS opt-out, the rest left to their defaults.
const directEventSQL = `
INSERT INTO consent_events (business_id, phone, category, action, channel, reason, input, provider_ref,
	occurred_at, idempotency_key)
VALUES ($1, $2, 'offers', 'opt_out', 'sms', 'keyword', 'STOP', $3, now(), $4)
RETURNING id`

// directConsentSQL moves the current state to that event, as the store's projection does.
const directConsentSQL = `
INSERT INTO consents (business_id, phone, category, status, channel, updated_at, event_id)
VALUES ($1, $2, 'offers', 'opted_out', 'sms', now(), $3)
ON CONFLICT (business_id, phone, category) DO UPDATE SET
	status = EXCLUDED.status, channel = EXCLUDED.channel, updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id
WHERE (consents.updated_at, consents.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)`

// directSelectSQL is the primary-key read behind a lookup: every category of one phone.
const directSelectSQL = `
SELECT business_id, phone, category, status, channel, updated_at, event_id FROM consents
WHERE business_id = $1 AND phone = $2
ORDER BY category`

// directDB opens a pool of one connection per worker with stmts prepared through
// database/sql over lib/pq: each statement is prepared once on each connection and reused.
func (e *env) directDB(ctx context.Context, stmts ...string) (*sql.DB, []*sql.Stmt, error) {
	db, err := sql.Open("postgres", e.dbURL)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(e.opts.workers)
	db.SetMaxIdleConns(e.opts.workers)
	prepared := make([]*sql.Stmt, len(stmts))
	for i, q := range stmts {
		if prepared[i], err = db.PrepareContext(ctx, q); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return db, prepared, nil
}

// directTxn is the same-transaction direct baseline: per transaction, the event row and the
// consent upsert of one opt-out, from a fresh phone, at the same concurrency as the scenarios.
func (e *env) directTxn() baseline {
	b := baseline{name: "direct_txn", unit: "txn/s", compare: "pgbench_txn", note: "insert event + upsert consent, prepared, lib/pq"}
	b.measure = func(ctx context.Context) (loadResult, error) {
		db, stmts, err := e.directDB(ctx, directEventSQL, directConsentSQL)
		if err != nil {
			return loadResult{}, err
		}
		defer db.Close()
		biz, run := e.biz.direct.ID, e.directRuns
		op := func(ctx context.Context, w, i int) error {
			phone := freshPhone(directAreas[run%len(directAreas)], e.opts.workers, w, i)
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback() //nolint:errcheck // after a commit this does nothing
			var id int64
			key := "direct:" + strconv.Itoa(run) + ":" + strconv.Itoa(w) + ":" + strconv.Itoa(i)
			if err := tx.StmtContext(ctx, stmts[0]).QueryRowContext(ctx, biz, phone, "SMdirect", key).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.StmtContext(ctx, stmts[1]).ExecContext(ctx, biz, phone, id); err != nil {
				return err
			}
			return tx.Commit()
		}
		e.directRuns++
		l := load{op: op, maxPerWorker: phoneSpan(e.opts.workers)}
		return runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
	}
	return b
}

// directPKSelect reads the consents of one seeded phone per transaction by primary key.
func (e *env) directPKSelect() baseline {
	b := baseline{name: "direct_pk_select", unit: "req/s", note: "consents of one phone by primary key, prepared"}
	b.measure = func(ctx context.Context) (loadResult, error) {
		db, stmts, err := e.directDB(ctx, directSelectSQL)
		if err != nil {
			return loadResult{}, err
		}
		defer db.Close()
		op := func(ctx context.Context, w, i int) error {
			rows, err := stmts[0].QueryContext(ctx, bigBusinessID, e.lookupPhone(w, i))
			if err != nil {
				return err
			}
			defer rows.Close()
			var c consentRowScan
			for rows.Next() {
				if err := rows.Scan(&c.business, &c.phone, &c.category, &c.status, &c.channel, &c.updated, &c.event); err != nil {
					return err
				}
			}
			return rows.Err()
		}
		return runLoad(ctx, load{op: op}, e.opts.workers, e.opts.warmup, e.opts.duration)
	}
	return b
}

// consentRowScan receives one consents row.
type consentRowScan struct {
	business, phone, category, status, channel string
	updated                                    time.Time
	event                                      int64
}

// lookupPhone is the seeded phone read by request i of worker w: spread over the whole table.
func (e *env) lookupPhone(w, i int) string {
	j := (w*7919 + i*104729) % e.seeded.phones
	return seedPhone(bigArea, j)
}

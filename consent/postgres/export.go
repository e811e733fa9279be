package postgres

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

// exportConsentsSQL reads every consent of a business matching a filter, in one statement and
// so in one consistent snapshot, in the same order as lists (an index-only scan of the primary
// key). An export reads every row, and on 1M rows its speed was set by the work per row on
// both ends, so each row comes as one bytea, which lib/pq hands over without a copy or a
// parse, where each text column would be a string of its own:
//   - 8 bytes: updated_at in PostgreSQL's binary form, which costs the server far less to
//     produce than its text and the client nothing to parse;
//   - 8 bytes: event_id, a big-endian int8;
//   - the rest: category, status, channel and phone, split at spaces. The first three are
//     keys and CHECKed words without spaces; phone comes last, so even one with a space
//     would come through whole.
const exportConsentsSQL = `
SELECT timestamptz_send(updated_at) || int8send(event_id) || textsend(category || ' ' || status || ' ' || channel || ' ' || phone)
FROM consents` + consentFilterSQL + `
ORDER BY phone, category`

// ExportConsents calls each for every consent of a business matching f, in (phone, category)
// order, as the rows arrive from the database: memory stays constant however many there are.
// It stops at the first error each returns, or when ctx ends, and returns that error.
//
// The rows are read from the driver itself, on a connection of the pool: database/sql would
// spend more per row on its checks and conversions than the rest of the export does.
func (s *Store) ExportConsents(ctx context.Context, businessID string, f consent.ConsentFilter, each func(consent.Consent) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("exporting consents: %w", err)
	}
	defer conn.Close()
	var eachErr error
	err = conn.Raw(func(dc any) error {
		return withoutStatementTimeout(ctx, dc, func() error {
			return exportRows(ctx, dc, businessID, f, func(c consent.Consent) error {
				eachErr = each(c)
				return eachErr
			})
		})
	})
	switch {
	case eachErr != nil:
		return eachErr
	case err != nil:
		return fmt.Errorf("exporting consents: %w", err)
	}
	return nil
}

// withoutStatementTimeout runs fn on the driver connection dc with no statement timeout: an
// export streams for as long as its reader reads, bounded by its context. The session's limit
// is restored after; a connection where that fails is discarded.
func withoutStatementTimeout(ctx context.Context, dc any, fn func() error) error {
	ex, ok := dc.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("the database driver (%T) cannot run a statement directly", dc)
	}
	if _, err := ex.ExecContext(ctx, "SET statement_timeout = 0", nil); err != nil {
		return err
	}
	fnErr := fn()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := ex.ExecContext(rctx, "RESET statement_timeout", nil); err != nil {
		return errors.Join(fnErr, driver.ErrBadConn)
	}
	return fnErr
}

// exportRows runs exportConsentsSQL on the driver connection dc and hands each row to each.
func exportRows(ctx context.Context, dc any, businessID string, f consent.ConsentFilter, each func(consent.Consent) error) error {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return fmt.Errorf("the database driver (%T) cannot run a query directly", dc)
	}
	args := filterArgs(businessID, f)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	rows, err := q.QueryContext(ctx, exportConsentsSQL, named)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil { // rows already received would otherwise still be handed out
			return err
		}
		c, err := exportedConsent(businessID, dest)
		if err != nil {
			return err
		}
		if err := each(c); err != nil {
			return err
		}
	}
}

// exportedRowHeader is how many bytes of an exported row come before its text.
const exportedRowHeader = 16

// exportedConsent reads one row of exportConsentsSQL. The bytes are the driver's until the
// next row; the strings of the consent share one string copied from them.
func exportedConsent(businessID string, row []driver.Value) (consent.Consent, error) {
	b, ok := row[0].([]byte)
	if !ok || len(b) < exportedRowHeader {
		return consent.Consent{}, fmt.Errorf("reading an exported row: unexpected %T of %d bytes", row[0], len(b))
	}
	fields := string(b[exportedRowHeader:])
	category, rest, _ := strings.Cut(fields, " ")
	status, rest, _ := strings.Cut(rest, " ")
	channel, phone, ok := strings.Cut(rest, " ")
	if !ok {
		return consent.Consent{}, fmt.Errorf("reading an exported row: %q is not category, status, channel and phone", fields)
	}
	updated, err := timestamptzFromBinary(b[:8])
	if err != nil {
		return consent.Consent{}, fmt.Errorf("reading the updated_at of %s/%s: %w", phone, category, err)
	}
	return consent.Consent{BusinessID: businessID, Phone: phone, Category: category, Status: consent.Status(status),
		Channel: consent.Channel(channel), UpdatedAt: updated, EventID: int64(binary.BigEndian.Uint64(b[8:exportedRowHeader]))}, nil
}

// postgresEpochMicros is 2000-01-01T00:00:00Z, where PostgreSQL counts timestamps from, in
// microseconds since the Unix epoch.
const postgresEpochMicros = 946_684_800_000_000

// timestamptzFromBinary reads PostgreSQL's binary form of a timestamptz (timestamptz_send):
// a big-endian int64 of microseconds since 2000-01-01 UTC, its extremes meaning ±infinity.
func timestamptzFromBinary(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, fmt.Errorf("binary timestamptz of %d bytes, want 8", len(b))
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return time.Time{}, errors.New("infinite timestamptz")
	}
	return time.UnixMicro(us + postgresEpochMicros).UTC(), nil
}

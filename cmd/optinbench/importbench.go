package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/imports"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/localpg"
	"github.com/optin/optin/fixtures"
)

// importOptions are the knobs of `optinbench import`.
type importOptions struct {
	rows        int
	batchRows   int
	databaseURL string
	cpuprofile  string
}

// runImportBench is `optinbench import`: it writes an NDJSON file of generated rows, imports
// it into a fresh database through the path `optin import` takes (imports.Run over the
// store), prints rows/s, checks that the ledger and the state hold every row, then imports
// the file again, which must skip every row, and prints that rate too.
func runImportBench(ctx context.Context, args []string, out, stderr io.Writer) error {
	o, err := parseImportOptions(args, stderr)
	if err != nil {
		return err
	}
	dbURL, pgVersion, stop, err := freshImportDatabase(ctx, o.databaseURL)
	if err != nil {
		return err
	}
	defer stop()
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if _, err := postgres.Migrate(ctx, store.DB().DB); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	demo, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		return err
	}
	if _, err := store.ApplyBusiness(ctx, demo); err != nil {
		return fmt.Errorf("apply the demo business: %w", err)
	}
	file, size, err := writeImportFile(o.rows, demo)
	if err != nil {
		return err
	}
	defer os.Remove(file)
	fmt.Fprintf(out, "optinbench import: %d rows (%.0f MB of NDJSON), units of %d rows, PostgreSQL %s (fsync on)\n",
		o.rows, float64(size)/1e6, o.batchRows, pgVersion)
	if o.cpuprofile != "" {
		stopProfile, err := startProfile(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	for _, pass := range []string{"import", "re-import"} {
		sum, took, err := importFileOnce(ctx, store, demo, file, o.batchRows)
		if err != nil {
			return fmt.Errorf("%s: %w", pass, err)
		}
		fmt.Fprintf(out, "%-9s  %8.0f rows/s  %d rows in %s: imported %d, skipped %d, failed %d\n",
			pass, float64(sum.Rows())/took.Seconds(), sum.Rows(), took.Round(time.Millisecond), sum.Imported, sum.Skipped, sum.Failed)
		if err := checkImported(ctx, store, o.rows, sum, pass == "import"); err != nil {
			return fmt.Errorf("%s: %w", pass, err)
		}
	}
	return nil
}

func parseImportOptions(args []string, stderr io.Writer) (importOptions, error) {
	fs := flag.NewFlagSet("optinbench import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o importOptions
	fs.IntVar(&o.rows, "rows", 1_000_000, "rows of the generated import file")
	fs.IntVar(&o.batchRows, "batch", imports.DefaultBatchRows, "rows per unit (transaction)")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "an empty PostgreSQL database to use (default: a throwaway local server)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the imports to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 || o.rows < 1 || o.batchRows < 1 {
		return o, fmt.Errorf("usage: optinbench import [--rows N] [--batch N] [--database-url URL]")
	}
	return o, nil
}

// freshImportDatabase starts a throwaway local PostgreSQL with fsync on, unless url names a
// database, and returns the URL of an empty database on it.
func freshImportDatabase(ctx context.Context, url string) (dbURL, version string, stop func(), err error) {
	stop = func() {}
	dbURL = postgres.WithSSLMode(url)
	if dbURL == "" {
		srv, err := localpg.Start(ctx, localpg.Options{})
		if err != nil {
			return "", "", nil, fmt.Errorf("start PostgreSQL (or pass --database-url): %w", err)
		}
		stop = func() { srv.Stop() } //nolint:errcheck // nothing to do about it at exit
		if err := srv.CreateDatabase(ctx, "optinimport"); err != nil {
			stop()
			return "", "", nil, err
		}
		dbURL = srv.URL("optinimport")
	}
	db, err := postgres.OpenDB(dbURL)
	if err != nil {
		stop()
		return "", "", nil, err
	}
	defer db.Close()
	if err := db.GetContext(ctx, &version, "SHOW server_version"); err != nil {
		stop()
		return "", "", nil, fmt.Errorf("read server version: %w", err)
	}
	return dbURL, version, stop, nil
}

// importRow is one generated line: row j is phone j/3 and the j%3-th category, in the order
// a CRM would export them; a quarter are opt-outs, the rest opt-ins to a lint-clean text.
type importRow struct {
	Phone      string         `json:"phone"`
	Category   string         `json:"category"`
	Status     string         `json:"status"`
	OccurredAt string         `json:"occurred_at"`
	Channel    string         `json:"channel"`
	Disclosure string         `json:"disclosure,omitempty"`
	Evidence   map[string]any `json:"evidence"`
	Key        string         `json:"key"`
}

// writeImportFile writes rows generated rows of b to a temporary NDJSON file.
func writeImportFile(rows int, b consent.Business) (string, int64, error) {
	f, err := os.CreateTemp("", "optinbench-import-*.ndjson")
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for j := range rows {
		c := b.Categories[j%len(b.Categories)]
		r := importRow{Phone: fmt.Sprintf("+1347%07d", 2000000+j/len(b.Categories)), Category: c.Key, Status: "opted_in",
			OccurredAt: base.Add(time.Duration(j) * time.Second).Format(time.RFC3339), Channel: "web",
			Disclosure: fmt.Sprintf("Yes, send me %s from %s on WhatsApp, %s. Reply STOP %s to opt out.", c.Label, b.Name, c.Frequency, c.Keyword),
			Evidence:   map[string]any{"form": "signup", "crm_id": j}, Key: fmt.Sprintf("crm-%d", j)}
		if j%4 == 3 {
			r.Status, r.Channel, r.Disclosure = "opted_out", "sms", ""
		}
		if err := enc.Encode(r); err != nil {
			return "", 0, err
		}
	}
	if err := w.Flush(); err != nil {
		return "", 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	return f.Name(), st.Size(), nil
}

// importFileOnce imports the file as `optin import` does and times it.
func importFileOnce(ctx context.Context, store *postgres.Store, b consent.Business, file string, batchRows int) (imports.Summary, time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return imports.Summary{}, 0, err
	}
	defer f.Close()
	started := time.Now()
	src, err := imports.Open(f, "")
	if err != nil {
		return imports.Summary{}, 0, err
	}
	check := imports.NewChecker(b, time.Now(), imports.CheckOptions{})
	defer debug.SetGCPercent(debug.SetGCPercent(imports.GCPercent))
	sum, err := imports.Run(ctx, store, src, check, imports.Options{BatchRows: batchRows})
	return sum, time.Since(started), err
}

// checkImported checks that the first pass recorded every row and the second skipped them
// all, and that the ledger and the state each hold one row per generated row.
func checkImported(ctx context.Context, store *postgres.Store, rows int, sum imports.Summary, first bool) error {
	want := imports.Summary{Imported: rows}
	if !first {
		want = imports.Summary{Skipped: rows}
	}
	if sum.Imported != want.Imported || sum.Skipped != want.Skipped || sum.Failed != 0 {
		return fmt.Errorf("imported %d, skipped %d, failed %d (first error: %v); want imported %d, skipped %d",
			sum.Imported, sum.Skipped, sum.Failed, sum.Errors, want.Imported, want.Skipped)
	}
	var events, consents int
	if err := store.DB().GetContext(ctx, &events, `SELECT count(*) FROM consent_events WHERE business_id = 'acme'`); err != nil {
		return err
	}
	if err := store.DB().GetContext(ctx, &consents, `SELECT count(*) FROM consents WHERE business_id = 'acme'`); err != nil {
		return err
	}
	if events != rows || consents != rows {
		return fmt.Errorf("the ledger holds %d events and the state %d consents, want %d of each", events, consents, rows)
	}
	return nil
}

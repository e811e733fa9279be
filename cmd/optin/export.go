package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/api"
	"github.com/optin/optin/consent/postgres"
)

const exportUsage = `export --business ID -o FILE [--format ndjson|csv] [--category C] [--status S]

Writes every consent of a business matching the filters to FILE, in the row shapes of
GET /v1/export: NDJSON (one Consent object a line) or CSV. -o - writes to standard output.
The file appears only once it is complete.
`

// exportProgressRows is how many rows an export writes between moves of its progress bar.
const exportProgressRows = 1000

func runExport(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("export", exportUsage)
	business := fs.String("business", "", "business id, as in its business file")
	out := fs.String("o", "", "file to write; - writes standard output")
	format := fs.String("format", api.FormatNDJSON, "ndjson or csv")
	category := fs.String("category", "", "only this category")
	status := fs.String("status", "", "only this status: opted_in or opted_out")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" || *out == "" {
		return fmt.Errorf("%w: --business ID and -o FILE are required", errUsage)
	}
	if *status != "" && !consent.Status(*status).Valid() {
		return fmt.Errorf("%w: --status must be %s or %s, got %q", errUsage, consent.StatusOptedIn, consent.StatusOptedOut, *status)
	}
	if *format != api.FormatNDJSON && *format != api.FormatCSV {
		return fmt.Errorf("%w: --format must be %s or %s, got %q", errUsage, api.FormatNDJSON, api.FormatCSV, *format)
	}
	store, b, err := c.openBusinessStore(ctx, *business)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, ok := b.Category(*category); *category != "" && !ok {
		return fmt.Errorf("%w: --category %q is not one of %s's: %v", errUsage, *category, b.ID, b.CategoryKeys())
	}
	f := consent.ConsentFilter{Category: *category, Status: consent.Status(*status)}
	started := time.Now()
	n, err := c.exportTo(ctx, store, b.ID, f, *out, *format)
	if err != nil {
		return err
	}
	summary := c.stdout
	if *out == "-" {
		summary = c.stderr
	}
	took := time.Since(started)
	fmt.Fprintf(summary, "exported %d consents of %s to %s in %s (%.0f rows/s)\n", n, b.ID, *out, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

// exportTo writes the export to path (standard output for -) and returns how many rows it
// holds. A file is written beside its path and renamed into place once complete, so a failed
// export never leaves a file that looks whole.
func (c *cli) exportTo(ctx context.Context, store *postgres.Store, businessID string, f consent.ConsentFilter, path, format string) (int, error) {
	if path == "-" {
		return c.export(ctx, store, businessID, f, c.stdout, format)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone already once renamed
	n, err := c.export(ctx, store, businessID, f, tmp, format)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	return n, nil
}

// export counts the matching consents, for the progress bar, then streams them to w.
func (c *cli) export(ctx context.Context, store *postgres.Store, businessID string, f consent.ConsentFilter, w io.Writer, format string) (int, error) {
	total, err := store.CountConsents(ctx, businessID, f)
	if err != nil {
		return 0, err
	}
	enc, err := api.NewConsentEncoder(w, format)
	if err != nil {
		return 0, err
	}
	bar := c.progress(int64(total), "exporting", false)
	defer bar.finish()
	n := 0
	err = store.ExportConsents(ctx, businessID, f, func(row consent.Consent) error {
		if n++; n%exportProgressRows == 0 {
			bar.set(int64(min(n, total)), "")
		}
		return enc.Encode(row)
	})
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		return 0, fmt.Errorf("exporting consents: %w", err)
	}
	return n, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/optin/optin/consent/imports"
)

const importUsage = `import --business ID -f FILE [--format csv|ndjson] [--allow-missing-disclosure]

Imports consent people gave before optin: one row per phone and category, with when
(occurred_at, RFC 3339) and where (channel: ivr, sms, whatsapp, web, paper or api) it was
given, its status (opted_in or opted_out), the disclosure text an opt-in agreed to (linted as
for web opt-ins), evidence (a JSON object) and a key naming the row for good. FILE is CSV with
a header row naming those columns, or NDJSON (one ImportRow object a line); - reads standard
input. A row whose key was imported before is skipped, so importing a file again is safe. A row
older than the current state of its phone and category is kept in the ledger and changes
nothing. Bad rows are listed by line on standard error, the good ones imported; the exit
status is then 1.
`

func runImport(ctx context.Context, c *cli, args []string) error {
	defer debug.SetGCPercent(debug.SetGCPercent(imports.GCPercent))
	fs := c.flags("import", importUsage)
	business := fs.String("business", "", "business id, as in its business file")
	file := fs.String("f", "", "import file, CSV with a header or NDJSON; - reads standard input")
	format := fs.String("format", "", "csv or ndjson (default: NDJSON when the file starts with {, else CSV)")
	allowMissing := fs.Bool("allow-missing-disclosure", false, "import opt-ins without a disclosure, marked so in their evidence")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *business == "" || *file == "" {
		return fmt.Errorf("%w: --business ID and -f FILE are required", errUsage)
	}
	in, size, err := c.openInput(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	store, b, err := c.openBusinessStore(ctx, *business)
	if err != nil {
		return err
	}
	defer store.Close()
	read := &countingReader{r: in}
	src, err := imports.Open(read, imports.Format(*format))
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	check := imports.NewChecker(b, time.Now(), imports.CheckOptions{
		AllowMissingDisclosure: *allowMissing, MissingDisclosureHint: "import with --allow-missing-disclosure"})
	bar := c.progress(size, "importing", true)
	started := time.Now()
	sum, err := imports.Run(ctx, store, src, check, imports.Options{Progress: func(s imports.Summary) {
		bar.set(read.n.Load(), fmt.Sprintf("importing: %d rows", s.Rows()))
	}})
	bar.finish()
	c.reportImport(*file, b.ID, sum, time.Since(started))
	if err != nil {
		return fmt.Errorf("%s: %w (the rows counted above are recorded; importing the file again completes it)", *file, err)
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%s: %d rows were not imported; their lines are listed above", *file, sum.Failed)
	}
	return nil
}

// reportImport lists the bad rows on standard error and the summary on standard output.
func (c *cli) reportImport(file, business string, sum imports.Summary, took time.Duration) {
	for _, p := range sum.Errors {
		fmt.Fprintf(c.stderr, "%s:%d: %s\n", file, p.Line, p.Message)
	}
	if more := sum.Failed - len(sum.Errors); more > 0 {
		fmt.Fprintf(c.stderr, "%s: %d more bad rows not listed\n", file, more)
	}
	fmt.Fprintf(c.stdout, "imported %d, skipped %d (imported before), failed %d of %d rows for %s in %s (%.0f rows/s)\n",
		sum.Imported, sum.Skipped, sum.Failed, sum.Rows(), business, took.Round(time.Millisecond), float64(sum.Rows())/took.Seconds())
}

// openInput opens a file to read, or standard input for -, with its size when known (-1
// otherwise).
func (c *cli) openInput(path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(c.stdin), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// countingReader counts the bytes read through it, for the progress bar of an import; the
// bar reads the count while the import reads the file.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n.Add(int64(n))
	return n, err
}

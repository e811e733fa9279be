package main

import (
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far an import or export is, on standard error, while it is a terminal:
// a bar with its rate and the time left. Elsewhere it shows nothing, and the command prints a
// one-line summary when done. A nil *progress is valid and shows nothing.
type progress struct {
	bar *progressbar.ProgressBar
}

// progress returns a bar that ends at total (-1 when unknown, shown as a spinner), counting
// bytes when bytes is set, or nil when standard error is not a terminal.
func (c *cli) progress(total int64, description string, bytes bool) *progress {
	f, ok := c.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionSetItsString("rows"))
	}
	return &progress{bar: progressbar.NewOptions64(total, opts...)}
}

// set moves the bar to n and, when given, changes its description.
func (p *progress) set(n int64, description string) {
	if p == nil {
		return
	}
	if description != "" {
		p.bar.Describe(description)
	}
	p.bar.Set64(n) //nolint:errcheck // a bar that cannot draw is no reason to stop
}

// finish clears the bar, so the summary that follows stands alone.
func (p *progress) finish() {
	if p != nil {
		p.bar.Finish() //nolint:errcheck // as in set
	}
}

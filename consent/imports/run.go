package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/optin/optin/consent"
)

// Sink records imported events; *postgres.Store is one.
type Sink interface {
	// ImportEvents appends events of one business to the ledger in one unit, in the order
	// given, and returns how many it recorded: an event whose key the business used before
	// records nothing. An event the ledger refuses fails the call with consent.ErrInvalid.
	ImportEvents(ctx context.Context, businessID string, events []consent.Event) (int, error)
}

// DefaultBatchRows is how many rows an import writes in one unit by default: enough that the
// unit's fixed costs vanish, few enough that the business's live writes wait for the ledger
// lock only for a moment.
const DefaultBatchRows = 5000

// MaxProblems is how many bad rows a Summary lists; Failed counts them all.
const MaxProblems = 1000

// Options tune Run.
type Options struct {
	BatchRows int // rows per unit; DefaultBatchRows when zero
	// Progress, when set, is called after each unit is recorded with the summary so far.
	Progress func(Summary)
}

// Summary is what an import did. Lines are those of the file, 1-based.
type Summary struct {
	Imported int       `json:"imported"` // rows recorded
	Skipped  int       `json:"skipped"`  // rows whose key was imported before: nothing recorded twice
	Failed   int       `json:"failed"`   // rows not imported because they are wrong
	Errors   []Problem `json:"errors"`   // why, by line, in file order: the first MaxProblems
}

// Rows is how many rows the import has been through.
func (s Summary) Rows() int { return s.Imported + s.Skipped + s.Failed }

func (s *Summary) fail(p Problem) {
	s.Failed++
	if len(s.Errors) < MaxProblems {
		s.Errors = append(s.Errors, p)
	}
}

// batch is one unit's rows, with the problems met while gathering them.
type batch struct {
	events   []consent.Event
	lines    []int
	problems []Problem
	err      error // the source failed: the import ends after this batch
}

// Run reads every row of src, checks it with check and records the good ones through sink in
// units of opts.BatchRows, each in the order of the file. Reading and checking the next unit
// overlaps recording the last. It returns the summary and, when the source or the sink
// failed, the error; the units recorded before stay recorded, and importing the file again
// skips them.
func Run(ctx context.Context, sink Sink, src Source, check *Checker, opts Options) (Summary, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan batch, 1)
	go gather(ctx, src, check, opts.BatchRows, batches)
	defer func() { // the reader stops within a unit, and never outlives Run
		cancel()
		for range batches {
		}
	}()
	var sum Summary
	for b := range batches {
		for _, p := range b.problems {
			sum.fail(p)
		}
		if len(b.events) > 0 {
			if err := record(ctx, sink, check.BusinessID(), b.events, b.lines, &sum); err != nil {
				return sum, err
			}
		}
		if b.err != nil {
			return sum, b.err
		}
		if opts.Progress != nil {
			opts.Progress(sum)
		}
	}
	slices.SortStableFunc(sum.Errors, func(a, b Problem) int { return a.Line - b.Line })
	return sum, ctx.Err()
}

// gather reads and checks rows into batches until the source ends or ctx does.
func gather(ctx context.Context, src Source, check *Checker, size int, out chan<- batch) {
	defer close(out)
	var b batch
	send := func() bool {
		select {
		case out <- b:
			b = batch{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		rec, err := src.Next()
		if le, ok := errors.AsType[*LineError](err); ok {
			b.problems = append(b.problems, Problem(*le))
			continue
		}
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		if err != nil {
			b.err = err
			send()
			return
		}
		e, err := check.Event(rec.Row)
		if err != nil {
			b.problems = append(b.problems, Problem{Line: rec.Line, Message: err.Error()})
			continue
		}
		b.events, b.lines = append(b.events, e), append(b.lines, rec.Line)
		if len(b.events) >= size && !send() {
			return
		}
	}
}

// record writes one unit. When the ledger refuses a row the unit is split in halves and each
// written again, until the refused row is alone and reported by its line.
func record(ctx context.Context, sink Sink, businessID string, events []consent.Event, lines []int, sum *Summary) error {
	n, err := sink.ImportEvents(ctx, businessID, events)
	switch {
	case err == nil:
		sum.Imported += n
		sum.Skipped += len(events) - n
		return nil
	case !errors.Is(err, consent.ErrInvalid):
		return fmt.Errorf("recording rows from line %d: %w", lines[0], err)
	case len(events) == 1:
		sum.fail(Problem{Line: lines[0], Message: "the ledger refused the row: " + err.Error()})
		return nil
	}
	half := len(events) / 2
	if err := record(ctx, sink, businessID, events[:half], lines[:half], sum); err != nil {
		return err
	}
	return record(ctx, sink, businessID, events[half:], lines[half:], sum)
}

// GCPercent is the garbage collector setting a command that imports runs with: an import
// allocates and drops a unit's rows thousands of times a second, and its memory is bounded by
// the unit size, so collecting a quarter as often is a seventh more rows a second (measured,
// docs/performance.md) for a few more megabytes. A server leaves its own setting alone.
const GCPercent = 400

package imports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// CSV columns of an import file, named in its header in any order.
var (
	requiredColumns = []string{"phone", "category", "status", "occurred_at", "channel", "key"}
	optionalColumns = []string{"disclosure", "evidence"}
)

// CSV reads an import file of comma-separated values with a header row naming its columns:
// phone, category, status, occurred_at, channel and key, and optionally disclosure and
// evidence (a JSON object). Line numbers count the header as line 1.
type CSV struct {
	r      *csv.Reader
	column map[string]int // column name → position
}

// NewCSV reads the header of a CSV import file from r and returns a Source of its rows. A
// header that lacks a required column or names an unknown one is an error: nothing of the
// file can be read.
func NewCSV(r io.Reader) (*CSV, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the CSV file is empty: its first line must name the columns " + strings.Join(requiredColumns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	s := &CSV{r: cr, column: map[string]int{}}
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, string(utf8BOM))
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(requiredColumns, name) && !slices.Contains(optionalColumns, name) {
			return nil, fmt.Errorf("the CSV header names an unknown column %q; columns are %s", name,
				strings.Join(append(slices.Clone(requiredColumns), optionalColumns...), ", "))
		}
		if _, dup := s.column[name]; dup {
			return nil, fmt.Errorf("the CSV header names the column %q twice", name)
		}
		s.column[name] = i
	}
	var missing []string
	for _, name := range requiredColumns {
		if _, ok := s.column[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the CSV header lacks the columns %s", strings.Join(missing, ", "))
	}
	return s, nil
}

// Next returns the next row. A record that cannot be read, or whose evidence is not a JSON
// object, is a *LineError.
func (s *CSV) Next() (Record, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return Record{}, io.EOF
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return Record{}, &LineError{Line: pe.StartLine, Message: csvProblem(pe)}
	}
	if err != nil {
		return Record{}, fmt.Errorf("reading CSV: %w", err)
	}
	line, _ := s.r.FieldPos(0)
	cell := func(name string) string {
		if i, ok := s.column[name]; ok {
			return unescapeCell(rec[i])
		}
		return ""
	}
	row := Row{Phone: cell("phone"), Category: cell("category"), Status: cell("status"), OccurredAt: cell("occurred_at"),
		Channel: cell("channel"), Disclosure: cell("disclosure"), Key: cell("key")}
	if ev := strings.TrimSpace(cell("evidence")); ev != "" {
		if err := decodeEvidence(ev, &row.Evidence); err != nil {
			return Record{}, &LineError{Line: line, Message: err.Error()}
		}
	}
	return Record{Line: line, Row: row}, nil
}

// decodeEvidence reads an evidence cell, which holds one JSON object.
func decodeEvidence(cell string, into *map[string]any) error {
	dec := json.NewDecoder(strings.NewReader(cell))
	if err := dec.Decode(into); err != nil || dec.More() || *into == nil {
		return fmt.Errorf(`evidence must be a JSON object such as {"form":"in-store"}, got %q`, cell)
	}
	return nil
}

// unescapeCell undoes the quote the CSV export puts before a cell a spreadsheet would run as a
// formula ('+14155550100), so an exported phone reads as itself.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && bytes.IndexByte([]byte("=+-@\t\r"), s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// csvProblem says what is wrong with a CSV record in plain words.
func csvProblem(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return "the row does not have one cell for each column of the header"
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote (") is out of place: a cell holding quotes, commas or line breaks must be quoted, its quotes doubled`
	}
	return pe.Err.Error()
}

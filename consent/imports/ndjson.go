package imports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLineBytes bounds one line of an import file; a longer line is reported and skipped.
const MaxLineBytes = 1 << 20

// ErrNotNDJSON ends an NDJSON import whose first line is not a JSON object: the file is not
// NDJSON at all, and nothing of it is imported.
var ErrNotNDJSON = errors.New("not NDJSON: the first line is not a JSON object; send one ImportRow object a line")

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte("\xef\xbb\xbf")

// NDJSON reads an import file of one JSON object a line. Blank lines are skipped.
type NDJSON struct {
	r     *bufio.Reader
	line  int
	first bool // no row read yet
	buf   []byte
}

// NewNDJSON returns a Source reading NDJSON from r.
func NewNDJSON(r io.Reader) *NDJSON {
	return &NDJSON{r: bufio.NewReaderSize(r, 64<<10), first: true}
}

// Next returns the next row. A line that is not an ImportRow is a *LineError; when the first
// line with content is not a JSON object at all, Next returns ErrNotNDJSON.
func (s *NDJSON) Next() (Record, error) {
	for {
		line, tooLong, err := s.readLine()
		if err != nil {
			return Record{}, err
		}
		s.line++
		if tooLong {
			return Record{}, &LineError{Line: s.line, Message: fmt.Sprintf("the line is longer than %d bytes", MaxLineBytes)}
		}
		if s.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if s.first && line[0] != '{' {
			return Record{}, ErrNotNDJSON
		}
		s.first = false
		row, err := decodeRow(line)
		if err != nil {
			return Record{}, &LineError{Line: s.line, Message: err.Error()}
		}
		return Record{Line: s.line, Row: row}, nil
	}
}

// readLine returns the next line without its end. A line over MaxLineBytes is read to its end
// and reported as too long. At the end of the input it returns io.EOF.
func (s *NDJSON) readLine() (line []byte, tooLong bool, err error) {
	s.buf = s.buf[:0]
	for {
		part, err := s.r.ReadSlice('\n')
		if len(s.buf)+len(part) > MaxLineBytes {
			tooLong = true
		} else if len(s.buf) > 0 || errors.Is(err, bufio.ErrBufferFull) {
			s.buf = append(s.buf, part...)
			part = s.buf
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(part) == 0 && !tooLong:
			return nil, false, io.EOF
		case err != nil && !errors.Is(err, io.EOF):
			return nil, false, fmt.Errorf("reading line %d: %w", s.line+1, err)
		}
		return part, tooLong, nil
	}
}

// decodeRow reads one line as an ImportRow: one JSON object, no unknown fields.
func decodeRow(line []byte) (Row, error) {
	var row Row
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&row); err != nil {
		return Row{}, jsonProblem(err)
	}
	if dec.More() {
		return Row{}, errors.New("one JSON object expected, found more after it")
	}
	return row, nil
}

// jsonProblem says in plain words what is wrong with a line's JSON, naming the field.
func jsonProblem(err error) error {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		switch {
		case te.Field == "":
			return fmt.Errorf("a row must be a JSON object, got %s", te.Value)
		case te.Field == "evidence" || strings.HasPrefix(te.Field, "evidence."):
			return fmt.Errorf("evidence must be a JSON object, got %s", te.Value)
		default:
			return fmt.Errorf("%s must be a JSON string, got %s", te.Field, te.Value)
		}
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("not valid JSON: the object is not closed")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

package imports

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Source yields the rows of an import file in order.
type Source interface {
	// Next returns the next row. A line that is not a row returns a *LineError, and the next
	// call goes on after it; io.EOF ends the file; any other error ends the import.
	Next() (Record, error)
}

// Format is the format of an import file.
type Format string

// Formats of import files.
const (
	FormatNDJSON Format = "ndjson" // one ImportRow JSON object a line
	FormatCSV    Format = "csv"    // a header naming the columns, then one row a line
)

// Open returns a Source of r in format f; an empty f chooses by the first byte that is not
// white space: NDJSON when it opens a JSON object, CSV otherwise.
func Open(r io.Reader, f Format) (Source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if f == "" {
		f = sniff(br)
	}
	switch f {
	case FormatNDJSON:
		return NewNDJSON(br), nil
	case FormatCSV:
		return NewCSV(br)
	}
	return nil, fmt.Errorf("format must be %s or %s, got %q", FormatNDJSON, FormatCSV, f)
}

// sniff guesses the format of br from the start of its first line with content.
func sniff(br *bufio.Reader) Format {
	head, _ := br.Peek(4096) // what there is of it; a read error shows again on the first read
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(head) > 0 && head[0] == '{' {
		return FormatNDJSON
	}
	return FormatCSV
}

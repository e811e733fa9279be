package api

import (
	"bufio"
	"fmt"
	"io"

	"github.com/optin/optin/consent"
)

// Export formats, as GET /v1/export names them in its format parameter.
const (
	FormatNDJSON = formatNDJSON // one Consent JSON object a line
	FormatCSV    = formatCSV    // a header row, then one consent a row, formula cells defused
)

// ConsentEncoder writes consents in the row shapes of GET /v1/export, byte for byte, for
// exports that are not served over HTTP (optin export).
type ConsentEncoder struct {
	buf *bufio.Writer
	enc rowEncoder
}

// NewConsentEncoder returns an encoder of format (FormatNDJSON or FormatCSV) writing to w.
// A CSV encoder writes its header at once.
func NewConsentEncoder(w io.Writer, format string) (*ConsentEncoder, error) {
	buf := bufio.NewWriterSize(w, exportBufferBytes)
	switch format {
	case formatNDJSON:
		return &ConsentEncoder{buf: buf, enc: ndjsonEncoder{buf}}, nil
	case formatCSV:
		return &ConsentEncoder{buf: buf, enc: newCSVEncoder(buf)}, nil
	}
	return nil, fmt.Errorf("format must be %s or %s, got %q", formatNDJSON, formatCSV, format)
}

// Encode writes one consent.
func (e *ConsentEncoder) Encode(c consent.Consent) error { return e.enc.encode(c) }

// Close ends the export and writes what is buffered; it does not close the writer.
func (e *ConsentEncoder) Close() error {
	if err := e.enc.end(); err != nil {
		return err
	}
	return e.buf.Flush()
}

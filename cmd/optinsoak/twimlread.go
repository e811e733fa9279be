package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// twimlDoc is what a TwiML answer says: the texts of its <Message>s (SMS) or <Say>s (voice),
// and the action of its <Gather>, when it has one.
type twimlDoc struct {
	messages []string
	says     []string
	gather   string // the <Gather action>, absolute; "" when the call ends here
}

// readTwiML parses a TwiML document.
func readTwiML(body []byte) (twimlDoc, error) {
	var doc twimlDoc
	dec := xml.NewDecoder(bytes.NewReader(body))
	var inside string // the verb whose text is being read
	var text strings.Builder
	sawResponse := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return doc, fmt.Errorf("read TwiML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "Response":
				sawResponse = true
			case "Message", "Say":
				inside = t.Name.Local
				text.Reset()
			case "Gather":
				for _, a := range t.Attr {
					if a.Name.Local == "action" {
						doc.gather = a.Value
					}
				}
			}
		case xml.CharData:
			if inside != "" {
				text.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local != inside {
				continue
			}
			if inside == "Message" {
				doc.messages = append(doc.messages, strings.TrimSpace(text.String()))
			} else {
				doc.says = append(doc.says, strings.TrimSpace(text.String()))
			}
			inside = ""
		}
	}
	if !sawResponse {
		return doc, errors.New("read TwiML: no <Response>")
	}
	return doc, nil
}

// message is the text of the first <Message>; "" when there is none.
func (d twimlDoc) message() string {
	if len(d.messages) == 0 {
		return ""
	}
	return d.messages[0]
}

// said reports whether some <Say> holds text.
func (d twimlDoc) said(text string) bool {
	for _, s := range d.says {
		if strings.Contains(s, text) {
			return true
		}
	}
	return false
}

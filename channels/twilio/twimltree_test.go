package twilio

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// node is a TwiML element as a comparable tree. twilio-go writes attributes in random
// order, so tests compare parsed trees, never strings.
type node struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []node
}

// el builds an expected element; attrs alternate name and value.
func el(name, text string, attrs []string, children ...node) node {
	n := node{Name: name, Text: text, Children: children}
	for i := 0; i+1 < len(attrs); i += 2 {
		if n.Attrs == nil {
			n.Attrs = map[string]string{}
		}
		n.Attrs[attrs[i]] = attrs[i+1]
	}
	return n
}

// parseTwiML parses a TwiML document into its tree, failing the test on malformed XML.
func parseTwiML(t testing.TB, doc string) node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed TwiML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local}
			for _, a := range tok.Attr {
				if n.Attrs == nil {
					n.Attrs = map[string]string{}
				}
				n.Attrs[a.Name.Local] = a.Value
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(tok))
			}
		case xml.EndElement:
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, *n)
			}
		}
	}
	if root == nil {
		t.Fatalf("TwiML has no root element:\n%s", doc)
	}
	return *root
}

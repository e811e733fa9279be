package main

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// twimlDoc is a TwiML response as the simulator reads it: a list of verbs.
type twimlDoc struct {
	XMLName xml.Name    `xml:"Response"`
	Verbs   []twimlVerb `xml:",any"`
}

// twimlVerb is one TwiML element with its attributes, text and nested verbs.
type twimlVerb struct {
	XMLName  xml.Name
	Attrs    []xml.Attr  `xml:",any,attr"`
	Text     string      `xml:",chardata"`
	Children []twimlVerb `xml:",any"`
}

func parseTwiML(body []byte) (*twimlDoc, error) {
	var doc twimlDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("server replied with something other than TwiML: %w", err)
	}
	return &doc, nil
}

// attr returns the value of the named attribute, or def.
func (v twimlVerb) attr(name, def string) string {
	for _, a := range v.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return def
}

// text is the verb's own text, trimmed, or that of a <Body> child (as <Message> may use).
func (v twimlVerb) text() string {
	if t := strings.TrimSpace(v.Text); t != "" {
		return t
	}
	for _, ch := range v.Children {
		if ch.XMLName.Local == "Body" {
			return strings.TrimSpace(ch.Text)
		}
	}
	return ""
}

// messages returns the bodies of every <Message> of the response.
func (d *twimlDoc) messages() []string {
	var out []string
	for _, v := range d.Verbs {
		if v.XMLName.Local == "Message" {
			out = append(out, v.text())
		}
	}
	return out
}

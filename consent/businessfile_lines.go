package consent

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// topLevelLines finds the line of every top-level field of a file that parsed, and the line
// after the last for fields that are missing, so every problem can name a line.
func topLevelLines(data []byte) map[string]int {
	var doc yaml.Node
	lines := map[string]int{}
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		lines[m.Content[i].Value] = m.Content[i].Line
	}
	lines[""] = bytes.Count(data, []byte("\n")) + 1
	return lines
}

// BusinessFileLines maps the parts of a business file to their lines, for naming where a
// problem found later (by the disclosure lint) is: top-level fields by name ("name"),
// categories by index ("categories[1]"), message overrides by language and name
// ("messages.en-US" and "messages.en-US.sms.help"). A file that does not parse maps nothing.
func BusinessFileLines(data []byte) map[string]int {
	lines := map[string]int{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i], m.Content[i+1]
		lines[key.Value] = key.Line
		switch {
		case key.Value == "categories" && val.Kind == yaml.SequenceNode:
			for j, c := range val.Content {
				lines[fmt.Sprintf("categories[%d]", j)] = c.Line
			}
		case key.Value == "messages" && val.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(val.Content); j += 2 {
				tag, texts := val.Content[j], val.Content[j+1]
				lines["messages."+tag.Value] = tag.Line
				for k := 0; texts.Kind == yaml.MappingNode && k+1 < len(texts.Content); k += 2 {
					lines["messages."+tag.Value+"."+texts.Content[k].Value] = texts.Content[k].Line
				}
			}
		}
	}
	return lines
}

// line is where field is in the file, or the end of the file when it is missing there.
func (f businessFile) line(field string) int {
	if l, ok := f.lines[field]; ok {
		return l
	}
	return f.lines[""]
}

package consent

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// messagesFile is the messages: section: per language tag, message names and their texts.
type messagesFile map[string]map[string]string

// messagesShape says, in the file's terms, what the messages: section holds.
const messagesShape = "messages: maps a language tag to message names and their texts, e.g.\n" +
	"  messages:\n    en-US:\n      sms.help: \"{business}: text {keywords} to join. Help: {help}\""

func (m *messagesFile) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s", n.Line, messagesShape)
	}
	out := messagesFile{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		tag, texts := n.Content[i], n.Content[i+1]
		if texts.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: messages.%s must map message names to texts (%s)", texts.Line, tag.Value, messagesShape)
		}
		out[tag.Value] = map[string]string{}
		for j := 0; j+1 < len(texts.Content); j += 2 {
			name, text := texts.Content[j], texts.Content[j+1]
			if text.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: messages.%s.%s must be one text in quotes", text.Line, tag.Value, name.Value)
			}
			out[tag.Value][name.Value] = text.Value
		}
	}
	*m = out
	return nil
}

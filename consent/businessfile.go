package consent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem in a business file, named by its field path and line.
type FieldError struct {
	Field string // e.g. categories[1].digit
	Line  int    // 1-based; 0 when the parser gives none
	Msg   string
}

func (e FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// FileErrors collects every problem found in a business file, so one run shows them all.
type FileErrors []FieldError

func (es FileErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return "business file: " + strings.Join(msgs, "; ")
}

// Unwrap lets errors.Is(err, ErrInvalid) match any business file error.
func (es FileErrors) Unwrap() error { return ErrInvalid }

type businessFile struct {
	ID               string         `yaml:"id"`
	Name             string         `yaml:"name"`
	Help             string         `yaml:"help"`
	Numbers          []lineString   `yaml:"numbers"`
	Language         string         `yaml:"language"`
	Region           string         `yaml:"region"`
	Revocation       revocationFile `yaml:"revocation"`
	USMarketingPause *bool          `yaml:"us_marketing_pause"`
	Categories       []categoryFile `yaml:"categories"`
	Messages         messagesFile   `yaml:"messages"`
	lines            map[string]int // line of each top-level field
}

type lineString struct {
	value string
	line  int
}

func (s *lineString) UnmarshalYAML(n *yaml.Node) error {
	s.line = n.Line
	return n.Decode(&s.value)
}

type categoryFile struct {
	Key              string `yaml:"key"`
	Label            string `yaml:"label"`
	Keyword          string `yaml:"keyword"`
	Digit            int    `yaml:"digit"`
	Frequency        string `yaml:"frequency"`
	TemplateCategory string `yaml:"template_category"`
	line             int
}

var categoryFields = map[string]bool{"key": true, "label": true, "keyword": true, "digit": true, "frequency": true,
	"template_category": true}

func (c *categoryFile) UnmarshalYAML(n *yaml.Node) error {
	c.line = n.Line
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a category must be a mapping with key, label, keyword, digit, frequency[, template_category]", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !categoryFields[k.Value] {
			return fmt.Errorf("line %d: field %s not found in category (allowed: key, label, keyword, digit, frequency, template_category)", k.Line, k.Value)
		}
	}
	type plain categoryFile
	return n.Decode((*plain)(c))
}

var (
	idRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	keyRe      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	keywordRe  = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)
	languageRe = regexp.MustCompile(`^[a-z]{2}(-[A-Z]{2})?$`)
	regionRe   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ParseBusinessFile reads a business file (YAML) and validates it. On any problem it returns
// FileErrors naming every field at fault, with lines where known, and no Business.
func ParseBusinessFile(r io.Reader) (Business, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Business{}, fmt.Errorf("read business file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f businessFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return Business{}, FileErrors{{Field: "file", Msg: "is empty"}}
		}
		return Business{}, FileErrors{{Field: "file", Msg: yamlMessage(err)}}
	}
	f.lines = topLevelLines(data)
	return f.validate()
}

// yamlTypes are the words a file's author knows for the kinds the YAML parser names.
var yamlTypes = strings.NewReplacer(
	"!!str", "text", "!!int", "a number", "!!float", "a number", "!!bool", "true or false",
	"!!seq", "a list", "!!map", "a mapping", "!!null", "nothing",
	"into int", "where a whole number belongs", "into string", "where text belongs",
	"into []consent.lineString", "where a list of numbers belongs",
	"into []consent.categoryFile", "where a list of categories belongs",
	"into consent.categoryFile", "where a category belongs",
	"into consent.lineString", "where a number belongs",
	"into bool", "where true or false belongs",
	"in type consent.businessFile", "(allowed: id, name, help, numbers, language, region, revocation, us_marketing_pause, categories, messages)",
	"cannot unmarshal", "found",
)

// yamlMessage makes the YAML parser's message read in terms of the file, not Go types.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return yamlTypes.Replace(msg)
}

func (f businessFile) validate() (Business, error) {
	var errs FileErrors
	bad := func(field string, line int, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	b := Business{
		ID: strings.TrimSpace(f.ID), Name: strings.TrimSpace(f.Name), Help: strings.TrimSpace(f.Help),
		Language: f.Language, Region: f.Region, Messages: f.Messages, USMarketingPause: f.USMarketingPause == nil || *f.USMarketingPause,
	}
	switch {
	case b.ID == "":
		bad("id", f.line("id"), "is required: lower-case letters, digits and hyphens, e.g. acme")
	case !idRe.MatchString(b.ID):
		bad("id", f.line("id"), "%q is not a valid id: use lower-case letters, digits and hyphens (up to 63), e.g. acme", b.ID)
	}
	if b.Name == "" {
		bad("name", f.line("name"), "is required: the business name spoken and written in every disclosure")
	}
	if b.Help == "" {
		bad("help", f.line("help"), "is required: how people reach the business, used in HELP replies")
	}
	if b.Language == "" {
		b.Language = "en-US"
	} else if !languageRe.MatchString(b.Language) {
		bad("language", f.line("language"), "%q is not a language tag such as en-US or es-US", b.Language)
	}
	b.Revocation, b.RevocationGlobalFrom = validateRevocation(f.Revocation, f.line("revocation"), bad)
	b.Numbers = validateNumbers(f.Numbers, f.line("numbers"), bad)
	if b.Region == "" {
		b.Region = defaultRegion(b)
	} else if !regionRe.MatchString(b.Region) {
		bad("region", f.line("region"), "%q is not a two-letter region such as US", b.Region)
	}
	b.Categories = validateCategories(f.Categories, f.line("categories"), bad)
	if len(errs) > 0 {
		return Business{}, errs
	}
	return b, nil
}

func validateNumbers(nums []lineString, line int, bad func(string, int, string, ...any)) []string {
	if len(nums) == 0 {
		bad("numbers", line, "at least one Twilio number (E.164 or a short code of 5 or 6 digits) is required")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(nums))
	for i, n := range nums {
		field := fmt.Sprintf("numbers[%d]", i)
		norm, err := NormalizeBusinessNumber(n.value)
		if err != nil {
			bad(field, n.line, "%q is neither a valid E.164 number (+15005550006) nor a short code of 5 or 6 digits", n.value)
			continue
		}
		if seen[norm] {
			bad(field, n.line, "%s is listed twice", norm)
			continue
		}
		seen[norm] = true
		out = append(out, norm)
	}
	return out
}

func validateCategories(cats []categoryFile, line int, bad func(string, int, string, ...any)) []Category {
	if len(cats) == 0 {
		bad("categories", line, "at least one category is required")
	}
	keys, keywords, digits := map[string]int{}, map[string]int{}, map[int]int{}
	out := make([]Category, 0, len(cats))
	for i, c := range cats {
		field := fmt.Sprintf("categories[%d]", i)
		cat := Category{Key: c.Key, Label: strings.TrimSpace(c.Label), Keyword: c.Keyword, Digit: c.Digit,
			Frequency: strings.TrimSpace(c.Frequency), Position: i, TemplateCategory: TemplateCategory(c.TemplateCategory)}
		if !keyRe.MatchString(c.Key) {
			bad(field+".key", c.line, "%q must be lower-case letters, digits and underscores, starting with a letter", c.Key)
		} else if j, dup := keys[c.Key]; dup {
			bad(field+".key", c.line, "%q is already used by categories[%d]", c.Key, j)
		} else {
			keys[c.Key] = i
		}
		if cat.Label == "" {
			bad(field+".label", c.line, "is required: how the category is named to people")
		}
		if cat.Frequency == "" {
			bad(field+".frequency", c.line, "is required: how often messages come, e.g. \"up to 4 messages a month\"")
		}
		if !keywordRe.MatchString(c.Keyword) {
			bad(field+".keyword", c.line, "%q must be 2–20 upper-case letters A–Z or digits, no spaces", c.Keyword)
		} else if j, dup := keywords[c.Keyword]; dup {
			bad(field+".keyword", c.line, "%q is already used by categories[%d]", c.Keyword, j)
		} else {
			keywords[c.Keyword] = i
		}
		if c.Digit < 1 || c.Digit > 8 {
			bad(field+".digit", c.line, "%d must be 1–8 (9 means all categories, 0 the stop menu)", c.Digit)
		} else if j, dup := digits[c.Digit]; dup {
			bad(field+".digit", c.line, "%d is already used by categories[%d]", c.Digit, j)
		} else {
			digits[c.Digit] = i
		}
		if cat.TemplateCategory == "" {
			cat.TemplateCategory = TemplateMarketing
		} else if !cat.TemplateCategory.Valid() {
			bad(field+".template_category", c.line, "%q must be marketing, utility or authentication (the WhatsApp template category)", c.TemplateCategory)
		}
		out = append(out, cat)
	}
	return out
}

// defaultRegion is the region of the business's first full number, else the language's, else US.
func defaultRegion(b Business) string {
	for _, n := range b.Numbers {
		if strings.HasPrefix(n, "+") {
			if r := RegionOf(n); r != "" && r != "ZZ" {
				return r
			}
		}
	}
	if i := strings.IndexByte(b.Language, '-'); i > 0 {
		return b.Language[i+1:]
	}
	return "US"
}

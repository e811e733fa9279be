package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/optin/optin/consent"
)

const businessUsage = `business apply -f FILE | business list

apply  validates a business file (YAML) and its disclosures, then creates or updates the
       business in one transaction; applying the same file again changes nothing.
list   prints every business with its numbers and categories.
`

func runBusiness(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		c.flags("business", businessUsage).Usage()
		return fmt.Errorf("%w: business needs a subcommand: apply or list", errUsage)
	}
	switch args[0] {
	case "apply":
		return runBusinessApply(ctx, c, args[1:])
	case "list":
		return runBusinessList(ctx, c, args[1:])
	case "-h", "--help", "help":
		c.flags("business", businessUsage).Usage()
		return nil
	}
	return fmt.Errorf("%w: unknown business subcommand %q (apply, list)", errUsage, args[0])
}

func runBusinessApply(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("business apply", "business apply -f FILE\n\nCreates or updates a business from its file.\n")
	file := fs.String("f", "", "business file (YAML); - reads standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("%w: -f FILE is required", errUsage)
	}
	b, lines, err := readBusinessFile(c, *file)
	if err != nil {
		return err
	}
	if problems := lintBusiness(b, lines); len(problems) > 0 {
		return fmt.Errorf("%s: disclosures fail the opt-in lint, nothing was written:\n  %s", *file, strings.Join(problems, "\n  "))
	}
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	changed, err := store.ApplyBusiness(ctx, b)
	if err != nil {
		if errors.Is(err, consent.ErrNumberTaken) {
			return fmt.Errorf("%s: %w; nothing was written", *file, err)
		}
		return fmt.Errorf("apply %s: %w", *file, err)
	}
	state := "unchanged"
	if changed {
		state = "applied"
	}
	fmt.Fprintf(c.stdout, "business %s %s (%d categories, %d numbers)\n", b.ID, state, len(b.Categories), len(b.Numbers))
	return nil
}

// readBusinessFile parses the business file at path (- for standard input) and maps its parts
// to their lines.
func readBusinessFile(c *cli, path string) (consent.Business, map[string]int, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(c.stdin, 1<<20))
		path = "standard input"
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return consent.Business{}, nil, fmt.Errorf("read business file: %w", err)
	}
	b, err := consent.ParseBusinessFile(bytes.NewReader(data))
	if err != nil {
		return b, nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, consent.BusinessFileLines(data), nil
}

func runBusinessList(ctx context.Context, c *cli, args []string) error {
	if err := parse(c.flags("business list", "business list\n\nPrints every business.\n"), args); err != nil {
		return err
	}
	store, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	bs, err := store.Businesses(ctx)
	if err != nil {
		return fmt.Errorf("list businesses: %w", err)
	}
	if len(bs) == 0 {
		fmt.Fprintln(c.stdout, "no businesses yet: optin business apply -f FILE")
	}
	for _, b := range bs {
		fmt.Fprintf(c.stdout, "%s\t%s\tnumbers: %s\tcategories: %s\trevocation: %s\ttemplates: %s\tus_marketing_pause: %t\n",
			b.ID, b.Name, strings.Join(b.Numbers, ","), strings.Join(b.CategoryKeys(), ","), revocationOf(b),
			templatesOf(b), b.USMarketingPause)
	}
	return nil
}

// revocationOf says how far an opt-out of b reaches, with the date it becomes global.
func revocationOf(b consent.Business) string {
	if b.Revocation != consent.RevocationGlobal && !b.RevocationGlobalFrom.IsZero() {
		return fmt.Sprintf("%s, global from %s", b.Revocation, b.RevocationGlobalFrom.UTC().Format(time.RFC3339))
	}
	return string(b.Revocation)
}

// templatesOf lists each category's WhatsApp template category: offers=marketing,….
func templatesOf(b consent.Business) string {
	out := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		out[i] = c.Key + "=" + string(c.TemplateCategory)
	}
	return strings.Join(out, ",")
}

package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/optin/optin/consent"
)

// businessRow is one business with its active categories (JSON, in menu order) and its
// numbers (sorted), read in one round trip: the business API loads it on every request.
type businessRow struct {
	ID         string         `db:"id"`
	Name       string         `db:"name"`
	Help       string         `db:"help"`
	Language   string         `db:"language"`
	Region     string         `db:"region"`
	Revocation string         `db:"revocation"`
	GlobalFrom sql.NullTime   `db:"revocation_global_from"`
	USPause    bool           `db:"us_marketing_pause"`
	Messages   []byte         `db:"messages"`
	Categories []byte         `db:"categories"`
	Numbers    pq.StringArray `db:"numbers"`
}

// businessesSQL selects the businesses with the given ids, or all when the list is NULL,
// each with its active categories and its numbers.
const businessesSQL = `
SELECT b.id, b.name, b.help, b.language, b.region, b.revocation, b.messages, b.revocation_global_from, b.us_marketing_pause,
	COALESCE((SELECT json_agg(json_build_object('key', c.key, 'label', c.label, 'keyword', c.keyword,
			'digit', c.digit, 'frequency', c.frequency, 'position', c.position, 'template_category', c.template_category)
			ORDER BY c.position, c.key)
		FROM categories c WHERE c.business_id = b.id AND c.active), CAST('[]' AS json)) AS categories,
	COALESCE((SELECT array_agg(n.number ORDER BY n.number)
		FROM business_numbers n WHERE n.business_id = b.id), CAST('{}' AS text[])) AS numbers
FROM businesses b
WHERE CAST($1 AS text[]) IS NULL OR b.id = ANY($1)
ORDER BY b.id`

// loadBusinesses reads the businesses with the given ids, or every business when ids is nil,
// each with its numbers and active categories.
func loadBusinesses(ctx context.Context, q sqlx.QueryerContext, ids []string) ([]consent.Business, error) {
	var rows []businessRow
	if err := sqlx.SelectContext(ctx, q, &rows, businessesSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("reading businesses: %w", err)
	}
	out := make([]consent.Business, len(rows))
	for i, r := range rows {
		b, err := r.business()
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r businessRow) business() (consent.Business, error) {
	b := consent.Business{ID: r.ID, Name: r.Name, Help: r.Help, Language: r.Language, Region: r.Region,
		Revocation: consent.Revocation(r.Revocation), USMarketingPause: r.USPause}
	if r.GlobalFrom.Valid {
		b.RevocationGlobalFrom = r.GlobalFrom.Time.UTC()
	}
	if err := json.Unmarshal(r.Messages, &b.Messages); err != nil {
		return b, fmt.Errorf("decoding messages of business %s: %w", r.ID, err)
	}
	if len(b.Messages) == 0 {
		b.Messages = nil
	}
	var cats []struct {
		Key, Label, Keyword, Frequency string
		Digit, Position                int
		TemplateCategory               string `json:"template_category"`
	}
	if err := json.Unmarshal(r.Categories, &cats); err != nil {
		return b, fmt.Errorf("decoding categories of business %s: %w", r.ID, err)
	}
	for _, c := range cats {
		b.Categories = append(b.Categories, consent.Category{Key: c.Key, Label: c.Label, Keyword: c.Keyword,
			Digit: c.Digit, Frequency: c.Frequency, Position: c.Position, TemplateCategory: consent.TemplateCategory(c.TemplateCategory)})
	}
	if len(r.Numbers) > 0 {
		b.Numbers = []string(r.Numbers)
	}
	return b, nil
}

// Businesses returns every business, ordered by id, with its numbers (sorted) and active
// categories (in menu order).
func (s *Store) Businesses(ctx context.Context) ([]consent.Business, error) {
	bs, err := loadBusinesses(ctx, s.db, nil)
	if err != nil {
		return nil, fmt.Errorf("listing businesses: %w", err)
	}
	return bs, nil
}

// Business returns one business with its numbers (sorted) and active categories (in menu
// order), or consent.ErrNotFound.
func (s *Store) Business(ctx context.Context, id string) (consent.Business, error) {
	bs, err := loadBusinesses(ctx, s.db, []string{id})
	if err != nil {
		return consent.Business{}, fmt.Errorf("reading business %s: %w", id, err)
	}
	if len(bs) == 0 {
		return consent.Business{}, fmt.Errorf("business %s: %w", id, consent.ErrNotFound)
	}
	return bs[0], nil
}

// businessOfNumberSQL finds the business a number reaches.
const businessOfNumberSQL = `SELECT business_id FROM business_numbers WHERE number = $1`

// BusinessByNumber returns the business that owns number (normalised by the caller: E.164
// or a short code), or consent.ErrNotFound.
func (s *Store) BusinessByNumber(ctx context.Context, number string) (consent.Business, error) {
	var id string
	err := s.db.GetContext(ctx, &id, businessOfNumberSQL, number)
	if errors.Is(err, sql.ErrNoRows) {
		return consent.Business{}, fmt.Errorf("business of number %s: %w", number, consent.ErrNotFound)
	}
	if err != nil {
		return consent.Business{}, fmt.Errorf("finding business of number %s: %w", number, err)
	}
	return s.Business(ctx, id)
}

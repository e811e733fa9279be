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

type businessRow struct {
	ID         string `db:"id"`
	Name       string `db:"name"`
	Help       string `db:"help"`
	Language   string `db:"language"`
	Region     string `db:"region"`
	Revocation string `db:"revocation"`
	Messages   []byte `db:"messages"`
}

type categoryRow struct {
	BusinessID string `db:"business_id"`
	Key        string `db:"key"`
	Label      string `db:"label"`
	Keyword    string `db:"keyword"`
	Digit      int    `db:"digit"`
	Frequency  string `db:"frequency"`
	Position   int    `db:"position"`
}

type numberRow struct {
	BusinessID string `db:"business_id"`
	Number     string `db:"number"`
}

// businessesSQL selects the businesses with the given ids, or all when the list is NULL.
const businessesSQL = `
SELECT id, name, help, language, region, revocation, messages FROM businesses
WHERE CAST($1 AS text[]) IS NULL OR id = ANY($1)
ORDER BY id`

// activeCategoriesSQL selects the active categories of the same businesses, in menu order.
const activeCategoriesSQL = `
SELECT business_id, key, label, keyword, digit, frequency, position FROM categories
WHERE active AND (CAST($1 AS text[]) IS NULL OR business_id = ANY($1))
ORDER BY business_id, position, key`

// numbersSQL selects the numbers of the same businesses.
const numbersSQL = `
SELECT business_id, number FROM business_numbers
WHERE CAST($1 AS text[]) IS NULL OR business_id = ANY($1)
ORDER BY business_id, number`

// loadBusinesses reads the businesses with the given ids, or every business when ids is nil,
// each with its numbers and active categories.
func loadBusinesses(ctx context.Context, q sqlx.QueryerContext, ids []string) ([]consent.Business, error) {
	var rows []businessRow
	if err := sqlx.SelectContext(ctx, q, &rows, businessesSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("reading businesses: %w", err)
	}
	var cats []categoryRow
	if err := sqlx.SelectContext(ctx, q, &cats, activeCategoriesSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("reading categories: %w", err)
	}
	var numbers []numberRow
	if err := sqlx.SelectContext(ctx, q, &numbers, numbersSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("reading business numbers: %w", err)
	}
	out := make([]consent.Business, len(rows))
	index := make(map[string]*consent.Business, len(rows))
	for i, r := range rows {
		b := consent.Business{ID: r.ID, Name: r.Name, Help: r.Help, Language: r.Language, Region: r.Region,
			Revocation: consent.Revocation(r.Revocation)}
		if err := json.Unmarshal(r.Messages, &b.Messages); err != nil {
			return nil, fmt.Errorf("decoding messages of business %s: %w", r.ID, err)
		}
		if len(b.Messages) == 0 {
			b.Messages = nil
		}
		out[i] = b
		index[r.ID] = &out[i]
	}
	for _, c := range cats {
		if b := index[c.BusinessID]; b != nil {
			b.Categories = append(b.Categories, consent.Category{Key: c.Key, Label: c.Label, Keyword: c.Keyword,
				Digit: c.Digit, Frequency: c.Frequency, Position: c.Position})
		}
	}
	for _, n := range numbers {
		if b := index[n.BusinessID]; b != nil {
			b.Numbers = append(b.Numbers, n.Number)
		}
	}
	return out, nil
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

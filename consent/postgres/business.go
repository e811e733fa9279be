package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

// ApplyBusiness creates or updates a business, its numbers and categories in one
// transaction, and reports whether anything differed. Applying the same business twice
// writes no row the second time. A category missing from b is deactivated, never deleted,
// so its history stays; a number owned by another business fails with consent.ErrNumberTaken
// and nothing is written.
func (s *Store) ApplyBusiness(ctx context.Context, b consent.Business) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		steps := []func(context.Context, *sqlx.Tx, consent.Business) (bool, error){
			upsertBusiness, claimNumbers, releaseNumbers, upsertCategories, deactivateCategories, checkCategories,
		}
		for _, step := range steps {
			c, err := step(ctx, tx, b)
			if err != nil {
				return err
			}
			changed = changed || c
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("applying business %s: %w", b.ID, err)
	}
	return changed, nil
}

// upsertBusinessSQL writes the business row only when a field differs.
const upsertBusinessSQL = `
INSERT INTO businesses (id, name, help, language, region, revocation, messages, revocation_global_from, us_marketing_pause)
VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS jsonb), $8, $9)
ON CONFLICT (id) DO UPDATE SET
	name = EXCLUDED.name, help = EXCLUDED.help, language = EXCLUDED.language, region = EXCLUDED.region,
	revocation = EXCLUDED.revocation, messages = EXCLUDED.messages, revocation_global_from = EXCLUDED.revocation_global_from,
	us_marketing_pause = EXCLUDED.us_marketing_pause, updated_at = now()
WHERE (businesses.name, businesses.help, businesses.language, businesses.region, businesses.revocation, businesses.messages,
		businesses.revocation_global_from, businesses.us_marketing_pause)
	IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.help, EXCLUDED.language, EXCLUDED.region, EXCLUDED.revocation, EXCLUDED.messages,
		EXCLUDED.revocation_global_from, EXCLUDED.us_marketing_pause)`

func upsertBusiness(ctx context.Context, tx *sqlx.Tx, b consent.Business) (bool, error) {
	messages := []byte("{}")
	if len(b.Messages) > 0 {
		var err error
		if messages, err = json.Marshal(b.Messages); err != nil {
			return false, fmt.Errorf("encoding messages: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, upsertBusinessSQL,
		b.ID, b.Name, b.Help, b.Language, b.Region, string(b.Revocation), string(messages),
		nullTime(b.RevocationGlobalFrom), b.USMarketingPause)
	if err != nil {
		if code := pqCode(err); code == pqerror.CheckViolation {
			return false, fmt.Errorf("writing business: %w: %v", consent.ErrInvalid, err)
		}
		return false, fmt.Errorf("writing business: %w", err)
	}
	return affected(res)
}

// claimNumberSQL takes a number for the business unless some business already has it.
const claimNumberSQL = `
INSERT INTO business_numbers (number, business_id) VALUES ($1, $2)
ON CONFLICT (number) DO NOTHING`

// numberOwnerSQL names the business that has a number.
const numberOwnerSQL = `SELECT business_id FROM business_numbers WHERE number = $1`

func claimNumbers(ctx context.Context, tx *sqlx.Tx, b consent.Business) (bool, error) {
	changed := false
	for _, number := range b.Numbers {
		res, err := tx.ExecContext(ctx, claimNumberSQL, number, b.ID)
		if err != nil {
			if pqCode(err) == pqerror.CheckViolation {
				return false, fmt.Errorf("claiming number %s: %w: neither E.164 nor a short code", number, consent.ErrInvalid)
			}
			return false, fmt.Errorf("claiming number %s: %w", number, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			changed = true
			continue
		}
		var owner string
		if err := tx.GetContext(ctx, &owner, numberOwnerSQL, number); err != nil {
			return false, fmt.Errorf("finding the owner of number %s: %w", number, err)
		}
		if owner != b.ID {
			return false, fmt.Errorf("number %s belongs to business %s: %w", number, owner, consent.ErrNumberTaken)
		}
	}
	return changed, nil
}

// releaseNumbersSQL drops the numbers a business no longer lists.
const releaseNumbersSQL = `
DELETE FROM business_numbers WHERE business_id = $1 AND NOT (number = ANY($2))`

func releaseNumbers(ctx context.Context, tx *sqlx.Tx, b consent.Business) (bool, error) {
	res, err := tx.ExecContext(ctx, releaseNumbersSQL, b.ID, pq.Array(nonNil(b.Numbers)))
	if err != nil {
		return false, fmt.Errorf("releasing numbers: %w", err)
	}
	return affected(res)
}

// upsertCategorySQL writes a category only when a field differs; position is the menu order.
const upsertCategorySQL = `
INSERT INTO categories (business_id, key, label, keyword, digit, frequency, position, active, template_category)
VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8)
ON CONFLICT (business_id, key) DO UPDATE SET
	label = EXCLUDED.label, keyword = EXCLUDED.keyword, digit = EXCLUDED.digit, frequency = EXCLUDED.frequency,
	position = EXCLUDED.position, active = true, template_category = EXCLUDED.template_category, updated_at = now()
WHERE (categories.label, categories.keyword, categories.digit, categories.frequency, categories.position, categories.active,
		categories.template_category)
	IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.keyword, EXCLUDED.digit, EXCLUDED.frequency, EXCLUDED.position, true,
		EXCLUDED.template_category)`

func upsertCategories(ctx context.Context, tx *sqlx.Tx, b consent.Business) (bool, error) {
	changed := false
	for i, c := range b.Categories {
		res, err := tx.ExecContext(ctx, upsertCategorySQL, b.ID, c.Key, c.Label, c.Keyword, c.Digit, c.Frequency, i,
			string(templateCategory(c.TemplateCategory)))
		if err != nil {
			if pqCode(err) == pqerror.CheckViolation {
				return false, fmt.Errorf("writing category %s: %w: %v", c.Key, consent.ErrInvalid, err)
			}
			return false, fmt.Errorf("writing category %s: %w", c.Key, err)
		}
		n, err := affected(res)
		if err != nil {
			return false, err
		}
		changed = changed || n
	}
	return changed, nil
}

// deactivateCategoriesSQL deactivates the categories a business no longer lists.
const deactivateCategoriesSQL = `
UPDATE categories SET active = false, updated_at = now()
WHERE business_id = $1 AND active AND NOT (key = ANY($2))`

func deactivateCategories(ctx context.Context, tx *sqlx.Tx, b consent.Business) (bool, error) {
	res, err := tx.ExecContext(ctx, deactivateCategoriesSQL, b.ID, pq.Array(nonNil(b.CategoryKeys())))
	if err != nil {
		return false, fmt.Errorf("deactivating categories: %w", err)
	}
	return affected(res)
}

// checkCategories checks the deferred keyword and digit constraints, which let categories
// swap keywords or digits within the transaction, to report a clash here rather than at commit.
func checkCategories(ctx context.Context, tx *sqlx.Tx, _ consent.Business) (bool, error) {
	if _, err := tx.ExecContext(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
		if pqCode(err) == pqerror.ExclusionViolation {
			return false, fmt.Errorf("two active categories share a keyword or digit: %w: %v", consent.ErrInvalid, err)
		}
		return false, fmt.Errorf("checking categories: %w", err)
	}
	return false, nil
}

func affected(res interface{ RowsAffected() (int64, error) }) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("counting rows written: %w", err)
	}
	return n > 0, nil
}

// nonNil makes a nil slice an empty one, which pq sends as an empty array, not NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t, Valid: !t.IsZero()}
}

// templateCategory is the category's template category, marketing when a Business built in
// code leaves it empty, as a business file does.
func templateCategory(t consent.TemplateCategory) consent.TemplateCategory {
	if t == "" {
		return consent.TemplateMarketing
	}
	return t
}

package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq/pqerror"

	"github.com/optin/optin/consent"
)

const (
	apiKeyPrefix    = "optin_" // marks a string as an optin API key, e.g. for secret scanners
	apiKeyBytes     = 20       // 160 random bits, written as 40 hex characters
	apiKeyShownPart = 12       // characters of a key safe to show: the prefix and 6 hex digits
)

type apiKeyRow struct {
	ID         int64      `db:"id"`
	BusinessID string     `db:"business_id"`
	Name       string     `db:"name"`
	Prefix     string     `db:"prefix"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

func (r apiKeyRow) key() consent.APIKey {
	return consent.APIKey{ID: r.ID, BusinessID: r.BusinessID, Name: r.Name, Prefix: r.Prefix,
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func hashAPIKey(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// createAPIKeySQL stores a new key by its hash.
const createAPIKeySQL = `
INSERT INTO api_keys (business_id, name, prefix, sha256) VALUES ($1, $2, $3, $4)
RETURNING id, business_id, name, prefix, created_at, last_used_at, revoked_at`

// CreateAPIKey creates a key for a business and returns its plaintext, which is never
// stored and cannot be shown again, with the key's description. An unknown business fails
// with consent.ErrNotFound.
func (s *Store) CreateAPIKey(ctx context.Context, businessID, name string) (plaintext string, key consent.APIKey, err error) {
	secret := make([]byte, apiKeyBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", key, fmt.Errorf("creating api key: %w", err)
	}
	plaintext = apiKeyPrefix + hex.EncodeToString(secret)
	var row apiKeyRow
	err = s.db.GetContext(ctx, &row, createAPIKeySQL, businessID, name, plaintext[:apiKeyShownPart], hashAPIKey(plaintext))
	if pqCode(err) == pqerror.ForeignKeyViolation {
		return "", key, fmt.Errorf("creating api key: business %s: %w", businessID, consent.ErrNotFound)
	}
	if err != nil {
		return "", key, fmt.Errorf("creating api key: %w", err)
	}
	return plaintext, row.key(), nil
}

// apiKeyByHashSQL finds a key by the hash of its plaintext.
const apiKeyByHashSQL = `
SELECT id, business_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE sha256 = $1`

// VerifyAPIKey returns the key whose plaintext is given: consent.ErrNotFound when there is
// none, consent.ErrRevokedKey when it was revoked. The lookup is by SHA-256, so the time it
// takes tells nothing about how close a guess was.
func (s *Store) VerifyAPIKey(ctx context.Context, plaintext string) (consent.APIKey, error) {
	var row apiKeyRow
	err := s.db.GetContext(ctx, &row, apiKeyByHashSQL, hashAPIKey(plaintext))
	if errors.Is(err, sql.ErrNoRows) {
		return consent.APIKey{}, fmt.Errorf("verifying api key: %w", consent.ErrNotFound)
	}
	if err != nil {
		return consent.APIKey{}, fmt.Errorf("verifying api key: %w", err)
	}
	if row.RevokedAt != nil {
		return row.key(), fmt.Errorf("verifying api key %d: %w", row.ID, consent.ErrRevokedKey)
	}
	return row.key(), nil
}

// touchAPIKeySQL notes a key's use, at most once a minute, to spare writes on busy keys.
const touchAPIKeySQL = `
UPDATE api_keys SET last_used_at = $2
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < CAST($2 AS timestamptz) - interval '1 minute')`

// TouchAPIKey records that a key was used at now, unless it was recorded less than a minute
// before.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, touchAPIKeySQL, id, now); err != nil {
		return fmt.Errorf("touching api key %d: %w", id, err)
	}
	return nil
}

// revokeAPIKeySQL revokes a key, keeping the first revocation time; it returns the key's id
// whether or not it was revoked before.
const revokeAPIKeySQL = `
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id`

// RevokeAPIKey revokes a key for good; revoking it again changes nothing. An unknown id fails
// with consent.ErrNotFound.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64) error {
	err := s.db.GetContext(ctx, &id, revokeAPIKeySQL, id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("revoking api key %d: %w", id, consent.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("revoking api key %d: %w", id, err)
	}
	return nil
}

// apiKeysSQL lists a business's keys, oldest first.
const apiKeysSQL = `
SELECT id, business_id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys
WHERE business_id = $1 ORDER BY id`

// APIKeys lists a business's keys, revoked ones included, oldest first.
func (s *Store) APIKeys(ctx context.Context, businessID string) ([]consent.APIKey, error) {
	var rows []apiKeyRow
	if err := s.db.SelectContext(ctx, &rows, apiKeysSQL, businessID); err != nil {
		return nil, fmt.Errorf("listing api keys: %w", err)
	}
	out := make([]consent.APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, nil
}

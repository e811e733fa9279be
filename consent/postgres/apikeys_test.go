package postgres_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
)

func TestAPIKeyCreateVerifyTouchRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	plaintext, key, err := s.CreateAPIKey(ctx, "acme", "crm sync")
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^optin_[0-9a-f]{40}$`), plaintext)
	require.Equal(t, plaintext[:12], key.Prefix)
	require.Equal(t, "acme", key.BusinessID)
	require.Equal(t, "crm sync", key.Name)
	require.Nil(t, key.LastUsedAt)

	var stored int
	require.NoError(t, s.DB().GetContext(ctx, &stored,
		`SELECT count(*) FROM api_keys a WHERE strpos(CAST(row_to_json(a) AS text), $1) > 0`, plaintext))
	require.Zero(t, stored, "the plaintext is not stored")

	verified, err := s.VerifyAPIKey(ctx, plaintext)
	require.NoError(t, err)
	require.Equal(t, key, verified)

	_, err = s.VerifyAPIKey(ctx, plaintext[:len(plaintext)-1]+"x")
	require.ErrorIs(t, err, consent.ErrNotFound)

	used := time.Date(2025, 3, 14, 16, 0, 0, 0, time.UTC)
	require.NoError(t, s.TouchAPIKey(ctx, key.ID, used))
	require.NoError(t, s.TouchAPIKey(ctx, key.ID, used.Add(30*time.Second)))
	verified, err = s.VerifyAPIKey(ctx, plaintext)
	require.NoError(t, err)
	require.True(t, used.Equal(*verified.LastUsedAt), "a second use within a minute writes nothing")
	require.NoError(t, s.TouchAPIKey(ctx, key.ID, used.Add(2*time.Minute)))
	verified, err = s.VerifyAPIKey(ctx, plaintext)
	require.NoError(t, err)
	require.True(t, used.Add(2*time.Minute).Equal(*verified.LastUsedAt))

	require.NoError(t, s.RevokeAPIKey(ctx, key.ID))
	require.NoError(t, s.RevokeAPIKey(ctx, key.ID), "revoking twice")
	_, err = s.VerifyAPIKey(ctx, plaintext)
	require.ErrorIs(t, err, consent.ErrRevokedKey)

	keys, err := s.APIKeys(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NotNil(t, keys[0].RevokedAt)
}

func TestEveryAPIKeyIsDifferent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	first, _, err := s.CreateAPIKey(ctx, "acme", "")
	require.NoError(t, err)
	second, _, err := s.CreateAPIKey(ctx, "acme", "")
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	keys, err := s.APIKeys(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, keys, 2)
}

func TestAPIKeyOfAnUnknownBusinessOrIDIsNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := storeWithAcme(t)
	_, _, err := s.CreateAPIKey(ctx, "nobody", "")
	require.ErrorIs(t, err, consent.ErrNotFound)
	require.ErrorIs(t, s.RevokeAPIKey(ctx, 4242), consent.ErrNotFound)
}

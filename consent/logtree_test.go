package consent_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/optin/optin/consent"
)

// rfc6962Root is the Merkle Tree Hash of RFC 6962 §2.1, written out from the RFC and sharing
// nothing with tlog: MTH({}) = SHA-256(), MTH({d}) = SHA-256(0x00 ‖ d), and for n > 1, with k
// the largest power of two below n, SHA-256(0x01 ‖ MTH(d[0:k]) ‖ MTH(d[k:n])).
func rfc6962Root(records [][]byte) [32]byte {
	switch n := len(records); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0x00}, records[0]...))
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		left, right := rfc6962Root(records[:k]), rfc6962Root(records[k:])
		node := append([]byte{0x01}, left[:]...)
		return sha256.Sum256(append(node, right[:]...))
	}
}

// loggedEvents returns n distinct events of one business with their canonical records.
func loggedEvents(n int) [][]byte {
	records := make([][]byte, n)
	for i := range records {
		e := loggedOptIn()
		e.ID = int64(100 + i)
		e.Input = fmt.Sprint("yes ", i)
		records[i] = consent.CanonicalLogRecord(e, int64(i), consent.SubjectDigest(logSalt(), e))
	}
	return records
}

func TestLogRootAgreesWithAnIndependentRFC6962Tree(t *testing.T) {
	all := loggedEvents(33)
	for n := 0; n <= len(all); n++ {
		records := all[:n]
		leaves := make([]tlog.Hash, n)
		for i, r := range records {
			leaves[i] = consent.LeafHash(r)
			require.Equal(t, sha256.Sum256(append([]byte{0x00}, r...)), [32]byte(leaves[i]), "leaf %d", i)
		}
		root, err := consent.LogRoot(leaves)
		require.NoError(t, err, "n=%d", n)
		assert.Equal(t, rfc6962Root(records), [32]byte(root), "n=%d", n)
	}
}

func TestLogHashesProveEachEventAndTheLogsGrowth(t *testing.T) {
	records := loggedEvents(21)
	leaves := make([]tlog.Hash, len(records))
	for i, r := range records {
		leaves[i] = consent.LeafHash(r)
	}
	hashes, err := consent.NewLogHashes(leaves)
	require.NoError(t, err)
	assert.Len(t, hashes, int(tlog.StoredHashCount(int64(len(leaves)))))
	size := int64(len(leaves))
	root, err := tlog.TreeHash(size, hashes)
	require.NoError(t, err)

	for i, leaf := range leaves {
		proof, err := tlog.ProveRecord(size, int64(i), hashes)
		require.NoError(t, err, "leaf %d", i)
		assert.NoError(t, tlog.CheckRecord(proof, size, root, int64(i), leaf), "leaf %d", i)
	}
	oldRoot, err := tlog.TreeHash(13, hashes)
	require.NoError(t, err)
	proof, err := tlog.ProveTree(size, 13, hashes)
	require.NoError(t, err)
	assert.NoError(t, tlog.CheckTree(proof, size, root, 13, oldRoot))
}

func TestLogHashesRefuseAnIndexTheyDoNotHold(t *testing.T) {
	hashes, err := consent.NewLogHashes([]tlog.Hash{consent.LeafHash([]byte("a"))})
	require.NoError(t, err)
	_, err = hashes.ReadHashes([]int64{0, 1})
	assert.ErrorIs(t, err, consent.ErrNotFound)
}

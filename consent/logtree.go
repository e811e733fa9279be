package consent

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// LogHashes holds the stored hashes of a Merkle log in memory, by tlog's stored hash index:
// every leaf hash and every completed subtree's hash. It is the tlog.HashReader of a log
// rebuilt from its leaves, to compare with the hashes the ledger keeps and to prove from.
type LogHashes []tlog.Hash

// NewLogHashes returns the stored hashes of the log whose leaf hashes are leaves, in order.
func NewLogHashes(leaves []tlog.Hash) (LogHashes, error) {
	hashes := make(LogHashes, 0, tlog.StoredHashCount(int64(len(leaves))))
	for i, leaf := range leaves {
		more, err := tlog.StoredHashesForRecordHash(int64(i), leaf, hashes)
		if err != nil {
			return nil, fmt.Errorf("storing the hashes of leaf %d: %w", i, err)
		}
		hashes = append(hashes, more...)
	}
	return hashes, nil
}

// ReadHashes returns the hashes at the given stored hash indexes.
func (h LogHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("reading stored hash %d of %d: %w", x, len(h), ErrNotFound)
		}
		out[i] = h[x]
	}
	return out, nil
}

// LogRoot returns the RFC 6962 tree hash of the log whose leaf hashes are leaves, in order;
// the empty log's root is SHA-256 of nothing.
func LogRoot(leaves []tlog.Hash) (tlog.Hash, error) {
	hashes, err := NewLogHashes(leaves)
	if err != nil {
		return tlog.Hash{}, err
	}
	root, err := tlog.TreeHash(int64(len(leaves)), hashes)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("hashing a log of %d leaves: %w", len(leaves), err)
	}
	return root, nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/fixtures"
)

// trafficBusinesses is how many businesses the spread scenarios send to: the demo business,
// which is also the hot one, and copies of it.
const trafficBusinesses = 10

// Ids of the businesses only the benchmark's own SQL writes to.
const (
	bigBusinessID    = "bench-big"    // the large consent table behind lists, lookups and exports
	directBusinessID = "bench-direct" // the rows of the direct_txn and pgbench_txn baselines
)

// businesses are the businesses of a run, all derived from the demo business file.
type businesses struct {
	traffic []consent.Business // [0] is the demo business itself, the hot one
	big     consent.Business
	direct  consent.Business
}

// hot is the business the single-business scenarios send to.
func (bs businesses) hot() consent.Business { return bs.traffic[0] }

// all lists every business of the run.
func (bs businesses) all() []consent.Business {
	return append(slices.Clone(bs.traffic), bs.big, bs.direct)
}

// deriveBusinesses makes the demo business and copies of it that differ only in id and number.
// The copies' numbers are in the 555-01xx range kept for fiction, as the demo's are.
func deriveBusinesses() (businesses, error) {
	demo, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	if err != nil {
		return businesses{}, fmt.Errorf("read the demo business: %w", err)
	}
	copyOf := func(id string, n int) consent.Business {
		b := demo
		b.ID = id
		b.Numbers = []string{fmt.Sprintf("+1415555%04d", 110+n)}
		b.Categories = slices.Clone(demo.Categories)
		return b
	}
	bs := businesses{traffic: []consent.Business{demo}}
	for n := 1; n < trafficBusinesses; n++ {
		bs.traffic = append(bs.traffic, copyOf(fmt.Sprintf("bench-%02d", n), n))
	}
	bs.big = copyOf(bigBusinessID, trafficBusinesses)
	bs.direct = copyOf(directBusinessID, trafficBusinesses+1)
	return bs, nil
}

// applyBusinesses stores every business through the store, as `optin business apply` does.
func applyBusinesses(ctx context.Context, store *postgres.Store, bs businesses) error {
	for _, b := range bs.all() {
		if _, err := store.ApplyBusiness(ctx, b); err != nil {
			return fmt.Errorf("apply business %s: %w", b.ID, err)
		}
	}
	return nil
}

// categoryKeys returns the business's category keys in the order lists walk them.
func categoryKeys(b consent.Business) []string {
	keys := b.CategoryKeys()
	slices.Sort(keys)
	return keys
}

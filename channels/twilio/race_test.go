package twilio

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent"
	"github.com/optin/optin/consent/postgres"
	"github.com/optin/optin/consent/postgres/pgtest"
	"github.com/optin/optin/fixtures"
)

// replicas are two services over one database, each with its own store and pool, on the
// real clock: what two replicas behind a load balancer are.
type replicas struct {
	t       *testing.T
	store   *postgres.Store
	routers [2]*gin.Engine
}

func newReplicas(t *testing.T) *replicas {
	t.Helper()
	url := pgtest.NewURL(t)
	r := &replicas{t: t, store: postgres.NewStore(openDB(t, url))}
	b, err := consent.ParseBusinessFile(bytes.NewReader(fixtures.DemoBusiness))
	require.NoError(t, err)
	_, err = r.store.ApplyBusiness(context.Background(), b)
	require.NoError(t, err)
	for i := range r.routers {
		// Each replica opens its own pool, as another process would.
		other := postgres.NewStore(openDB(t, url))
		r.routers[i] = newTestRouter(NewHandler(Config{PublicURL: testPublicURL, AuthToken: testToken}, other, nil))
	}
	return r
}

func openDB(t *testing.T, url string) *sqlx.DB {
	db, err := sqlx.Open("postgres", url)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// sms sends a signed message from phone to replica i and returns the reply, "" for none.
func (r *replicas) sms(i int, sid, phone, body string) string {
	form := with(fixture(r.t, "sms-keyword"), "MessageSid", sid, "SmsSid", sid, "SmsMessageSid", sid, "From", phone, "Body", body)
	res := serve(r.routers[i], webhook{path: "/twilio/sms", form: form}.signed())
	if res.Code != http.StatusOK {
		r.t.Errorf("%s from %s answered %d: %s", body, phone, res.Code, res.Body.String())
		return ""
	}
	return replyOfBody(r.t, res.Body.String())
}

func replyOfBody(t *testing.T, body string) string {
	n := parseTwiML(t, body)
	if len(n.Children) == 0 {
		return ""
	}
	return n.Children[0].Text
}

// together runs each fn at the same moment and waits for all.
func together(fns ...func()) {
	var start, done sync.WaitGroup
	start.Add(1)
	for _, fn := range fns {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			fn()
		}()
	}
	start.Done()
	done.Wait()
}

func TestTwoStopsSentTogetherGetOneConfirmationAndOneSetOfOptOuts(t *testing.T) {
	r := newReplicas(t)
	for try := range 20 {
		phone := fmt.Sprintf("+1415555%04d", 3000+try)
		replies := make([]string, 2)
		together(
			func() { replies[0] = r.sms(0, fmt.Sprintf("SMstopA%030d", try), phone, "STOP") },
			func() { replies[1] = r.sms(try%2, fmt.Sprintf("SMstopB%030d", try), phone, "STOP") },
		)
		confirmations := 0
		for _, reply := range replies {
			if reply != "" {
				confirmations++
			}
		}
		events, err := r.store.Evidence(context.Background(), "acme", phone)
		require.NoError(t, err)
		assert.Equal(t, 1, confirmations, "try %d: one confirmation between two STOPs: %q", try, replies)
		assert.Len(t, events, 3, "try %d: one opt-out per category, not two", try)
	}
}

func TestYesAndStopRacingEndInTheStateTheLedgersLastEventSays(t *testing.T) {
	r := newReplicas(t)
	for try := range 40 {
		phone := fmt.Sprintf("+1415556%04d", 3000+try)
		require.Contains(t, r.sms(0, fmt.Sprintf("SMoffers%029d", try), phone, "OFFERS"), "YES")
		together(
			func() { r.sms(0, fmt.Sprintf("SMyes%032d", try), phone, "YES") },
			func() { r.sms(try%2, fmt.Sprintf("SMstop%031d", try), phone, "STOP") },
		)
		assertStateIsTheLastEvent(t, r.store, phone, try)
		// Whichever came first, STOP wins: a YES after it finds nothing pending.
		consents, err := r.store.ConsentsOf(context.Background(), "acme", phone)
		require.NoError(t, err)
		for _, c := range consents {
			assert.Equal(t, consent.StatusOptedOut, c.Status, "try %d: %s stays opted in after STOP", try, c.Category)
		}
	}
}

// assertStateIsTheLastEvent checks the consents invariant for one phone: for every category
// the current state is the ledger's last event in id order, which is also the latest in time.
func assertStateIsTheLastEvent(t *testing.T, s *postgres.Store, phone string, try int) {
	t.Helper()
	ctx := context.Background()
	events, err := s.Evidence(ctx, "acme", phone)
	require.NoError(t, err)
	slices.SortFunc(events, func(a, b consent.Event) int { return cmp.Compare(a.ID, b.ID) })
	last := map[string]consent.Event{}
	for _, e := range events { // id order
		if prev, ok := last[e.Category]; ok {
			assert.False(t, e.OccurredAt.Before(prev.OccurredAt), "try %d: event %d occurred before event %d", try, e.ID, prev.ID)
		}
		last[e.Category] = e
	}
	consents, err := s.ConsentsOf(ctx, "acme", phone)
	require.NoError(t, err)
	require.Len(t, consents, len(last), "try %d", try)
	for _, c := range consents {
		want := last[c.Category]
		assert.Equal(t, want.Action.Status(), c.Status, "try %d, %s: the state is not the ledger's last event", try, c.Category)
		assert.Equal(t, want.ID, c.EventID, "try %d, %s", try, c.Category)
	}
}

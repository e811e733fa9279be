package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/optin/optin/consent/spool"
)

// fakeDatabase answers readiness as told; hang makes it stop answering, as a frozen server.
type fakeDatabase struct {
	ping    error
	current bool
	hang    chan struct{}
}

func (f fakeDatabase) Ping(context.Context) error {
	if f.hang != nil {
		<-f.hang
	}
	return f.ping
}

func (f fakeDatabase) SchemaCurrent(context.Context) (bool, error) { return f.current, nil }

func TestReadiness(t *testing.T) {
	gin.SetMode(gin.TestMode)
	hang := make(chan struct{})
	defer close(hang)
	sp, err := spool.Open(t.TempDir(), nil)
	require.NoError(t, err)
	defer sp.Close()
	_, err = sp.Append(spool.Entry{Kind: spool.KindEvents, BusinessID: "acme", Phone: "+14155550101", Received: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	degraded := `"status":"degraded","database":"unreachable"`
	tests := []struct {
		name   string
		db     fakeDatabase
		status int
		reason string
	}{
		{"a database that answers with the current schema is ready", fakeDatabase{current: true}, 200, `"status":"ready"`},
		{"a database that refuses is unreachable: degraded, opt-outs spooled", fakeDatabase{ping: errors.New("connection refused")}, 503, degraded},
		{"a database behind on migrations is not ready", fakeDatabase{current: false}, 503, "database schema not current"},
		{"a database that hangs is unreachable, answered without waiting for it", fakeDatabase{hang: hang}, 503, degraded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := gin.New()
			e.GET("/readyz", readyz(tt.db, sp))
			answered := make(chan *httptest.ResponseRecorder, 1)
			go func() {
				w := httptest.NewRecorder()
				e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
				answered <- w
			}()
			select {
			case w := <-answered:
				assert.Equal(t, tt.status, w.Code)
				assert.Contains(t, w.Body.String(), tt.reason)
				var body struct {
					Spool struct {
						Depth            int     `json:"depth"`
						OldestAgeSeconds float64 `json:"oldest_age_seconds"`
					} `json:"spool"`
				}
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
				assert.Equal(t, 1, body.Spool.Depth, "the spool's depth is shown")
				assert.GreaterOrEqual(t, body.Spool.OldestAgeSeconds, 60.0, "and the age of its oldest entry")
			case <-time.After(3 * readinessTimeout):
				require.Fail(t, "/readyz waited for the database past its deadline")
			}
		})
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/optin/optin/channels/twilio"
)

// scenarios lists what is measured, baselines first.
func scenarios(e *env) []scenario {
	return []scenario{
		{name: "baseline_http", op: func(ctx context.Context, _, _ int) error {
			return e.get(ctx, "/healthz", "")
		}},
		{name: "baseline_db_txn", op: func(ctx context.Context, w, i int) error {
			return e.floorTxn(ctx, phone(0, w, i))
		}},
		{name: "voice_menu", baseline: "baseline_http", op: func(ctx context.Context, w, i int) error {
			return e.twilioPost(ctx, "/twilio/voice", url.Values{
				"CallSid": {sid("CA", 1, w, i)}, "AccountSid": {"AC0"}, "From": {phone(1, w, i)},
				"To": {e.business.Numbers[0]}, "CallStatus": {"ringing"}, "Direction": {"inbound"},
			})
		}},
		{name: "sms_help", baseline: "baseline_db_txn", op: func(ctx context.Context, w, i int) error {
			return e.sms(ctx, sid("SM", 2, w, i), phone(2, w, i), "HELP")
		}},
		{name: "sms_keyword_then_yes", baseline: "baseline_db_txn", op: func(ctx context.Context, w, i int) error {
			body := "OFFERS"
			if i%2 == 1 {
				body = "YES"
			}
			return e.sms(ctx, sid("SM", 3, w, i), phone(3, w, i/2), body)
		}},
		{name: "sms_stop", baseline: "baseline_db_txn", op: func(ctx context.Context, w, i int) error {
			return e.sms(ctx, sid("SM", 4, w, i), phone(4, w, i), "STOP")
		}},
		{name: "api_lookup", baseline: "baseline_http", op: func(ctx context.Context, w, i int) error {
			return e.get(ctx, "/v1/consents/"+url.PathEscape(phone(3, w, i/2)), e.apiKey)
		}},
		{name: "api_list_100", baseline: "baseline_http", op: func(ctx context.Context, _, _ int) error {
			return e.get(ctx, "/v1/consents?limit=100", e.apiKey)
		}},
	}
}

// phone makes a distinct valid US number per scenario, worker and request.
func phone(scenario, w, i int) string {
	areas := []string{"415", "628", "650", "510", "925"}
	return fmt.Sprintf("+1%s%07d", areas[scenario%len(areas)], 2000000+(w*30000+i%30000)%8000000)
}

// sid makes a provider id unique per scenario, worker and request within one run.
func sid(prefix string, scenario, w, i int) string {
	return fmt.Sprintf("%s%02d%04d%026d", prefix, scenario, w, i)
}

func (e *env) floorTxn(ctx context.Context, p string) error {
	tx, err := e.store.DB().BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO bench_floor (phone, body) VALUES ($1, $2)`, p, "STOP"); err != nil {
		return err
	}
	return tx.Commit()
}

func (e *env) sms(ctx context.Context, messageSid, from, body string) error {
	return e.twilioPost(ctx, "/twilio/sms", url.Values{
		"MessageSid": {messageSid}, "SmsSid": {messageSid}, "AccountSid": {"AC0"}, "From": {from},
		"To": {e.business.Numbers[0]}, "Body": {body}, "NumMedia": {"0"},
	})
}

func (e *env) twilioPost(ctx context.Context, path string, form url.Values) error {
	target := e.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(benchToken, target, form))
	return e.do(req)
}

func (e *env) get(ctx context.Context, path, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	if err != nil {
		return err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) error {
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s answered %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	return nil
}

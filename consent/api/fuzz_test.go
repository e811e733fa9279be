package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// status sends one request with acme's key and returns the status code.
func (e *apiEnv) status(t *testing.T, method, path, body string) int {
	req, err := http.NewRequest(method, e.server.URL+path, strings.NewReader(body))
	if err != nil {
		return http.StatusBadRequest // not a request any client could send
	}
	req.Header.Set("Authorization", "Bearer "+e.keys[acme])
	req.Header.Set("Content-Type", "application/json")
	res, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// FuzzWriteBodies posts any body to the opt-in or opt-out route and to the batch decision
// route: bad input is a 4xx, never a 5xx.
func FuzzWriteBodies(f *testing.F) {
	for _, s := range []string{
		`{"phone":"+14155550100","categories":["offers"],"channel":"web","disclosure":"` + goodWebDisclosure + `"}`,
		`{"phone":"+14155550100","categories":["offers"],"channel":"web","disclosure":"x\u0000","evidence":{"a\u0000":1}}`,
		`{"phone":"4155550100","category":"offers"}`, `{"phone":"+1800FLOWERS"}`, `{"phone":12}`, `[]`, `{`, ``,
		`{"channel":"whatsapp","category":"offers","phones":["+14155550100","4155550101","+1800FLOWERS"]}`,
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, body string, optIn bool) {
		path := "/v1/opt-outs"
		if optIn {
			path = "/v1/opt-ins"
		}
		for _, p := range []string{path, "/v1/decisions"} {
			if code := e.status(t, http.MethodPost, p, body); code >= 500 {
				t.Fatalf("POST %s answered %d to %q", p, code, body)
			}
		}
	})
}

// FuzzReadParameters sends any query to the list and decision routes and any phone to the
// look-up and decision routes.
func FuzzReadParameters(f *testing.F) {
	for _, s := range []string{"category=offers&status=opted_in", "limit=0", "limit=100000", "cursor=%00", "updated_since=yesterday",
		"stauts=opted_in", "after=-1", "format=csv", "status=opted_out&cursor=abc",
		"phone=%2B14155550100&category=offers&channel=whatsapp", "phone=1&category=offers&channel=ivr"} {
		f.Add(s, "+14155550100")
	}
	f.Add("", "%2B1415\x00")
	f.Add("", "4155550100")
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, query, phone string) {
		for _, path := range []string{"/v1/consents?" + query, "/v1/events?" + query, "/v1/export?" + query,
			"/v1/consents/" + url.PathEscape(phone) + "?" + query, "/v1/consents/" + url.PathEscape(phone) + "/evidence",
			"/v1/decisions?" + query, "/v1/decisions?channel=sms&category=offers&phone=" + url.QueryEscape(phone)} {
			if code := e.status(t, http.MethodGet, path, ""); code >= 500 {
				t.Fatalf("GET %s answered %d", path, code)
			}
		}
	})
}

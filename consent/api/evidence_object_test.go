package api_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvidenceReturnsTheObjectAnOptInWasSentWith(t *testing.T) {
	e := newEnv(t)
	r := e.post(acme, "/v1/opt-ins", map[string]any{"phone": ann, "categories": []string{"offers"}, "channel": "web",
		"disclosure": goodWebDisclosure, "evidence": map[string]any{"form": "checkout", "ip": "203.0.113.9"}})
	require.Equal(t, 201, r.Status, "%s", r.Body)
	e.record(e.optedOut(acme, ann, "restock", testNow))

	body := e.get(acme, "/v1/consents/"+url.PathEscape(ann)+"/evidence").JSON(t)
	evidence := map[string]any{}
	for _, ev := range body["events"].([]any) {
		m := ev.(map[string]any)
		evidence[m["category"].(string)] = m["evidence"]
	}
	assert.Equal(t, map[string]any{"form": "checkout", "ip": "203.0.113.9"}, evidence["offers"],
		"the web form's evidence comes back as it was sent")
	assert.Equal(t, map[string]any{}, evidence["restock"], "an event without evidence shows an empty object")
}

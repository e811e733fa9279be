package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// apiLookup reads the consents of one seeded phone through the API, spread over the table
// like direct_pk_select.
func (e *env) apiLookup() step {
	return step{name: "api_lookup", needs: []string{"direct_pk_select"}, big: true, run: func(ctx context.Context) ([]figure, error) {
		var paths [][]string
		l := load{
			prepare: func(workers int, _ time.Duration) {
				paths = make([][]string, workers)
				for w := range paths {
					for i := range 256 {
						paths[w] = append(paths[w], "/v1/consents/"+url.PathEscape(e.lookupPhone(w, i)))
					}
				}
			},
			op: func(ctx context.Context, w, i int) error {
				return e.client.get(ctx, paths[w][i%len(paths[w])], e.bigKey)
			},
		}
		r, err := runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
		if err != nil {
			return nil, err
		}
		return []figure{{name: "api_lookup", value: r.perSecond(), unit: "req/s", p50: r.p50, p99: r.p99,
			note: "GET /v1/consents/{phone}"}}, nil
	}}
}

// firstPage reads the first page of 100 consents of the seeded business.
func (e *env) firstPage() baseline {
	return baseline{name: "api_list_100", unit: "req/s", note: "first page, limit=100", measure: func(ctx context.Context) (loadResult, error) {
		l := load{op: func(ctx context.Context, _, _ int) error {
			return e.client.get(ctx, "/v1/consents?limit=100", e.bigKey)
		}}
		return runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
	}}
}

// deepPage reads the page of 100 consents about nine tenths down the seeded table.
func (e *env) deepPage() step {
	return step{name: "api_list_900k", needs: []string{"api_list_100"}, big: true, run: func(ctx context.Context) ([]figure, error) {
		cursor, row, err := e.deepCursor(ctx)
		if err != nil {
			return nil, err
		}
		path := "/v1/consents?limit=100&cursor=" + url.QueryEscape(cursor)
		l := load{op: func(ctx context.Context, _, _ int) error { return e.client.get(ctx, path, e.bigKey) }}
		r, err := runLoad(ctx, l, e.opts.workers, e.opts.warmup, e.opts.duration)
		if err != nil {
			return nil, err
		}
		return []figure{{name: "api_list_900k", value: r.perSecond(), unit: "req/s", p50: r.p50, p99: r.p99,
			note: fmt.Sprintf("page at row %d of %d, limit=100", row, e.seeded.rows)}}, nil
	}}
}

// consentPage is the part of a list answer the benchmark reads.
type consentPage struct {
	Data []struct {
		Phone    string `json:"phone"`
		Category string `json:"category"`
	} `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

func (e *env) page(ctx context.Context, query string) (consentPage, error) {
	var buf bytes.Buffer
	if _, err := e.client.getTo(ctx, "/v1/consents?"+query, e.bigKey, &buf); err != nil {
		return consentPage{}, err
	}
	var p consentPage
	if err := json.Unmarshal(buf.Bytes(), &p); err != nil {
		return consentPage{}, fmt.Errorf("read list page: %w", err)
	}
	return p, nil
}

// deepCursor returns a list cursor about nine tenths down the seeded table, and the row it
// continues at. The seed gave one phone there a newer time than any other, so an updated_since
// list finds it in one request, and the cursor after its first row continues the unfiltered
// list there. Should the API ever refuse that cursor for the unfiltered list, the list is
// walked instead, a thousand rows a request.
func (e *env) deepCursor(ctx context.Context) (string, int, error) {
	marker := seedPhone(bigArea, e.seeded.marker)
	row := e.seeded.marker*len(e.biz.big.Categories) + 1
	first, err := e.page(ctx, "limit=1&updated_since="+url.QueryEscape(e.seeded.at.Format(time.RFC3339)))
	if err != nil {
		return "", 0, err
	}
	if len(first.Data) == 1 && first.Data[0].Phone == marker && first.NextCursor != nil {
		next, err := e.page(ctx, "limit=1&cursor="+url.QueryEscape(*first.NextCursor))
		if err == nil && len(next.Data) == 1 && next.Data[0].Phone == marker {
			return *first.NextCursor, row, nil
		}
	}
	return e.walkTo(ctx, row)
}

// walkTo walks the list from the start until at least row rows lie behind the cursor.
func (e *env) walkTo(ctx context.Context, row int) (string, int, error) {
	query, behind := "limit=1000", 0
	for behind < row {
		p, err := e.page(ctx, query)
		if err != nil {
			return "", 0, err
		}
		behind += len(p.Data)
		if p.NextCursor == nil {
			return "", 0, fmt.Errorf("the list ended after %d rows, before row %d", behind, row)
		}
		query = "limit=1000&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	p, err := url.ParseQuery(query)
	if err != nil {
		return "", 0, err
	}
	return p.Get("cursor"), behind, nil
}

# Two commands matter: `make run` serves a working demo, `make test` proves it works.
# Neither needs a running PostgreSQL: both start a throwaway local one when DATABASE_URL is unset.

GO ?= go
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(shell $(GO) env GOPATH)/bin/staticcheck)

.PHONY: run test lint bench build clean

run: ## serve the demo: local PostgreSQL under .data/, demo business, a fresh API key, :8080
	$(GO) run ./cmd/optin dev

test: ## every test, with the race detector, against a real PostgreSQL
	$(GO) test -race -count=1 ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	$(STATICCHECK) ./...

bench: ## benchmarks, printed as ratios against baselines measured in the same run (BENCHFLAGS=--quick, --check…)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/optinbench $(BENCHFLAGS)

build: ## a static binary in bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o bin/optin ./cmd/optin

clean:
	rm -rf bin

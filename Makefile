# Two commands matter: `make run` serves a working demo, `make test` proves it works.
# Neither needs a running PostgreSQL: both start a throwaway local one when DATABASE_URL is unset.

GO ?= go
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(shell $(GO) env GOPATH)/bin/staticcheck)

.PHONY: run test fuzz lint bench soak build clean

# Fuzz targets as package:target; `make test` runs each for FUZZTIME, `make fuzz` for 10 minutes.
FUZZ_TARGETS = ./flows:FuzzHandleMessage ./flows:FuzzNormalise \
	./channels/twilio:FuzzMessageWebhook ./channels/twilio:FuzzStatusWebhook ./channels/twilio:FuzzVoiceStep \
	./consent/api:FuzzWriteBodies ./consent/api:FuzzReadParameters
FUZZTIME ?= 3s

run: ## serve the demo: local PostgreSQL under .data/, demo business, an API key, 127.0.0.1:8080 (HTTP_ADDR=… moves it)
	@echo "building optin (the first build downloads and compiles the dependencies, which takes a while)…"
	@$(GO) build -o bin/optin ./cmd/optin
	@exec ./bin/optin dev

test: ## each fuzz target briefly, then every test with the race detector, against a real PostgreSQL
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$fn for $(FUZZTIME)"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -timeout 0 $$pkg 2>&1) || { echo "$$out"; exit 1; }; \
		echo "$$out" | tail -n 1; done
	$(GO) test -race -count=1 ./...

fuzz: ## every fuzz target for 10 minutes (FUZZTIME=… to change)
	$(MAKE) test FUZZTIME=$(if $(filter 3s,$(FUZZTIME)),10m,$(FUZZTIME))

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	$(STATICCHECK) ./...

bench: ## benchmarks, printed as ratios against baselines measured in the same run (BENCHFLAGS=--quick, --check…)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/optinbench $(BENCHFLAGS)

soak: ## fault-injection soak of the real binary: PostgreSQL stopped, killed and frozen under load (SOAKFLAGS=--only faults, --keep…)
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
		$(GO) build -o "$$dir/optin" ./cmd/optin && \
		$(GO) run ./cmd/optinsoak --optin "$$dir/optin" $(SOAKFLAGS)

build: ## a static binary in bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o bin/optin ./cmd/optin

clean:
	rm -rf bin

# Basis: `make run` starts the product on its embedded default database,
# `make test` runs every test (unit and integration) with the race detector.

GO      ?= go
BIN     := bin/basis
PKGS    := ./...

.PHONY: run build test bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/basis

run: build
	./$(BIN) migrate
	./$(BIN) serve

test:
	$(GO) test -race -count=1 -timeout 40m $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

clean:
	rm -rf bin

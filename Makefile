# Conveniences; the README's commands need only Go.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS = -X github.com/khien/khien/internal/cli.Version=$(VERSION) -X github.com/khien/khien/internal/cli.Commit=$(COMMIT) -X github.com/khien/khien/internal/cli.Date=$(DATE)

.PHONY: test test-all build lint bench
test:
	$(GO) test ./...

# Both databases: PostgreSQL on 127.0.0.1:5432 (trust auth, database "test"),
# or KHIEN_TEST_POSTGRES_URL as set.
KHIEN_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
test-all:
	KHIEN_TEST_POSTGRES_URL='$(KHIEN_TEST_POSTGRES_URL)' $(GO) test ./...

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o khien ./cmd/khien

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) mod tidy -diff

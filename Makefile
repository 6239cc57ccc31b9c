# Conveniences; the README's commands need only Go.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS = -X github.com/khien/khien/internal/cli.Version=$(VERSION) -X github.com/khien/khien/internal/cli.Commit=$(COMMIT) -X github.com/khien/khien/internal/cli.Date=$(DATE)

.PHONY: test build lint bench
test:
	$(GO) test ./...

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o khien ./cmd/khien

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	$(GO) mod tidy -diff

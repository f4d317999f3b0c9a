# deploykit: `make test` is the whole check (CI runs it through .ci/run).
SHELL := /bin/bash
GOFILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*' -not -path '*/testdata/*')

.PHONY: test services services-down lint

## test: install what is missing, start the services, lint, go test -race ./..., stop the services
test:
	@internal/testenv/run-tests.sh

## services: start PostgreSQL, buildkitd, the registry and Azurite; environment in .testenv/env
services:
	@internal/testenv/services.sh up

## services-down: stop the services and delete their data
services-down:
	@internal/testenv/services.sh down

## lint: gofmt, go vet, staticcheck (pinned with a tool directive in go.mod)
lint:
	@echo "gofmt -l"; out="$$(gofmt -l $(GOFILES))"; if [[ -n "$$out" ]]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi
	@echo "go vet ./..."; go vet ./...
	@echo "staticcheck ./..."; go tool staticcheck ./...

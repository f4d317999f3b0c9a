package imagebuild

import (
	"github.com/deploykit/deploykit/imagebuild/dockerfile"
)

// Diagnostic is a BuildKit build-check finding streamed or returned by a
// build (Result.Warnings, Builder.Check), in the one diagnostic model that
// imagebuild/dockerfile's Lint also returns.
type Diagnostic = dockerfile.Diagnostic

// Severity is a Diagnostic's severity.
type Severity = dockerfile.Severity

// The three severities, from least to most severe.
const (
	SeverityInfo    = dockerfile.SeverityInfo
	SeverityWarning = dockerfile.SeverityWarning
	SeverityError   = dockerfile.SeverityError
)

// Package classifier is the third stage: it reads articles from bw.articles,
// extracts the breach facts with an Extractor, and publishes an Extraction on
// bw.extractions. The extractor is an interface so that a second one can be
// added beside the rules (services/classifier/rules) and compared.
package classifier

import (
	"context"
	"errors"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Input is one article to classify.
type Input struct {
	Text      string // main text; offsets in every Evidence point into it
	Title     string
	URL       string
	Published time.Time
}

// Extractor turns an article into its breach facts. Implementations are
// deterministic: the same Input and Version give the same Extraction.
type Extractor interface {
	// Version names the extractor and its rule set, e.g. "rules/1.0.0";
	// it is stored with every result so results can be traced and redone.
	Version() string
	Extract(ctx context.Context, in Input) (*bwv1.Extraction, error)
}

// MaxTextBytes bounds the text an extractor reads; longer input is refused
// with ErrTooLarge rather than processed with unbounded memory.
const MaxTextBytes = 4 << 20

// Errors for input an extractor refuses.
var (
	ErrTooLarge = errors.New("article text too large")
	ErrBinary   = errors.New("input is binary, not text")
)

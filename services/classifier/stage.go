package classifier

import (
	"cmp"
	"context"
	"errors"
	"log/slog"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/pipeline"
)

// Stage returns the classifier stage running x.
func Stage(x Extractor) pipeline.Stage {
	return pipeline.Stage{Name: bus.StageClassifier, Run: func(ctx context.Context, d pipeline.Deps) error {
		h := &Handler{X: x, Pub: d.Publisher, Log: d.Logger}
		return bus.Consume(ctx, d.JS, bus.ConsumerOptions{Stage: bus.StageClassifier, Logger: d.Logger, Observer: d.Observer}, h.Handle)
	}}
}

// Handler classifies one article message and publishes its Extraction.
type Handler struct {
	X   Extractor
	Pub *bus.Publisher
	Log *slog.Logger
}

// Handle processes one bw.articles message. Every article gets an
// Extraction, breach or not, so that the indexer sees what was decided.
func (h *Handler) Handle(ctx context.Context, m *bus.Message) error {
	var art bwv1.Article
	if err := proto.Unmarshal(m.Data, &art); err != nil {
		return bus.Permanentf("decode article: %w", err)
	}
	if art.GetId() == "" {
		return bus.Permanentf("article without id")
	}
	in := Input{Text: art.GetText(), Title: art.GetTitle(), URL: cmp.Or(art.GetCanonicalUrl(), art.GetUrl())}
	if art.GetPublishedAt() != nil {
		in.Published = art.GetPublishedAt().AsTime()
	}
	var x *bwv1.Extraction
	if art.GetNotice() == nil || enforcement(art.GetNotice()) {
		var err error
		if x, err = h.X.Extract(ctx, in); err != nil {
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrBinary) {
				return bus.Permanent(err)
			}
			return err
		}
	}
	if art.GetNotice() != nil {
		fromText := x
		x = FromNotice(&art)
		if fromText != nil {
			fromEnforcementText(x, fromText)
		}
	}
	x.ArticleId = art.GetId()
	x.ArticleUrl = in.URL
	x.Article = &art
	data, err := proto.Marshal(x)
	if err != nil {
		return bus.Permanentf("encode extraction: %w", err)
	}
	id := "ext:" + art.GetId() + ":" + x.GetExtractorVersion() + ":" + shortHash(art.GetContentHash())
	_, err = h.Pub.Publish(ctx, bus.SubjectExtractions, id, data, nil)
	return err
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

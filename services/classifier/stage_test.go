package classifier_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/classifier/rules"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// A synthetic article written for this test.
const story = `Harbourside Water Company said an unauthorised party copied the names and account numbers of 41,000 customers from a billing database.
The company reported the incident to the Information Commissioner's Office within 72 hours.`

func publishArticle(t *testing.T, n *testenv.NATS, art *bwv1.Article) {
	t.Helper()
	data, err := proto.Marshal(art)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Pub.Publish(t.Context(), bus.SubjectArticles, "art:"+art.GetId(), data, nil); err != nil {
		t.Fatal(err)
	}
}

func TestStageClassifiesArticlesAndDeadLettersBadOnes(t *testing.T) {
	n := testenv.StartNATS(t)
	good := &bwv1.Article{Id: "a1", Url: "https://news.example.test/water", CanonicalUrl: "https://news.example.test/water",
		Title: "Water company breach", Text: story, ContentHash: strings.Repeat("ab", 32)}
	publishArticle(t, n, good)
	publishArticle(t, n, &bwv1.Article{Id: "bin", Text: "\x00\x01\x02\x03\x00\x00 binary"})
	if _, err := n.Pub.Publish(t.Context(), bus.SubjectArticles, "garbage", []byte{0xff, 0x01}, nil); err != nil {
		t.Fatal(err)
	}

	h := &classifier.Handler{X: rules.New(), Pub: n.Pub}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, n.JS, bus.ConsumerOptions{Stage: bus.StageClassifier, FetchWait: 200 * time.Millisecond}, h.Handle)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(n.Messages(t, bus.StreamExtractions)) < 1 || len(n.Messages(t, bus.StreamDLQ)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("extractions %d, dead letters %d", len(n.Messages(t, bus.StreamExtractions)), len(n.Messages(t, bus.StreamDLQ)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var x bwv1.Extraction
	if err := proto.Unmarshal(n.Messages(t, bus.StreamExtractions)[0].Data, &x); err != nil {
		t.Fatal(err)
	}
	if x.GetArticleId() != "a1" || x.GetArticleUrl() != good.GetCanonicalUrl() || x.GetExtractorVersion() != rules.Version ||
		x.GetArticle().GetTitle() != good.GetTitle() || x.GetArticle().GetText() != story {
		t.Fatalf("extraction %+v", &x)
	}
	// Replaying the same article publishes nothing new.
	data, _ := proto.Marshal(good)
	if err := h.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1}); err != nil {
		t.Fatal(err)
	}
	if got := len(n.Messages(t, bus.StreamExtractions)); got != 1 {
		t.Fatalf("replay stored %d extractions", got)
	}
	dls, err := bus.NewDLQ(n.JS).List(t.Context(), bus.StageClassifier, 10)
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, dl := range dls {
		errs = append(errs, dl.Error)
	}
	all := strings.Join(errs, "\n")
	// (Over-long text cannot arrive: NATS refuses messages over 1 MiB at
	// publish; the extractor's own bound is tested below.)
	for _, want := range []string{"binary", "decode article"} {
		if !strings.Contains(all, want) {
			t.Errorf("no dead letter saying %q in:\n%s", want, all)
		}
	}
}

func TestExtractorRefusesHostileInput(t *testing.T) {
	x := rules.New()
	for name, text := range map[string]string{
		"binary":  "\x00\x00\x00\x00PK\x03\x04\x00\x00",
		"50MB":    strings.Repeat("The breach affected 1,000 customers. ", 50<<20/38),
		"invalid": "\xff\xfe\xfd",
	} {
		_, err := x.Extract(t.Context(), classifier.Input{Text: text})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Empty and whitespace input: an empty result, not an error.
	for _, text := range []string{"", "   \n\n  "} {
		got, err := x.Extract(t.Context(), classifier.Input{Text: text})
		if err != nil || got.GetIsBreach() || got.GetOrganisation() != nil {
			t.Errorf("%q: %v %+v", text, err, got)
		}
	}
}

func TestEnumWordAndAmounts(t *testing.T) {
	if got := classifier.EnumWord(bwv1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE); got != "software_bug_upgrade" {
		t.Errorf("EnumWord = %q", got)
	}
	if got := classifier.EnumWord(bwv1.Cause_CAUSE_UNSPECIFIED); got != "" {
		t.Errorf("unspecified = %q", got)
	}
	if got := classifier.EnumWord(bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY); got != "monetary_penalty" {
		t.Errorf("action = %q", got)
	}
	for _, tc := range []struct {
		major float64
		cur   string
		minor int64
	}{{500000, "GBP", 50000000}, {1.5e6, "USD", 150000000}, {29000, "EUR", 2900000}, {1000, "JPY", 1000}, {0.07, "EUR", 7}} {
		if got := classifier.MinorAmount(tc.major, tc.cur); got != tc.minor {
			t.Errorf("MinorAmount(%v %s) = %d", tc.major, tc.cur, got)
		}
		if got := classifier.MajorAmount(tc.minor, tc.cur); got != tc.major {
			t.Errorf("MajorAmount(%d %s) = %v", tc.minor, tc.cur, got)
		}
	}
}

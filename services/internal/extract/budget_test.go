package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/breachwire/breachwire/services/internal/limits"
	"github.com/breachwire/breachwire/services/internal/testenv"
)

// manyParagraphs is a page of n short paragraphs: 48,500 of them make the
// 3.3 MB page that once took the extractor 27 s and 900 MB.
func manyParagraphs(n int) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><title>Notice</title></head><body><article><h1>Notice</h1>")
	for i := range n {
		fmt.Fprintf(&b, "<p>Line %d of a notice about the breach of records.</p>", i)
	}
	b.WriteString("</article></body></html>")
	return []byte(b.String())
}

func TestManyParagraphsAreRefusedWithinBoundedMemory(t *testing.T) {
	raw := manyParagraphs(48_500)
	var err error
	peak := testenv.HeapGrowthMB(func() { _, err = FromHTML(raw, "text/html", "https://news.example/notice") })
	if !errors.Is(err, ErrBudgetExceeded) {
		t.Fatalf("got %v, want ErrBudgetExceeded", err)
	}
	if !strings.Contains(err.Error(), "elements") {
		t.Errorf("error %q does not say which limit", err)
	}
	// The parse tree only: a small multiple of the page's 3.3 MB.
	if limit := 12 * float64(len(raw)) / (1 << 20); peak > limit {
		t.Errorf("heap grew %.0f MB on a %.1f MB page, want under %.0f MB", peak, float64(len(raw))/(1<<20), limit)
	}
	t.Logf("%d bytes: heap +%.0f MB, %v", len(raw), peak, err)
}

func TestBudgetAllowsItsLargestPage(t *testing.T) {
	// Just under the element budget (html, head, title, body, article, h1
	// and the paragraphs): extracted, not refused.
	raw := manyParagraphs(limits.PageElements - 10)
	var doc *Document
	var err error
	// The default budget but its time limit: this test is about the tree's
	// size, and the race detector alone can make this page take 10 s.
	x := Extractor{Fallback: Default.Fallback, Budget: DefaultBudget}
	x.Budget.Timeout = time.Minute
	peak := testenv.HeapGrowthMB(func() { doc, err = x.FromHTML(raw, "text/html", "https://news.example/notice") })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Text, "Line 9980 of a notice about the breach of records.") {
		t.Errorf("text lacks the last paragraphs: …%s", doc.Text[max(0, len(doc.Text)-200):])
	}
	t.Logf("%d elements, %d bytes: heap +%.0f MB", limits.PageElements-10, len(raw), peak)
}

func TestExtractionTimeIsBounded(t *testing.T) {
	x := Extractor{Fallback: true, Budget: Budget{MaxInputBytes: 1 << 20, MaxElements: 10_000, MaxDepth: 1_000, MaxTextBytes: 1 << 20, Timeout: time.Millisecond}}
	_, err := x.FromHTML(manyParagraphs(3000), "text/html", "")
	if !errors.Is(err, ErrBudgetExceeded) || !strings.Contains(err.Error(), "took more than 1ms") {
		t.Fatalf("got %v, want ErrBudgetExceeded for time", err)
	}
	// The abandoned run keeps its weight until it ends, then gives it back.
	deadline := time.Now().Add(time.Minute)
	for !inFlight.TryAcquire(2 * limits.PageElements) {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned extraction never released its weight")
		}
		time.Sleep(10 * time.Millisecond)
	}
	inFlight.Release(2 * limits.PageElements)
}

func TestExtractWaitsForItsTurnUntilCancelled(t *testing.T) {
	// Every unit of weight taken: an extraction waits, and gives up with
	// its context, not with a budget error.
	if !inFlight.TryAcquire(2 * limits.PageElements) {
		t.Fatal("extractions in flight before the test")
	}
	defer inFlight.Release(2 * limits.PageElements)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Default.Extract(ctx, readFixture(t, "article.html"), "text/html", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
}

func TestBudgetMeasuresTextOutsideScripts(t *testing.T) {
	b := Budget{MaxInputBytes: 1 << 20, MaxElements: 100, MaxDepth: 100, MaxTextBytes: 100, Timeout: time.Second}
	root := mustParse(t, "<html><head><script>"+strings.Repeat("x", 5000)+"</script><style>"+strings.Repeat("y", 5000)+
		"</style></head><body><p>"+strings.Repeat("z", 90)+"</p><noscript><p>"+strings.Repeat("n", 500)+"</p></noscript></body></html>")
	s, err := b.measure(root)
	if err != nil {
		t.Fatal(err)
	}
	if s.text != 90 {
		t.Errorf("text = %d, want 90 (scripts, styles and noscript not counted)", s.text)
	}
	root = mustParse(t, "<html><body><p>"+strings.Repeat("z", 101)+"</p></body></html>")
	if _, err := b.measure(root); !errors.Is(err, ErrBudgetExceeded) {
		t.Errorf("101 bytes of text: %v, want ErrBudgetExceeded", err)
	}
}

func mustParse(t *testing.T, s string) *html.Node {
	t.Helper()
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

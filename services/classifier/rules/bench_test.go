package rules

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breachwire/breachwire/services/classifier"
)

// devTexts are the development texts in ../shared (never in the repository);
// the benchmarks over them skip when they are absent.
var devTexts = filepath.Join("..", "..", "..", "..", "shared", "eval", "extraction")

// syntheticArticle is about 5 KB of our own breach-news prose.
func syntheticArticle() string {
	paras := []string{
		"Harbourside Water Company said on Tuesday that an unauthorised party copied the names, postal addresses and account numbers of about 41,000 customers from a billing database.",
		"The company said it discovered the intrusion during a routine audit of its systems and reported it to the Information Commissioner's Office within 72 hours.",
		"A spokesperson said there was no evidence that payment card details had been taken, and that the affected database had since been moved behind additional controls.",
		"Customers are being contacted by letter this week and offered twelve months of free credit monitoring, the company added.",
		"The regulator confirmed it had received a report and said it was making enquiries. It did not say whether it would open a formal investigation.",
		"In 2019 the company was criticised for a separate incident in which around 3,000 customers received bills addressed to other people.",
		"Security researchers said the attackers appeared to have used credentials stolen from a contractor that supports the billing platform.",
	}
	var b strings.Builder
	b.WriteString("Water company says customer data copied in billing breach\n\n")
	for b.Len() < 5000 {
		for _, p := range paras {
			b.WriteString(p)
			b.WriteString("\n\n")
		}
	}
	return b.String()[:5000]
}

func loadDevTexts(b *testing.B) []string {
	var out []string
	for _, name := range []string{"dev.jsonl", "relevance_dev.jsonl"} {
		f, err := os.Open(filepath.Join(devTexts, name))
		if err != nil {
			return nil
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var item struct{ Title, Text string }
			if json.Unmarshal(sc.Bytes(), &item) == nil {
				out = append(out, item.Title+"\n\n"+item.Text)
			}
		}
		f.Close()
	}
	return out
}

// BenchmarkClassify reports articles/s (and MB/s) of the whole extractor;
// BenchmarkClassifyBaseline is a single linear pass over the same texts
// (splitting into words), the floor scripts/bench reports the extractor
// against. Run with -cpu 1 for the one-core figure.
func BenchmarkClassify(b *testing.B) {
	b.Run("synthetic-5KB", func(b *testing.B) { benchClassify(b, []string{syntheticArticle()}) })
	b.Run("dev", func(b *testing.B) {
		texts := loadDevTexts(b)
		if texts == nil {
			b.Skip("evaluation texts not found")
		}
		benchClassify(b, texts)
	})
}

// BenchmarkClassifyRulesOnly is the extractor without its fitted choosers
// (NewRulesOnly): scripts/bench reports the fitted extractor's speed as a
// ratio to it (the target is at least 0.5).
func BenchmarkClassifyRulesOnly(b *testing.B) {
	b.Run("synthetic-5KB", func(b *testing.B) { benchExtractor(b, NewRulesOnly(), []string{syntheticArticle()}) })
	b.Run("dev", func(b *testing.B) {
		texts := loadDevTexts(b)
		if texts == nil {
			b.Skip("evaluation texts not found")
		}
		benchExtractor(b, NewRulesOnly(), texts)
	})
}

func BenchmarkClassifyBaseline(b *testing.B) {
	b.Run("synthetic-5KB", func(b *testing.B) { benchWords(b, []string{syntheticArticle()}) })
	b.Run("dev", func(b *testing.B) {
		texts := loadDevTexts(b)
		if texts == nil {
			b.Skip("evaluation texts not found")
		}
		benchWords(b, texts)
	})
}

func avgSize(texts []string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	return n / int64(len(texts))
}

func benchClassify(b *testing.B, texts []string) { benchExtractor(b, New(), texts) }

func benchExtractor(b *testing.B, x *Extractor, texts []string) {
	b.SetBytes(avgSize(texts))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := x.Extract(b.Context(), classifier.Input{Text: texts[n%len(texts)]}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

func benchWords(b *testing.B, texts []string) {
	b.SetBytes(avgSize(texts))
	b.ReportAllocs()
	n, words := 0, 0
	for b.Loop() {
		words += len(strings.Fields(texts[n%len(texts)]))
		n++
	}
	if words == 0 {
		b.Fatal("no words")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

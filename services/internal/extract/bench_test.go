package extract

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/net/html"
)

// evalPages is the article-body evaluation set, outside the repository
// (../shared/eval from the repository root); benchmarks over it skip when absent.
var evalPages = filepath.Join("..", "..", "..", "..", "shared", "eval", "article-body", "html")

// BenchmarkFromHTML reports extraction speed in pages/s: over our own
// fixtures, and over the 181 real news pages of the evaluation set when it
// is there, with the default settings and without the fallback extractors.
func BenchmarkFromHTML(b *testing.B) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	var own [][]byte
	for _, p := range fixtures {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		own = append(own, raw)
	}
	b.Run("fixtures", func(b *testing.B) { benchPages(b, Default, own) })
	// The floor under any extraction: parsing the same pages into a DOM
	// with x/net/html. scripts/bench reports extraction as a ratio to it.
	b.Run("baseline-html-parse", func(b *testing.B) { benchParse(b, own) })

	eval := loadEvalPages(b)
	for _, bc := range []struct {
		name string
		x    Extractor
	}{
		{"eval", Default},
		{"eval-no-fallback", Extractor{Fallback: false}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if eval == nil {
				b.Skipf("%s not found", evalPages)
			}
			benchPages(b, bc.x, eval)
		})
	}
	b.Run("eval-baseline-html-parse", func(b *testing.B) {
		if eval == nil {
			b.Skipf("%s not found", evalPages)
		}
		benchParse(b, eval)
	})
}

func benchPages(b *testing.B, x Extractor, pages [][]byte) {
	var size int64
	for _, p := range pages {
		size += int64(len(p))
	}
	b.SetBytes(size / int64(len(pages)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		// Pages that yield nothing still cost their time; count them all.
		_, _ = x.FromHTML(pages[n%len(pages)], "", "")
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
}

func loadEvalPages(b *testing.B) [][]byte {
	files, _ := filepath.Glob(filepath.Join(evalPages, "*.html.gz"))
	var pages [][]byte
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		fh.Close()
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, raw)
	}
	return pages
}

func benchParse(b *testing.B, pages [][]byte) {
	var size int64
	for _, p := range pages {
		size += int64(len(p))
	}
	b.SetBytes(size / int64(len(pages)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := html.Parse(bytes.NewReader(pages[n%len(pages)])); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
}

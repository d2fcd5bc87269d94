package analyser

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// TestAnalyzer pins the words of texts on which Bleve's stock analysis and
// an earlier Elasticsearch tokenizer disagreed; each want is what
// OpenSearch 2.19's breachwire_text gives (its _analyze API).
func TestAnalyzer(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"250,000 customers", []string{"250,000", "customers"}},
		{"78.8 million", []string{"78.8", "million"}},
		{"O'Brien o’brien can't", []string{"o'brien", "o’brien", "can't"}},
		{"software_bug x86_64", []string{"software_bug", "x86_64"}},
		{"jane.doe@news.example", []string{"jane.doe", "news.example"}},
		{"https://news.example/a?x=1", []string{"https", "news.example", "a", "x", "1"}},
		{"10:30 U.S.A. co-op", []string{"10", "30", "u.s.a", "co", "op"}},
		{"東京銀行", []string{"東", "京", "銀", "行"}},
		{"カタカナ ひらがな 한국어", []string{"カタカナ", "ひ", "ら", "が", "な", "한국어"}},
		{"ΟΔΟΣ ΣΑΣ οδος", []string{"οδοσ", "σασ", "οδος"}},
		{"İstanbul \u212a Ⱥ Straße", []string{"istanbul", "k", "ⱥ", "straße"}},
		{"ภาษาไทย 😀 emoji", []string{"emoji"}},
	} {
		var got []string
		for _, tok := range Analyzer.Analyze([]byte(tc.text)) {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestLowercaseIsToLower: the query parser lower-cases with strings.ToLower,
// so the filter must agree with it on every token.
func TestLowercaseIsToLower(t *testing.T) {
	for _, s := range []string{"", "abc", "ABC", "ÀÉÎ", "ΟΔΟΣ", "İİİ", "\u212a\u212aX", "ȺȾ", "aȺb", "ǅ", "\xff\xfeA", "ẞ"} {
		toks := Lowercase{}.Filter(analysis.TokenStream{{Term: []byte(s)}})
		if g, w := string(toks[0].Term), strings.ToLower(s); g != w {
			t.Errorf("%q: %q, want %q", s, g, w)
		}
	}
}

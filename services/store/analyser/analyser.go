// Package analyser is the text analysis of the stores' analysed fields:
// the Bleve store indexes with it, store/match matches with it, and the
// Elasticsearch templates (store/elastic/templates) spell the same rules.
package analyser

import (
	"bytes"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	uax29 "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Name is the analyser's name in the Bleve mapping and in the
// Elasticsearch templates.
const Name = "breachwire_text"

// LowercaseName is the name Lowercase is registered under with Bleve.
const LowercaseName = "breachwire_lowercase"

// The analysis is Elasticsearch's standard tokenizer (Lucene's
// StandardTokenizer) and lowercase filter, rebuilt from Bleve parts:
//
//   - words are Unicode word segments (UAX #29), as Bleve's unicode
//     tokenizer cuts them: "250,000", "78.8", "o'brien", "software_bug" and
//     "news.example" are one word each, ideographs one word per character,
//     katakana and hangul runs one word;
//   - segments that are not words (punctuation, symbols, emoji) and letters
//     of scripts written without spaces (Thai, Lao, Khmer, Myanmar) are
//     dropped: Bleve's tokenizer has no words for them, and the templates
//     drop the <EMOJI> and <SOUTHEAST_ASIAN> tokens of the standard
//     tokenizer (keep_types) so that both stores agree;
//   - each word is lower-cased rune by rune (Lowercase), which is what
//     Lucene's LowerCaseFilter and the query parser's strings.ToLower do.
//
// Known differences left, all rare in breach news: Bleve's segmentation
// tables are older than Lucene's, so fullwidth digits ("１２万件") and keycap
// emoji ("1️⃣") are words only in Elasticsearch and Bleve respectively; and
// the standard tokenizer cuts words longer than 255 characters.
var Analyzer analysis.Analyzer = &analysis.DefaultAnalyzer{
	Tokenizer:    uax29.NewUnicodeTokenizer(),
	TokenFilters: []analysis.TokenFilter{Lowercase{}},
}

// AddTo defines the analyser in a Bleve index mapping.
func AddTo(im *mapping.IndexMappingImpl) error {
	return im.AddCustomAnalyzer(Name, map[string]any{
		"type":          custom.Name,
		"tokenizer":     uax29.Name,
		"token_filters": []any{LowercaseName},
	})
}

// Lowercase maps every rune of a token to its simple lower case
// (unicode.ToLower). Bleve's own to_lower filter differs in two ways that
// would make the stores disagree: it turns a final capital sigma into ς
// where Lucene and strings.ToLower give σ (so "ΟΔΟΣ" was indexed as a word
// the query "ΟΔΟΣ" never finds), and it garbles a token in which a rune's
// lower case is shorter in UTF-8 ("İstanbul", the Kelvin sign).
type Lowercase struct{}

// Filter lower-cases the tokens in place.
func (Lowercase) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = lower(tok.Term)
	}
	return input
}

// lower is bytes.ToLower (so strings.ToLower of the same text agrees),
// in place for ASCII, the common case.
func lower(s []byte) []byte {
	upper := false
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return bytes.ToLower(s)
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if upper {
		for i, c := range s {
			if 'A' <= c && c <= 'Z' {
				s[i] = c + 'a' - 'A'
			}
		}
	}
	return s
}

func init() {
	if err := registry.RegisterTokenFilter(LowercaseName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return Lowercase{}, nil
	}); err != nil {
		panic(err)
	}
}

package match

import (
	"math"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/document"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/analyser"
)

// analyzer is the stores' breachwire_text analyser. It is stateless, so
// one value serves every goroutine.
var analyzer = analyser.Analyzer

// textField and keywordField index the analysed and keyword fields of a Doc.
type (
	textField    uint8
	keywordField uint8
)

const (
	fieldText textField = iota
	fieldOrganisation
	numTextFields
)

const (
	fieldID keywordField = iota
	fieldCause
	fieldRegulator
	fieldAction
	fieldJurisdiction
	fieldDataType
	fieldOutlet
	fieldSource
	numKeywordFields
)

// position is where a token occurs: which value of a multi-valued field
// and its position within that value. Phrases never cross values, as in
// Bleve (array positions) and Elasticsearch (position_increment_gap).
type position struct {
	value, pos int32
}

// terms maps each token of an analysed field to its positions, in order.
type terms map[string][]position

// Doc is an incident analysed once for matching against many queries: the
// tokens of its text fields, its lower-cased keywords, numbers and dates.
// It is read-only after NewDoc, so any number of goroutines may match it.
type Doc struct {
	text     [numTextFields]terms
	keywords [numKeywordFields][]string
	records  optional[float64]
	year     optional[float64]
	first    optional[int64] // first_reported, Unix nanoseconds
	updated  optional[int64] // last_updated, Unix nanoseconds
}

type optional[T any] struct {
	v  T
	ok bool
}

// NewDoc analyses an incident's SearchValues the way the stores index them.
func NewDoc(inc *store.Incident) *Doc {
	d := &Doc{}
	sv := inc.SearchValues()
	d.text[fieldOrganisation] = analyse(sv.Organisation)
	d.text[fieldText] = analyse(sv.Text)
	if n, ok := inc.Records.Count(); ok {
		d.records = optional[float64]{float64(n), true}
	}
	d.keywords[fieldID] = lower(inc.ID)
	d.keywords[fieldCause] = lower(sv.Cause...)
	d.keywords[fieldRegulator] = lower(sv.Regulator...)
	d.keywords[fieldAction] = lower(sv.Action...)
	d.keywords[fieldJurisdiction] = lower(inc.Jurisdiction)
	d.keywords[fieldDataType] = lower(inc.DataTypes...)
	d.keywords[fieldOutlet] = lower(sv.Outlet...)
	d.keywords[fieldSource] = sv.SourceKind

	if inc.Year != 0 {
		d.year = optional[float64]{float64(inc.Year), true}
	}
	d.first = instant(inc.FirstReported)
	d.updated = instant(inc.LastUpdated)
	return d
}

// analyse tokenises each value; positions restart in each value, as they
// do in Bleve's array fields.
func analyse(values []string) terms {
	out := terms{}
	for i, v := range values {
		for _, tok := range analyzer.Analyze([]byte(v)) {
			term := string(tok.Term)
			out[term] = append(out[term], position{value: int32(i), pos: int32(tok.Position)})
		}
	}
	return out
}

// lower is the distinct non-empty values, lower-cased (bleve/mapping.go).
func lower(vs ...string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		v = strings.ToLower(v)
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// instant is a date as Bleve indexes it: the zero time (and anything Bleve
// cannot represent in Unix nanoseconds) is not indexed, i.e. missing.
func instant(t time.Time) optional[int64] {
	if t.IsZero() || t.Before(document.MinTimeRepresentable) || t.After(document.MaxTimeRepresentable) {
		return optional[int64]{}
	}
	return optional[int64]{t.UnixNano(), true}
}

// within reports whether v is in [lo, hi] with the given inclusivity.
func within(v, lo, hi float64, loIncl, hiIncl bool) bool {
	if v < lo || v == lo && !loIncl {
		return false
	}
	return v < hi || v == hi && hiIncl
}

var infinity = math.Inf(1)

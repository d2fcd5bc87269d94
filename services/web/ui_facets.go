package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/breachwire/breachwire/services/store"
)

// facetGroup is one facet of the incidents page: its values as links that
// narrow the current query, and the values already in it as links that
// widen it again.
type facetGroup struct {
	Name   string
	Values []facetValue
}

type facetValue struct {
	Label  string
	Count  int64
	URL    string
	Active bool // the query already holds this value's term; URL removes it
}

// narrow adds term to q. A query with OR is wrapped first, so that the
// term narrows all of it.
func narrow(q, term string) string {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return term
	case strings.Contains(q, " OR "):
		return "(" + q + ") " + term
	}
	return q + " " + term
}

// widen removes term from q, where narrow put it.
func widen(q, term string) string {
	q = strings.Replace(" "+q+" ", " "+term+" ", " ", 1)
	return strings.Join(strings.Fields(q), " ")
}

func has(q, term string) bool { return strings.Contains(" "+q+" ", " "+term+" ") }

// quoteValue quotes a facet value that is not one word.
func quoteValue(v string) string {
	if strings.ContainsAny(v, " \t\"():") {
		return strconv.Quote(strings.ReplaceAll(v, `"`, ""))
	}
	return v
}

func facetGroups(q string, f *store.FacetCounts, sort string) []facetGroup {
	link := func(nq string) string {
		v := url.Values{"sort": {sort}}
		if nq != "" {
			v.Set("q", nq)
		}
		return "/?" + v.Encode()
	}
	group := func(name string, buckets []store.Bucket, label func(string) string, term func(string) string) facetGroup {
		g := facetGroup{Name: name}
		for _, b := range buckets {
			t := term(b.Key)
			fv := facetValue{Label: label(b.Key), Count: b.Count, Active: has(q, t)}
			if fv.Active {
				fv.URL = link(widen(q, t))
			} else {
				fv.URL = link(narrow(q, t))
			}
			g.Values = append(g.Values, fv)
		}
		return g
	}
	word := func(k string) string { return strings.ReplaceAll(k, "_", " ") }
	same := func(k string) string { return k }
	field := func(name string) func(string) string {
		return func(k string) string { return name + ":" + quoteValue(k) }
	}
	records := func(k string) string {
		for _, b := range store.RecordBuckets {
			if b.Key == k {
				if b.To == 0 {
					return fmt.Sprintf("records:>=%d", b.From)
				}
				return fmt.Sprintf("records:>=%d records:<%d", b.From, b.To)
			}
		}
		return ""
	}
	year := func(k string) string {
		y, _ := strconv.Atoi(k)
		return fmt.Sprintf("first_reported:>=%d-01-01 first_reported:<%d-01-01", y, y+1)
	}
	return []facetGroup{
		group("Cause", f.Cause, word, field("cause")),
		group("Regulator", f.Regulator, same, field("regulator")),
		group("Regulator action", f.Action, word, field("action")),
		group("Year first reported", yearBuckets(f.Month), same, year),
		group("Records", orderedRecordBuckets(f.RecordsRange), same, records),
		group("Jurisdiction", f.Jurisdiction, same, field("jurisdiction")),
		group("Source", f.SourceKind, same, field("source")),
	}
}

// yearBuckets adds months up into years, newest first.
func yearBuckets(months []store.Bucket) []store.Bucket {
	byYear := map[string]int64{}
	for _, m := range months {
		if len(m.Key) >= 4 {
			byYear[m.Key[:4]] += m.Count
		}
	}
	out := make([]store.Bucket, 0, len(byYear))
	for y, n := range byYear {
		out = append(out, store.Bucket{Key: y, Count: n})
	}
	slices.SortFunc(out, func(a, b store.Bucket) int { return strings.Compare(b.Key, a.Key) })
	return out
}

// orderedRecordBuckets puts record-count buckets in size order, not count
// order.
func orderedRecordBuckets(bs []store.Bucket) []store.Bucket {
	var out []store.Bucket
	for _, rb := range store.RecordBuckets {
		for _, b := range bs {
			if b.Key == rb.Key {
				out = append(out, b)
			}
		}
	}
	return out
}

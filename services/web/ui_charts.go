package web

import (
	"slices"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// chart is a bar chart drawn on the server as SVG: it needs no script and
// no chart library, and its data is also given as a table.
type chart struct {
	ID, Title     string
	Width, Height int
	Horizontal    bool
	Bars          []bar
	Max           int64
	First, Last   string // axis labels of a vertical chart
}

type bar struct {
	Label      string
	Count      int64
	X, Y, W, H float64
	LabelY     float64 // horizontal charts: the label's baseline
}

const (
	chartWidth  = 640
	chartHeight = 180
	rowHeight   = 22
	labelWidth  = 190
)

func charts(f *store.FacetCounts) []chart {
	var out []chart
	if m := monthSeries(f.Month); len(m) > 0 {
		out = append(out, vertical("per-month", "Incidents per month first reported", m))
	}
	if len(f.Cause) > 0 {
		causes := make([]store.Bucket, len(f.Cause))
		for i, b := range f.Cause {
			causes[i] = store.Bucket{Key: strings.ReplaceAll(b.Key, "_", " "), Count: b.Count}
		}
		out = append(out, horizontal("by-cause", "Incidents by cause", causes))
	}
	var rec []store.Bucket
	for _, rb := range store.RecordBuckets {
		n := int64(0)
		for _, b := range f.RecordsRange {
			if b.Key == rb.Key {
				n = b.Count
			}
		}
		rec = append(rec, store.Bucket{Key: rb.Key, Count: n})
	}
	if slices.ContainsFunc(rec, func(b store.Bucket) bool { return b.Count > 0 }) {
		out = append(out, horizontal("records", "Records per incident (log buckets)", rec))
	}
	return out
}

// monthSeries is every month from the first to the last with incidents,
// the empty ones included, so that the bars are a time axis.
func monthSeries(months []store.Bucket) []store.Bucket {
	count := map[string]int64{}
	var keys []string
	for _, m := range months {
		if _, err := time.Parse("2006-01", m.Key); err == nil {
			count[m.Key] = m.Count
			keys = append(keys, m.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	first, _ := time.Parse("2006-01", keys[0])
	last, _ := time.Parse("2006-01", keys[len(keys)-1])
	var out []store.Bucket
	for t := first; !t.After(last) && len(out) < 1200; t = t.AddDate(0, 1, 0) {
		k := t.Format("2006-01")
		out = append(out, store.Bucket{Key: k, Count: count[k]})
	}
	return out
}

func maxCount(bs []store.Bucket) int64 {
	m := int64(1)
	for _, b := range bs {
		m = max(m, b.Count)
	}
	return m
}

func vertical(id, title string, bs []store.Bucket) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: chartHeight, Max: maxCount(bs)}
	c.First, c.Last = bs[0].Key, bs[len(bs)-1].Key
	plot := float64(chartHeight - 20) // room for the axis labels
	step := float64(chartWidth) / float64(len(bs))
	for i, b := range bs {
		h := plot * float64(b.Count) / float64(c.Max)
		c.Bars = append(c.Bars, bar{Label: b.Key, Count: b.Count, X: float64(i) * step, Y: plot - h, W: max(step*0.8, 1), H: h})
	}
	return c
}

func horizontal(id, title string, bs []store.Bucket) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: rowHeight * len(bs), Horizontal: true, Max: maxCount(bs)}
	plot := float64(chartWidth - labelWidth - 50) // room for the labels and counts
	for i, b := range bs {
		y := float64(i * rowHeight)
		c.Bars = append(c.Bars, bar{Label: b.Key, Count: b.Count, X: labelWidth, Y: y + 3, W: plot * float64(b.Count) / float64(c.Max), H: rowHeight - 6, LabelY: y + rowHeight - 7})
	}
	return c
}

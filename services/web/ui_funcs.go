package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// uiFuncs are the templates' helpers. None of them returns template.HTML:
// every value the pages show is escaped by html/template.
func uiFuncs(assets map[string]string) template.FuncMap {
	return template.FuncMap{
		"asset":     func(name string) string { return assets[name] },
		"count":     groupDigits,
		"countf":    func(v float64) string { return groupDigits(int64(v)) },
		"words":     func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"join":      strings.Join,
		"headline":  headlineText,
		"qualifier": func(q string) string { return qualifierWords[q] },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2 Jan 2006")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"amount": func(a store.RegulatorAction) string {
			if a.Amount == nil {
				return ""
			}
			return strings.TrimSpace(a.Currency + " " + groupDigits(int64(*a.Amount)))
		},
		"f2": func(v float64) string { return fmt.Sprintf("%.2f", v) },
		"in": func(t time.Time, now time.Time) string {
			if t.IsZero() {
				return "—"
			}
			d := t.Sub(now).Round(time.Second)
			if d <= 0 {
				return "due"
			}
			return "in " + d.String()
		},
	}
}

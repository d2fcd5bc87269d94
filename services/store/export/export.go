// Package export writes incidents in breachwire's export formats, shared by
// the export command and the web UI: JSON lines (one incident document a
// line, as the API returns it) and CSV (one row an incident, the columns of
// Header).
package export

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// Format is an export format.
type Format string

// The formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// ParseFormat reads a format's name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case JSONL, CSV:
		return f, nil
	}
	return "", fmt.Errorf("format %q: want jsonl or csv", s)
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/x-ndjson"
}

// Header is the CSV header row.
var Header = []string{"id", "revision", "organisation", "aliases", "year", "records", "records_qualifier", "records_unit",
	"records_basis", "reported_values", "cause", "contributing_causes", "regulator_actions", "data_types", "jurisdiction",
	"first_reported", "last_updated", "source_urls", "source_extraction"}

// Writer writes incidents in one format.
type Writer struct {
	csv  *csv.Writer
	json *json.Encoder
}

// NewWriter starts an export to w (for CSV, with its header row).
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	if f != CSV {
		return &Writer{json: json.NewEncoder(w)}, nil
	}
	cw := csv.NewWriter(w)
	return &Writer{csv: cw}, cw.Write(Header)
}

// Write writes one incident.
func (w *Writer) Write(inc *store.Incident) error {
	if w.csv != nil {
		return w.csv.Write(Row(inc))
	}
	return w.json.Encode(inc)
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	if w.csv == nil {
		return nil
	}
	w.csv.Flush()
	return w.csv.Error()
}

// Copy writes every incident of a paged search: first, the page already
// read, then each page next returns for the previous page's cursor, until
// a page has no cursor. Each page is flushed as it is written, and
// progress (when set) hears how many incidents are written of how many.
func (w *Writer) Copy(first *store.Result, next func(cursor string) (*store.Result, error), progress func(done int, total int64)) error {
	done := 0
	for res := first; ; {
		for _, inc := range res.Incidents {
			if err := w.Write(inc); err != nil {
				return err
			}
			done++
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if progress != nil {
			progress(done, res.Total)
		}
		if res.NextCursor == "" || len(res.Incidents) == 0 {
			return nil
		}
		var err error
		if res, err = next(res.NextCursor); err != nil {
			return err
		}
	}
}

// Row is an incident as a CSV row. An unknown count is an empty cell, not
// 0; source_extraction runs beside source_urls: full_text or feed_summary
// for each source ("-" for sources stored before it was kept).
func Row(inc *store.Incident) []string {
	var rec, qual, unit, basis string
	var reported []string
	if r := inc.Records; r != nil {
		qual, unit, basis = r.Qualifier, r.Unit, r.Basis
		if n, ok := r.Count(); ok {
			rec = strconv.FormatInt(n, 10)
		}
		for _, v := range r.Reported {
			reported = append(reported, fmt.Sprintf("%d %s", v.Value, v.ArticleURL))
		}
	}
	var urls, methods []string
	for _, s := range inc.Sources {
		urls = append(urls, s.URL)
		methods = append(methods, cmp.Or(s.ExtractionMethod, "-"))
	}
	year := ""
	if inc.Year != 0 {
		year = strconv.Itoa(inc.Year)
	}
	return []string{inc.ID, strconv.FormatInt(inc.Revision, 10), inc.Organisation.Name, strings.Join(inc.Organisation.Aliases, "; "),
		year, rec, qual, unit, basis, strings.Join(reported, "; "), inc.Cause.Primary,
		strings.Join(inc.Cause.Contributing, "; "), Actions(inc.RegulatorActions), strings.Join(inc.DataTypes, "; "), inc.Jurisdiction,
		date(inc.FirstReported), date(inc.LastUpdated), strings.Join(urls, " "), strings.Join(methods, " ")}
}

// Actions is regulator actions in one line: "ICO monetary_penalty GBP
// 500000; ...", or "" for none.
func Actions(as []store.RegulatorAction) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		s := a.Regulator + " " + a.Action
		if a.Amount != nil {
			s += fmt.Sprintf(" %s %.0f", a.Currency, *a.Amount)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

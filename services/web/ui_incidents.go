package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/export"
	"github.com/breachwire/breachwire/services/store/query"
)

// sortChoices are the incidents page's sort orders, as the API spells them.
var sortChoices = []struct{ Value, Label string }{
	{"-first_reported", "First reported, newest first"},
	{"first_reported", "First reported, oldest first"},
	{"-last_updated", "Last updated, newest first"},
	{"-records", "Records, most first"},
	{"records", "Records, fewest first"},
}

type incidentsData struct {
	Query, Sort string
	Sorts       []struct{ Value, Label string }
	Error       string
	Result      *store.Result
	Page        int
	Pages       int64
	NextURL     string
	PrevURL     string
	FirstURL    string
	ExportCSV   string
	ExportJSONL string
	Facets      []facetGroup
	Charts      []chart
}

func (u *ui) incidents(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := incidentsData{Query: v.Get("q"), Sort: v.Get("sort"), Sorts: sortChoices}
	if d.Sort == "" {
		d.Sort = sortChoices[0].Value
	}
	// Pages are cursors: "back" holds the cursors of the pages before this
	// one (the first page's is empty), so that the previous page is a link
	// too and the page number is how many there are.
	back := v["back"]
	if len(back) > maxBack {
		back = back[len(back)-maxBack:]
	}
	d.Page = len(back) + 1
	req, err := ParseRequest(v.Get)
	if err != nil {
		d.Error = err.Error()
		u.render(w, r, http.StatusBadRequest, "incidents", page{Title: "Incidents", Nav: "incidents", Data: d})
		return
	}
	if u.s.o.Incidents == nil {
		d.Error = "The store is not open yet; try again shortly."
		u.render(w, r, http.StatusServiceUnavailable, "incidents", page{Title: "Incidents", Nav: "incidents", Data: d})
		return
	}
	res, err := u.s.o.Incidents.Search(r.Context(), req)
	if err == nil {
		var f *store.FacetCounts
		if f, err = u.s.o.Incidents.Facets(r.Context(), query.Request{Query: req.Query, From: req.From, To: req.To}); err == nil {
			d.Facets = facetGroups(d.Query, f, d.Sort)
			d.Charts = charts(f)
		}
	}
	if err != nil {
		status := http.StatusServiceUnavailable
		var pe *query.ParseError
		if errors.As(err, &pe) {
			status, d.Error = http.StatusBadRequest, err.Error()
		} else {
			u.s.o.Logger.Error("ui search failed", "err", err)
			d.Error = "The search could not be run: the store did not answer. Try again shortly."
		}
		u.render(w, r, status, "incidents", page{Title: "Incidents", Nav: "incidents", Data: d})
		return
	}
	d.Result = res
	d.Pages = max(1, int64(math.Ceil(float64(res.Total)/float64(req.Size))))
	base := url.Values{}
	if d.Query != "" {
		base.Set("q", d.Query)
	}
	base.Set("sort", d.Sort)
	d.FirstURL = "/?" + base.Encode()
	if res.NextCursor != "" && len(res.Incidents) == req.Size {
		next := cloneValues(base)
		next.Set("cursor", res.NextCursor)
		next["back"] = append(slices.Clone(back), req.Cursor)
		d.NextURL = "/?" + next.Encode()
	}
	if len(back) > 0 {
		prev := cloneValues(base)
		if c := back[len(back)-1]; c != "" {
			prev.Set("cursor", c)
		}
		if len(back) > 1 {
			prev["back"] = back[:len(back)-1]
		}
		d.PrevURL = "/?" + prev.Encode()
	}
	for _, f := range []struct {
		dst  *string
		name string
	}{{&d.ExportCSV, "csv"}, {&d.ExportJSONL, "jsonl"}} {
		e := cloneValues(base)
		e.Set("format", f.name)
		*f.dst = "/export?" + e.Encode()
	}
	title := "Incidents"
	if d.Query != "" {
		title = d.Query + " · Incidents"
	}
	u.render(w, r, http.StatusOK, "incidents", page{Title: title, Nav: "incidents", Data: d})
}

// maxBack bounds how many pages back the links remember (the URL grows
// by a cursor a page).
const maxBack = 100

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// export streams every incident of the query in the export command's
// formats.
func (u *ui) export(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	format, err := export.ParseFormat(v.Get("format"))
	if err != nil {
		u.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	req, err := ParseRequest(v.Get)
	if err != nil {
		u.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if u.s.o.Incidents == nil {
		u.fail(w, r, http.StatusServiceUnavailable, "the store is not open yet")
		return
	}
	req.Size, req.Cursor = query.MaxSize, ""
	// The first page is read before anything is written, so that a store
	// that is down gives an error page rather than an empty file.
	res, err := u.s.o.Incidents.Search(r.Context(), req)
	if err != nil {
		u.s.o.Logger.Error("ui export failed", "err", err)
		u.fail(w, r, http.StatusServiceUnavailable, "the store did not answer; nothing was exported")
		return
	}
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="incidents.`+string(format)+`"`)
	out, err := export.NewWriter(w, format)
	if err == nil {
		err = out.Copy(res, func(cursor string) (*store.Result, error) {
			req.Cursor = cursor
			return u.s.o.Incidents.Search(r.Context(), req)
		}, nil)
	}
	if err != nil {
		// The status is sent: the truncated body is all that can be said,
		// and the log says why.
		u.s.o.Logger.Error("ui export cut short", "err", err)
	}
}

// basisText says in words why an incident's headline count is the one
// shown (the indexer's rule).
func basisText(basis string) string {
	switch basis {
	case "official":
		return "an official source (a regulator's notice or the organisation itself) gave this count; it outranks the news"
	case "agreement":
		return "most sources agree on this count"
	case "recency":
		return "the sources disagree; this is the most recent report"
	case "single":
		return "only one source gave a count"
	case "":
		return ""
	}
	return basis
}

type incidentData struct {
	Incident *store.Incident
	Headline string
	Basis    string
}

func (u *ui) incident(w http.ResponseWriter, r *http.Request) {
	if u.s.o.Incidents == nil {
		u.fail(w, r, http.StatusServiceUnavailable, "the store is not open yet")
		return
	}
	inc, _, err := u.s.o.Incidents.GetIncident(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		u.fail(w, r, http.StatusNotFound, "There is no incident "+r.PathValue("id")+".")
		return
	case err != nil:
		u.s.o.Logger.Error("ui incident failed", "err", err)
		u.fail(w, r, http.StatusServiceUnavailable, "the store did not answer; try again shortly")
		return
	}
	d := incidentData{Incident: inc, Headline: headlineText(inc.Records)}
	if inc.Records != nil {
		d.Basis = basisText(inc.Records.Basis)
	}
	u.render(w, r, http.StatusOK, "incident", page{Title: inc.Organisation.Name + " · Incident", Nav: "incidents", Data: d})
}

// headlineText is the headline count in words: "82,000 customers", "at
// least 3,120 people", "unknown".
func headlineText(rec *store.Records) string {
	n, ok := rec.Count()
	if !ok {
		return "unknown"
	}
	s := groupDigits(n)
	if rec.ValueMax > n {
		s += "–" + groupDigits(rec.ValueMax)
	}
	if q := qualifierWords[rec.Qualifier]; q != "" {
		s = q + " " + s
	}
	if rec.Unit != "" {
		s += " " + strings.ReplaceAll(rec.Unit, "_", " ")
	}
	return s
}

var qualifierWords = map[string]string{"approximate": "about", "at_least": "at least", "at_most": "up to"}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

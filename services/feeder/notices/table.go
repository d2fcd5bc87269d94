package notices

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// column is one column a list parser reads, found by its header text, so
// that the order of the columns does not matter and extra columns are
// passed over.
type column struct {
	// name is the column as the page heads it, and as a LayoutError that
	// misses it names it.
	name string
	// aliases are the headers, in normLabel form, that mean the column.
	aliases []string
}

// headerRowsTried is how many of a table's first rows may be its header
// row (a caption row may come before it).
const headerRowsTried = 3

// table is a list's table: its headers as displayed, in page order; the
// cell index of each column found; its data rows.
type table struct {
	headers []string
	at      map[string]int
	rows    []tableRow
}

// findTable finds the table of doc headed by every one of cols. Failing
// that, the error is a *LayoutError naming the columns the best-matching
// table lacks, or the table itself when no table has any of them.
func findTable(parser string, doc *goquery.Document, cols []column) (*table, error) {
	var best *table
	var below [][]*goquery.Selection // the rows under best's header row
	doc.Find("table").EachWithBreak(func(_ int, t *goquery.Selection) bool {
		rows := tableRows(t)
		for h := 0; h < len(rows) && h < headerRowsTried; h++ {
			cand := headedBy(texts(rows[h]), cols)
			if len(cand.at) == 0 || (best != nil && len(cand.at) <= len(best.at)) {
				continue
			}
			best, below = cand, rows[h+1:]
		}
		return best == nil || len(best.at) < len(cols)
	})
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	if best == nil {
		return nil, &LayoutError{Parser: parser, Missing: []string{"table"}, Reason: "no table is headed " + strings.Join(names, ", ")}
	}
	var missing []string
	for _, n := range names {
		if _, ok := best.at[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, &LayoutError{Parser: parser, Missing: missing}
	}
	best.rows = dataRows(best, below)
	return best, nil
}

// headedBy reads header as a header row: its headers as displayed, and
// which of cols it heads (the first cell of each, when one repeats).
func headedBy(header []string, cols []column) *table {
	t := &table{at: map[string]int{}}
	for i, h := range header {
		t.headers = append(t.headers, displayLabel(h))
		n := normLabel(h)
		for _, c := range cols {
			if _, dup := t.at[c.name]; !dup && slices.Contains(c.aliases, n) {
				t.at[c.name] = i
			}
		}
	}
	return t
}

// texts is the text of each of cells.
func texts(cells []*goquery.Selection) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = textOf(c)
	}
	return out
}

// tableRows are the cells of each row of t, its own rows only (not those
// of a table nested in a cell), in page order.
func tableRows(t *goquery.Selection) [][]*goquery.Selection {
	var rows [][]*goquery.Selection
	add := func(tr *goquery.Selection) {
		var cells []*goquery.Selection
		tr.ChildrenFiltered("th, td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, c) })
		rows = append(rows, cells)
	}
	t.Children().Each(func(_ int, c *goquery.Selection) {
		switch goquery.NodeName(c) {
		case "tr":
			add(c)
		case "thead", "tbody", "tfoot":
			c.ChildrenFiltered("tr").Each(func(_ int, tr *goquery.Selection) { add(tr) })
		}
	})
	return rows
}

// dataRows are t's rows that hold a notice: not a repeated header (th
// cells only), not blank, not a one-cell message ("No results") in a
// table of several columns.
func dataRows(t *table, rows [][]*goquery.Selection) []tableRow {
	var out []tableRow
	for _, cells := range rows {
		r := tableRow{t: t, cells: cells, texts: texts(cells)}
		data, blank := false, true
		for i, c := range cells {
			if goquery.NodeName(c) == "td" {
				data = true
			}
			if r.texts[i] != "" {
				blank = false
			}
		}
		if !data || blank || (len(cells) == 1 && len(t.headers) > 1) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// tableRow is one data row of a table: its cells and their texts.
type tableRow struct {
	t     *table
	cells []*goquery.Selection
	texts []string
}

// text is the row's value of column col, as displayed.
func (r tableRow) text(col string) string {
	i, ok := r.t.at[col]
	if !ok || i >= len(r.texts) {
		return ""
	}
	return r.texts[i]
}

// link is the first web link in the row's cell of column col, resolved
// against page; nil when the cell links nothing but, at most, a site's
// home page, which is no notice of its own.
func (r tableRow) link(col string, page *url.URL) *url.URL {
	i, ok := r.t.at[col]
	if !ok || i >= len(r.cells) {
		return nil
	}
	var u *url.URL
	r.cells[i].Find("a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		u = resolveLink(page, a.AttrOr("href", ""))
		if u != nil && strings.Trim(u.Path, "/") == "" && u.RawQuery == "" {
			u = nil
		}
		return u == nil
	})
	return u
}

// line is the row as Row.Text writes it: each header with the row's value,
// in the page's column order.
func (r tableRow) line() string {
	ps := make([]pair, 0, len(r.t.headers))
	for i, h := range r.t.headers {
		v := ""
		if i < len(r.texts) {
			v = r.texts[i]
		}
		if h == "" && v == "" {
			continue
		}
		ps = append(ps, pair{h, v})
	}
	return joinPairs(ps)
}

// tableList is a list whose notices are the rows of one table.
type tableList struct {
	parser string
	// org is the column that names the notifying organisation; a row with
	// none is an error, not a notice.
	org  string
	cols []column
	// fill reads a row's columns other than the organisation into r.
	fill func(r *Row, tr tableRow, page *url.URL)
}

// parse reads one page of the list.
func (l tableList) parse(body []byte, page *url.URL) (Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return Page{}, fmt.Errorf("%s: %s: read HTML: %w", l.parser, page, err)
	}
	t, err := findTable(l.parser, doc, l.cols)
	if err != nil {
		return Page{}, err
	}
	rows := make([]Row, 0, len(t.rows))
	for i, tr := range t.rows {
		r := Row{Organisation: tr.text(l.org), URL: page.String(), Text: tr.line()}
		if r.Organisation == "" {
			return Page{}, fmt.Errorf("%s: %s: row %d (%s): no %s", l.parser, page, i+1, r.Text, l.org)
		}
		l.fill(&r, tr, page)
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return Page{}, &LayoutError{Parser: l.parser, Reason: "no rows"}
	}
	return Page{Rows: rows, Next: nextPage(doc, page)}, nil
}

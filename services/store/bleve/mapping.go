package bleve

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/analyser"
)

// textAnalyzer analyses the text fields as the Elasticsearch store's
// breachwire_text does (see package analyser). Bleve's own "standard"
// analyser would not do: it drops English stop words, which would make
// "the register" match differently from the Elasticsearch store.
const textAnalyzer = analyser.Name

// Fields of an incident document. Keyword fields hold lower-cased copies
// for matching; the *_facet fields keep the values as written for facet keys.
const (
	fJSON          = "json" // the Incident as put, stored only
	fSeq           = "seq"  // the version counter, stored only
	fID            = "id"
	fText          = "text"
	fOrganisation  = "organisation"
	fOrgKeys       = "organisation_keys"
	fCause         = "cause"
	fCauseFacet    = "cause_facet"
	fRegulator     = "regulator"
	fRegFacet      = "regulator_facet"
	fAction        = "action"
	fActionFacet   = "action_facet"
	fJurisdiction  = "jurisdiction"
	fDataType      = "data_type"
	fOutlet        = "outlet"
	fRecords       = "records"
	fYear          = "year"
	fFirstReported = "first_reported"
	fLastUpdated   = "last_updated"
	fMonth         = "month"
	fJurisFacet    = "jurisdiction_facet"
	fSourceKind    = "source_kind" // news, official: matched and counted as it is
)

func incidentMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	if err := analyser.AddTo(im); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = textAnalyzer
	doc := mapping.NewDocumentStaticMapping()

	stored := mapping.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeInAll, stored.IncludeTermVectors, stored.DocValues = false, true, false, false, false
	doc.AddFieldMappingsAt(fJSON, stored)
	seq := mapping.NewNumericFieldMapping()
	seq.Index, seq.Store, seq.IncludeInAll, seq.DocValues = false, true, false, false
	doc.AddFieldMappingsAt(fSeq, seq)

	for _, f := range []string{fText, fOrganisation} {
		text := mapping.NewTextFieldMapping()
		text.Analyzer, text.Store, text.IncludeInAll, text.DocValues = textAnalyzer, false, false, false
		text.IncludeTermVectors = true // phrases need positions
		doc.AddFieldMappingsAt(f, text)
	}
	for _, f := range []string{fID, fOrgKeys, fCause, fRegulator, fAction, fJurisdiction, fDataType, fOutlet} {
		kw := mapping.NewKeywordFieldMapping()
		kw.Store, kw.IncludeInAll, kw.IncludeTermVectors, kw.DocValues = false, false, false, false
		doc.AddFieldMappingsAt(f, kw)
	}
	for _, f := range []string{fCauseFacet, fRegFacet, fActionFacet, fMonth, fJurisFacet, fSourceKind} {
		kw := mapping.NewKeywordFieldMapping()
		kw.Store, kw.IncludeInAll, kw.IncludeTermVectors, kw.DocValues = false, false, false, true
		doc.AddFieldMappingsAt(f, kw)
	}
	for _, f := range []string{fRecords, fYear} {
		n := mapping.NewNumericFieldMapping()
		n.Store, n.IncludeInAll, n.DocValues = false, false, true
		doc.AddFieldMappingsAt(f, n)
	}
	for _, f := range []string{fFirstReported, fLastUpdated} {
		d := mapping.NewDateTimeFieldMapping()
		d.Store, d.IncludeInAll, d.DocValues = false, false, true
		doc.AddFieldMappingsAt(f, d)
	}
	im.DefaultMapping = doc
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

// articleMapping keeps articles as stored JSON only: they are read by id,
// never searched (search is over incidents).
func articleMapping() *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	doc := mapping.NewDocumentStaticMapping()
	stored := mapping.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeInAll, stored.IncludeTermVectors, stored.DocValues = false, true, false, false, false
	doc.AddFieldMappingsAt(fJSON, stored)
	im.DefaultMapping = doc
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// incidentDoc is what Bleve indexes for one incident.
func incidentDoc(inc *store.Incident, seq int64) (map[string]any, error) {
	raw, err := json.Marshal(inc)
	if err != nil {
		return nil, err
	}
	d := map[string]any{
		fJSON:          string(raw),
		fSeq:           float64(seq),
		fID:            strings.ToLower(inc.ID),
		fOrgKeys:       inc.Organisation.Keys,
		fJurisdiction:  lower(inc.Jurisdiction),
		fDataType:      lower(inc.DataTypes...),
		fFirstReported: inc.FirstReported,
		fLastUpdated:   inc.LastUpdated,
	}
	sv := inc.SearchValues()
	d[fOrganisation] = sv.Organisation
	d[fText] = sv.Text
	d[fOutlet] = lower(sv.Outlet...)
	if n, ok := inc.Records.Count(); ok {
		d[fRecords] = float64(n) // none for an unknown count: it is missing, not 0
	}
	d[fRegulator], d[fRegFacet] = lower(sv.Regulator...), distinct(sv.Regulator)
	d[fAction], d[fActionFacet] = lower(sv.Action...), distinct(sv.Action)
	d[fCause] = lower(sv.Cause...)
	d[fSourceKind] = sv.SourceKind
	if inc.Jurisdiction != "" {
		d[fJurisFacet] = inc.Jurisdiction
	}
	if inc.Cause.Primary != "" {
		d[fCauseFacet] = inc.Cause.Primary
	}
	if inc.Year != 0 {
		d[fYear] = float64(inc.Year)
	}
	if !inc.FirstReported.IsZero() {
		d[fMonth] = inc.FirstReported.UTC().Format("2006-01")
	}
	return d, nil
}

// lower returns the distinct non-empty values, lower-cased.
func lower(vs ...string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, strings.ToLower(v))
	}
	return distinct(out)
}

func distinct(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

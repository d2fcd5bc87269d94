package elastic

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// kibanaObjects is the saved-objects file dashboard builders import into
// Kibana (scripts/kibana-import): a data view over the incidents alias, the
// Lens visualizations and the dashboard that holds them.
var kibanaObjects = filepath.Join("..", "..", "..", "deploy", "kibana", "breachwire.ndjson")

// savedObject is one line of a Kibana saved-objects export.
type savedObject struct {
	Type                 string           `json:"type"`
	ID                   string           `json:"id"`
	Attributes           map[string]any   `json:"attributes"`
	References           []savedObjectRef `json:"references"`
	CoreMigrationVersion string           `json:"coreMigrationVersion"`
	TypeMigrationVersion string           `json:"typeMigrationVersion"`
}

type savedObjectRef struct {
	Name string `json:"name"`
	Type string `json:"type"`
	ID   string `json:"id"`
}

// mappedField is a leaf of the incidents mapping.
type mappedField struct {
	typ          string
	aggregatable bool
}

// aggregatableTypes are the field types Kibana can aggregate on (doc values).
var aggregatableTypes = map[string]bool{
	"keyword": true, "long": true, "integer": true, "short": true, "byte": true,
	"double": true, "float": true, "half_float": true, "scaled_float": true,
	"unsigned_long": true, "date": true, "date_nanos": true, "boolean": true, "ip": true,
}

var numericTypes = map[string]bool{
	"long": true, "integer": true, "short": true, "byte": true, "double": true,
	"float": true, "half_float": true, "scaled_float": true, "unsigned_long": true,
}

// mappedIncidentFields flattens the canonical incidents mapping (the one Open puts)
// into dotted field names, multi-fields included (organization.name.text).
func mappedIncidentFields(t *testing.T) map[string]mappedField {
	t.Helper()
	files, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	var component struct {
		Template struct {
			Mappings struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(files["incidents-mappings.component.json"], &component); err != nil {
		t.Fatal(err)
	}
	fields := map[string]mappedField{}
	var walk func(prefix string, props map[string]json.RawMessage)
	walk = func(prefix string, props map[string]json.RawMessage) {
		for name, raw := range props {
			var p struct {
				Type       string                     `json:"type"`
				DocValues  *bool                      `json:"doc_values"`
				Properties map[string]json.RawMessage `json:"properties"`
				Fields     map[string]json.RawMessage `json:"fields"`
			}
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("mapping %s%s: %v", prefix, name, err)
			}
			path := prefix + name
			if p.Properties != nil {
				walk(path+".", p.Properties)
				continue
			}
			if p.Type == "" {
				p.Type = "object"
			}
			fields[path] = mappedField{p.Type, aggregatableTypes[p.Type] && (p.DocValues == nil || *p.DocValues)}
			walk(path+".", p.Fields)
		}
	}
	walk("", component.Template.Mappings.Properties)
	if len(fields) == 0 {
		t.Fatal("no fields in the incidents mapping")
	}
	return fields
}

func readSavedObjects(t *testing.T) []savedObject {
	t.Helper()
	b, err := os.ReadFile(kibanaObjects)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		t.Errorf("%s: no newline at the end", kibanaObjects)
	}
	var objs []savedObject
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if !json.Valid(line) {
			t.Fatalf("%s:%d: not one JSON value", kibanaObjects, n)
		}
		var o savedObject
		if err := json.Unmarshal(line, &o); err != nil {
			t.Fatalf("%s:%d: %v", kibanaObjects, n, err)
		}
		// A file exported from Kibana ends with a summary, which import skips.
		var summary struct {
			ExportedCount *int `json:"exportedCount"`
		}
		if o.Type == "" && json.Unmarshal(line, &summary) == nil && summary.ExportedCount != nil {
			continue
		}
		if o.Type == "" || o.ID == "" || o.Attributes == nil || o.References == nil {
			t.Fatalf("%s:%d: a saved object needs type, id, attributes and references", kibanaObjects, n)
		}
		if o.CoreMigrationVersion == "" || o.TypeMigrationVersion == "" {
			t.Errorf("%s:%d (%s %s): no coreMigrationVersion or typeMigrationVersion; Kibana would take it for a pre-8 object", kibanaObjects, n, o.Type, o.ID)
		}
		objs = append(objs, o)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestKibanaSavedObjects checks deploy/kibana/breachwire.ndjson without a
// Kibana: every object parses, ids are unique, every reference resolves
// inside the file, the data view reads the alias the store writes, and every
// field a visualization uses is in the incidents mapping and aggregatable.
func TestKibanaSavedObjects(t *testing.T) {
	objs := readSavedObjects(t)
	fields := mappedIncidentFields(t)

	byID := map[string]savedObject{}
	for _, o := range objs {
		if _, dup := byID[o.ID]; dup {
			t.Errorf("id %q used twice", o.ID)
		}
		byID[o.ID] = o
	}
	for _, o := range objs {
		for _, r := range o.References {
			target, ok := byID[r.ID]
			if !ok || target.Type != r.Type {
				t.Errorf("%s %s: reference %q to %s %s is not in the file", o.Type, o.ID, r.Name, r.Type, r.ID)
			}
		}
	}

	// The data view: exactly one, over the store's incidents alias.
	alias := (&Store{prefix: DefaultIndexPrefix}).alias(kindIncidents)
	var views []savedObject
	for _, o := range objs {
		if o.Type == "index-pattern" {
			views = append(views, o)
		}
	}
	if len(views) != 1 {
		t.Fatalf("%d data views, want 1", len(views))
	}
	view := views[0]
	if got := view.Attributes["title"]; got != alias {
		t.Errorf("data view title %v, want the incidents alias %q", got, alias)
	}
	timeField, _ := view.Attributes["timeFieldName"].(string)
	if timeField != "@timestamp" {
		t.Errorf("data view timeFieldName %q, want @timestamp (first disclosure)", timeField)
	}
	if f := fields[timeField]; f.typ != "date" {
		t.Errorf("data view time field %q is %q in the mapping, want date", timeField, f.typ)
	}

	dashboards := 0
	for _, o := range objs {
		switch o.Type {
		case "index-pattern":
		case "lens":
			checkLens(t, o, view.ID, fields)
		case "dashboard":
			dashboards++
			checkDashboard(t, o)
		default:
			t.Errorf("%s %s: unexpected type", o.Type, o.ID)
		}
		// Whatever the object, any field it names must be aggregatable.
		for _, ref := range fieldRefs(o.Attributes) {
			f, ok := fields[ref.name]
			switch {
			case !ok:
				t.Errorf("%s %s: %s %q is not in the incidents mapping", o.Type, o.ID, ref.key, ref.name)
			case !f.aggregatable:
				t.Errorf("%s %s: %s %q is %s, not aggregatable", o.Type, o.ID, ref.key, ref.name, f.typ)
			}
		}
	}
	if dashboards != 1 {
		t.Errorf("%d dashboards, want 1", dashboards)
	}
}

// checkLens checks a Lens visualization's layers: each reads the data view
// through its own reference, and each column's operation suits its field.
func checkLens(t *testing.T, o savedObject, viewID string, fields map[string]mappedField) {
	t.Helper()
	var attrs struct {
		VisualizationType string `json:"visualizationType"`
		State             struct {
			DatasourceStates struct {
				FormBased struct {
					Layers map[string]struct {
						Columns map[string]struct {
							OperationType string `json:"operationType"`
							SourceField   string `json:"sourceField"`
							DataType      string `json:"dataType"`
							Params        struct {
								OrderBy *struct {
									Type     string `json:"type"`
									ColumnID string `json:"columnId"`
								} `json:"orderBy"`
							} `json:"params"`
						} `json:"columns"`
						ColumnOrder []string `json:"columnOrder"`
					} `json:"layers"`
				} `json:"formBased"`
			} `json:"datasourceStates"`
		} `json:"state"`
	}
	remarshal(t, o.Attributes, &attrs)
	if attrs.VisualizationType == "" {
		t.Errorf("lens %s: no visualizationType", o.ID)
	}
	layers := attrs.State.DatasourceStates.FormBased.Layers
	if len(layers) == 0 {
		t.Errorf("lens %s: no formBased layers", o.ID)
	}
	for id, layer := range layers {
		want := savedObjectRef{Name: "indexpattern-datasource-layer-" + id, Type: "index-pattern", ID: viewID}
		if !slices.Contains(o.References, want) {
			t.Errorf("lens %s: layer %s has no reference %+v", o.ID, id, want)
		}
		var order []string
		for cid, c := range layer.Columns {
			order = append(order, cid)
			if ob := c.Params.OrderBy; ob != nil && ob.Type == "column" {
				if _, ok := layer.Columns[ob.ColumnID]; !ok {
					t.Errorf("lens %s: column %s is ordered by missing column %s", o.ID, cid, ob.ColumnID)
				}
			}
			if c.SourceField == "___records___" || c.SourceField == "" {
				continue
			}
			typ := fields[c.SourceField].typ // absent fields are reported by fieldRefs
			var ok bool
			switch c.OperationType {
			case "date_histogram":
				ok = typ == "date" || typ == "date_nanos"
			case "sum", "average", "median", "percentile", "standard_deviation", "range":
				ok = numericTypes[typ]
			case "min", "max":
				ok = numericTypes[typ] || typ == "date"
			default: // terms, last_value, unique_count, ...
				ok = true
			}
			if typ != "" && !ok {
				t.Errorf("lens %s: %s on %s, a %s field", o.ID, c.OperationType, c.SourceField, typ)
			}
		}
		slices.Sort(order)
		got := slices.Sorted(slices.Values(layer.ColumnOrder))
		if !slices.Equal(order, got) {
			t.Errorf("lens %s: layer %s columnOrder %v, columns %v", o.ID, id, layer.ColumnOrder, order)
		}
	}
}

// checkDashboard checks that every panel's panelRefName has its reference,
// named <panelIndex>:<panelRefName> as Kibana 8 exports them.
func checkDashboard(t *testing.T, o savedObject) {
	t.Helper()
	s, _ := o.Attributes["panelsJSON"].(string)
	var panels []struct {
		Type         string `json:"type"`
		PanelIndex   string `json:"panelIndex"`
		PanelRefName string `json:"panelRefName"`
		GridData     struct {
			I string `json:"i"`
		} `json:"gridData"`
	}
	if err := json.Unmarshal([]byte(s), &panels); err != nil {
		t.Fatalf("dashboard %s: panelsJSON: %v", o.ID, err)
	}
	if len(panels) == 0 {
		t.Errorf("dashboard %s: no panels", o.ID)
	}
	for _, p := range panels {
		if p.GridData.I != p.PanelIndex {
			t.Errorf("dashboard %s: panel %s has gridData.i %q", o.ID, p.PanelIndex, p.GridData.I)
		}
		if p.PanelRefName == "" {
			t.Errorf("dashboard %s: panel %s is not a by-reference panel", o.ID, p.PanelIndex)
			continue
		}
		name := p.PanelIndex + ":" + p.PanelRefName
		if !slices.ContainsFunc(o.References, func(r savedObjectRef) bool { return r.Name == name && r.Type == p.Type }) {
			t.Errorf("dashboard %s: panel %s has no %s reference named %q", o.ID, p.PanelIndex, p.Type, name)
		}
	}
}

// fieldRef is a field name found in a saved object, and the key it was under.
type fieldRef struct{ key, name string }

// kibanaFieldKeys are the attribute keys whose string values name fields, in Lens
// (sourceField, sortField), saved searches, controls and data views.
var kibanaFieldKeys = map[string]bool{
	"sourceField": true, "sortField": true, "fieldName": true, "parentFieldName": true,
	"field": true, "timeField": true, "timeFieldName": true,
}

// fieldRefs walks v, JSON held in strings included (panelsJSON,
// searchSourceJSON, ...), and returns every field name it finds; Lens's
// ___records___ (document count) is not a field.
func fieldRefs(v any) []fieldRef {
	var out []fieldRef
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			// A saved search's columns are field names; Lens's are objects.
			for _, x := range v {
				if s, ok := x.(string); ok && key == "columns" {
					out = append(out, fieldRef{key, s})
					continue
				}
				walk(key, x)
			}
		case string:
			if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
				var inner any
				if json.Unmarshal([]byte(v), &inner) == nil {
					walk(key, inner)
					return
				}
			}
			if kibanaFieldKeys[key] && v != "___records___" {
				out = append(out, fieldRef{key, v})
			}
		}
	}
	walk("", v)
	return out
}

func remarshal(t *testing.T, from, to any) {
	t.Helper()
	b, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, to); err != nil {
		t.Fatalf("remarshal: %v", err)
	}
}

// TestKibanaFieldRefs checks the walker itself finds fields in every place
// the file may hold them, so a clean run of TestKibanaSavedObjects means
// something.
func TestKibanaFieldRefs(t *testing.T) {
	attrs := map[string]any{
		"timeFieldName": "@timestamp",
		"columns":       []any{"organization.name", map[string]any{"columnId": "x"}},
		"state": map[string]any{"layers": map[string]any{"l": map[string]any{"columns": map[string]any{
			"a": map[string]any{"sourceField": "breachwire.incident.records", "params": map[string]any{"sortField": "event.ingested"}},
			"b": map[string]any{"sourceField": "___records___"},
		}}}},
		"panelsJSON": `[{"embeddableConfig":{"fieldName":"breachwire.incident.cause.primary"}}]`,
	}
	var got []string
	for _, r := range fieldRefs(attrs) {
		got = append(got, r.name)
	}
	slices.Sort(got)
	want := []string{"@timestamp", "breachwire.incident.cause.primary", "breachwire.incident.records", "event.ingested", "organization.name"}
	if !slices.Equal(got, want) {
		t.Errorf("fieldRefs = %v, want %v", got, want)
	}

	fields := mappedIncidentFields(t)
	for name, want := range map[string]mappedField{
		"organization.name":                 {"keyword", true},
		"organization.name.text":            {"text", false},
		"breachwire.incident.records":       {"long", true},
		"breachwire.incident.fine_amount":   {"scaled_float", true},
		"breachwire.search.text":            {"text", false},
		"breachwire.document":               {"object", false},
		"breachwire.incident.cause.primary": {"keyword", true},
	} {
		if got := fields[name]; got != want {
			t.Errorf("mapping %s = %+v, want %+v", name, got, want)
		}
	}
}

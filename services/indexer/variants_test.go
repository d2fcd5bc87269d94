package indexer

import (
	"fmt"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
)

func TestIsVariant(t *testing.T) {
	for _, tc := range []struct {
		name, other string
		want        bool
	}{
		{"Cedar Freight", "Cedar Freight Services", true},
		{"Cedar Freight Services Ltd", "Cedar Freight", true},
		{"Northgate Dental", "The Northgate Dental Practice", false}, // "practice" is no generic word
		{"Millbrook Credit", "Millbrook Credit Union", true},
		{"Cedar Freight", "Cedar Freight Services Europe", false}, // "Europe" names another organisation
		{"Cedar Freight", "Cedar Valley Freight", false},
		{"Freight Services", "Cedar Freight Services", false}, // a generic name is nobody's variant
		{"Cedar Freight", "Cedar Freight", false},             // the same key is no variant: the keys find it
	} {
		inc := &store.Incident{Organisation: store.Organisation{Name: tc.other}}
		if got := isVariant(tc.name, inc); got != tc.want {
			t.Errorf("isVariant(%q, %q) = %v, want %v", tc.name, tc.other, got, tc.want)
		}
	}
}

// Through the indexer and a real store: a shorter and a longer form of
// the name find the incident in either order; a name that is a variant of
// two organisations joins neither.
func TestNameVariantsThroughTheStore(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			for i, names := range [][]string{{"Tamsin Freight Services", "Tamsin Freight"}, {"Orrin Freight", "Orrin Freight Services Ltd"}} {
				st := open(t)
				h := &Handler{Store: st, Pub: startPub(t)}
				for k, n := range names {
					if err := h.Handle(t.Context(), msg(t, ext(fmt.Sprintf("v%d-%d", i, k), n, nil, 2022, bwv1.Cause_CAUSE_HACKING, 0, d1.AddDate(11, 0, k)))); err != nil {
						t.Fatal(err)
					}
				}
				a, _ := st.GetArticle(t.Context(), fmt.Sprintf("v%d-0", i))
				b, _ := st.GetArticle(t.Context(), fmt.Sprintf("v%d-1", i))
				if a.IncidentID == "" || a.IncidentID != b.IncidentID {
					t.Errorf("%q and %q: incidents %q and %q, want one", names[0], names[1], a.IncidentID, b.IncidentID)
				}
				inc, _, err := st.GetIncident(t.Context(), a.IncidentID)
				if err != nil {
					t.Fatal(err)
				}
				if len(inc.Sources) != 2 || inc.Sources[1].Match == nil || !inc.Sources[1].Match.Joined {
					t.Errorf("second source's decision %+v", inc.Sources)
				}
			}

			st := open(t)
			h := &Handler{Store: st, Pub: startPub(t)}
			for k, n := range []string{"Pellow Freight Services", "Pellow Freight Logistics", "Pellow Freight"} {
				if err := h.Handle(t.Context(), msg(t, ext(fmt.Sprintf("p-%d", k), n, nil, 2022, bwv1.Cause_CAUSE_HACKING, 0, d1.AddDate(11, 0, k)))); err != nil {
					t.Fatal(err)
				}
			}
			ids := map[string]bool{}
			for k := range 3 {
				a, _ := st.GetArticle(t.Context(), fmt.Sprintf("p-%d", k))
				ids[a.IncidentID] = true
			}
			if len(ids) != 3 {
				t.Errorf("a name that is a variant of two organisations joined one: %d incidents", len(ids))
			}
		})
	}
}

func startPub(t *testing.T) *bus.Publisher { return testenv.StartNATS(t).Pub }

package store

import "testing"

// History keeps the revision that began the incident and the latest
// MaxHistory-1.
func TestAddRevisionKeepsTheFirstAndTheLatest(t *testing.T) {
	var inc Incident
	for r := int64(1); r <= MaxHistory+25; r++ {
		inc.AddRevision(Revision{Revision: r})
	}
	h := inc.History
	if len(h) != MaxHistory || h[0].Revision != 1 || h[1].Revision != 27 || h[len(h)-1].Revision != MaxHistory+25 {
		t.Fatalf("%d revisions, first %d, second %d, last %d", len(h), h[0].Revision, h[1].Revision, h[len(h)-1].Revision)
	}
}

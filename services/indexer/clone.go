package indexer

import (
	"encoding/json"

	"github.com/breachwire/breachwire/services/store"
)

// clone deep-copies an incident (through JSON: simple and exact for this model).
func clone(inc *store.Incident) *store.Incident {
	b, _ := json.Marshal(inc)
	var out store.Incident
	_ = json.Unmarshal(b, &out)
	return &out
}

// fingerprint is the incident's content without its revision bookkeeping,
// to tell whether a merge changed anything.
func fingerprint(inc *store.Incident) []byte {
	c := *inc
	c.Revision, c.RevisionArticle, c.Changes, c.History = 0, "", nil, nil
	b, _ := json.Marshal(&c)
	return b
}

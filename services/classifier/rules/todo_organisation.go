package rules

// Not written yet (classifier issue): organisation and mentioned-incident
// rules. Until they land these find nothing.

import bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"

func organisation(d *doc) *bwv1.OrganisationFact { return nil }
func mentionedIncidents(d *doc, org *bwv1.OrganisationFact) []*bwv1.MentionedIncident {
	return nil
}

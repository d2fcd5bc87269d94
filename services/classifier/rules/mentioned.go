package rules

import bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"

func mentionedIncidents(d *doc, org *bwv1.OrganisationFact) []*bwv1.MentionedIncident {
	return nil
}

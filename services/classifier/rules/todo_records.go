package rules

// Not written yet (classifier issue): the records rule. Until it lands it
// finds nothing.

import bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"

func records(d *doc, org *bwv1.OrganisationFact) *bwv1.RecordsFact { return nil }

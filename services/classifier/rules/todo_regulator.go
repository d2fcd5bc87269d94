package rules

// Not written yet (classifier issue): regulator actions, notification timing,
// data types, dates and jurisdiction. Until they land these find nothing.

import (
	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

func regulatorActions(d *doc) []*bwv1.RegulatorAction       { return nil }
func notificationTimings(d *doc) []*bwv1.NotificationTiming { return nil }
func dataTypes(d *doc) []*bwv1.DataTypeFact                 { return nil }
func dates(d *doc, in classifier.Input) (*bwv1.DateFact, *bwv1.DateFact) {
	return nil, nil
}
func jurisdiction(d *doc, x *bwv1.Extraction) *bwv1.JurisdictionFact { return nil }

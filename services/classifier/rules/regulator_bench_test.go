package rules

import (
	"strings"
	"testing"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
)

// benchText is about 5 KB of synthetic breach news with regulator, timing,
// data and date cues spread through it.
var benchText = strings.Repeat("On 12 March 2019 hackers accessed the customer database of Example Widgets Ltd, a retailer based in Leeds. "+
	"Names, email addresses and dates of birth were exposed, but not passwords. "+
	"The company said it notified the Information Commissioner's Office within 72 hours and told customers on April 2. "+
	"The ICO said it was making enquiries and could fine the firm up to 4% of turnover. "+
	"A spokesperson apologised and said the company takes security seriously. ", 12)

// BenchmarkRegulatorFields measures the rules of this part alone (the doc
// is prepared once): regulator actions, timing, data types, dates and
// jurisdiction. Reported as a ratio to a baseline by scripts/bench.
func BenchmarkRegulatorFields(b *testing.B) {
	d := newDoc(benchText, "")
	in := classifier.Input{Text: benchText, Published: time.Date(2019, 4, 5, 0, 0, 0, 0, time.UTC)}
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		x := &bwv1.Extraction{RegulatorActions: regulatorActions(d)}
		x.NotificationTimings = notificationTimings(d)
		x.DataTypes = dataTypes(d)
		x.IncidentDate, x.DisclosureDate = dates(d, in)
		x.Jurisdiction = jurisdiction(d, x)
	}
}

// BenchmarkNewDoc is the baseline: preparing the same doc.
func BenchmarkNewDoc(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		newDoc(benchText, "")
	}
}

package scraper

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
)

// fromNotice is the article of a regulator's list row. Its text is the row
// as the feeder wrote it (the item's summary), its id comes from the row's
// identity (rows without a notice page of their own share the list's URL),
// and the notice rides along for the classifier.
func fromNotice(item *bwv1.DiscoveredItem, now time.Time) *bwv1.Article {
	n := item.GetNotice()
	text := bus.Clip(item.GetSummary(), maxTextBytes)
	return &bwv1.Article{
		Id:               sha256Hex("notice:" + n.GetParser() + "\x00" + n.GetRowId()),
		Url:              item.GetUrl(),
		CanonicalUrl:     item.GetCanonicalUrl(),
		Outlet:           outlet(n.GetRegulator(), item.GetUrl()),
		SiteName:         n.GetRegulator(),
		Title:            item.GetTitle(),
		PublishedAt:      item.GetPublishedAt(),
		FetchedAt:        timestamppb.New(now),
		Text:             text,
		Feed:             item.GetFeedUrl(),
		FeedTags:         item.GetFeedTags(),
		ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_NOTICE,
		ContentHash:      sha256Hex(text),
		Guid:             item.GetGuid(),
		FetchStatus:      bwv1.FetchStatus_FETCH_STATUS_OK,
		Update:           item.GetUpdate(),
		Notice:           n,
	}
}

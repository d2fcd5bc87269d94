package feeder

import (
	"html"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"
)

// entityRefRE is an XML entity reference by name ("&lol9;").
var entityRefRE = regexp.MustCompile(`&[A-Za-z_][A-Za-z0-9._-]{0,63};`)

// dropUnexpandedEntities removes entity references the feed parser left
// as text. gofeed does not expand entities a feed declares in its DTD
// (which is what makes a billion-laughs feed harmless), but it keeps their
// references verbatim, and "&lol9;" or an external "&xxe;" is not article
// text. References HTML knows ("&amp;" inside escaped HTML) stay, for the
// HTML to text step. It returns how many it removed.
func dropUnexpandedEntities(feed *gofeed.Feed) int {
	removed := 0
	clean := func(s *string) {
		if s == nil || !strings.Contains(*s, "&") {
			return
		}
		*s = entityRefRE.ReplaceAllStringFunc(*s, func(ref string) string {
			if html.UnescapeString(ref) != ref {
				return ref // an HTML entity: decoded later
			}
			removed++
			return ""
		})
	}
	clean(&feed.Title)
	clean(&feed.Description)
	for _, it := range feed.Items {
		clean(&it.Title)
		clean(&it.Description)
		clean(&it.Content)
		for _, a := range it.Authors {
			if a != nil {
				clean(&a.Name)
			}
		}
		for i := range it.Categories {
			clean(&it.Categories[i])
		}
	}
	return removed
}

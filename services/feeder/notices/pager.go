package notices

import (
	"net/url"

	"github.com/PuerkitoBio/goquery"
)

// nextSelector finds a list's link to its next page: Drupal's pager
// (Drupal 8 and later: li.pager__item--next; Drupal 7: li.pager-next), or
// a rel="next" link.
const nextSelector = `li.pager__item--next a[href], li.pager-next a[href], a[rel~="next"][href], link[rel~="next"][href]`

// nextPage is the absolute URL of the page after page, "" on the last
// page. A next link that leads back to page itself, or is not a web
// address, is no next page: a list must not be walked in a circle.
func nextPage(doc *goquery.Document, page *url.URL) string {
	next := ""
	doc.Find(nextSelector).EachWithBreak(func(_ int, a *goquery.Selection) bool {
		u := resolveLink(page, a.AttrOr("href", ""))
		if u == nil {
			return true
		}
		self := *page
		self.Fragment, self.RawFragment = "", ""
		if u.String() == self.String() {
			return true
		}
		next = u.String()
		return false
	})
	return next
}

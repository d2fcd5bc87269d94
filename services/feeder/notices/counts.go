package notices

import (
	"regexp"
	"strconv"
	"strings"
)

// countRe is a count as the lists write one: digits, grouped by commas or
// not ("1,234", "1234").
var countRe = regexp.MustCompile(`^(?:\d{1,3}(?:,\d{3})+|\d+)$`)

// readCount reads a cell's count of people. A cell that is blank
// ("Unknown", "N/A", "TBD", "") or anything but a plain number
// ("approximately 1,200") gives ok false: the count is unknown, which is
// not 0; the cell's words stay in Row.Text.
func readCount(s string) (n int64, ok bool) {
	s = collapse(s)
	if !countRe.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

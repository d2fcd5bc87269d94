package feeder

import (
	"time"

	"github.com/breachwire/breachwire/services/internal/config"
)

// State is what the feeder remembers about a feed between polls; it is
// stored in the bw_feeds bucket and shown by `breachwire feeds status`.
type State struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	BodyHash     string    `json:"body_hash,omitempty"`
	LastPoll     time.Time `json:"last_poll,omitzero"`
	NextPoll     time.Time `json:"next_poll,omitzero"`
	// Interval is the current adaptive poll interval.
	Interval time.Duration `json:"interval_ns,omitempty"`
	// LastFull is the last unconditional fetch; validators are not trusted
	// forever because some servers keep sending stale ones.
	LastFull            time.Time `json:"last_full,omitzero"`
	PollsSinceFull      int       `json:"polls_since_full,omitempty"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	// RateLimitedUntil is when the server said we may poll again, after a
	// 429 (or a 503 with Retry-After); zero once a poll succeeds.
	RateLimitedUntil time.Time  `json:"rate_limited_until,omitzero"`
	LastNewItem      time.Time  `json:"last_new_item,omitzero"`
	RecentItems      []DayCount `json:"recent_items,omitempty"` // new items per day, last 8 days
	TotalItems       int64      `json:"total_items"`
	Silent           bool       `json:"silent,omitempty"`
}

// DayCount is how many new items a feed yielded on one UTC day.
type DayCount struct {
	Day   string `json:"day"` // YYYY-MM-DD
	Items int    `json:"items"`
}

const recentWindow = 7 * 24 * time.Hour

func (s *State) recordItems(n int, now time.Time) {
	if n <= 0 {
		return
	}
	s.TotalItems += int64(n)
	s.LastNewItem = now
	day := now.UTC().Format(time.DateOnly)
	if k := len(s.RecentItems); k > 0 && s.RecentItems[k-1].Day == day {
		s.RecentItems[k-1].Items += n
	} else {
		s.RecentItems = append(s.RecentItems, DayCount{Day: day, Items: n})
	}
	s.pruneRecent(now)
}

// pruneRecent keeps the days that can still fall inside the 7-day window.
func (s *State) pruneRecent(now time.Time) {
	oldest := now.UTC().Add(-recentWindow - 24*time.Hour).Format(time.DateOnly)
	cut := 0
	for cut < len(s.RecentItems) && s.RecentItems[cut].Day < oldest {
		cut++
	}
	s.RecentItems = s.RecentItems[cut:]
}

// itemsSince counts new items on the days from t's day on.
func (s *State) itemsSince(t time.Time) int {
	from := t.UTC().Format(time.DateOnly)
	n := 0
	for _, d := range s.RecentItems {
		if d.Day >= from {
			n += d.Items
		}
	}
	return n
}

// silentAfter is how long a feed that used to yield may stay quiet before
// it is reported silent: a week, or three of its longest intervals.
func silentAfter(f config.Feed, def time.Duration) time.Duration {
	maxI := time.Duration(f.MaxInterval)
	if maxI == 0 {
		maxI = def
	}
	return max(recentWindow, 3*maxI)
}

func (s *State) health(f config.Feed, now time.Time) string {
	switch {
	case s.LastPoll.IsZero():
		return "new"
	case s.ConsecutiveFailures > 0:
		return "failing"
	case !s.RateLimitedUntil.IsZero():
		return "rate_limited"
	case s.Silent:
		return "silent"
	}
	return "ok"
}

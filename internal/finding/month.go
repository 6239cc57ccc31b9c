package finding

import (
	"time"

	"github.com/khien/khien/internal/i18n"
)

// MonthBounds are the first instant (UTC) of a calendar month "YYYY-MM" in
// Vietnam time and of the month after it: the list's found and resolved
// filters and the dashboard's trend count by these months.
func MonthBounds(month string) (from, to time.Time, ok bool) {
	m, err := time.ParseInLocation("2006-01", month, i18n.Vietnam)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return m.UTC(), m.AddDate(0, 1, 0).UTC(), true
}

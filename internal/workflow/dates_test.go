package workflow

import (
	"testing"
	"time"

	"carrierdesk/internal/date"
)

func TestLapsedAtTheEndOfTheDay(t *testing.T) {
	last := date.MustParse("2027-01-15")
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2027, 1, 15, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 1, 15, 20, 0, 0, 0, time.FixedZone("CST", -6*3600)), true}, // 02:00 UTC on the 16th
	} {
		if got := Lapsed(last, c.now); got != c.want {
			t.Errorf("Lapsed(%s, %s) = %v; want %v", last, c.now, got, c.want)
		}
	}
}

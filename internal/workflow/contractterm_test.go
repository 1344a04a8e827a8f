package workflow

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAddMonthsKeepsTheMonth(t *testing.T) {
	for _, tc := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{date(2027, 1, 31), 1, date(2027, 2, 28)},
		{date(2028, 1, 31), 1, date(2028, 2, 29)},
		{date(2027, 1, 15), 36, date(2030, 1, 15)},
		{date(2028, 2, 29), 12, date(2029, 2, 28)},
		{date(2027, 3, 31), -1, date(2027, 2, 28)},
	} {
		if got := AddMonths(tc.from, tc.n); !got.Equal(tc.want) {
			t.Errorf("AddMonths(%s, %d) = %s; want %s", tc.from.Format(time.DateOnly), tc.n, got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
		}
	}
}

func TestMonthsSpannedCountsAPartMonthAsWhole(t *testing.T) {
	for _, tc := range []struct {
		start, end time.Time
		want       int
	}{
		{date(2027, 1, 1), date(2030, 1, 1), 36},   // the anniversary
		{date(2027, 1, 1), date(2029, 12, 31), 36}, // the last day of service
		{date(2027, 1, 1), date(2027, 2, 1), 1},    // one month apart
		{date(2027, 1, 31), date(2027, 2, 28), 1},
		{date(2027, 1, 15), date(2027, 3, 16), 3},
		{date(2027, 1, 15), date(2027, 1, 16), 1},
		{time.Date(2027, 1, 1, 23, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 1, 0, 0, 0, time.UTC), 12}, // dates, not hours
	} {
		if got := MonthsSpanned(tc.start, tc.end); got != tc.want {
			t.Errorf("MonthsSpanned(%s, %s) = %d; want %d", tc.start, tc.end, got, tc.want)
		}
		if got := MonthsSpanned(tc.start, TermEnd(tc.start, tc.want)); got != tc.want {
			t.Errorf("TermEnd(%s, %d) spans %d months", tc.start, tc.want, got)
		}
	}
}

func TestFOCMetCountsBusinessDays(t *testing.T) {
	defer func(n int) { FOCTargetBusinessDays = n }(FOCTargetBusinessDays)
	FOCTargetBusinessDays = 5
	monday := time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		foc  time.Time
		want bool
	}{
		{date(2027, 3, 1), true},
		{date(2027, 3, 8), true},  // five business days later: the next Monday
		{date(2027, 3, 9), false}, // six
	} {
		if got := FOCMet(monday, tc.foc); got != tc.want {
			t.Errorf("FOCMet(Mon 1 March, %s) = %v; want %v", tc.foc.Format(time.DateOnly), got, tc.want)
		}
	}
	FOCTargetBusinessDays = 1
	if FOCMet(monday, date(2027, 3, 3)) {
		t.Errorf("with a target of 1 business day, an FOC two days later met it")
	}
}

func TestDueDateSlipped(t *testing.T) {
	ddd := date(2027, 5, 10)
	ptr := func(t time.Time) *time.Time { return &t }
	for _, tc := range []struct {
		name                string
		confirmed, complete *time.Time
		want                bool
	}{
		{"not confirmed", nil, nil, false},
		{"confirmed on the DDD", ptr(ddd), nil, false},
		{"confirmed earlier", ptr(ddd.AddDate(0, 0, -3)), nil, false},
		{"confirmed later than the DDD", ptr(ddd.AddDate(0, 0, 1)), nil, true},
		{"completed on the confirmed day, late evening", ptr(ddd), ptr(ddd.Add(23 * time.Hour)), false},
		{"completed the day after", ptr(ddd), ptr(ddd.AddDate(0, 0, 1)), true},
	} {
		if got := DueDateSlipped(ddd, tc.confirmed, tc.complete); got != tc.want {
			t.Errorf("%s: DueDateSlipped = %v; want %v", tc.name, got, tc.want)
		}
	}
}

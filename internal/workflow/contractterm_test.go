package workflow

import (
	"testing"
	"time"

	"carrierdesk/internal/date"
)

func day(y int, m time.Month, d int) date.Date { return date.New(y, m, d) }

func TestAddMonthsKeepsTheMonth(t *testing.T) {
	for _, tc := range []struct {
		from date.Date
		n    int
		want date.Date
	}{
		{day(2027, 1, 31), 1, day(2027, 2, 28)},
		{day(2028, 1, 31), 1, day(2028, 2, 29)},
		{day(2027, 1, 15), 36, day(2030, 1, 15)},
		{day(2028, 2, 29), 12, day(2029, 2, 28)},
		{day(2027, 3, 31), -1, day(2027, 2, 28)},
	} {
		if got := AddMonths(tc.from, tc.n); got != tc.want {
			t.Errorf("AddMonths(%s, %d) = %s; want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestMonthsSpannedCountsAPartMonthAsWhole(t *testing.T) {
	for _, tc := range []struct {
		start, end date.Date
		want       int
	}{
		{day(2027, 1, 1), day(2030, 1, 1), 36},   // the anniversary
		{day(2027, 1, 1), day(2029, 12, 31), 36}, // the last day of service
		{day(2027, 1, 1), day(2027, 2, 1), 1},    // one month apart
		{day(2027, 1, 31), day(2027, 2, 28), 1},
		{day(2027, 1, 15), day(2027, 3, 16), 3},
		{day(2027, 1, 15), day(2027, 1, 16), 1},
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
		foc  date.Date
		want bool
	}{
		{day(2027, 3, 1), true},
		{day(2027, 3, 8), true},  // five business days later: the next Monday
		{day(2027, 3, 9), false}, // six
	} {
		if got := FOCMet(monday, tc.foc); got != tc.want {
			t.Errorf("FOCMet(Mon 1 March, %s) = %v; want %v", tc.foc, got, tc.want)
		}
	}
	FOCTargetBusinessDays = 1
	if FOCMet(monday, day(2027, 3, 3)) {
		t.Errorf("with a target of 1 business day, an FOC two days later met it")
	}
}

func TestDueDateSlipped(t *testing.T) {
	ddd := day(2027, 5, 10)
	midnight := ddd.Start(time.UTC)
	for _, tc := range []struct {
		name      string
		confirmed *date.Date
		complete  *time.Time
		want      bool
	}{
		{"not confirmed", nil, nil, false},
		{"confirmed on the DDD", date.Ptr(ddd), nil, false},
		{"confirmed earlier", date.Ptr(ddd.AddDays(-3)), nil, false},
		{"confirmed later than the DDD", date.Ptr(ddd.AddDays(1)), nil, true},
		{"completed on the confirmed day, late evening", date.Ptr(ddd), new(midnight.Add(23 * time.Hour)), false},
		{"completed the day after", date.Ptr(ddd), new(midnight.AddDate(0, 0, 1)), true},
	} {
		if got := DueDateSlipped(ddd, tc.confirmed, tc.complete); got != tc.want {
			t.Errorf("%s: DueDateSlipped = %v; want %v", tc.name, got, tc.want)
		}
	}
}

package sla

import (
	"testing"
	"time"
)

// chicago is the calendar of the tests: America/Chicago, 08:00-18:00, with
// Thanksgiving 2026 (Thursday 26 November) as a holiday. DST began on
// 8 March 2026 and ended on 1 November 2026.
func chicago(t *testing.T) (Calendar, func(y int, m time.Month, d, h, min int) time.Time) {
	t.Helper()
	cal, err := NewCalendar("America/Chicago", "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	return cal, func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, cal.Location)
	}
}

func TestCalendarAdd(t *testing.T) {
	cal, at := chicago(t)
	tests := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within the day", at(2026, 3, 3, 10, 0), 4 * time.Hour, at(2026, 3, 3, 14, 0)},
		{"before opening starts at opening", at(2026, 3, 2, 6, 0), time.Hour, at(2026, 3, 2, 9, 0)},
		{"after closing starts next morning", at(2026, 3, 2, 19, 0), time.Hour, at(2026, 3, 3, 9, 0)},
		{"ends exactly at closing", at(2026, 3, 2, 8, 0), 10 * time.Hour, at(2026, 3, 2, 18, 0)},
		{"at closing carries to next day", at(2026, 3, 2, 18, 0), time.Minute, at(2026, 3, 3, 8, 1)},
		{"over a weekend", at(2026, 11, 20, 16, 0), 10 * time.Hour, at(2026, 11, 23, 16, 0)},
		{"from a Saturday", at(2026, 11, 21, 10, 0), 10 * time.Hour, at(2026, 11, 23, 18, 0)},
		{"over a holiday", at(2026, 11, 25, 12, 0), 10 * time.Hour, at(2026, 11, 27, 12, 0)},
		{"over a holiday and a weekend", at(2026, 11, 25, 12, 0), 30 * time.Hour, at(2026, 12, 1, 12, 0)},
		{"over the spring DST change", at(2026, 3, 6, 12, 0), 10 * time.Hour, at(2026, 3, 9, 12, 0)},
		{"over the autumn DST change", at(2026, 10, 30, 12, 0), 10 * time.Hour, at(2026, 11, 2, 12, 0)},
		{"zero is no time", at(2026, 11, 21, 10, 0), 0, at(2026, 11, 21, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.Add(tt.from, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%v, %v) = %v; want %v", tt.from, tt.d, got.In(cal.Location), tt.want)
			}
			if tt.d > 0 {
				if opens, closes := cal.hours(got); !cal.BusinessDay(got) || got.Before(opens) || got.After(closes) {
					t.Errorf("%v is outside business hours", got.In(cal.Location))
				}
				if b := cal.Between(tt.from, got); b != tt.d {
					t.Errorf("Between(from, Add(from, %v)) = %v", tt.d, b)
				}
			}
		})
	}
	// UTC instants: the spring change makes the same local hour one hour earlier in UTC.
	if got := cal.Add(at(2026, 3, 6, 12, 0), 10*time.Hour); !got.Equal(time.Date(2026, 3, 9, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("over the DST change: %v", got)
	}
}

func TestCalendarBetween(t *testing.T) {
	cal, at := chicago(t)
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"within the day", at(2026, 3, 3, 9, 0), at(2026, 3, 3, 11, 30), 150 * time.Minute},
		{"overnight", at(2026, 3, 3, 17, 0), at(2026, 3, 4, 9, 0), 2 * time.Hour},
		{"a weekend", at(2026, 11, 21, 0, 0), at(2026, 11, 23, 0, 0), 0},
		{"Friday evening to Monday morning", at(2026, 11, 20, 18, 30), at(2026, 11, 23, 7, 0), 0},
		{"Friday afternoon to Monday morning", at(2026, 11, 20, 17, 0), at(2026, 11, 23, 9, 0), 2 * time.Hour},
		{"a holiday", at(2026, 11, 26, 8, 0), at(2026, 11, 26, 18, 0), 0},
		{"a week with a holiday", at(2026, 11, 23, 0, 0), at(2026, 11, 30, 0, 0), 40 * time.Hour},
		{"over the spring DST change", at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 0), 2 * time.Hour},
		{"backwards is none", at(2026, 3, 4, 9, 0), at(2026, 3, 3, 9, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.Between(tt.from, tt.to); got != tt.want {
				t.Fatalf("Between = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestDue(t *testing.T) {
	cal, at := chicago(t)
	fri := at(2026, 11, 20, 17, 0) // a Friday, one business hour before closing
	sat := at(2026, 11, 21, 10, 0)
	wed := at(2026, 11, 25, 17, 0) // the eve of Thanksgiving
	tests := []struct {
		sev              string
		opened           time.Time
		respond, resolve time.Time
	}{
		{"SEV1", fri, fri.Add(15 * time.Minute), fri.Add(2 * time.Hour)},
		{"SEV2", fri, fri.Add(30 * time.Minute), fri.Add(4 * time.Hour)},
		{"SEV3", fri, at(2026, 11, 23, 11, 0), at(2026, 11, 23, 17, 0)},
		{"SEV4", fri, at(2026, 11, 23, 15, 0), at(2026, 11, 25, 17, 0)},
		{"SEV4", wed, at(2026, 11, 27, 15, 0), at(2026, 12, 1, 17, 0)}, // Thanksgiving and a weekend skipped
		{"SEV3", sat, at(2026, 11, 23, 12, 0), at(2026, 11, 23, 18, 0)},
		{"SEV1", sat, sat.Add(15 * time.Minute), sat.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.sev+" "+tt.opened.Weekday().String(), func(t *testing.T) {
			r, s, err := Due(tt.sev, tt.opened, cal)
			if err != nil || !r.Equal(tt.respond) || !s.Equal(tt.resolve) {
				t.Fatalf("Due = %v, %v, %v; want %v, %v", r.In(cal.Location), s.In(cal.Location), err, tt.respond, tt.resolve)
			}
		})
	}
	if _, _, err := Due("SEV9", fri, cal); err == nil {
		t.Fatal("unknown severity accepted")
	}
}

func TestResumed(t *testing.T) {
	cal, at := chicago(t)
	due := at(2026, 11, 23, 17, 0)
	tests := []struct {
		name            string
		sev             string
		paused, resumed time.Time
		want            time.Time
	}{
		{"a weekend pause adds no business time", "SEV3", at(2026, 11, 20, 18, 30), at(2026, 11, 23, 7, 0), due},
		{"business hours of the pause count", "SEV3", at(2026, 11, 20, 17, 0), at(2026, 11, 23, 9, 0), at(2026, 11, 24, 9, 0)},
		{"a holiday pause adds nothing", "SEV4", at(2026, 11, 26, 8, 0), at(2026, 11, 26, 17, 0), due},
		{"SEV1 runs 24x7", "SEV1", at(2026, 11, 20, 18, 30), at(2026, 11, 23, 7, 0), due.Add(60*time.Hour + 30*time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resumed(tt.sev, due, tt.paused, tt.resumed, cal)
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("Resumed = %v, %v; want %v", got.In(cal.Location), err, tt.want)
			}
		})
	}
}

func TestCalendarRefusesNonsense(t *testing.T) {
	for _, zone := range []string{"", "Local", "Mars/Olympus", "CST6CDT7"} {
		if _, err := NewCalendar(zone); err == nil {
			t.Errorf("time zone %q accepted", zone)
		}
	}
	if _, err := NewCalendar("UTC", "2026-13-01"); err == nil {
		t.Error("holiday 2026-13-01 accepted")
	}
	if d := Default(); d.Location.String() != DefaultTimeZone || d.DayLength() != 10*time.Hour {
		t.Errorf("Default() = %v, %v", d.Location, d.DayLength())
	}
}

func TestAddBusinessDaysIsWeekdaysInUTC(t *testing.T) {
	fri := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	if got := AddBusinessDays(fri, 1); !got.Equal(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("AddBusinessDays(Friday, 1) = %v", got)
	}
	if got := AddBusinessDays(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), 1); !got.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("AddBusinessDays(Saturday, 1) = %v", got)
	}
}

package date

import (
	"testing"
	"time"
)

func TestParseIsStrict(t *testing.T) {
	for _, s := range []string{"2027-01-15", "2028-02-29", "0001-01-01"} {
		if d, err := Parse(s); err != nil || d.String() != s {
			t.Errorf("Parse(%q) = %q, %v; want the same day", s, d, err)
		}
	}
	for _, s := range []string{
		"", "2027-01-15T00:00:00Z", "2027-01-15T00:00Z", "2027-01-15 00:00", "2027-1-15", "2027-01-5",
		"20270115", "15/01/2027", "2027-02-30", "2027-13-01", " 2027-01-15", "2027-01-15\n", "+2027-01-15",
	} {
		if d, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", s, d)
		}
	}
}

func TestOfTakesTheDayInTheZone(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	instant := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	if got := Of(instant, chicago); got != "2027-01-14" {
		t.Errorf("Of(UTC midnight, Chicago) = %s, want 2027-01-14", got)
	}
	if got := Of(instant, time.UTC); got != "2027-01-15" {
		t.Errorf("Of(UTC midnight, UTC) = %s, want 2027-01-15", got)
	}
	d := MustParse("2027-01-15")
	if got := d.Start(chicago); !got.Equal(time.Date(2027, 1, 15, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Start(Chicago) = %s", got)
	}
	if got := d.End(time.UTC); !got.Equal(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("End(UTC) = %s", got)
	}
}

func TestArithmetic(t *testing.T) {
	d := MustParse("2027-01-31")
	if got := d.AddDays(1); got != "2027-02-01" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddMonths(12); got != "2028-01-31" {
		t.Errorf("AddMonths(12) = %s", got)
	}
	if got := MustParse("2027-03-01").DaysUntil(MustParse("2027-03-31")); got != 30 {
		t.Errorf("DaysUntil = %d, want 30", got)
	}
	if got := MustParse("2027-03-31").DaysUntil(MustParse("2027-03-01")); got != -30 {
		t.Errorf("DaysUntil backwards = %d, want -30", got)
	}
	if !MustParse("2026-12-31").Before(MustParse("2027-01-01")) || MustParse("2027-01-02").Before(MustParse("2027-01-01")) {
		t.Error("Before does not follow the calendar")
	}
}

func TestScanReadsTheStoredDay(t *testing.T) {
	chicago := time.FixedZone("CST", -6*3600)
	for _, src := range []any{
		"2027-01-15",
		[]byte("2027-01-15"),
		time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 15, 0, 0, 0, 0, chicago), // a driver's midnight in another zone is still the 15th
		"2027-01-15 00:00:00+00:00",                 // a timestamp written before the column held dates
	} {
		var d Date
		if err := d.Scan(src); err != nil || d != "2027-01-15" {
			t.Errorf("Scan(%#v) = %q, %v", src, d, err)
		}
	}
	var d Date
	if err := d.Scan(int64(5)); err == nil {
		t.Error("Scan(int64) succeeded")
	}
	if _, err := Date("2027-02-30").Value(); err == nil {
		t.Error("Value of an impossible day succeeded")
	}
}

func TestUnmarshalGQLRefusesInstants(t *testing.T) {
	var d Date
	if err := d.UnmarshalGQL("2027-01-15T00:00:00Z"); err == nil {
		t.Error("a date-time was taken for a date")
	}
	if err := d.UnmarshalGQL(20270115); err == nil {
		t.Error("a number was taken for a date")
	}
	if err := d.UnmarshalGQL("2027-01-15"); err != nil || d != "2027-01-15" {
		t.Errorf("UnmarshalGQL = %q, %v", d, err)
	}
}

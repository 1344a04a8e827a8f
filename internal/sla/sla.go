// Package sla computes an escalation's response and resolution due times from
// its severity, as typical wholesale Ethernet agreements set them (DOMAIN.md):
// SEV1 restore in 2 hours, SEV2 in 4 hours, SEV3 in 1 business day, SEV4 in 3.
//
// SEV1 and SEV2 are outages and run 24x7 in clock time. SEV3 and SEV4 run in
// business time on the account's Calendar (business hours on weekdays, no
// holidays): their response and resolution targets, and the time an
// escalation waits on the client, are counted in business time only.
package sla

import (
	"fmt"
	"time"

	_ "time/tzdata" // calendars name IANA time zones; do not depend on the host's database
)

// Target is what an agreement promises for one severity.
type Target struct {
	Respond      time.Duration // first response: clock time, or business time when BusinessDays > 0
	Resolve      time.Duration // restore, in clock time, when BusinessDays is 0
	BusinessDays int           // restore, in business days of the account's calendar
}

// BusinessTime reports whether the target's clock runs in business time only.
func (t Target) BusinessTime() bool { return t.BusinessDays > 0 }

// Targets by severity, as stored in escalation.severity.
var Targets = map[string]Target{
	"SEV1": {Respond: 15 * time.Minute, Resolve: 2 * time.Hour},
	"SEV2": {Respond: 30 * time.Minute, Resolve: 4 * time.Hour},
	"SEV3": {Respond: 4 * time.Hour, BusinessDays: 1},
	"SEV4": {Respond: 8 * time.Hour, BusinessDays: 3},
}

func target(severity string) (Target, error) {
	t, ok := Targets[severity]
	if !ok {
		return Target{}, fmt.Errorf("sla: unknown severity %q", severity)
	}
	return t, nil
}

// Due returns when a response and a resolution are due for an escalation of
// severity opened at opened on calendar cal.
func Due(severity string, opened time.Time, cal Calendar) (respondBy, resolveBy time.Time, err error) {
	t, err := target(severity)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	opened = opened.UTC()
	if !t.BusinessTime() {
		return opened.Add(t.Respond), opened.Add(t.Resolve), nil
	}
	return cal.Add(opened, t.Respond), cal.AddBusinessDays(opened, t.BusinessDays), nil
}

// Paused is the part of the pause from pausedAt to resumedAt that the
// severity's resolution clock would have counted: clock time for SEV1 and
// SEV2, business time on cal for SEV3 and SEV4.
func Paused(severity string, pausedAt, resumedAt time.Time, cal Calendar) (time.Duration, error) {
	t, err := target(severity)
	if err != nil || !resumedAt.After(pausedAt) {
		return 0, err
	}
	if !t.BusinessTime() {
		return resumedAt.Sub(pausedAt), nil
	}
	return cal.Between(pausedAt, resumedAt), nil
}

// Resumed returns the resolution due time after a pause from pausedAt to
// resumedAt: due moved out by the time the clock would have counted, so a
// pause over a weekend moves a business-time target not at all.
func Resumed(severity string, due, pausedAt, resumedAt time.Time, cal Calendar) (time.Time, error) {
	t, err := target(severity)
	if err != nil {
		return time.Time{}, err
	}
	paused, err := Paused(severity, pausedAt, resumedAt, cal)
	if err != nil {
		return time.Time{}, err
	}
	if !t.BusinessTime() {
		return due.Add(paused), nil
	}
	return cal.Add(due, paused), nil
}

// AddBusinessDays moves t forward by n weekdays in UTC, at the same time of
// day, skipping Saturdays and Sundays; a start on a weekend counts from the
// following Monday. It knows no business hours, time zone or holidays: use
// Calendar.AddBusinessDays for those.
func AddBusinessDays(t time.Time, n int) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

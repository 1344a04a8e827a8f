// Package sla computes an escalation's response and resolution due times from
// its severity, as typical wholesale Ethernet agreements set them (DOMAIN.md):
// SEV1 restore in 2 hours, SEV2 in 4 hours, SEV3 in 1 business day, SEV4 in 3.
package sla

import (
	"fmt"
	"time"
)

// Target is what an agreement promises for one severity.
type Target struct {
	Respond      time.Duration // first response, in clock time
	Resolve      time.Duration // restore, in clock time, when BusinessDays is 0
	BusinessDays int           // restore, in business days (Monday to Friday)
}

// Targets by severity, as stored in escalation.severity.
var Targets = map[string]Target{
	"SEV1": {Respond: 15 * time.Minute, Resolve: 2 * time.Hour},
	"SEV2": {Respond: 30 * time.Minute, Resolve: 4 * time.Hour},
	"SEV3": {Respond: 4 * time.Hour, BusinessDays: 1},
	"SEV4": {Respond: 8 * time.Hour, BusinessDays: 3},
}

// Due returns when a response and a resolution are due for an escalation of
// severity opened at opened.
func Due(severity string, opened time.Time) (respondBy, resolveBy time.Time, err error) {
	t, ok := Targets[severity]
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("sla: unknown severity %q", severity)
	}
	opened = opened.UTC()
	respondBy = opened.Add(t.Respond)
	if t.BusinessDays > 0 {
		resolveBy = AddBusinessDays(opened, t.BusinessDays)
	} else {
		resolveBy = opened.Add(t.Resolve)
	}
	return respondBy, resolveBy, nil
}

// AddBusinessDays moves t forward by n business days, skipping Saturdays and
// Sundays. A start on a weekend counts from the following Monday at the same time of day.
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

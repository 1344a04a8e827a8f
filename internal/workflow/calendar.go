package workflow

import (
	"carrierdesk/internal/date"
	"context"
	"fmt"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/holiday"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/team"
	"carrierdesk/internal/sla"
)

// CalendarFor is the SLA calendar of an account: business hours of
// sla.DefaultOpens to sla.DefaultCloses, Monday to Friday, in the account's
// time zone, else the time zone of the team of the rep currently supporting
// it, else sla.DefaultTimeZone; the holidays are those of every region and of
// the account's region, from the day before from on (due times are computed
// with the holidays known when the clock starts or resumes).
func CalendarFor(ctx context.Context, c *ent.Client, accountID string, from time.Time) (sla.Calendar, error) {
	// The calendar is the program's: whoever starts a clock, it runs on the account's calendar.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	a, err := c.Account.Query().
		Where(account.ID(accountID)).
		Select(account.FieldRegion, account.FieldTimeZone).
		Only(ctx)
	if err != nil {
		return sla.Calendar{}, fmt.Errorf("reading the account's calendar: %w", err)
	}
	zone := sla.DefaultTimeZone
	if a.TimeZone != nil {
		zone = *a.TimeZone
	} else {
		zones, err := c.Team.Query().
			Where(
				team.TimeZoneNotNil(),
				team.HasMembersWith(rep.HasAssignmentsWith(
					accountassignment.AccountID(accountID),
					accountassignment.CapacityEQ(accountassignment.CapacitySupport),
					accountassignment.EndedAtIsNil(),
				)),
			).
			Select(team.FieldTimeZone).
			Strings(ctx)
		if err != nil {
			return sla.Calendar{}, fmt.Errorf("reading the support team's time zone: %w", err)
		}
		if len(zones) > 0 {
			zone = zones[0]
		}
	}
	holidays, err := c.Holiday.Query().
		Where(
			holiday.DateGTE(date.Of(from.AddDate(0, 0, -1), time.UTC)),
			holiday.Or(holiday.RegionIsNil(), holiday.RegionEQ(a.Region)),
		).
		All(ctx)
	if err != nil {
		return sla.Calendar{}, fmt.Errorf("reading holidays: %w", err)
	}
	days := make([]string, len(holidays))
	for i, h := range holidays {
		days[i] = h.Date.String()
	}
	return sla.NewCalendar(zone, days...)
}

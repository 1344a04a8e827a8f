package seed

import (
	"fmt"
	"strings"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
)

type reviewPlan struct {
	quarter          string
	status           businessreview.Status
	scheduled        time.Time
	attendees        []string
	agenda, outcomes string
}

type activityPlan struct {
	rep               int
	kind              activity.Kind
	occurred          time.Time
	location, summary string
}

// quarterBefore names the quarter before the one t falls in, such as "2026-Q3".
func quarterBefore(t time.Time) string {
	y, q := t.Year(), (int(t.Month())-1)/3
	if q == 0 {
		y, q = y-1, 4
	}
	return fmt.Sprintf("%d-Q%d", y, q)
}

// quarterStart is the first day of the quarter t falls in, moved by n quarters.
func quarterStart(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 3*n, 0)
}

const reviewAgenda = `1. MRC trend and revenue by product
2. Open quotes and special pricing requests
3. Order KPIs: FOC met, due-date slips
4. Tickets by severity and time to restore
5. Billing disputes
6. Renewals in the next 180 days`

var reviewOutcomes = []string{
	"Carrier to send a 12-month capacity forecast by month end.",
	"We committed to FOC within 5 business days on all ASRs next quarter.",
	"Agreed to co-term the new service orders with the master agreement.",
	"Billing dispute on two circuits resolved with a credit.",
	"Carrier wants a renewal proposal with a 60-month option before the notice date.",
	"Schedule a network diversity review with their engineering team.",
}

func (s *seeder) planReviews(a *accountPlan) {
	attendees := func() []string {
		names := []string{s.reps[a.repFor()].name}
		if a.ae >= 0 && a.ae != a.repFor() {
			names = append(names, s.reps[a.ae].name)
		}
		for _, c := range a.carrier.contacts[:1+s.rng.IntN(2)] {
			names = append(names, c.name)
		}
		return names
	}
	if a.status != account.StatusOnboarding {
		for j := range s.rng.IntN(3) {
			scheduled := quarterStart(a.end, -j-1).Add(days(10+s.rng.IntN(50)) + 15*time.Hour)
			r := reviewPlan{
				quarter:   quarterBefore(scheduled),
				status:    choose(s.rng, []option[businessreview.Status]{{businessreview.StatusHeld, 85}, {businessreview.StatusCancelled, 15}}),
				scheduled: scheduled,
				attendees: attendees(),
				agenda:    reviewAgenda,
			}
			if r.status == businessreview.StatusHeld {
				r.outcomes = pick(s.rng, reviewOutcomes) + "\n" + pick(s.rng, reviewOutcomes)
			}
			a.reviews = append(a.reviews, r)
		}
	}
	if a.status != account.StatusChurned && chance(s.rng, 75) {
		scheduled := s.today.Add(days(7+s.rng.IntN(74)) + 15*time.Hour)
		a.reviews = append(a.reviews, reviewPlan{
			quarter:   quarterBefore(scheduled),
			status:    businessreview.StatusScheduled,
			scheduled: scheduled,
			attendees: attendees(),
			agenda:    reviewAgenda,
		})
	}
}

func (s *seeder) planActivities(a *accountPlan) {
	n := s.rng.IntN(9)
	switch a.status {
	case account.StatusOnboarding:
		n = 2 + s.rng.IntN(7)
	case account.StatusChurned:
		n = s.rng.IntN(4)
	}
	var reps []int
	for _, r := range []int{a.support, a.strategic, a.ae} {
		if r >= 0 {
			reps = append(reps, r)
		}
	}
	for range n {
		kind := choose(s.rng, []option[activity.Kind]{
			{activity.KindCall, 30}, {activity.KindEmail, 30}, {activity.KindMeeting, 15}, {activity.KindNote, 15}, {activity.KindSiteVisit, 10},
		})
		day := s.when(a, days(1), days(180)).Truncate(24 * time.Hour)
		p := activityPlan{
			rep:      pick(s.rng, reps),
			kind:     kind,
			occurred: day.Add(time.Duration(8*60+s.rng.IntN(10*60)) * time.Minute),
			summary:  pick(s.rng, activitySummaries[kind]),
		}
		switch kind {
		case activity.KindMeeting:
			p.location = fmt.Sprintf("%s offices, %s, %s", strings.TrimSuffix(a.carrier.name, " Wholesale"), a.market.city, a.market.state)
		case activity.KindSiteVisit:
			p.location = fmt.Sprintf("%s, %s, %s", a.market.site, a.market.city, a.market.state)
		}
		a.activities = append(a.activities, p)
	}
}

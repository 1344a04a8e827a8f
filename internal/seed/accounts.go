package seed

import (
	"fmt"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
)

// accountPlan is an account and everything under it. Children refer to reps,
// contacts, quotes and contracts by index; the rows get IDs when inserted.
type accountPlan struct {
	carrier                *carrierPlan
	number, ban, name      string
	market                 market
	status                 account.Status
	opened, end            time.Time
	mrr                    money.Amount
	team                   *teamPlan
	support, strategic, ae int
	assignments            []assignmentPlan
	rfps                   []rfpPlan
	quotes                 []quotePlan
	contracts              []contractPlan
	orders                 []orderPlan
	reviews                []reviewPlan
	activities             []activityPlan
	escalations            []escalationPlan
	id                     string
}

type assignmentPlan struct {
	rep      int
	capacity accountassignment.Capacity
	started  time.Time
	ended    *time.Time
}

// when is a time between lo and hi before the end of the account's life (today,
// or the day it churned), and not before the account opened.
func (s *seeder) when(a *accountPlan, lo, hi time.Duration) time.Time {
	from := latest(a.end.Add(-hi), a.opened)
	to := a.end.Add(-lo)
	if !to.After(from) {
		to = earliest(from.Add(days(3)), a.end.Add(-time.Hour))
	}
	return between(s.rng, from, to)
}

// past caps a time that should have happened already at an hour before the account's end.
func (a *accountPlan) past(t time.Time) time.Time {
	return earliest(t, a.end.Add(-time.Hour))
}

// planAccount plans an account of carrier c and everything under it. The
// first account of all is the demo team's: active, in Dallas-Fort Worth.
func (s *seeder) planAccount(c *carrierPlan, first bool) *accountPlan {
	a := &accountPlan{carrier: c, support: -1, strategic: -1, ae: -1}
	region := pick(s.rng, c.regions)
	if first {
		region = enum.RegionSouthCentral
	}
	var inRegion []market
	for _, m := range markets {
		if m.region == region {
			inRegion = append(inRegion, m)
		}
	}
	a.market = pick(s.rng, inRegion)
	a.status = choose(s.rng, []option[account.Status]{
		{account.StatusActive, 70}, {account.StatusAtRisk, 10}, {account.StatusOnboarding, 10}, {account.StatusChurned, 10},
	})
	if c.status == carrier.StatusInactive {
		a.status = account.StatusChurned
	}
	if first {
		a.market, a.status = marketNamed("Dallas-Fort Worth"), account.StatusActive
	}
	a.end = s.today
	switch a.status {
	case account.StatusOnboarding:
		a.opened = s.today.Add(-days(20 + s.rng.IntN(100)))
	case account.StatusChurned:
		a.opened = s.today.Add(-days(700 + s.rng.IntN(1800)))
		a.end = s.today.Add(-days(30 + s.rng.IntN(270)))
	default:
		a.opened = s.today.Add(-days(400 + s.rng.IntN(2100)))
	}
	a.team = s.teamFor(a.market.region, first)
	s.accountSeq++
	a.number = fmt.Sprintf("ACC-%07d", 100_000+s.accountSeq*13+s.rng.IntN(13))
	if c.lastBAN != "" && chance(s.rng, 25) {
		a.ban = c.lastBAN
	} else {
		a.ban = fmt.Sprintf("BAN-%010d", 1_000_000_000+s.rng.Int64N(8_999_999_999))
		c.lastBAN = a.ban
	}
	a.name = fmt.Sprintf("%s – %s %s", c.name, a.market.name, pick(s.rng, accountPurposes))

	s.planAssignments(a)
	s.planRFPs(a)
	s.planQuotes(a)
	s.planContracts(a)
	s.planOrders(a)
	s.planReviews(a)
	s.planActivities(a)
	s.planEscalations(a)
	return a
}

// marketNamed finds a market of the catalog by name.
func marketNamed(name string) market {
	for _, m := range markets {
		if m.name == name {
			return m
		}
	}
	panic("seed: no market " + name)
}

// teamFor picks the team that works accounts in a region; regions without a team borrow one.
func (s *seeder) teamFor(region enum.Region, first bool) *teamPlan {
	if first {
		return s.teams[0]
	}
	want := []enum.Region{region}
	if borrowed, ok := borrowedRegions[region]; ok {
		want = borrowed
	}
	var candidates []*teamPlan
	for _, t := range s.teams {
		for _, r := range want {
			if t.region == r {
				candidates = append(candidates, t)
			}
		}
	}
	return pick(s.rng, candidates)
}

// planAssignments gives the account a current rep per capacity (strategic on most
// accounts only), with an ended predecessor on some, and ends them all when the account churned.
func (s *seeder) planAssignments(a *accountPlan) {
	capacities := []struct {
		capacity accountassignment.Capacity
		role     enum.Role
		team     []int
		rep      *int
		percent  int
	}{
		{accountassignment.CapacitySupport, enum.RoleSupport, a.team.support, &a.support, 100},
		{accountassignment.CapacityStrategic, enum.RoleStrategic, a.team.strategic, &a.strategic, 80},
		{accountassignment.CapacityAccountExecutive, enum.RoleAccountExecutive, a.team.ae, &a.ae, 100},
	}
	for _, c := range capacities {
		if !chance(s.rng, c.percent) {
			continue
		}
		rep := pick(s.rng, c.team)
		*c.rep = rep
		start := between(s.rng, a.opened, a.opened.Add(min(days(14), a.end.Sub(a.opened)/10)))
		if chance(s.rng, 25) {
			var others []int
			for _, r := range s.repsByRole[c.role] {
				if r != rep {
					others = append(others, r)
				}
			}
			if len(others) > 0 {
				handover := between(s.rng, a.opened.Add(a.end.Sub(a.opened)/5), a.opened.Add(a.end.Sub(a.opened)*7/10))
				a.assignments = append(a.assignments, assignmentPlan{
					rep: pick(s.rng, others), capacity: c.capacity, started: start, ended: &handover,
				})
				start = handover
			}
		}
		current := assignmentPlan{rep: rep, capacity: c.capacity, started: start}
		if a.status == account.StatusChurned {
			end := a.end
			current.ended = &end
		}
		a.assignments = append(a.assignments, current)
	}
}

// repFor is the account's rep for a kind of work, falling back to whoever is assigned.
func (a *accountPlan) repFor(preferred ...int) int {
	for _, r := range append(preferred, a.support, a.ae, a.strategic) {
		if r >= 0 {
			return r
		}
	}
	return a.team.manager
}

// closedOnly narrows a status distribution to the final statuses for churned accounts.
func closedOnly[T comparable](a *accountPlan, opts []option[T], final ...T) []option[T] {
	if a.status != account.StatusChurned {
		return opts
	}
	var out []option[T]
	for _, o := range opts {
		for _, f := range final {
			if o.value == f {
				out = append(out, o)
			}
		}
	}
	return out
}

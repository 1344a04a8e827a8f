package seed

import (
	"fmt"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/quote"
	"carrierdesk/internal/money"
)

type contractPlan struct {
	kind              contract.Kind
	title             string
	status            contract.Status
	start, end        time.Time
	term              int
	mrc, nrc          money.Amount
	autoRenew         bool
	noticeDays        int
	master, renewalOf int
	coTermed          bool
	quote             int
	created           time.Time
	id                string
}

// planContracts gives most accounts a master agreement (some renewed from an
// earlier one) with service orders under it, some co-termed with the master.
func (s *seeder) planContracts(a *accountPlan) {
	var accepted []int
	for i, q := range a.quotes {
		if q.status == quote.StatusAccepted {
			accepted = append(accepted, i)
		}
	}
	nextQuote := func() int {
		if len(accepted) == 0 {
			return -1
		}
		i := accepted[0]
		accepted = accepted[1:]
		return i
	}
	master := contractPlan{
		kind:       contract.KindMasterAgreement,
		title:      "Master Services Agreement – " + a.carrier.name,
		term:       pick(s.rng, []int{36, 60}),
		master:     -1,
		renewalOf:  -1,
		quote:      nextQuote(),
		autoRenew:  chance(s.rng, 50),
		noticeDays: pick(s.rng, []int{30, 60, 90}),
	}
	s.pricedFrom(a, &master, 2_000_00, 60_000_00)
	switch a.status {
	case account.StatusOnboarding:
		master.status = choose(s.rng, []option[contract.Status]{{contract.StatusDraft, 40}, {contract.StatusPendingSignature, 60}})
		master.start = s.today.Add(days(7 + s.rng.IntN(39)))
	case account.StatusChurned:
		master.status = choose(s.rng, []option[contract.Status]{{contract.StatusExpired, 60}, {contract.StatusTerminated, 40}})
		master.start = a.end.Add(-days(s.rng.IntN(30))).AddDate(0, -master.term, 0)
	default:
		master.status = contract.StatusActive
		horizon := 365
		if a.status == account.StatusAtRisk {
			horizon = 120
		}
		master.start = s.today.Add(days(1+s.rng.IntN(horizon))).AddDate(0, -master.term, 0)
		if chance(s.rng, 15) {
			old := master
			old.title = "Master Services Agreement (original) – " + a.carrier.name
			old.status = contract.StatusRenewed
			old.quote = -1
			old.term = 36
			old.start = addMonths(master.start, -old.term)
			old.end = master.start.Add(-days(1))
			old.created = old.start.Add(-days(14 + s.rng.IntN(30)))
			a.contracts = append(a.contracts, old)
			master.renewalOf = len(a.contracts) - 1
			master.title = fmt.Sprintf("Master Services Agreement (renewal %d) – %s", master.start.Year(), a.carrier.name)
		}
	}
	master.end = addMonths(master.start, master.term)
	master.created = a.past(master.start.Add(-days(14 + s.rng.IntN(30))))
	a.contracts = append(a.contracts, master)
	m := len(a.contracts) - 1

	n := choose(s.rng, []option[int]{{0, 30}, {1, 40}, {2, 25}, {3, 5}})
	for k := range n {
		so := contractPlan{
			kind:       contract.KindServiceOrder,
			title:      fmt.Sprintf("Service Order %d – %s", k+1, a.market.name),
			master:     m,
			renewalOf:  -1,
			quote:      -1,
			autoRenew:  master.autoRenew,
			noticeDays: master.noticeDays,
		}
		futureMaster := master.start.After(s.today)
		switch {
		case futureMaster:
			so.start = master.start.Add(days(s.rng.IntN(30)))
		case a.status != account.StatusChurned && chance(s.rng, 10):
			so.start = s.today.Add(days(7 + s.rng.IntN(24))) // A new add-on, not signed yet.
		default:
			so.start = between(s.rng, master.start.Add(days(30)), earliest(s.today, master.end).Add(-days(31)))
		}
		so.start = so.start.Truncate(24 * time.Hour)
		so.coTermed = chance(s.rng, 40) && master.end.Sub(so.start) > days(31)
		if so.coTermed {
			so.end = master.end
			so.term = monthsBetween(so.start, so.end)
			s.pricedFrom(a, &so, 500_00, 15_000_00)
		} else {
			so.quote = nextQuote()
			so.term = pick(s.rng, []int{12, 24, 36})
			s.pricedFrom(a, &so, 500_00, 15_000_00)
			so.end = addMonths(so.start, so.term)
			if so.quote >= 0 {
				so.title = "Service Order: " + a.quotes[so.quote].title
			}
		}
		switch {
		case so.start.After(s.today):
			so.status = choose(s.rng, []option[contract.Status]{{contract.StatusDraft, 40}, {contract.StatusPendingSignature, 60}})
		case !so.end.After(s.today) || a.status == account.StatusChurned:
			so.status = choose(s.rng, []option[contract.Status]{{contract.StatusExpired, 80}, {contract.StatusTerminated, 20}})
			if a.status == account.StatusChurned {
				so.status = master.status
			}
		default:
			so.status = contract.StatusActive
		}
		so.created = a.past(so.start.Add(-days(7 + s.rng.IntN(30))))
		a.contracts = append(a.contracts, so)
	}
	for _, c := range a.contracts {
		if c.status == contract.StatusActive {
			a.mrr += c.mrc
		}
	}
}

// pricedFrom sets a contract's charges from its quote, or makes them up within [lo, hi).
func (s *seeder) pricedFrom(a *accountPlan, c *contractPlan, lo, hi money.Amount) {
	if c.quote >= 0 {
		q := a.quotes[c.quote]
		c.mrc, c.nrc, c.term = q.mrc, q.nrc, q.term
		return
	}
	c.mrc = lo + money.Amount(s.rng.Int64N(int64(hi-lo)/1000_00))*1000_00
	c.nrc = pick(s.rng, []money.Amount{0, 0, 1_000_00, 5_000_00})
}

package seed

import (
	"fmt"
	"strings"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/order"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
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

type rfpPlan struct {
	title         string
	status        rfp.Status
	received, due time.Time
	value         money.Amount
	owner         int
	id            string
}

type quotePlan struct {
	title               string
	status              quote.Status
	term                int
	mrc, nrc, tcv       money.Amount
	created, validUntil time.Time
	followUp, sent      *time.Time
	owner               int
	rfp                 int
	lines               []linePlan
	pricing             []pricingPlan
	id                  string
}

type linePlan struct {
	product          quotelineitem.Product
	bandwidth        string
	aLocation, aCLLI string
	zLocation, zCLLI string
	mrc, nrc         money.Amount
	quantity         int
}

type pricingPlan struct {
	status                  specialpricingrequest.Status
	justification, reason   string
	standard, requested     money.Amount
	approved                *money.Amount
	requestedBy, decidedBy  int
	created                 time.Time
	submitted, due, decided *time.Time
}

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

type orderPlan struct {
	kind                         order.Kind
	pon, circuitID               string
	status                       order.Status
	created, desiredDue          time.Time
	foc, confirmedDue, completed *time.Time
	tnCount                      int
	quote                        int
}

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

func (s *seeder) planRFPs(a *accountPlan) {
	n := choose(s.rng, []option[int]{{0, 55}, {1, 30}, {2, 15}})
	for range n {
		p := rfpPlan{
			title: fmt.Sprintf(pick(s.rng, rfpTitles), a.market.name),
			status: choose(s.rng, closedOnly(a, []option[rfp.Status]{
				{rfp.StatusReceived, 10}, {rfp.StatusQualifying, 10}, {rfp.StatusInProgress, 15}, {rfp.StatusSubmitted, 15},
				{rfp.StatusWon, 20}, {rfp.StatusLost, 20}, {rfp.StatusNoBid, 10},
			}, rfp.StatusWon, rfp.StatusLost, rfp.StatusNoBid)),
			value: money.Amount(5+s.rng.IntN(496)) * 10_000_00,
			owner: a.repFor(a.strategic, a.ae),
		}
		switch p.status {
		case rfp.StatusReceived, rfp.StatusQualifying, rfp.StatusInProgress, rfp.StatusSubmitted:
			p.received = s.when(a, time.Hour, days(30))
		default:
			p.received = s.when(a, days(45), days(600))
		}
		p.due = p.received.Add(days(14 + s.rng.IntN(32))).Truncate(24 * time.Hour).Add(17 * time.Hour)
		if p.status == rfp.StatusReceived && chance(s.rng, 40) {
			p.owner = -1
		}
		a.rfps = append(a.rfps, p)
	}
}

// quoteStatusForRFP is the status of the quote answering an RFP in each status; RFPs
// not yet worked on, or not bid, have no quote.
var quoteStatusForRFP = map[rfp.Status][]quote.Status{
	rfp.StatusInProgress: {quote.StatusDraft, quote.StatusPendingApproval},
	rfp.StatusSubmitted:  {quote.StatusSent},
	rfp.StatusWon:        {quote.StatusAccepted},
	rfp.StatusLost:       {quote.StatusDeclined},
}

func (s *seeder) planQuotes(a *accountPlan) {
	for i, r := range a.rfps {
		if statuses, ok := quoteStatusForRFP[r.status]; ok {
			created := a.past(r.received.Add(days(2 + s.rng.IntN(9))))
			s.planQuote(a, pick(s.rng, statuses), created, i)
		}
	}
	n := 5 + s.rng.IntN(11)
	if a.status == account.StatusOnboarding {
		n = 2 + s.rng.IntN(5)
	}
	for range n {
		status := choose(s.rng, closedOnly(a, []option[quote.Status]{
			{quote.StatusDraft, 10}, {quote.StatusPendingApproval, 10}, {quote.StatusApproved, 8}, {quote.StatusSent, 17},
			{quote.StatusAccepted, 25}, {quote.StatusDeclined, 15}, {quote.StatusExpired, 15},
		}, quote.StatusAccepted, quote.StatusDeclined, quote.StatusExpired))
		var created time.Time
		switch status {
		case quote.StatusDraft, quote.StatusPendingApproval, quote.StatusApproved:
			created = s.when(a, time.Hour, days(30))
		case quote.StatusSent:
			created = s.when(a, days(7), days(40))
		default:
			created = s.when(a, days(20), days(720))
		}
		s.planQuote(a, status, created, -1)
	}
}

// planQuote plans one quote, its lines, totals consistent with them, and perhaps a special pricing request.
func (s *seeder) planQuote(a *accountPlan, status quote.Status, created time.Time, rfpIndex int) {
	q := quotePlan{
		status:  status,
		term:    pick(s.rng, []int{12, 24, 36, 36, 36, 60}),
		created: created,
		owner:   a.repFor(a.strategic, a.ae),
		rfp:     rfpIndex,
	}
	if chance(s.rng, 20) {
		q.owner = a.repFor(a.ae)
	}
	n := choose(s.rng, []option[int]{{1, 10}, {2, 20}, {3, 35}, {4, 35}})
	for range n {
		q.lines = append(q.lines, s.planLine(a))
	}
	for _, l := range q.lines {
		q.mrc += l.mrc * money.Amount(l.quantity)
		q.nrc += l.nrc * money.Amount(l.quantity)
	}
	q.tcv = q.mrc*money.Amount(q.term) + q.nrc
	q.title = s.quoteTitle(a, q.lines, rfpIndex >= 0)

	q.validUntil = created.Add(days(pick(s.rng, []int{30, 45, 60, 90}))).Truncate(24 * time.Hour)
	switch status {
	case quote.StatusSent, quote.StatusAccepted, quote.StatusDeclined, quote.StatusExpired:
		sent := between(s.rng, created.Add(time.Hour), a.past(created.Add(days(5))))
		q.sent = &sent
	}
	switch status {
	case quote.StatusSent:
		q.validUntil = s.today.Add(days(5 + s.rng.IntN(56)))
	case quote.StatusExpired:
		q.validUntil = between(s.rng, q.sent.Add(days(1)), a.past(created.Add(days(90)))).Truncate(24 * time.Hour)
	}
	switch status {
	case quote.StatusDraft, quote.StatusPendingApproval, quote.StatusApproved, quote.StatusSent:
		if status != quote.StatusDraft || chance(s.rng, 50) {
			follow := created.Add(days(7 + s.rng.IntN(8))).Truncate(24 * time.Hour)
			q.followUp = &follow
		}
	}
	s.planPricing(a, &q)
	a.quotes = append(a.quotes, q)
}

// planLine is one line of a quote: a product at a price near the rate card.
func (s *seeder) planLine(a *accountPlan) linePlan {
	p := choose(s.rng, []option[quotelineitem.Product]{
		{quotelineitem.ProductEthernet, 30}, {quotelineitem.ProductInternetAccess, 20}, {quotelineitem.ProductWavelength, 20},
		{quotelineitem.ProductDarkFiber, 10}, {quotelineitem.ProductVoice, 10}, {quotelineitem.ProductVideo, 10},
	})
	r := pick(s.rng, rateCard[p])
	l := linePlan{
		product:   p,
		bandwidth: r.bandwidth,
		mrc:       around(s.rng, r.mrc, 80, 115),
		nrc:       pick(s.rng, []money.Amount{0, 0, 500_00, 1_000_00, 2_500_00}),
		quantity:  1,
		aLocation: s.location(a.market),
	}
	if chance(s.rng, 60) {
		l.aCLLI = s.clli(a.market)
	}
	switch p {
	case quotelineitem.ProductEthernet:
		l.quantity = choose(s.rng, []option[int]{{1, 60}, {2, 20}, {4, 10}, {8, 10}})
	case quotelineitem.ProductVoice:
		l.quantity = pick(s.rng, []int{23, 46, 96, 192, 500})
	case quotelineitem.ProductDarkFiber:
		l.quantity = 1 + s.rng.IntN(2)
		l.nrc = money.Amount(5+s.rng.IntN(21)) * 1_000_00
	}
	switch p {
	case quotelineitem.ProductEthernet, quotelineitem.ProductWavelength, quotelineitem.ProductDarkFiber:
		if chance(s.rng, 70) {
			z := a.market
			if p == quotelineitem.ProductWavelength && chance(s.rng, 60) {
				z = pick(s.rng, markets)
			}
			l.zLocation = s.location(z)
			if chance(s.rng, 60) {
				l.zCLLI = s.clli(z)
			}
		}
	}
	return l
}

// location is a street address or the meet-me site of a market.
func (s *seeder) location(m market) string {
	if chance(s.rng, 30) {
		return fmt.Sprintf("%s, %s, %s", m.site, m.city, m.state)
	}
	return fmt.Sprintf("%d %s, %s, %s", 100+s.rng.IntN(9800), pick(s.rng, streets), m.city, m.state)
}

// clli is an 11-character CLLI code in a market.
func (s *seeder) clli(m market) string {
	return m.clli + pick(s.rng, clliBuildings) + pick(s.rng, clliEntities)
}

// quoteTitle describes a quote by its first line.
func (s *seeder) quoteTitle(a *accountPlan, lines []linePlan, forRFP bool) string {
	first := lines[0]
	title := productLabels[first.product]
	if first.bandwidth != "" {
		title = first.bandwidth + " " + title
	}
	title += " – " + a.market.name
	if len(lines) > 1 {
		title += fmt.Sprintf(" + %d more", len(lines)-1)
	}
	prefix := choose(s.rng, []option[string]{{"", 60}, {"Upgrade: ", 15}, {"Renewal: ", 10}, {"Expansion: ", 15}})
	if forRFP {
		prefix = "RFP response: "
	}
	return prefix + title
}

// sparcStatusForQuote says which request statuses fit a quote status.
var sparcStatusForQuote = map[quote.Status][]option[specialpricingrequest.Status]{
	quote.StatusDraft:           {{specialpricingrequest.StatusDraft, 80}, {specialpricingrequest.StatusWithdrawn, 20}},
	quote.StatusPendingApproval: {{specialpricingrequest.StatusSubmitted, 50}, {specialpricingrequest.StatusInReview, 50}},
	quote.StatusApproved:        {{specialpricingrequest.StatusApproved, 100}},
	quote.StatusSent:            {{specialpricingrequest.StatusApproved, 90}, {specialpricingrequest.StatusRejected, 10}},
	quote.StatusAccepted:        {{specialpricingrequest.StatusApproved, 100}},
	quote.StatusDeclined:        {{specialpricingrequest.StatusRejected, 60}, {specialpricingrequest.StatusWithdrawn, 40}},
}

// planPricing adds a special pricing request to some quotes.
func (s *seeder) planPricing(a *accountPlan, q *quotePlan) {
	opts, ok := sparcStatusForQuote[q.status]
	if !ok || !chance(s.rng, 25) {
		return
	}
	p := pricingPlan{
		status:        choose(s.rng, opts),
		justification: fmt.Sprintf(pick(s.rng, sparcJustifications), pick(s.rng, competitors)),
		standard:      q.mrc,
		requested:     around(s.rng, q.mrc, 70, 92),
		requestedBy:   q.owner,
		decidedBy:     -1,
	}
	limit := a.end.Add(-time.Hour)
	if q.sent != nil {
		limit = *q.sent
	}
	p.created = between(s.rng, q.created, earliest(q.created.Add(days(1)), limit))
	if p.status == specialpricingrequest.StatusDraft {
		q.pricing = append(q.pricing, p)
		return
	}
	submitted := between(s.rng, p.created, earliest(p.created.Add(8*time.Hour), limit))
	due := submitted.Add(48 * time.Hour)
	p.submitted, p.due = &submitted, &due
	switch p.status {
	case specialpricingrequest.StatusApproved, specialpricingrequest.StatusRejected:
		decided := between(s.rng, submitted.Add(time.Hour), earliest(submitted.Add(72*time.Hour), limit))
		p.decided = &decided
		p.decidedBy = a.team.manager
		if p.status == specialpricingrequest.StatusApproved {
			approved := p.requested + (p.standard-p.requested)*money.Amount(s.rng.IntN(61))/100/100*100
			p.approved = &approved
			p.reason = "Approved: the deal clears the IRR hurdle at this price."
		} else {
			p.reason = "Rejected: below floor for this route; counter at the standard rate with a waived NRC."
		}
	}
	q.pricing = append(q.pricing, p)
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
			old.start = master.start.AddDate(0, -old.term, 0)
			old.end = master.start.Add(-days(1))
			old.created = old.start.Add(-days(14 + s.rng.IntN(30)))
			a.contracts = append(a.contracts, old)
			master.renewalOf = len(a.contracts) - 1
			master.title = fmt.Sprintf("Master Services Agreement (renewal %d) – %s", master.start.Year(), a.carrier.name)
		}
	}
	master.end = master.start.AddDate(0, master.term, 0)
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
			so.end = so.start.AddDate(0, so.term, 0)
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

func (s *seeder) planOrders(a *accountPlan) {
	var accepted []int
	for i, q := range a.quotes {
		if q.status == quote.StatusAccepted {
			accepted = append(accepted, i)
		}
	}
	n := choose(s.rng, []option[int]{{0, 15}, {1, 20}, {2, 25}, {3, 20}, {4, 12}, {6, 8}})
	for range n {
		o := orderPlan{
			kind:  choose(s.rng, []option[order.Kind]{{order.KindASR, 75}, {order.KindLSR, 25}}),
			quote: -1,
		}
		statuses := []option[order.Status]{
			{order.StatusDraft, 8}, {order.StatusSubmitted, 12}, {order.StatusClarification, 8}, {order.StatusConfirmed, 17},
			{order.StatusCompleted, 40}, {order.StatusCancelled, 8}, {order.StatusRejected, 7},
		}
		if a.status == account.StatusOnboarding {
			statuses = statuses[:4]
		}
		o.status = choose(s.rng, closedOnly(a, statuses, order.StatusCompleted, order.StatusCancelled, order.StatusRejected))
		switch o.status {
		case order.StatusDraft, order.StatusSubmitted:
			o.created = s.when(a, time.Hour, days(20))
		case order.StatusClarification:
			o.created = s.when(a, days(2), days(25))
		case order.StatusConfirmed:
			o.created = s.when(a, days(5), days(45))
		default:
			o.created = s.when(a, days(100), days(900))
		}
		lead := 20 + s.rng.IntN(41)
		if o.kind == order.KindLSR {
			lead = 7 + s.rng.IntN(15)
			o.tnCount = pick(s.rng, []int{1, 2, 5, 10, 25, 50, 100, 250, 1000})
		}
		o.desiredDue = o.created.Add(days(lead)).Truncate(24 * time.Hour)
		if o.status == order.StatusConfirmed || o.status == order.StatusCompleted {
			foc := between(s.rng, o.created.Add(days(1)), a.past(o.created.Add(days(10))))
			confirmed := o.desiredDue
			if chance(s.rng, 25) {
				confirmed = confirmed.Add(days(1 + s.rng.IntN(21)))
			}
			confirmed = latest(confirmed, foc.Truncate(24*time.Hour).Add(days(1)))
			o.foc, o.confirmedDue = &foc, &confirmed
			if o.kind == order.KindASR {
				o.circuitID = s.circuitID(a.carrier)
				if len(accepted) > 0 && chance(s.rng, 40) {
					o.quote = pick(s.rng, accepted)
				}
			}
		}
		if o.status == order.StatusCompleted {
			done := a.past(o.confirmedDue.Add(time.Duration(8+s.rng.IntN(10)) * time.Hour))
			o.completed = &done
		}
		kind := "A"
		if o.kind == order.KindLSR {
			kind = "L"
		}
		a.carrier.ponSeq += 1 + s.rng.IntN(9)
		o.pon = fmt.Sprintf("%s-%s%02d-%05d", a.carrier.ccna, kind, o.created.Year()%100, a.carrier.ponSeq)
		a.orders = append(a.orders, o)
	}
}

// circuitID is a circuit ID in one of the formats carriers use. They are kept
// verbatim, odd spacing included, because carriers search for them as written.
func (s *seeder) circuitID(c *carrierPlan) string {
	code := pick(s.rng, circuitServiceCodes)
	serial := 100_000 + s.rng.IntN(900_000)
	switch s.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%02d.%s.%06d..%s", 10+s.rng.IntN(90), code, serial, pick(s.rng, []string{"SW", "LC", "LGT", c.ccna}))
	case 1:
		return fmt.Sprintf("%d /%s/ %06d /%s", 100+s.rng.IntN(900), code, serial, c.ccna)
	case 2:
		return fmt.Sprintf("%s/%s/%06d/%03d/%s", c.ccna, code, serial, s.rng.IntN(1000), "TWCC")
	default:
		return fmt.Sprintf("%02d.%s.%06d.%03d.%s", 10+s.rng.IntN(90), code, serial, s.rng.IntN(1000), c.ccna)
	}
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

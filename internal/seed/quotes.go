package seed

import (
	"fmt"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/deal"
	"carrierdesk/internal/money"
)

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
	// Four eyes: who submitted and approved, never the owner (the creator).
	submitted, approved *time.Time
	approver            int
	special             *money.Amount // the MRC granted by an approved special pricing request
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
	s.planApproval(a, &q)
	a.quotes = append(a.quotes, q)
}

// planApproval dates the submission and approval of a quote that went that
// far, after any special pricing request on it was decided (an undecided one
// blocks submission), and names an approver other than its owner: the
// team's manager, or another team's when the manager owns it.
func (s *seeder) planApproval(a *accountPlan, q *quotePlan) {
	q.approver = -1
	if q.status == quote.StatusDraft {
		return
	}
	lo := q.created
	for _, p := range q.pricing {
		if p.decided != nil {
			lo = latest(lo, *p.decided)
		}
	}
	hi := a.past(lo.Add(days(3)))
	if q.sent != nil {
		hi = *q.sent
		lo = earliest(lo, hi)
	}
	submitted := between(s.rng, lo, hi)
	q.submitted = &submitted
	if q.status == quote.StatusPendingApproval {
		return
	}
	approved := between(s.rng, submitted, hi)
	q.approved = &approved
	q.approver = s.approverFor(a, q.owner)
}

// approverFor is a manager who may approve what rep owns or requested: the
// account team's manager, or the next team's when that is rep.
func (s *seeder) approverFor(a *accountPlan, rep int) int {
	if a.team.manager != rep {
		return a.team.manager
	}
	for _, t := range s.teams {
		if t.manager != rep {
			return t.manager
		}
	}
	return -1
}

// dealOf is the deal model of a planned quote, as the quote hooks compute it
// from its totals and the schema's defaults for the costs and rates that the
// seeder leaves unset.
func dealOf(q *quotePlan) (deal.Result, error) {
	r, err := deal.Evaluate(deal.Input{
		TermMonths:         q.term,
		MRC:                q.mrc,
		NRC:                q.nrc,
		Capex:              quote.DefaultCapex,
		OneTimeCost:        quote.DefaultOneTimeCost,
		MonthlyOpex:        quote.DefaultMonthlyOpex,
		MonthlyOffNetCost:  quote.DefaultMonthlyOffNetCost,
		MonthlyChurn:       quote.DefaultMonthlyChurn,
		AnnualDiscountRate: quote.DefaultAnnualDiscountRate,
	})
	if err != nil {
		return deal.Result{}, fmt.Errorf("seed: deal model of quote %q: %w", q.title, err)
	}
	return r, nil
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
	quote.StatusDraft:           {{specialpricingrequest.StatusDraft, 50}, {specialpricingrequest.StatusSubmitted, 15}, {specialpricingrequest.StatusInReview, 15}, {specialpricingrequest.StatusWithdrawn, 20}},
	quote.StatusPendingApproval: {{specialpricingrequest.StatusApproved, 60}, {specialpricingrequest.StatusRejected, 20}, {specialpricingrequest.StatusWithdrawn, 20}},
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
	if p.status == specialpricingrequest.StatusDraft || p.requested >= p.standard {
		p.status = specialpricingrequest.StatusDraft
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
		p.decidedBy = s.approverFor(a, p.requestedBy)
		if p.status == specialpricingrequest.StatusApproved {
			approved := p.requested + (p.standard-p.requested)*money.Amount(s.rng.IntN(61))/100/100*100
			p.approved = &approved
			p.reason = "Approved: the deal clears the IRR hurdle at this price."
			// The granted price is the quote's MRC from then on.
			q.special = &approved
			q.mrc = approved
			q.tcv = q.mrc*money.Amount(q.term) + q.nrc
		} else {
			p.reason = "Rejected: below floor for this route; counter at the standard rate with a waived NRC."
		}
	}
	q.pricing = append(q.pricing, p)
}

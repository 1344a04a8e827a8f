package main

import (
	"carrierdesk/internal/workflow"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"
)

// This file checks the deal model and the reports of issue 4 through the real
// handler on both databases, against numbers worked out by hand from a small
// fixture whose every value is chosen here.

// ---------------------------------------------------------------------------
// The deal model.

// rpxDealFixture is an account held by a strategic rep, and a contact of its carrier.
type rpxDealFixture struct {
	account, strategic, carrier  string
	strategicToken, carrierToken string
}

func newRpxDealFixture(t *testing.T, app *testApp) rpxDealFixture {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	var fx rpxDealFixture
	fx.carrier = c.Carrier.Create().SetName("Deal Carrier").SetOcn("9D01").SetCcna("DLC").SaveX(ctx).ID
	contact := c.Contact.Create().SetCarrierID(fx.carrier).SetName("Dee").SetEmail("dee@deal.example").SaveX(ctx).ID
	fx.carrierToken = app.sign(t, auth.Claims{Subject: contact, Role: string(enum.RoleCarrier), CarrierID: fx.carrier})
	fx.strategic = c.Rep.Create().SetName("Deal strategist").SetEmail("strategist@deal.example").SetRole(enum.RoleStrategic).SetRegion(enum.RegionWest).SaveX(ctx).ID
	fx.strategicToken = app.sign(t, auth.Claims{Subject: fx.strategic, Role: string(enum.RoleStrategic)})
	fx.account = c.Account.Create().SetCarrierID(fx.carrier).SetAccountNumber("DL-1").SetBan("BAN-DL-1").SetName("Deal account").SetMarket("Denver").SetRegion(enum.RegionWest).SaveX(ctx).ID
	c.AccountAssignment.Create().SetAccountID(fx.account).SetRepID(fx.strategic).SetCapacity(accountassignment.CapacityStrategic).SetStartedAt(time.Now().AddDate(0, -1, 0)).SaveX(ctx)
	return fx
}

// rpxDeal is the deal model of a quote or an evaluation, as the API shows it.
type rpxDeal struct {
	Mrc, Nrc, Tcv, Npv string
	Irr, IrrNote       *string
	PaybackMonth       *int
	CashFlows          []string
}

// rpxWorkedExampleNPV is the NPV of the worked example of DOMAIN.md at an
// annual discount rate of 10%, computed here in floating point: month 0 is
// -115,000, months 1 to 36 are +4,500, discounted monthly at (1.1)^(1/12) - 1.
func rpxWorkedExampleNPV() float64 {
	m := math.Pow(1.1, 1.0/12) - 1
	npv := -115000.0
	for t := 1; t <= 36; t++ {
		npv += 4500 / math.Pow(1+m, float64(t))
	}
	return npv
}

func rpxNumber(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a decimal: %q", s)
	}
	return f
}

// checkWorkedExample checks a deal against the worked example of DOMAIN.md.
func rpxCheckWorkedExample(t *testing.T, what string, d rpxDeal) {
	t.Helper()
	if d.PaybackMonth == nil || *d.PaybackMonth != 26 {
		t.Errorf("%s: paybackMonth %v; want 26", what, d.PaybackMonth)
	}
	if d.Irr == nil {
		t.Fatalf("%s: no IRR (%v)", what, d.IrrNote)
	}
	if irr := rpxNumber(t, *d.Irr); irr < 0.264 || irr > 0.266 {
		t.Errorf("%s: irr %s; want about 0.265", what, *d.Irr)
	}
	if d.IrrNote != nil && *d.IrrNote != "" {
		t.Errorf("%s: irrNote %q alongside an IRR", what, *d.IrrNote)
	}
	if d.Tcv != "221000.00" {
		t.Errorf("%s: tcv %s; want 6000.00 x 36 + 5000.00 = 221000.00", what, d.Tcv)
	}
	if npv, want := rpxNumber(t, d.Npv), rpxWorkedExampleNPV(); math.Abs(npv-want) > 1 {
		t.Errorf("%s: npv %s; want about %.2f", what, d.Npv, want)
	}
}

// TestDealWorkedExampleAsAQuote builds the worked example of DOMAIN.md as a
// quote through the API and evaluates the same deal as a what-if.
func TestDealWorkedExampleAsAQuote(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxDealFixture(t, app)
		strategist := app.as(fx.strategicToken)
		var created struct{ CreateQuote struct{ ID string } }
		strategist.ok(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`, map[string]any{"input": map[string]any{
			"accountID": fx.account, "title": "Dark fiber build", "termMonths": 36,
			"validUntil": workflow.DayOf(time.Now()).AddMonths(1).String(),
			"capex":      "120000.00", "monthlyOpex": "1500.00",
		}}, &created)
		id := created.CreateQuote.ID
		strategist.ok(t, `mutation($input: CreateQuoteLineItemInput!) { createQuoteLineItem(input: $input) { id } }`, map[string]any{"input": map[string]any{
			"quoteID": id, "product": "ETHERNET", "aLocation": "1 Main St, Denver", "mrc": "6000.00", "nrc": "5000.00", "quantity": 1,
		}}, nil)

		var q struct{ Node rpxDeal }
		strategist.ok(t, `query($id: ID!) { node(id: $id) { ... on Quote { mrc nrc tcv npv irr irrNote paybackMonth } } }`, map[string]any{"id": id}, &q)
		if q.Node.Mrc != "6000.00" || q.Node.Nrc != "5000.00" {
			t.Errorf("quote totals mrc %s nrc %s; want 6000.00 and 5000.00", q.Node.Mrc, q.Node.Nrc)
		}
		rpxCheckWorkedExample(t, "quote", q.Node)

		var ev struct{ EvaluateDeal rpxDeal }
		strategist.ok(t, `query { evaluateDeal(input: {termMonths: 36, mrc: "6000.00", nrc: "5000.00", capex: "120000.00", monthlyOpex: "1500.00"}) {
		  cashFlows npv irr irrNote paybackMonth tcv } }`, nil, &ev)
		rpxCheckWorkedExample(t, "evaluateDeal", ev.EvaluateDeal)
		if cf := ev.EvaluateDeal.CashFlows; len(cf) != 37 || cf[0] != "-115000.00" || cf[1] != "4500.00" || cf[36] != "4500.00" {
			t.Errorf("cash flows = %v; want -115000.00 then 36 x 4500.00", cf)
		}
		if ev.EvaluateDeal.Npv != q.Node.Npv || wfxStr(ev.EvaluateDeal.Irr) != wfxStr(q.Node.Irr) {
			t.Errorf("what-if (npv %s irr %s) differs from the saved quote (npv %s irr %s)", ev.EvaluateDeal.Npv, wfxStr(ev.EvaluateDeal.Irr), q.Node.Npv, wfxStr(q.Node.Irr))
		}
	})
}

// TestDealWithoutSignChangeHasNoIRR: cash flows that never change sign have
// no IRR, and the API says why instead of inventing one.
func TestDealWithoutSignChangeHasNoIRR(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxDealFixture(t, app)
		for _, tc := range []struct {
			name, input, tcv string
			payback          *int
		}{
			// +50.00, then +100.00 a month: paid back at once.
			{"all positive", `{termMonths: 12, mrc: "100.00", nrc: "50.00"}`, "1250.00", new(int)},
			// -1000.00, then -50.00 a month: never paid back.
			{"all negative", `{termMonths: 12, mrc: "100.00", capex: "1000.00", monthlyOpex: "150.00"}`, "1200.00", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out struct{ EvaluateDeal rpxDeal }
				app.as(fx.strategicToken).ok(t, `query { evaluateDeal(input: `+tc.input+`) { cashFlows npv irr irrNote paybackMonth tcv } }`, nil, &out)
				d := out.EvaluateDeal
				if d.Irr != nil {
					t.Errorf("irr %s for cash flows %v; want none", *d.Irr, d.CashFlows)
				}
				if d.IrrNote == nil || *d.IrrNote == "" {
					t.Errorf("no irrNote saying why there is no IRR")
				}
				if (tc.payback == nil) != (d.PaybackMonth == nil) || (tc.payback != nil && *tc.payback != *d.PaybackMonth) {
					t.Errorf("paybackMonth %v; want %v", d.PaybackMonth, tc.payback)
				}
				if d.Tcv != tc.tcv {
					t.Errorf("tcv %s; want %s", d.Tcv, tc.tcv)
				}
			})
		}
	})
}

// TestDealIsInternal: a carrier user reads its sent quote but never the deal
// model: asking for it, filtering on it or evaluating a deal is FORBIDDEN on
// that field.
func TestDealIsInternal(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxDealFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		sent := c.Quote.Create().SetAccountID(fx.account).SetTitle("Sent").SetTermMonths(12).
			SetValidUntil(workflow.DayOf(time.Now().UTC().AddDate(0, 1, 0))).
			SetCapex(money.Amount(1000000)).SaveX(ctx).ID
		c.QuoteLineItem.Create().SetQuoteID(sent).SetProduct(quotelineitem.ProductEthernet).SetALocation("2 Main St").SetMrc(money.Amount(200000)).SaveX(ctx)
		// The strategist owns the quote (the account's strategic rep), so another manager approves it.
		approver := c.Rep.Create().SetName("Deal approver").SetEmail("approver@deal.example").SetRole(enum.RoleManager).SetRegion(enum.RegionWest).SaveX(ctx).ID
		walkQuote(t, c, sent, "SENT", approver, time.Now().UTC())
		carrier := app.as(fx.carrierToken)

		var visible struct {
			Quotes struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID, Mrc, Tcv string } }
			}
		}
		carrier.ok(t, `query { quotes { totalCount edges { node { id mrc tcv } } } }`, nil, &visible)
		if visible.Quotes.TotalCount != 1 || visible.Quotes.Edges[0].Node.ID != sent || visible.Quotes.Edges[0].Node.Mrc != "2000.00" {
			t.Fatalf("the carrier reads quotes %+v; want its sent quote", visible.Quotes)
		}
		for _, field := range []string{"irr", "npv", "capex", "paybackMonth", "irrNote", "monthlyOpex"} {
			carrier.fails(t, `query { quotes { edges { node { id `+field+` } } } }`, nil, wfxForbidden, field)
		}
		carrier.fails(t, `query { quotes(where: {capexGT: "0"}) { totalCount } }`, nil, wfxForbidden, "capexGT")
		carrier.fails(t, `query { evaluateDeal(input: {termMonths: 12, mrc: "1.00"}) { irr } }`, nil, wfxForbidden, "evaluateDeal")

		// Staff read and filter on it.
		var internal struct {
			Quotes struct {
				TotalCount int
				Edges      []struct{ Node struct{ Capex string } }
			}
		}
		app.as(fx.strategicToken).ok(t, `query { quotes(where: {capexGT: "0"}) { totalCount edges { node { capex irr } } } }`, nil, &internal)
		if internal.Quotes.TotalCount != 1 || internal.Quotes.Edges[0].Node.Capex != "10000.00" {
			t.Errorf("the strategist reads %+v", internal.Quotes)
		}
	})
}

// ---------------------------------------------------------------------------
// The reports.

// rpxFixture is two carriers, five accounts and everything the reports count,
// each value chosen so that the expected figures can be worked out by hand.
//
//	account  carrier  region     status      MRR       held by
//	X1       X        NORTHEAST  ACTIVE      10000.00  Alice (SUPPORT)
//	X2       X        WEST       AT_RISK      2500.50  Bob (STRATEGIC)
//	X3       X        NORTHEAST  CHURNED       700.00  nobody
//	Y1       Y        WEST       ACTIVE       4000.00  Alice (SUPPORT)
//	Y2       Y        MIDWEST    ONBOARDING   1234.56  Bob (STRATEGIC)
//
// Alice and Bob are on Zoe's team. The week under review starts on the Monday
// on or before four weeks ago.
type rpxFixture struct {
	now, week   time.Time
	carrier     map[string]string // "X", "Y"
	account     map[string]string // "X1" ...
	rep         map[string]string // "ZOE", "ALICE", "BOB"
	team        string
	escalation  map[string]string // "E1" ...
	quote       map[string]string // "Q1" ...
	review, rfp map[string]string
	tokens      map[string]string // "ADMIN", "CARRIER_X", "ALICE", "ZOE"
}

func newRpxFixture(t *testing.T, app *testApp) *rpxFixture {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	now := time.Now().UTC().Truncate(time.Second)
	week := now.AddDate(0, 0, -28).Truncate(24 * time.Hour)
	for week.Weekday() != time.Monday {
		week = week.AddDate(0, 0, -1)
	}
	fx := &rpxFixture{
		now: now, week: week,
		carrier: map[string]string{}, account: map[string]string{}, rep: map[string]string{},
		escalation: map[string]string{}, quote: map[string]string{}, review: map[string]string{}, rfp: map[string]string{},
		tokens: map[string]string{"ADMIN": app.token},
	}
	day := func(d float64) time.Time { return week.Add(time.Duration(d * 24 * float64(time.Hour))) }
	ago := func(d time.Duration) time.Time { return now.Add(-d) }

	for _, l := range []string{"X", "Y"} {
		fx.carrier[l] = c.Carrier.Create().SetName("Report carrier " + l).SetOcn("5" + l + "00").SetCcna("RP" + l).SaveX(ctx).ID
	}
	contact := c.Contact.Create().SetCarrierID(fx.carrier["X"]).SetName("Xavier").SetEmail("xavier@x.example").SaveX(ctx).ID
	fx.tokens["CARRIER_X"] = app.sign(t, auth.Claims{Subject: contact, Role: string(enum.RoleCarrier), CarrierID: fx.carrier["X"]})

	newRep := func(key, name string, role enum.Role, team string) {
		create := c.Rep.Create().SetName(name).SetEmail(key + "@report.example").SetRole(role).SetRegion(enum.RegionNortheast)
		if team != "" {
			create.SetTeamID(team)
		}
		fx.rep[key] = create.SaveX(ctx).ID
		fx.tokens[key] = app.sign(t, auth.Claims{Subject: fx.rep[key], Role: string(role)})
	}
	newRep("ZOE", "Zoe Manager", enum.RoleManager, "")
	fx.team = c.Team.Create().SetName("Report team").SetRegion(enum.RegionNortheast).SetManagerID(fx.rep["ZOE"]).SaveX(ctx).ID
	newRep("ALICE", "Alice Support", enum.RoleSupport, fx.team)
	newRep("BOB", "Bob Strategic", enum.RoleStrategic, fx.team)

	for _, a := range []struct {
		label  string
		region enum.Region
		status account.Status
		mrr    int64
		holder string
		as     accountassignment.Capacity
	}{
		{"X1", enum.RegionNortheast, account.StatusActive, 1000000, "ALICE", accountassignment.CapacitySupport},
		{"X2", enum.RegionWest, account.StatusAtRisk, 250050, "BOB", accountassignment.CapacityStrategic},
		{"X3", enum.RegionNortheast, account.StatusChurned, 70000, "", ""},
		{"Y1", enum.RegionWest, account.StatusActive, 400000, "ALICE", accountassignment.CapacitySupport},
		{"Y2", enum.RegionMidwest, account.StatusOnboarding, 123456, "BOB", accountassignment.CapacityStrategic},
	} {
		fx.account[a.label] = c.Account.Create().
			SetCarrierID(fx.carrier[a.label[:1]]).
			SetAccountNumber("RP-" + a.label).
			SetBan("BAN-RP-" + a.label).
			SetName("Report account " + a.label).
			SetMarket("Market " + a.label).
			SetRegion(a.region).
			SetStatus(a.status).
			SetMrr(money.Amount(a.mrr)).
			SaveX(ctx).ID
		if a.holder != "" {
			c.AccountAssignment.Create().SetAccountID(fx.account[a.label]).SetRepID(fx.rep[a.holder]).SetCapacity(a.as).SetStartedAt(now.AddDate(-1, 0, 0)).SaveX(ctx)
		}
	}

	// Escalations. E1-E5 are recent; W1-W3 fall around the week under review.
	for _, e := range []struct {
		label, acct, owner             string
		severity                       escalation.Severity
		status                         escalation.Status
		created                        time.Time
		respondBy, resolveBy           time.Time
		acknowledged, resolved, closed *time.Time
	}{
		// Unanswered past its response time: a response breach.
		{"E1", "X1", "ALICE", escalation.SeveritySev1, escalation.StatusOpen, ago(time.Hour), ago(30 * time.Minute), now.Add(90 * time.Minute), nil, nil, nil},
		// Answered in time, open past its resolution time: a resolution breach.
		{"E2", "X2", "BOB", escalation.SeveritySev2, escalation.StatusInProgress, ago(5 * time.Hour), ago(3 * time.Hour), ago(time.Hour), rpxPtr(ago(4 * time.Hour)), nil, nil},
		// Resolved five hours after its due time: a resolution breach, not open.
		{"E3", "Y1", "ALICE", escalation.SeveritySev3, escalation.StatusResolved, ago(31 * time.Hour), ago(29 * time.Hour), ago(10 * time.Hour), rpxPtr(ago(30 * time.Hour)), rpxPtr(ago(5 * time.Hour)), nil},
		// Open, within both targets.
		{"E4", "Y1", "ALICE", escalation.SeveritySev1, escalation.StatusOpen, now, now.Add(10 * time.Minute), now.Add(2 * time.Hour), nil, nil, nil},
		// Closed, within both targets.
		{"E5", "X1", "BOB", escalation.SeveritySev4, escalation.StatusClosed, ago(60 * time.Hour), ago(49 * time.Hour), ago(20 * time.Hour), rpxPtr(ago(50 * time.Hour)), rpxPtr(ago(30 * time.Hour)), rpxPtr(ago(25 * time.Hour))},
		// Opened and resolved in the week, by Alice.
		{"W1", "X1", "ALICE", escalation.SeveritySev4, escalation.StatusClosed, day(1), day(1.3), day(11), rpxPtr(day(1.05)), rpxPtr(day(2)), rpxPtr(day(2.1))},
		// Opened before the week, resolved in it, by Bob.
		{"W2", "X1", "BOB", escalation.SeveritySev4, escalation.StatusClosed, day(-6), day(-5.7), day(10), rpxPtr(day(-5.9)), rpxPtr(day(3)), rpxPtr(day(3.1))},
		// Opened in the week, resolved after it, by Alice.
		{"W3", "X1", "ALICE", escalation.SeveritySev4, escalation.StatusClosed, day(3), day(3.3), day(20), rpxPtr(day(3.05)), rpxPtr(day(8)), rpxPtr(day(8.1))},
	} {
		id := c.Escalation.Create().
			SetAccountID(fx.account[e.acct]).
			SetTitle("Escalation " + e.label).
			SetCategory(escalation.CategoryServiceAssurance).
			SetSeverity(e.severity).
			SetStatus(e.status).
			SetOwnerID(fx.rep[e.owner]).
			SetCreatedAt(e.created).
			SaveX(ctx).ID
		c.Escalation.UpdateOneID(id).
			SetResponseDueAt(e.respondBy).
			SetResolutionDueAt(e.resolveBy).
			SetNillableAcknowledgedAt(e.acknowledged).
			SetNillableResolvedAt(e.resolved).
			SetNillableClosedAt(e.closed).
			ExecX(ctx)
		if e.resolved != nil {
			// The timeline names who resolved it, as the workflow writes it: here, the owner.
			c.EscalationEvent.Create().SetEscalationID(id).SetKind(escalationevent.KindStatusChange).
				SetFromValue(escalation.StatusInProgress.String()).SetToValue(escalation.StatusResolved.String()).
				SetActorRepID(fx.rep[e.owner]).SetCreatedAt(*e.resolved).ExecX(ctx)
		}
		fx.escalation[e.label] = id
	}

	// Quotes: MRC and NRC from one line each (none where MRC is 0).
	for _, q := range []struct {
		label, acct, owner string
		status             quote.Status
		term               int
		mrc, nrc           int64
		sent, followUp     *time.Time
	}{
		{"Q1", "X1", "ALICE", quote.StatusDraft, 12, 100000, 0, nil, rpxPtr(now.AddDate(0, 0, 3))},
		{"Q2", "X1", "ALICE", quote.StatusSent, 24, 200000, 50000, rpxPtr(ago(72 * time.Hour)), rpxPtr(now.AddDate(0, 0, -2))},
		{"Q3", "Y1", "ALICE", quote.StatusSent, 36, 30000, 0, rpxPtr(ago(24 * time.Hour)), rpxPtr(now.AddDate(0, 0, -1))},
		{"Q4", "X2", "BOB", quote.StatusAccepted, 12, 150000, 100000, rpxPtr(ago(240 * time.Hour)), rpxPtr(now.AddDate(0, 0, -5))},
		{"Q5", "Y2", "BOB", quote.StatusDraft, 1, 10000, 0, nil, nil},
		{"Q6", "X2", "BOB", quote.StatusDeclined, 12, 0, 0, rpxPtr(day(2)), nil},
		{"Q7", "X1", "ALICE", quote.StatusDraft, 12, 0, 0, nil, rpxPtr(day(2))},
	} {
		id := c.Quote.Create().
			SetAccountID(fx.account[q.acct]).
			SetTitle("Quote " + q.label).
			SetOwnerID(fx.rep[q.owner]).
			SetTermMonths(q.term).
			SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
			SetNillableFollowUpOn(dayOf(q.followUp)).
			// Drafted before the team week, as a quote overdue in it was.
			SetCreatedAt(week.AddDate(0, 0, -7)).
			SaveX(ctx).ID
		if q.mrc > 0 {
			c.QuoteLineItem.Create().SetQuoteID(id).SetProduct(quotelineitem.ProductEthernet).SetALocation("Site " + q.label).
				SetMrc(money.Amount(q.mrc)).SetNrc(money.Amount(q.nrc)).SaveX(ctx)
		}
		var sent time.Time
		if q.sent != nil {
			sent = *q.sent
		}
		walkQuote(t, c, id, string(q.status), fx.rep["ZOE"], sent)
		fx.quote[q.label] = id
	}

	// Special pricing requests: decided in 10 hours (in time) and in 30 hours (late).
	for _, s := range []struct {
		quote, by               string
		status                  specialpricingrequest.Status
		submitted, due, decided *time.Time
	}{
		{"Q1", "ALICE", specialpricingrequest.StatusApproved, rpxPtr(ago(50 * time.Hour)), rpxPtr(ago(2 * time.Hour)), rpxPtr(ago(40 * time.Hour))},
		{"Q3", "ALICE", specialpricingrequest.StatusRejected, rpxPtr(ago(100 * time.Hour)), rpxPtr(ago(80 * time.Hour)), rpxPtr(ago(70 * time.Hour))},
		{"Q7", "ALICE", specialpricingrequest.StatusDraft, nil, nil, nil},
		{"Q4", "BOB", specialpricingrequest.StatusSubmitted, rpxPtr(ago(time.Hour)), rpxPtr(now.Add(47 * time.Hour)), nil},
	} {
		create := c.SpecialPricingRequest.Create().
			SetQuoteID(fx.quote[s.quote]).
			SetRequestedByID(fx.rep[s.by]).
			SetJustification("Competition on " + s.quote).
			SetStandardMrc(money.Amount(100000)).
			SetRequestedMrc(money.Amount(90000)).
			SetStatus(s.status).
			SetNillableSubmittedAt(s.submitted).
			SetNillableResponseDueAt(s.due).
			SetNillableDecidedAt(s.decided)
		if s.decided != nil {
			create.SetDecidedByID(fx.rep["ZOE"]).SetDecisionReason("decided")
		}
		// Written as history, on quotes that have moved on since: past the pricing rules.
		create.SaveX(bulk.NewContext(ctx))
	}

	// Contracts ending in 20, 50, 150 and 400 days, and a terminated one ending in 10.
	for _, k := range []struct {
		acct   string
		days   int
		mrc    int64
		status contract.Status
	}{
		{"X1", 20, 100000, contract.StatusActive},
		{"Y1", 50, 200000, contract.StatusActive},
		{"X2", 150, 300000, contract.StatusActive},
		{"Y2", 400, 999900, contract.StatusActive},
		{"X1", 10, 50000, contract.StatusTerminated},
	} {
		end := now.AddDate(0, 0, k.days)
		c.Contract.Create().
			SetAccountID(fx.account[k.acct]).
			SetKind(contract.KindServiceOrder).
			SetTitle("Contract " + k.acct + " " + strconv.Itoa(k.days)).
			SetStartDate(workflow.DayOf(end.AddDate(-1, 0, 0))).
			SetEndDate(workflow.DayOf(end)).
			SetTermMonths(12).
			SetMrc(money.Amount(k.mrc)).
			SetCurrency("USD").
			SetStatus(k.status).
			// A bulk load, as the seeder's: the accounts keep the MRR set above.
			SaveX(bulk.NewContext(ctx))
	}

	// RFPs: X won 2 of 4 decided, Y won 1 of 1; two open ones due soon.
	for _, r := range []struct {
		label, acct string
		status      rfp.Status
		due         time.Time
	}{
		{"R1", "X1", rfp.StatusWon, now.AddDate(0, 0, -20)},
		{"R2", "X1", rfp.StatusLost, now.AddDate(0, 0, -20)},
		{"R3", "Y1", rfp.StatusWon, now.AddDate(0, 0, -20)},
		{"R4", "X2", rfp.StatusWon, now.AddDate(0, 0, -20)},
		{"R5", "Y2", rfp.StatusReceived, now.AddDate(0, 0, 5)},
		{"R6", "X2", rfp.StatusLost, now.AddDate(0, 0, -20)},
		{"R7", "Y1", rfp.StatusQualifying, now.AddDate(0, 0, 3)},
	} {
		fx.rfp[r.label] = c.RFP.Create().
			SetAccountID(fx.account[r.acct]).
			SetTitle("RFP " + r.label).
			SetReceivedAt(now.AddDate(0, 0, -30)).
			SetDueAt(r.due).
			SetStatus(r.status).
			SaveX(ctx).ID
	}

	// Reviews in 7, 30 and 2 days.
	for label, r := range map[string]struct {
		acct string
		days int
	}{"B1": {"X1", 7}, "B2": {"Y1", 30}, "B3": {"X2", 2}} {
		fx.review[label] = c.BusinessReview.Create().
			SetAccountID(fx.account[r.acct]).
			SetQuarter("2026-Q4").
			SetScheduledAt(now.AddDate(0, 0, r.days)).
			SetAgenda("MRC trend").
			SaveX(ctx).ID
	}

	// Activities: in the week, and on either side of it.
	for _, a := range []struct {
		rep, acct string
		kind      activity.Kind
		at        time.Time
	}{
		{"ALICE", "X1", activity.KindCall, day(1)},
		{"ALICE", "X1", activity.KindCall, day(2)},
		{"ALICE", "Y1", activity.KindMeeting, day(3)},
		{"ALICE", "X1", activity.KindCall, day(7)}, // the next week
		{"BOB", "X2", activity.KindEmail, day(4)},
		{"BOB", "X2", activity.KindNote, week.Add(-time.Second)}, // the week before
		{"ZOE", "X1", activity.KindSiteVisit, day(6).Add(23 * time.Hour)},
	} {
		c.Activity.Create().
			SetAccountID(fx.account[a.acct]).
			SetRepID(fx.rep[a.rep]).
			SetKind(a.kind).
			SetOccurredAt(a.at).
			SetSummary(string(a.kind) + " with the carrier").
			SaveX(ctx)
	}
	return fx
}

func rpxPtr[T any](v T) *T { return &v }

// rpxMoney is a report's per-currency money figure, read as the one USD
// amount these fixtures have ("0.00" for none); any other currency shows as
// "CUR amount" and so fails the comparison.
type rpxMoney string

func (m *rpxMoney) UnmarshalJSON(b []byte) error {
	var totals []struct{ Currency, Amount string }
	if err := json.Unmarshal(b, &totals); err != nil {
		return err
	}
	*m = "0.00"
	var parts []string
	for _, t := range totals {
		if t.Currency == "USD" && len(totals) == 1 {
			*m = rpxMoney(t.Amount)
			return nil
		}
		parts = append(parts, t.Currency+" "+t.Amount)
	}
	if len(parts) > 0 {
		*m = rpxMoney(strings.Join(parts, ", "))
	}
	return nil
}

// rpxPortfolio is the portfolio as the API shows it.
type rpxPortfolio struct {
	Mrr          rpxMoney
	AccountCount int
	ByCarrier    []struct {
		CarrierID, Name string
		Accounts        int
		Mrr             rpxMoney
	}
	ByRegion []struct {
		Region   string
		Accounts int
		Mrr      rpxMoney
	}
	ByStatus []struct {
		Status   string
		Accounts int
		Mrr      rpxMoney
	}
	AtRisk                                                              rpxCount
	OpenEscalations, AllTimeResponseBreaches, AllTimeResolutionBreaches int
	EscalationsBySeverity                                               []struct {
		Severity                                                 string
		Open, AllTimeResponseBreaches, AllTimeResolutionBreaches int
	}
	Pipeline []struct {
		Status   string
		Count    int
		Mrc, Tcv rpxMoney
	}
	SparcTurnaround struct {
		Decided                int
		AverageHours, MaxHours *float64
		OverTarget             int
	}
	Rfps struct {
		Won, Lost int
		WinRate   *float64
	}
	Renewals []struct {
		Days, Count int
		Mrr         rpxMoney
	}
}

const rpxPortfolioQuery = `query { portfolio {
  mrr { currency amount } accountCount
  byCarrier { carrierID name accounts mrr { currency amount } }
  byRegion { region accounts mrr { currency amount } }
  byStatus { status accounts mrr { currency amount } }
  atRisk { count mrr { currency amount } }
  openEscalations allTimeResponseBreaches allTimeResolutionBreaches
  escalationsBySeverity { severity open allTimeResponseBreaches allTimeResolutionBreaches }
  pipeline { status count mrc { currency amount } tcv { currency amount } }
  sparcTurnaround { decided averageHours maxHours overTarget }
  rfps { won lost winRate }
  renewals { days count mrr { currency amount } }
} }`

// rpxCount is a number of things and their money.
type rpxCount struct {
	Count int
	Mrr   rpxMoney
}

// rpxExpected is a portfolio worked out by hand; lists absent from a map are zero.
type rpxExpected struct {
	mrr              string
	accounts         int
	byCarrier        []string            // "label accounts mrr", largest first
	byRegion         map[string]rpxCount // others zero
	byStatus         map[string]rpxCount
	atRisk           rpxCount
	open, resp, reso int
	bySeverity       map[string][3]int // open, response, resolution breaches
	pipeline         map[string][3]string
	sparcDecided     int
	sparcAvg         *float64
	sparcMax         *float64
	sparcOver        int
	won, lost        int
	winRate          *float64
	renewals         [4]rpxCount // 30, 60, 90, 180 days
}

func rpxSameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 0.01
}

func rpxFloat(f *float64) string {
	if f == nil {
		return "null"
	}
	return strconv.FormatFloat(*f, 'f', 4, 64)
}

// check compares the portfolio viewer reads with want.
func (fx *rpxFixture) check(t *testing.T, app *testApp, viewer string, want rpxExpected) {
	t.Helper()
	var out struct{ Portfolio rpxPortfolio }
	app.as(fx.tokens[viewer]).ok(t, rpxPortfolioQuery, nil, &out)
	p := out.Portfolio
	if string(p.Mrr) != want.mrr || p.AccountCount != want.accounts {
		t.Errorf("%s: mrr %s over %d accounts; want %s over %d", viewer, p.Mrr, p.AccountCount, want.mrr, want.accounts)
	}
	var carriers []string
	for _, c := range p.ByCarrier {
		label := map[string]string{fx.carrier["X"]: "X", fx.carrier["Y"]: "Y"}[c.CarrierID]
		if c.Name != "Report carrier "+label {
			t.Errorf("%s: carrier %s named %q", viewer, c.CarrierID, c.Name)
		}
		carriers = append(carriers, label+" "+strconv.Itoa(c.Accounts)+" "+string(c.Mrr))
	}
	if !rpxEqualStrings(carriers, want.byCarrier) {
		t.Errorf("%s: byCarrier %v; want %v", viewer, carriers, want.byCarrier)
	}
	if len(p.ByRegion) != 5 {
		t.Errorf("%s: %d regions listed; want all 5", viewer, len(p.ByRegion))
	}
	for _, r := range p.ByRegion {
		w := want.byRegion[r.Region]
		if w.Mrr == "" {
			w.Mrr = "0.00"
		}
		if r.Accounts != w.Count || r.Mrr != w.Mrr {
			t.Errorf("%s: region %s has %d accounts, %s; want %d, %s", viewer, r.Region, r.Accounts, r.Mrr, w.Count, w.Mrr)
		}
	}
	if len(p.ByStatus) != 4 {
		t.Errorf("%s: %d account statuses listed; want all 4", viewer, len(p.ByStatus))
	}
	for _, s := range p.ByStatus {
		w := want.byStatus[s.Status]
		if w.Mrr == "" {
			w.Mrr = "0.00"
		}
		if s.Accounts != w.Count || s.Mrr != w.Mrr {
			t.Errorf("%s: status %s has %d accounts, %s; want %d, %s", viewer, s.Status, s.Accounts, s.Mrr, w.Count, w.Mrr)
		}
	}
	if p.AtRisk != want.atRisk {
		t.Errorf("%s: atRisk %+v; want %+v", viewer, p.AtRisk, want.atRisk)
	}
	if p.OpenEscalations != want.open || p.AllTimeResponseBreaches != want.resp || p.AllTimeResolutionBreaches != want.reso {
		t.Errorf("%s: escalations open %d, all-time response breaches %d, resolution breaches %d; want %d, %d, %d",
			viewer, p.OpenEscalations, p.AllTimeResponseBreaches, p.AllTimeResolutionBreaches, want.open, want.resp, want.reso)
	}
	if len(p.EscalationsBySeverity) != 4 {
		t.Errorf("%s: %d severities listed; want all 4", viewer, len(p.EscalationsBySeverity))
	}
	for _, s := range p.EscalationsBySeverity {
		if got, w := [3]int{s.Open, s.AllTimeResponseBreaches, s.AllTimeResolutionBreaches}, want.bySeverity[s.Severity]; got != w {
			t.Errorf("%s: %s open/response/resolution %v; want %v", viewer, s.Severity, got, w)
		}
	}
	if len(p.Pipeline) != 7 {
		t.Errorf("%s: %d quote statuses listed; want all 7", viewer, len(p.Pipeline))
	}
	for _, q := range p.Pipeline {
		w, ok := want.pipeline[q.Status]
		if !ok {
			w = [3]string{"0", "0.00", "0.00"}
		}
		if got := [3]string{strconv.Itoa(q.Count), string(q.Mrc), string(q.Tcv)}; got != w {
			t.Errorf("%s: pipeline %s count/mrc/tcv %v; want %v", viewer, q.Status, got, w)
		}
	}
	st := p.SparcTurnaround
	if st.Decided != want.sparcDecided || st.OverTarget != want.sparcOver || !rpxSameFloat(st.AverageHours, want.sparcAvg) || !rpxSameFloat(st.MaxHours, want.sparcMax) {
		t.Errorf("%s: SPARC turnaround decided %d avg %s max %s over %d; want %d, %s, %s, %d", viewer,
			st.Decided, rpxFloat(st.AverageHours), rpxFloat(st.MaxHours), st.OverTarget,
			want.sparcDecided, rpxFloat(want.sparcAvg), rpxFloat(want.sparcMax), want.sparcOver)
	}
	if p.Rfps.Won != want.won || p.Rfps.Lost != want.lost || !rpxSameFloat(p.Rfps.WinRate, want.winRate) {
		t.Errorf("%s: RFPs won %d lost %d rate %s; want %d, %d, %s", viewer, p.Rfps.Won, p.Rfps.Lost, rpxFloat(p.Rfps.WinRate), want.won, want.lost, rpxFloat(want.winRate))
	}
	if len(p.Renewals) != 4 {
		t.Fatalf("%s: renewals %+v; want 4 windows", viewer, p.Renewals)
	}
	for i, days := range []int{30, 60, 90, 180} {
		r := p.Renewals[i]
		if r.Days != days || r.Count != want.renewals[i].Count || r.Mrr != want.renewals[i].Mrr {
			t.Errorf("%s: renewals within %d days: %+v; want %+v", viewer, days, r, want.renewals[i])
		}
	}
}

func rpxEqualStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReportPortfolio reads the portfolio as ADMIN, as carrier X's contact
// and as Alice, and checks every figure against the fixture worked by hand.
func TestReportPortfolio(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxFixture(t, app)

		// Everything. MRR leaves out the churned X3:
		// 10000.00 + 2500.50 + 4000.00 + 1234.56 = 17735.06.
		fx.check(t, app, "ADMIN", rpxExpected{
			mrr: "17735.06", accounts: 4,
			byCarrier: []string{"X 2 12500.50", "Y 2 5234.56"},
			byRegion: map[string]rpxCount{
				"NORTHEAST": {1, "10000.00"}, "WEST": {2, "6500.50"}, "MIDWEST": {1, "1234.56"},
			},
			byStatus: map[string]rpxCount{
				"ACTIVE": {2, "14000.00"}, "AT_RISK": {1, "2500.50"}, "CHURNED": {1, "700.00"}, "ONBOARDING": {1, "1234.56"},
			},
			atRisk: rpxCount{1, "2500.50"},
			// Open: E1, E2, E4. Response breach: E1. Resolution breaches: E2 (open, late), E3 (resolved late).
			open: 3, resp: 1, reso: 2,
			bySeverity: map[string][3]int{"SEV1": {2, 1, 0}, "SEV2": {1, 0, 1}, "SEV3": {0, 0, 1}},
			// DRAFT: Q1 1000.00 x 12, Q5 100.00 x 1, Q7 nothing. SENT: Q2 2000.00 x 24 + 500.00, Q3 300.00 x 36.
			// ACCEPTED: Q4 1500.00 x 12 + 1000.00. DECLINED: Q6, no lines.
			pipeline: map[string][3]string{
				"DRAFT":    {"3", "1100.00", "12100.00"},
				"SENT":     {"2", "2300.00", "59300.00"},
				"ACCEPTED": {"1", "1500.00", "19000.00"},
				"DECLINED": {"1", "0.00", "0.00"},
			},
			// Decided in 10 and 30 hours; the second after its due time.
			sparcDecided: 2, sparcAvg: rpxPtr(20.0), sparcMax: rpxPtr(30.0), sparcOver: 1,
			won: 3, lost: 2, winRate: rpxPtr(0.6),
			renewals: [4]rpxCount{{1, "1000.00"}, {2, "3000.00"}, {2, "3000.00"}, {3, "6000.00"}},
		})

		// Carrier X: its accounts X1, X2, X3; its sent quotes Q2, Q4, Q6; no
		// pricing requests; its contracts ending in 20 and 150 days.
		fx.check(t, app, "CARRIER_X", rpxExpected{
			mrr: "12500.50", accounts: 2,
			byCarrier: []string{"X 2 12500.50"},
			byRegion:  map[string]rpxCount{"NORTHEAST": {1, "10000.00"}, "WEST": {1, "2500.50"}},
			byStatus:  map[string]rpxCount{"ACTIVE": {1, "10000.00"}, "AT_RISK": {1, "2500.50"}, "CHURNED": {1, "700.00"}},
			atRisk:    rpxCount{1, "2500.50"},
			open:      2, resp: 1, reso: 1,
			bySeverity: map[string][3]int{"SEV1": {1, 1, 0}, "SEV2": {1, 0, 1}},
			pipeline: map[string][3]string{
				"SENT":     {"1", "2000.00", "48500.00"},
				"ACCEPTED": {"1", "1500.00", "19000.00"},
				"DECLINED": {"1", "0.00", "0.00"},
			},
			won: 2, lost: 2, winRate: rpxPtr(0.5),
			renewals: [4]rpxCount{{1, "1000.00"}, {1, "1000.00"}, {1, "1000.00"}, {2, "4000.00"}},
		})

		// Alice: the accounts she holds, X1 and Y1.
		fx.check(t, app, "ALICE", rpxExpected{
			mrr: "14000.00", accounts: 2,
			byCarrier: []string{"X 1 10000.00", "Y 1 4000.00"},
			byRegion:  map[string]rpxCount{"NORTHEAST": {1, "10000.00"}, "WEST": {1, "4000.00"}},
			byStatus:  map[string]rpxCount{"ACTIVE": {2, "14000.00"}},
			atRisk:    rpxCount{0, "0.00"},
			open:      2, resp: 1, reso: 1,
			bySeverity: map[string][3]int{"SEV1": {2, 1, 0}, "SEV3": {0, 0, 1}},
			pipeline: map[string][3]string{
				"DRAFT": {"2", "1000.00", "12000.00"},
				"SENT":  {"2", "2300.00", "59300.00"},
			},
			sparcDecided: 2, sparcAvg: rpxPtr(20.0), sparcMax: rpxPtr(30.0), sparcOver: 1,
			won: 2, lost: 1, winRate: rpxPtr(2.0 / 3),
			renewals: [4]rpxCount{{1, "1000.00"}, {2, "3000.00"}, {2, "3000.00"}, {2, "3000.00"}},
		})
	})
}

// rpxShortlist is a list of the home screen.
type rpxShortlist struct {
	TotalCount int
	Nodes      []struct{ ID string }
}

func (l rpxShortlist) ids() []string {
	out := []string{}
	for _, n := range l.Nodes {
		out = append(out, n.ID)
	}
	return out
}

// TestReportMe reads the home screen of Alice and of carrier X's contact.
func TestReportMe(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxFixture(t, app)
		const me = `query { me {
		  role rep { id } contact { id } accountCount
		  escalations { totalCount nodes { id } }
		  quotes { totalCount nodes { id } }
		  specialPricingRequests { totalCount nodes { id } }
		  overdueFollowUps { totalCount nodes { id } }
		  businessReviews { totalCount nodes { id } }
		  rfpDeadlines { totalCount nodes { id } }
		} }`
		type meOut struct {
			Role                   string
			Rep, Contact           *struct{ ID string }
			AccountCount           int
			Escalations, Quotes    rpxShortlist
			SpecialPricingRequests rpxShortlist
			OverdueFollowUps       rpxShortlist
			BusinessReviews        rpxShortlist
			RfpDeadlines           rpxShortlist
		}
		sameSet := func(got []string, want ...string) bool {
			if len(got) != len(want) {
				return false
			}
			for _, w := range want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					return false
				}
			}
			return true
		}

		var alice struct{ Me meOut }
		app.as(fx.tokens["ALICE"]).ok(t, me, nil, &alice)
		m := alice.Me
		if m.Role != "SUPPORT" || m.Rep == nil || m.Rep.ID != fx.rep["ALICE"] || m.Contact != nil || m.AccountCount != 2 {
			t.Errorf("Alice's home: role %s rep %v accounts %d; want SUPPORT, herself, 2", m.Role, m.Rep, m.AccountCount)
		}
		for _, c := range []struct {
			name string
			list rpxShortlist
			want []string
		}{
			// Open and hers: E1, E4 (E3 is resolved; W1, W3 closed; E2 is Bob's).
			{"escalations", m.Escalations, []string{fx.escalation["E1"], fx.escalation["E4"]}},
			// Her drafts: Q1, Q7.
			{"quotes", m.Quotes, []string{fx.quote["Q1"], fx.quote["Q7"]}},
			// Follow-ups passed on her open quotes: Q2 (2 days ago), Q3 (yesterday), Q7 (four weeks ago).
			{"overdueFollowUps", m.OverdueFollowUps, []string{fx.quote["Q2"], fx.quote["Q3"], fx.quote["Q7"]}},
			// In the next two weeks on her accounts: B1 in 7 days (B2 is in 30; B3 is on X2).
			{"businessReviews", m.BusinessReviews, []string{fx.review["B1"]}},
			// Open, due in the next two weeks, on her accounts: R7 (R5 is on Y2).
			{"rfpDeadlines", m.RfpDeadlines, []string{fx.rfp["R7"]}},
		} {
			if c.list.TotalCount != len(c.want) || !sameSet(c.list.ids(), c.want...) {
				t.Errorf("Alice's %s: %d %v; want %v", c.name, c.list.TotalCount, c.list.ids(), c.want)
			}
		}
		if m.SpecialPricingRequests.TotalCount != 1 {
			t.Errorf("Alice's draft pricing requests: %d; want 1", m.SpecialPricingRequests.TotalCount)
		}

		var carrier struct{ Me meOut }
		app.as(fx.tokens["CARRIER_X"]).ok(t, me, nil, &carrier)
		m = carrier.Me
		if m.Role != "CARRIER" || m.Rep != nil || m.Contact == nil || m.AccountCount != 3 {
			t.Errorf("carrier X's home: role %s contact %v accounts %d; want CARRIER, the contact, 3", m.Role, m.Contact, m.AccountCount)
		}
		// Its open escalations E1, E2; its quotes waiting for an answer: Q2.
		if !sameSet(m.Escalations.ids(), fx.escalation["E1"], fx.escalation["E2"]) || m.Escalations.TotalCount != 2 {
			t.Errorf("carrier X's escalations: %v", m.Escalations.ids())
		}
		if !sameSet(m.Quotes.ids(), fx.quote["Q2"]) || m.Quotes.TotalCount != 1 {
			t.Errorf("carrier X's quotes: %v; want Q2", m.Quotes.ids())
		}
		if m.SpecialPricingRequests.TotalCount != 0 || m.OverdueFollowUps.TotalCount != 0 {
			t.Errorf("carrier X sees internal lists: %+v", m)
		}
	})
}

// TestReportTeamWeek reads Zoe's team's week: per rep, activities by kind,
// escalations opened and resolved, quotes sent and overdue follow-ups.
func TestReportTeamWeek(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxFixture(t, app)
		var out struct {
			TeamWeek struct {
				TeamID             string
				WeekStart, WeekEnd time.Time
				Reps               []struct {
					RepID, Name      string
					Activities       int
					ActivitiesByKind []struct {
						Kind  string
						Count int
					}
					EscalationsOpened, EscalationsResolved, QuotesSent, OverdueFollowUps int
				}
			}
		}
		app.as(fx.tokens["ZOE"]).ok(t, `query($team: ID!, $week: Time!) { teamWeek(teamID: $team, weekStart: $week) {
		  teamID weekStart weekEnd
		  reps { repID name activities activitiesByKind { kind count } escalationsOpened escalationsResolved quotesSent overdueFollowUps }
		} }`, map[string]any{"team": fx.team, "week": fx.week.Format(time.RFC3339)}, &out)
		w := out.TeamWeek
		if w.TeamID != fx.team || !w.WeekStart.Equal(fx.week) || !w.WeekEnd.Equal(fx.week.AddDate(0, 0, 7)) {
			t.Errorf("team week %s from %s to %s", w.TeamID, w.WeekStart, w.WeekEnd)
		}
		type repWeek struct {
			activities                      int
			byKind                          map[string]int
			opened, resolved, sent, overdue int
		}
		want := map[string]repWeek{
			// A site visit on the last evening of the week.
			"ZOE": {1, map[string]int{"SITE_VISIT": 1}, 0, 0, 0, 0},
			// Two calls and a meeting (the call on the next Monday is not in it); W1 and W3
			// opened, W1 resolved; Q7's follow-up passed mid-week.
			"ALICE": {3, map[string]int{"CALL": 2, "MEETING": 1}, 2, 1, 0, 1},
			// An email (the note the second before the week is not in it); W2 resolved; Q6 sent.
			"BOB": {1, map[string]int{"EMAIL": 1}, 0, 1, 1, 0},
		}
		var order []string
		for _, r := range w.Reps {
			key := map[string]string{fx.rep["ZOE"]: "ZOE", fx.rep["ALICE"]: "ALICE", fx.rep["BOB"]: "BOB"}[r.RepID]
			order = append(order, key)
			exp, ok := want[key]
			if !ok {
				t.Errorf("unexpected rep %s (%s) in the team week", r.Name, r.RepID)
				continue
			}
			byKind := map[string]int{}
			for _, k := range r.ActivitiesByKind {
				if k.Count != 0 {
					byKind[k.Kind] = k.Count
				}
			}
			got := repWeek{r.Activities, byKind, r.EscalationsOpened, r.EscalationsResolved, r.QuotesSent, r.OverdueFollowUps}
			if got.activities != exp.activities || len(got.byKind) != len(exp.byKind) || got.opened != exp.opened ||
				got.resolved != exp.resolved || got.sent != exp.sent || got.overdue != exp.overdue {
				t.Errorf("%s's week = %+v; want %+v", r.Name, got, exp)
			}
			for k, n := range exp.byKind {
				if byKind[k] != n {
					t.Errorf("%s's %s activities: %d; want %d", r.Name, k, byKind[k], n)
				}
			}
		}
		// The API promises the manager first, then the members by name.
		if want := []string{"ZOE", "ALICE", "BOB"}; !rpxEqualStrings(order, want) {
			t.Errorf("team week reps in order %v; want %v (the manager first, then the members by name)", order, want)
		}
	})
}

// rpxAggregate is an aggregate result as the API shows it.
type rpxAggregate struct {
	Truncated bool
	Rows      []struct {
		Keys   []*string
		Values []struct {
			Money *string
			Int   *int
			Float *float64
		}
	}
}

// groups is the result keyed by the first key, as "money count".
func (a rpxAggregate) groups(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range a.Rows {
		if len(r.Keys) != 1 || len(r.Values) != 2 || r.Values[0].Money == nil || r.Values[1].Int == nil {
			t.Fatalf("aggregate row %+v; want one key, a money sum and a count", r)
		}
		out[wfxStr(r.Keys[0])] = *r.Values[0].Money + " " + strconv.Itoa(*r.Values[1].Int)
	}
	return out
}

func rpxSameGroups(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestReportAggregates sums MRR by region, with and without a where filter,
// and quote TCV by status, as ADMIN and as carrier X's contact.
func TestReportAggregates(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newRpxFixture(t, app)
		const accounts = `query($where: AccountWhereInput) {
		  accountAggregate(measures: [{op: SUM, field: "mrr"}, {op: COUNT}], groupBy: ["region"], where: $where) {
		    truncated rows { keys values { money int float } }
		  }
		}`
		notChurned := map[string]any{"where": map[string]any{"statusNEQ": "CHURNED"}}
		for _, tc := range []struct {
			viewer string
			vars   map[string]any
			want   map[string]string
		}{
			// X3 (NORTHEAST, churned, 700.00) counts only without the filter.
			{"ADMIN", nil, map[string]string{"NORTHEAST": "10700.00 2", "WEST": "6500.50 2", "MIDWEST": "1234.56 1"}},
			{"ADMIN", notChurned, map[string]string{"NORTHEAST": "10000.00 1", "WEST": "6500.50 2", "MIDWEST": "1234.56 1"}},
			{"CARRIER_X", notChurned, map[string]string{"NORTHEAST": "10000.00 1", "WEST": "2500.50 1"}},
			{"ALICE", notChurned, map[string]string{"NORTHEAST": "10000.00 1", "WEST": "4000.00 1"}},
		} {
			var out struct{ AccountAggregate rpxAggregate }
			app.as(fx.tokens[tc.viewer]).ok(t, accounts, tc.vars, &out)
			if got := out.AccountAggregate.groups(t); !rpxSameGroups(got, tc.want) || out.AccountAggregate.Truncated {
				t.Errorf("%s (where %v): MRR by region %v; want %v", tc.viewer, tc.vars, got, tc.want)
			}
		}

		const quotes = `query { quoteAggregate(measures: [{op: SUM, field: "tcv"}, {op: COUNT}], groupBy: ["status"]) { truncated rows { keys values { money int float } } } }`
		for _, tc := range []struct {
			viewer string
			want   map[string]string
		}{
			{"ADMIN", map[string]string{"DRAFT": "12100.00 3", "SENT": "59300.00 2", "ACCEPTED": "19000.00 1", "DECLINED": "0.00 1"}},
			// Only what was sent to carrier X.
			{"CARRIER_X", map[string]string{"SENT": "48500.00 1", "ACCEPTED": "19000.00 1", "DECLINED": "0.00 1"}},
		} {
			var out struct{ QuoteAggregate rpxAggregate }
			app.as(fx.tokens[tc.viewer]).ok(t, quotes, nil, &out)
			if got := out.QuoteAggregate.groups(t); !rpxSameGroups(got, tc.want) {
				t.Errorf("%s: TCV by quote status %v; want %v", tc.viewer, got, tc.want)
			}
		}
	})
}

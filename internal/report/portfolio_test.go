package report_test

import (
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/workflow"
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/report"
)

// equal fails the test when got and want differ.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// near fails the test unless got is set and within a millionth of want, or
// both are unset.
func near(t *testing.T, what string, got *float64, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: got %v, want %v", what, deref(got), deref(want))
	case math.Abs(*got-*want) > 1e-6:
		t.Errorf("%s: got %v, want %v", what, *got, *want)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func float(f float64) *float64 { return &f }

// byStatus and the like build the full enum rows the reports list, zeros included.
func accountStatuses(onboarding, active, atRisk, churned report.AccountStatusMRR) []report.AccountStatusMRR {
	onboarding.Status, active.Status, atRisk.Status, churned.Status = account.StatusOnboarding, account.StatusActive, account.StatusAtRisk, account.StatusChurned
	return []report.AccountStatusMRR{onboarding, active, atRisk, churned}
}

func pipeline(draft, pending, approved, sent, accepted report.QuoteStatusTotal) []report.QuoteStatusTotal {
	draft.Status, pending.Status, approved.Status, sent.Status, accepted.Status = quote.StatusDraft, quote.StatusPendingApproval, quote.StatusApproved, quote.StatusSent, quote.StatusAccepted
	return []report.QuoteStatusTotal{draft, pending, approved, sent, accepted, {Status: quote.StatusDeclined}, {Status: quote.StatusExpired}}
}

func severities(sev1, sev2, sev3, sev4 report.SeverityEscalations) []report.SeverityEscalations {
	sev1.Severity, sev2.Severity, sev3.Severity, sev4.Severity = escalation.SeveritySev1, escalation.SeveritySev2, escalation.SeveritySev3, escalation.SeveritySev4
	return []report.SeverityEscalations{sev1, sev2, sev3, sev4}
}

func renewals(c30, m30, c60, m60, c90, m90, c180, m180 int64) []report.RenewalWindow {
	return []report.RenewalWindow{
		{Days: 30, Count: int(c30), MRR: usdCents(m30)},
		{Days: 60, Count: int(c60), MRR: usdCents(m60)},
		{Days: 90, Count: int(c90), MRR: usdCents(m90)},
		{Days: 180, Count: int(c180), MRR: usdCents(m180)},
	}
}

// usd is an amount in US dollars as a report's per-currency total.
func usd(dollars, c int64) []report.MoneyTotal { return usdCents(dollars*100 + c) }

// usdCents is cents in US dollars as a per-currency total; none for zero,
// which in these fixtures means no rows to add up.
func usdCents(c int64) []report.MoneyTotal {
	if c == 0 {
		return nil
	}
	return []report.MoneyTotal{{Currency: "USD", Amount: money.Amount(c)}}
}

func TestPortfolioAdmin(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		p, err := report.Portfolio(w.admin(), c, now)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "asOf", p.AsOf, now)
		// a1 + a2 + a3 + a5 + a6; a4 is churned.
		equal(t, "mrr", p.MRR, usd(10000+2500+7000+300+500, 50))
		equal(t, "accounts", p.Accounts, 5)
		equal(t, "byCarrier", p.ByCarrier, []report.CarrierMRR{
			{CarrierID: w.carA, Name: "Alpha Telecom", Accounts: 3, MRR: usd(13000, 50)},
			{CarrierID: w.carB, Name: "Bravo Networks", Accounts: 1, MRR: usd(7000, 0)},
			{CarrierID: w.carC, Name: "Charlie Fiber", Accounts: 1, MRR: usd(300, 0)},
		})
		equal(t, "byRegion", p.ByRegion, []report.RegionMRR{
			{Region: enum.RegionNortheast, Accounts: 3, MRR: usd(17500, 0)},
			{Region: enum.RegionSoutheast, Accounts: 1, MRR: usd(300, 0)},
			{Region: enum.RegionMidwest},
			{Region: enum.RegionSouthCentral},
			{Region: enum.RegionWest, Accounts: 1, MRR: usd(2500, 50)},
		})
		equal(t, "byStatus", p.ByStatus, accountStatuses(
			report.AccountStatusMRR{Accounts: 1, MRR: usd(300, 0)},
			report.AccountStatusMRR{Accounts: 3, MRR: usd(17500, 0)},
			report.AccountStatusMRR{Accounts: 1, MRR: usd(2500, 50)},
			report.AccountStatusMRR{Accounts: 1, MRR: usd(1000, 0)},
		))
		equal(t, "atRisk", p.AtRisk, report.MRRTotal{Count: 1, MRR: usd(2500, 50)})
		equal(t, "openEscalations", p.OpenEscalations, 3)
		equal(t, "escalationsBySeverity", p.EscalationsBySeverity, severities(
			// e1 open and late on both; e4 in time
			report.SeverityEscalations{Open: 1, OpenResponseBreaches: 1, OpenResolutionBreaches: 1, AllTimeResponseBreaches: 1, AllTimeResolutionBreaches: 1},
			// e2 open in time; e6 resolved late
			report.SeverityEscalations{Open: 1, AllTimeResolutionBreaches: 1},
			// e3 late on both, no longer open
			report.SeverityEscalations{AllTimeResponseBreaches: 1, AllTimeResolutionBreaches: 1},
			// e5 nothing due yet
			report.SeverityEscalations{Open: 1},
		))
		equal(t, "openResponseBreaches", p.OpenResponseBreaches, 1)
		equal(t, "openResolutionBreaches", p.OpenResolutionBreaches, 1)
		equal(t, "allTimeResponseBreaches", p.AllTimeResponseBreaches, 2)
		equal(t, "allTimeResolutionBreaches", p.AllTimeResolutionBreaches, 3)
		equal(t, "pipeline", p.Pipeline, pipeline(
			report.QuoteStatusTotal{Count: 1, MRC: usd(1000, 0), TCV: usd(12500, 0)},
			report.QuoteStatusTotal{Count: 1, MRC: usd(2000, 0), TCV: usd(48000, 0)},
			report.QuoteStatusTotal{Count: 1, MRC: usd(500, 0), TCV: usd(18100, 0)},
			report.QuoteStatusTotal{Count: 2, MRC: usd(3800, 1), TCV: usd(36000+9800, 12)},
			report.QuoteStatusTotal{Count: 1, MRC: usd(400, 0), TCV: usd(4800, 0)},
		))
		// s1 took 10 hours, in time; s2 40 hours, after its due time.
		equal(t, "sparc decided", p.SPARCTurnaround.Decided, 2)
		near(t, "sparc average hours", p.SPARCTurnaround.AverageHours, float(25))
		near(t, "sparc max hours", p.SPARCTurnaround.MaxHours, float(40))
		equal(t, "sparc over target", p.SPARCTurnaround.OverTarget, 1)
		equal(t, "rfp won/lost", [2]int{p.RFPs.Won, p.RFPs.Lost}, [2]int{2, 1})
		near(t, "rfp win rate", p.RFPs.WinRate, float(2.0/3.0))
		// 10 and 30 days (inclusive); then 45; then 100. 200 days, expired and past ones never.
		equal(t, "renewals", p.Renewals, renewals(2, 150000, 3, 350000, 3, 350000, 4, 650000))
	})
}

// TestPortfolioViewers checks that a rep's and a carrier's portfolio count
// only what they may see: sam's accounts a1 and a2, Bravo's a3 and a4.
func TestPortfolioViewers(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		cases := []struct {
			name       string
			ctx        func() context.Context
			mrr        []report.MoneyTotal
			accounts   int
			byCarrier  []report.CarrierMRR
			byStatus   []report.AccountStatusMRR
			atRisk     report.MRRTotal
			open       int
			response   int
			resolution int
			pipeline   []report.QuoteStatusTotal
			decided    int
			average    *float64
			won, lost  int
			winRate    *float64
			renewals   []report.RenewalWindow
		}{
			{
				name:      "support rep",
				ctx:       w.support1,
				mrr:       usd(12500, 50),
				accounts:  2,
				byCarrier: []report.CarrierMRR{{CarrierID: w.carA, Name: "Alpha Telecom", Accounts: 2, MRR: usd(12500, 50)}},
				byStatus: accountStatuses(
					report.AccountStatusMRR{},
					report.AccountStatusMRR{Accounts: 1, MRR: usd(10000, 0)},
					report.AccountStatusMRR{Accounts: 1, MRR: usd(2500, 50)},
					report.AccountStatusMRR{},
				),
				atRisk: report.MRRTotal{Count: 1, MRR: usd(2500, 50)},
				// e1, e2 open; e1 and e3 late to respond; e1, e3, e6 late to resolve.
				open: 2, response: 2, resolution: 3,
				pipeline: pipeline(
					report.QuoteStatusTotal{Count: 1, MRC: usd(1000, 0), TCV: usd(12500, 0)},
					report.QuoteStatusTotal{Count: 1, MRC: usd(2000, 0), TCV: usd(48000, 0)},
					report.QuoteStatusTotal{Count: 1, MRC: usd(500, 0), TCV: usd(18100, 0)},
					report.QuoteStatusTotal{Count: 1, MRC: usd(800, 1), TCV: usd(9800, 12)},
					report.QuoteStatusTotal{Count: 1, MRC: usd(400, 0), TCV: usd(4800, 0)},
				),
				decided: 2, average: float(25),
				won: 1, lost: 1, winRate: float(0.5),
				renewals: renewals(1, 100000, 2, 300000, 2, 300000, 2, 300000),
			},
			{
				name:      "carrier contact",
				ctx:       w.carrierB,
				mrr:       usd(7000, 0),
				accounts:  1,
				byCarrier: []report.CarrierMRR{{CarrierID: w.carB, Name: "Bravo Networks", Accounts: 1, MRR: usd(7000, 0)}},
				byStatus: accountStatuses(
					report.AccountStatusMRR{},
					report.AccountStatusMRR{Accounts: 1, MRR: usd(7000, 0)},
					report.AccountStatusMRR{},
					report.AccountStatusMRR{Accounts: 1, MRR: usd(1000, 0)},
				),
				// e5 open, nothing late; e4 closed in time.
				open: 1,
				// Only quotes sent to the carrier: q4.
				pipeline: pipeline(
					report.QuoteStatusTotal{},
					report.QuoteStatusTotal{},
					report.QuoteStatusTotal{},
					report.QuoteStatusTotal{Count: 1, MRC: usd(3000, 0), TCV: usd(36000, 0)},
					report.QuoteStatusTotal{},
				),
				// Special pricing is internal: nothing.
				decided: 0, average: nil,
				won: 1, lost: 0, winRate: float(1),
				renewals: renewals(0, 0, 0, 0, 0, 0, 1, 300000),
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p, err := report.Portfolio(tc.ctx(), c, now)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "mrr", p.MRR, tc.mrr)
				equal(t, "accounts", p.Accounts, tc.accounts)
				equal(t, "byCarrier", p.ByCarrier, tc.byCarrier)
				equal(t, "byStatus", p.ByStatus, tc.byStatus)
				equal(t, "atRisk", p.AtRisk, tc.atRisk)
				equal(t, "open escalations", p.OpenEscalations, tc.open)
				equal(t, "all-time response breaches", p.AllTimeResponseBreaches, tc.response)
				equal(t, "all-time resolution breaches", p.AllTimeResolutionBreaches, tc.resolution)
				equal(t, "pipeline", p.Pipeline, tc.pipeline)
				equal(t, "sparc decided", p.SPARCTurnaround.Decided, tc.decided)
				near(t, "sparc average", p.SPARCTurnaround.AverageHours, tc.average)
				equal(t, "rfp won/lost", [2]int{p.RFPs.Won, p.RFPs.Lost}, [2]int{tc.won, tc.lost})
				near(t, "rfp win rate", p.RFPs.WinRate, tc.winRate)
				equal(t, "renewals", p.Renewals, tc.renewals)
			})
		}
	})
}

// TestPortfolioManager checks the manager's scope: the team's accounts a1
// and a2 plus the unassigned a5 and a6, which managers hand out.
func TestPortfolioManager(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		p, err := report.Portfolio(w.manager(), c, now)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "mrr", p.MRR, usd(10000+2500+300+500, 50))
		equal(t, "accounts", p.Accounts, 4)
	})
}

func TestPortfolioWithoutViewer(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		build(t, c)
		if _, err := report.Portfolio(context.Background(), c, now); err == nil {
			t.Fatal("a portfolio without a viewer was computed; want a privacy error")
		}
	})
}

// TestEscalationRulesAgree: the portfolio counts open escalations and SLA
// breaches by the same rules as the escalation's own fields and the sweep
// (internal/workflow), on both databases. An escalation pending the client,
// paused before its resolution was due, is not late while it waits, though
// the due time has passed: the portfolio used to count it as a breach.
func TestEscalationRulesAgree(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		ctx := allow()
		paused, err := c.Escalation.Create().
			SetAccountID(w.a1).SetOwnerID(w.sup1).SetTitle("Waiting on the carrier's field tech").
			SetCategory(escalation.CategoryServiceAssurance).SetSeverity(escalation.SeveritySev4).
			SetStatus(escalation.StatusPendingClient).SetCreatedAt(now.Add(-72 * time.Hour)).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Escalation.UpdateOneID(paused.ID).
			SetResponseDueAt(now.Add(-71 * time.Hour)).SetAcknowledgedAt(now.Add(-71*time.Hour - time.Minute)).
			SetResolutionDueAt(now.Add(-time.Hour)).SetPausedAt(now.Add(-2 * time.Hour)).
			Exec(ctx); err != nil {
			t.Fatal(err)
		}
		all, err := c.Escalation.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var open, openResponse, openResolution, response, resolution int
		for _, e := range all {
			for _, rule := range []struct {
				name string
				fn   bool
				p    predicate.Escalation
			}{
				{"open", workflow.Open(e), workflow.OpenEscalation()},
				{"response breach", workflow.ResponseBreached(e, now), workflow.ResponseBreachedAt(now)},
				{"resolution breach", workflow.ResolutionBreached(e, now), workflow.ResolutionBreachedAt(now)},
			} {
				in, err := c.Escalation.Query().Where(escalation.ID(e.ID), rule.p).Exist(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if in != rule.fn {
					t.Errorf("%s %s: the Go rule says %v, the query %v", e.ID, rule.name, rule.fn, in)
				}
			}
			if workflow.Open(e) {
				open++
				openResponse += b2i(workflow.ResponseBreached(e, now))
				openResolution += b2i(workflow.ResolutionBreached(e, now))
			}
			response += b2i(workflow.ResponseBreached(e, now))
			resolution += b2i(workflow.ResolutionBreached(e, now))
		}
		if workflow.ResolutionBreached(paused, now) {
			t.Fatal("a paused escalation that was in time when paused counts as late")
		}
		p, err := report.Portfolio(w.admin(), c, now)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "open", p.OpenEscalations, open)
		equal(t, "open response breaches", p.OpenResponseBreaches, openResponse)
		equal(t, "open resolution breaches", p.OpenResolutionBreaches, openResolution)
		equal(t, "all-time response breaches", p.AllTimeResponseBreaches, response)
		equal(t, "all-time resolution breaches", p.AllTimeResolutionBreaches, resolution)
		equal(t, "open, with the paused one", p.OpenEscalations, 4)
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

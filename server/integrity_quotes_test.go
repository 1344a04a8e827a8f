package main

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"
	"carrierdesk/internal/workflow"
)

// Issue 11, "Quotes and special pricing" and "The deal model": the priced
// content of a quote is frozen from submission on, reviseQuote takes it back
// to DRAFT as a new revision, special prices are requested on drafts below
// the quote's own MRC, four eyes on every approval, and deals whose cash
// flows change sign more than once have no single IRR.

// secondManager adds another manager, who may approve what the fixture's
// manager made: the support rep moves to the second manager's team, so both
// managers see the account.
func (fx *wfxFixture) secondManager(t *testing.T) (id, token string) {
	t.Helper()
	c, ctx := fx.app.db.Client, allowCtx()
	id = c.Rep.Create().
		SetName("Second manager").
		SetEmail("manager2@workflow.example").
		SetRole(enum.RoleManager).
		SetRegion(enum.RegionNortheast).
		SaveX(ctx).ID
	team := c.Team.Create().SetName("Second team").SetRegion(enum.RegionNortheast).SetManagerID(id).SaveX(ctx).ID
	c.Rep.UpdateOneID(fx.rep["SUPPORT"]).SetTeamID(team).ExecX(ctx)
	return id, fx.app.sign(t, auth.Claims{Subject: id, Role: string(enum.RoleManager)})
}

// quoteRow reads a quote from the database, past the privacy rules.
func (fx *wfxFixture) quoteRow(t *testing.T, id string) *ent.Quote {
	t.Helper()
	return fx.app.db.Client.Quote.GetX(allowCtx(), id)
}

// lineOf is the first line of a quote.
func (fx *wfxFixture) lineOf(t *testing.T, quoteID string) *ent.QuoteLineItem {
	t.Helper()
	return fx.app.db.Client.QuoteLineItem.Query().Where(quotelineitem.QuoteID(quoteID)).FirstX(allowCtx())
}

// TestIntegrityQuoteFrozenFromSubmission: issue 11's "Seen" — updateQuote
// changed termMonths on a SENT quote, capex on an ACCEPTED one, and
// updateQuoteLineItem worked while SENT. All are refused now, with
// INVALID_TRANSITION naming the field, for every writer, and nothing is written.
func TestIntegrityQuoteFrozenFromSubmission(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		const updateQuote = `mutation($id: ID!, $in: UpdateQuoteInput!) { updateQuote(id: $id, input: $in) { id termMonths tcv } }`
		const updateLine = `mutation($id: ID!, $in: UpdateQuoteLineItemInput!) { updateQuoteLineItem(id: $id, input: $in) { id } }`
		const createLine = `mutation($in: CreateQuoteLineItemInput!) { createQuoteLineItem(input: $in) { id } }`

		sent := fx.create(t, "Quote", "SENT")
		before := fx.quoteRow(t, sent)
		if before.Tcv != money.Amount(5450000) {
			t.Fatalf("fixture TCV = %s; want 54500.00", before.Tcv)
		}
		app.fails(t, updateQuote, map[string]any{"id": sent, "in": map[string]any{"termMonths": 6}}, "INVALID_TRANSITION", "termMonths")
		app.as(fx.token["SUPPORT"]).fails(t, updateQuote, map[string]any{"id": sent, "in": map[string]any{"capex": "1000"}}, "INVALID_TRANSITION", "capex")
		line := fx.lineOf(t, sent)
		app.fails(t, updateLine, map[string]any{"id": line.ID, "in": map[string]any{"mrc": "1.00"}}, "INVALID_TRANSITION", "mrc")
		app.fails(t, createLine, map[string]any{"in": map[string]any{"quoteID": sent, "product": "ETHERNET", "aLocation": "2 Main St", "mrc": "100.00"}}, "INVALID_TRANSITION", "quoteID")
		// Every writer: the program's own writes are refused too.
		if err := c.QuoteLineItem.DeleteOneID(line.ID).Exec(ctx); err == nil || !strings.Contains(err.Error(), "DRAFT") {
			t.Errorf("deleting a line of a SENT quote: %v; want refused", err)
		}
		if err := c.Quote.UpdateOneID(sent).SetMonthlyChurn(1000).Exec(ctx); err == nil {
			t.Error("the program changed monthlyChurn on a SENT quote")
		}
		after := fx.quoteRow(t, sent)
		if after.TermMonths != 36 || after.Tcv != before.Tcv || after.Capex != 0 || after.Version != before.Version {
			t.Errorf("SENT quote after refused writes: term %d, TCV %s, capex %s, version %d; want unchanged", after.TermMonths, after.Tcv, after.Capex, after.Version)
		}
		if l := fx.lineOf(t, sent); l.Mrc != line.Mrc || l.Version != line.Version {
			t.Errorf("line after refused writes = %s v%d; want unchanged", l.Mrc, l.Version)
		}
		if n := c.QuoteLineItem.Query().Where(quotelineitem.QuoteID(sent)).CountX(ctx); n != 1 {
			t.Errorf("%d lines on the SENT quote; want 1", n)
		}
		// Unpriced fields of a live quote still change.
		app.ok(t, `mutation($id: ID!) { updateQuote(id: $id, input: {title: "Renamed"}) { id } }`, map[string]any{"id": sent}, nil)

		// A quote pending approval is frozen too.
		pending := fx.create(t, "Quote", "PENDING_APPROVAL")
		app.fails(t, updateQuote, map[string]any{"id": pending, "in": map[string]any{"termMonths": 12}}, "INVALID_TRANSITION", "termMonths")

		// Accepted, declined and expired quotes do not change at all.
		for _, state := range []string{"ACCEPTED", "DECLINED", "EXPIRED"} {
			id := fx.create(t, "Quote", state)
			v := fx.quoteRow(t, id).Version
			app.fails(t, updateQuote, map[string]any{"id": id, "in": map[string]any{"capex": "99999"}}, "INVALID_TRANSITION", "capex")
			app.fails(t, updateQuote, map[string]any{"id": id, "in": map[string]any{"title": "Renamed"}}, "INVALID_TRANSITION", "title")
			if q := fx.quoteRow(t, id); q.Capex != 0 || q.Title == "Renamed" || q.Version != v {
				t.Errorf("%s quote after refused writes: capex %s, title %q, version %d", state, q.Capex, q.Title, q.Version)
			}
		}

		// A draft changes freely, and its totals follow.
		draft := fx.create(t, "Quote", "DRAFT")
		var out struct {
			UpdateQuote struct {
				TermMonths int
				Tcv        string
			}
		}
		app.ok(t, updateQuote, map[string]any{"id": draft, "in": map[string]any{"termMonths": 12}}, &out)
		if out.UpdateQuote.TermMonths != 12 || out.UpdateQuote.Tcv != "18500.00" {
			t.Errorf("draft after updateQuote = %+v; want term 12, TCV 18500.00", out.UpdateQuote)
		}
		app.ok(t, updateLine, map[string]any{"id": fx.lineOf(t, draft).ID, "in": map[string]any{"mrc": "1000.00"}}, nil)
	})
}

// TestIntegrityReviseQuote: reviseQuote takes a PENDING_APPROVAL, APPROVED
// or SENT quote back to DRAFT as its next revision: approval and sentAt
// cleared (the carrier no longer sees it), an audit entry, and the priced
// content editable again; it needs approving again before it is sent.
func TestIntegrityReviseQuote(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		const revise = `mutation($id: ID!) { reviseQuote(id: $id, reason: "carrier asked for 24 months") {
		  status revision statusNote approvedBy { id } approvedAt submittedAt sentAt } }`
		type revised struct {
			Status, StatusNote string
			Revision           int
			ApprovedBy         *struct{ ID string }
			ApprovedAt, SentAt *string
			SubmittedAt        *string
		}
		sent := fx.create(t, "Quote", "SENT")
		if q := fx.quoteRow(t, sent); q.Revision != 1 || q.ApprovedByID == nil || q.ApprovedAt == nil {
			t.Fatalf("sent fixture: revision %d, approved by %v at %v", q.Revision, q.ApprovedByID, q.ApprovedAt)
		}
		carrier := app.as(fx.token["CARRIER"])
		const seen = `query($id: ID!) { node(id: $id) { id } }`
		var vis struct{ Node *struct{ ID string } }
		carrier.ok(t, seen, map[string]any{"id": sent}, &vis)
		if vis.Node == nil {
			t.Fatal("the carrier does not see its sent quote")
		}

		var out struct{ ReviseQuote revised }
		app.as(fx.token["STRATEGIC"]).ok(t, revise, map[string]any{"id": sent}, &out)
		r := out.ReviseQuote
		if r.Status != "DRAFT" || r.Revision != 2 || r.ApprovedBy != nil || r.ApprovedAt != nil || r.SentAt != nil || r.SubmittedAt != nil || r.StatusNote != "carrier asked for 24 months" {
			t.Errorf("revised quote = %+v; want DRAFT, revision 2, approval and sentAt cleared", r)
		}
		entries := fx.audit(t, "quote.revise", sent)
		if len(entries) != 1 || entries[0].APIOperation != "mutation reviseQuote" || wfxStr(entries[0].ActorID) != fx.rep["STRATEGIC"] {
			t.Errorf("audit entries of the revision = %+v", entries)
		}
		carrier.fails(t, seen, map[string]any{"id": sent}, "NOT_FOUND", "")
		// The new revision is priced again, submitted and approved again.
		app.ok(t, `mutation($id: ID!) { updateQuote(id: $id, input: {termMonths: 24}) { id } }`, map[string]any{"id": sent}, nil)
		app.as(fx.token["STRATEGIC"]).ok(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": sent}, nil)
		app.as(fx.token["STRATEGIC"]).fails(t, `mutation($id: ID!) { sendQuote(id: $id) { id } }`, map[string]any{"id": sent}, "INVALID_TRANSITION", "")
		app.as(fx.token["MANAGER"]).ok(t, `mutation($id: ID!) { approveQuote(id: $id) { id } }`, map[string]any{"id": sent}, nil)
		if q := fx.quoteRow(t, sent); q.Status != quote.StatusApproved || q.TermMonths != 24 || q.Revision != 2 || q.ApprovedByID == nil || *q.ApprovedByID != fx.rep["MANAGER"] || q.SubmittedByID == nil || *q.SubmittedByID != fx.rep["STRATEGIC"] {
			t.Errorf("re-approved quote: %s, term %d, revision %d, approved by %v, submitted by %v", q.Status, q.TermMonths, q.Revision, q.ApprovedByID, q.SubmittedByID)
		}

		// From PENDING_APPROVAL and APPROVED too; never from a draft or a final state.
		for _, state := range []string{"PENDING_APPROVAL", "APPROVED"} {
			id := fx.create(t, "Quote", state)
			app.ok(t, revise, map[string]any{"id": id}, &out)
			if out.ReviseQuote.Status != "DRAFT" || out.ReviseQuote.Revision != 2 {
				t.Errorf("revised %s quote = %+v", state, out.ReviseQuote)
			}
		}
		for _, state := range []string{"DRAFT", "ACCEPTED", "DECLINED", "EXPIRED"} {
			id := fx.create(t, "Quote", state)
			app.fails(t, revise, map[string]any{"id": id}, "INVALID_TRANSITION", "")
			if q := fx.quoteRow(t, id); q.Revision != 1 || q.Status.String() != state {
				t.Errorf("%s quote after a refused revision: %s, revision %d", state, q.Status, q.Revision)
			}
		}
		app.as(fx.token["CARRIER"]).fails(t, revise, map[string]any{"id": fx.create(t, "Quote", "SENT")}, "FORBIDDEN", "")
	})
}

// TestIntegrityFourEyes: issue 11's "Seen" — a manager approved their own
// quote and their own special price. Nobody approves a quote they created,
// own or submitted, nor a special price they requested or whose quote they
// created or own: FORBIDDEN, and another manager or an admin must.
func TestIntegrityFourEyes(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		manager := app.as(fx.token["MANAGER"])
		otherID, otherToken := fx.secondManager(t)
		other := app.as(otherToken)
		const approve = `mutation($id: ID!) { approveQuote(id: $id) { status approvedBy { id } approvedAt } }`

		// The manager creates, prices and submits a quote of their own.
		var created struct{ CreateQuote struct{ ID string } }
		manager.ok(t, `mutation($account: ID!) { createQuote(input: {accountID: $account, title: "Own deal", termMonths: 12, validUntil: "2099-01-01"}) { id } }`,
			map[string]any{"account": fx.account}, &created)
		own := created.CreateQuote.ID
		if q := fx.quoteRow(t, own); q.CreatedByID == nil || *q.CreatedByID != fx.rep["MANAGER"] {
			t.Fatalf("createdBy = %v; want the manager", q.CreatedByID)
		}
		manager.ok(t, `mutation($q: ID!) { createQuoteLineItem(input: {quoteID: $q, product: ETHERNET, aLocation: "1 Main St", mrc: "1000.00"}) { id } }`, map[string]any{"q": own}, nil)
		manager.ok(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": own}, nil)
		res := manager.fails(t, approve, map[string]any{"id": own}, "FORBIDDEN", "")
		if !strings.Contains(res.Errors[0].Message, "another manager or an admin") {
			t.Errorf("message = %q", res.Errors[0].Message)
		}
		if q := fx.quoteRow(t, own); q.Status != quote.StatusPendingApproval || q.ApprovedByID != nil {
			t.Errorf("after the refused approval: %s, approved by %v", q.Status, q.ApprovedByID)
		}
		var out struct {
			ApproveQuote struct {
				Status     string
				ApprovedBy struct{ ID string }
				ApprovedAt *string
			}
		}
		other.ok(t, approve, map[string]any{"id": own}, &out)
		if out.ApproveQuote.Status != "APPROVED" || out.ApproveQuote.ApprovedBy.ID != otherID || out.ApproveQuote.ApprovedAt == nil {
			t.Errorf("approved by the second manager = %+v", out.ApproveQuote)
		}

		// Owning or submitting a quote bars approving it too, admins included.
		owned := fx.create(t, "Quote", "PENDING_APPROVAL")
		app.db.Client.Quote.UpdateOneID(owned).SetOwnerID(otherID).ExecX(allowCtx())
		other.fails(t, approve, map[string]any{"id": owned}, "FORBIDDEN", "")
		submitted := fx.create(t, "Quote", "DRAFT")
		app.ok(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": submitted}, nil)
		app.fails(t, approve, map[string]any{"id": submitted}, "FORBIDDEN", "")
		manager.ok(t, approve, map[string]any{"id": submitted}, nil)

		// Special prices: the requester never approves their own.
		draft := fx.create(t, "Quote", "DRAFT")
		var sparc struct{ CreateSpecialPricingRequest struct{ ID string } }
		manager.ok(t, `mutation($q: ID!) { createSpecialPricingRequest(input: {quoteID: $q, justification: "competing bid", requestedMrc: "1200.00"}) { id } }`,
			map[string]any{"q": draft}, &sparc)
		id := sparc.CreateSpecialPricingRequest.ID
		manager.ok(t, `mutation($id: ID!) { submitPricingRequest(id: $id) { id } }`, map[string]any{"id": id}, nil)
		const approvePrice = `mutation($id: ID!) { approvePricingRequest(id: $id, approvedMrc: "1300.00", reason: "ok") { status decidedBy { id } } }`
		manager.fails(t, approvePrice, map[string]any{"id": id}, "FORBIDDEN", "")
		if r := app.db.Client.SpecialPricingRequest.GetX(allowCtx(), id); r.Status != specialpricingrequest.StatusSubmitted || r.ApprovedMrc != nil {
			t.Errorf("after the refused approval: %s, approved %v", r.Status, r.ApprovedMrc)
		}
		if q := fx.quoteRow(t, draft); q.SpecialMrc != nil || q.Mrc != money.Amount(150000) {
			t.Errorf("quote after the refused approval: MRC %s, special %v", q.Mrc, q.SpecialMrc)
		}
		app.ok(t, approvePrice, map[string]any{"id": id}, nil)

		// Nor does the owner of the quote.
		ownedDraft := fx.create(t, "Quote", "DRAFT")
		app.db.Client.Quote.UpdateOneID(ownedDraft).SetOwnerID(otherID).ExecX(allowCtx())
		app.as(fx.token["STRATEGIC"]).ok(t, `mutation($q: ID!) { createSpecialPricingRequest(input: {quoteID: $q, justification: "bid", requestedMrc: "1200.00"}) { id } }`,
			map[string]any{"q": ownedDraft}, &sparc)
		id = sparc.CreateSpecialPricingRequest.ID
		app.as(fx.token["STRATEGIC"]).ok(t, `mutation($id: ID!) { submitPricingRequest(id: $id) { id } }`, map[string]any{"id": id}, nil)
		other.fails(t, approvePrice, map[string]any{"id": id}, "FORBIDDEN", "")
		manager.ok(t, approvePrice, map[string]any{"id": id}, nil)
	})
}

// TestIntegritySpecialPricing: issue 11's "Seen" — a SPARC's standardMrc was
// client input (50,000 on a quote of 6,000, approved at 40,000, raising the
// quote's MRC), and a SPARC approved after its quote was approved changed
// the approved quote's MRC. Now the standard MRC is the quote's own, special
// prices are below it, requested on drafts only, block submission until
// decided, and the granted price is spread over the lines to the cent.
func TestIntegritySpecialPricing(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		strategic := app.as(fx.token["STRATEGIC"])
		manager := app.as(fx.token["MANAGER"])
		const create = `mutation($q: ID!, $mrc: Money!) { createSpecialPricingRequest(input: {quoteID: $q, justification: "competing bid", requestedMrc: $mrc}) { id standardMrc } }`

		quoteID := fx.create(t, "Quote", "DRAFT")
		// A second and third line: 1500 + 2 x 333.33 + 100.01 = 2266.67 a month.
		for _, l := range []struct {
			mrc string
			qty int
		}{{"333.33", 2}, {"100.01", 1}} {
			strategic.ok(t, `mutation($q: ID!, $mrc: Money!, $n: Int!) { createQuoteLineItem(input: {quoteID: $q, product: VOICE, aLocation: "1 Main St", mrc: $mrc, quantity: $n}) { id } }`,
				map[string]any{"q": quoteID, "mrc": l.mrc, "n": l.qty}, nil)
		}
		// standardMrc is no longer input at all.
		res := strategic.do(t, `mutation($q: ID!) { createSpecialPricingRequest(input: {quoteID: $q, justification: "x", standardMrc: "50000", requestedMrc: "40000"}) { id } }`, map[string]any{"q": quoteID})
		if len(res.Errors) == 0 {
			t.Fatalf("standardMrc accepted as input: %s", res.Raw)
		}
		// Asking for more than the quote's MRC is refused.
		strategic.fails(t, create, map[string]any{"q": quoteID, "mrc": "40000"}, "BAD_USER_INPUT", "requestedMrc")
		strategic.fails(t, create, map[string]any{"q": quoteID, "mrc": "2266.67"}, "BAD_USER_INPUT", "requestedMrc")
		var out struct {
			CreateSpecialPricingRequest struct{ ID, StandardMrc string }
		}
		strategic.ok(t, create, map[string]any{"q": quoteID, "mrc": "2000.00"}, &out)
		sparc := out.CreateSpecialPricingRequest
		if sparc.StandardMrc != "2266.67" {
			t.Errorf("standardMrc = %s; want the quote's MRC 2266.67", sparc.StandardMrc)
		}
		// An undecided request blocks submission, and is named.
		res = strategic.fails(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": quoteID}, "INVALID_TRANSITION", "pricingRequests")
		if !strings.Contains(res.Errors[0].Message, sparc.ID) {
			t.Errorf("message %q does not name the request %s", res.Errors[0].Message, sparc.ID)
		}
		strategic.ok(t, `mutation($id: ID!) { submitPricingRequest(id: $id) { id } }`, map[string]any{"id": sparc.ID}, nil)
		strategic.fails(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": quoteID}, "INVALID_TRANSITION", "pricingRequests")
		// The granted price is below the standard, never above or equal.
		const approve = `mutation($id: ID!, $mrc: Money!) { approvePricingRequest(id: $id, approvedMrc: $mrc, reason: "competing bid") { status } }`
		manager.fails(t, approve, map[string]any{"id": sparc.ID, "mrc": "2266.67"}, "BAD_USER_INPUT", "approvedMrc")
		manager.ok(t, approve, map[string]any{"id": sparc.ID, "mrc": "2000.00"}, nil)

		// Header and lines agree: 2000.00 spread in proportion, to the cent.
		var q struct {
			Node struct {
				Mrc, Tcv   string
				SpecialMrc *string
				LineItems  struct {
					Edges []struct {
						Node struct {
							Mrc            string
							Quantity       int
							SpecialLineMrc *string
						}
					}
				}
			}
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Quote { mrc tcv specialMrc lineItems(first: 10) { edges { node { mrc quantity specialLineMrc } } } } } }`, map[string]any{"id": quoteID}, &q)
		if q.Node.Mrc != "2000.00" || q.Node.Tcv != "72500.00" {
			t.Errorf("quote MRC %s, TCV %s; want 2000.00, 72500.00", q.Node.Mrc, q.Node.Tcv)
		}
		var sum money.Amount
		shares := map[string]string{}
		for _, e := range q.Node.LineItems.Edges {
			if e.Node.SpecialLineMrc == nil {
				t.Fatalf("line %+v has no special price", e.Node)
			}
			a, err := money.Parse(*e.Node.SpecialLineMrc)
			if err != nil {
				t.Fatal(err)
			}
			sum += a
			shares[e.Node.Mrc] = *e.Node.SpecialLineMrc
		}
		// Floors of 200000 x 150000/226667, x 66666/226667 and x 10001/226667
		// are 132352, 58822 and 8824 cents; the 2 cents left go to the largest line.
		if sum != money.Amount(200000) {
			t.Errorf("lines' special prices add up to %s; want 2000.00 (%v)", sum, shares)
		}
		want := map[string]string{"1500.00": "1323.54", "333.33": "588.22", "100.01": "88.24"}
		for mrc, share := range want {
			if shares[mrc] != share {
				t.Errorf("special price of the %s line = %s; want %s (all: %v)", mrc, shares[mrc], share, shares)
			}
		}
		// Decided: the quote can be submitted now.
		strategic.ok(t, `mutation($id: ID!) { submitQuote(id: $id) { id } }`, map[string]any{"id": quoteID}, nil)

		// Requests only on drafts.
		for _, state := range []string{"PENDING_APPROVAL", "APPROVED", "SENT", "ACCEPTED"} {
			strategic.fails(t, create, map[string]any{"q": fx.create(t, "Quote", state), "mrc": "1000.00"}, "INVALID_TRANSITION", "quoteID")
		}

		// A request left undecided on an approved quote (data from before
		// issue 11) cannot change it: the approval is refused, nothing moves.
		approved := fx.create(t, "Quote", "APPROVED")
		legacy := app.db.Client.SpecialPricingRequest.Create().
			SetQuoteID(approved).
			SetRequestedByID(fx.rep["STRATEGIC"]).
			SetJustification("legacy").
			SetStandardMrc(money.Amount(150000)).
			SetRequestedMrc(money.Amount(120000)).
			SetStatus(specialpricingrequest.StatusSubmitted).
			SaveX(bulk.NewContext(allowCtx())).ID
		manager.fails(t, approve, map[string]any{"id": legacy, "mrc": "1300.00"}, "INVALID_TRANSITION", "")
		if got := fx.quoteRow(t, approved); got.Mrc != money.Amount(150000) || got.SpecialMrc != nil {
			t.Errorf("approved quote after the refused approval: MRC %s, special %v", got.Mrc, got.SpecialMrc)
		}
		if r := app.db.Client.SpecialPricingRequest.GetX(allowCtx(), legacy); r.Status != specialpricingrequest.StatusSubmitted {
			t.Errorf("legacy request is %s; want still SUBMITTED", r.Status)
		}
	})
}

// TestIntegrityDealSignChanges: issue 11's "Seen" — evaluateDeal reported
// 2,461% a year for flows that change sign twice. Such flows have no single
// IRR, and say why; where there is one, the monthly rate is given with the
// digits to recompute the annual one to 1e-9, on quotes too.
func TestIntegrityDealSignChanges(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		const evaluate = `query($in: DealInput!) { evaluateDeal(input: $in) { irr irrMonthly irrNote paybackMonth } }`
		var out struct {
			EvaluateDeal struct {
				Irr, IrrMonthly *string
				IrrNote         *string
				PaybackMonth    *int
			}
		}
		app.ok(t, evaluate, map[string]any{"in": map[string]any{"termMonths": 24, "mrc": "5000", "capex": "1000", "monthlyOpex": "4000", "monthlyChurn": "0.05"}}, &out)
		if e := out.EvaluateDeal; e.Irr != nil || e.IrrMonthly != nil || e.IrrNote == nil || *e.IrrNote != "cash flows change sign 2 times: the IRR is not unique" {
			t.Errorf("evaluateDeal of the issue's deal = irr %v, monthly %v, note %v", wfxStr(e.Irr), wfxStr(e.IrrMonthly), wfxStr(e.IrrNote))
		}
		// The worked example of DOMAIN.md: payback in month 26, about 26.5% a year.
		app.ok(t, evaluate, map[string]any{"in": map[string]any{"termMonths": 36, "mrc": "6000", "nrc": "5000", "capex": "120000", "monthlyOpex": "1500"}}, &out)
		e := out.EvaluateDeal
		if e.Irr == nil || *e.Irr != "0.265817" || e.PaybackMonth == nil || *e.PaybackMonth != 26 || e.IrrMonthly == nil {
			t.Fatalf("worked example = irr %s, monthly %s, payback %v", wfxStr(e.Irr), wfxStr(e.IrrMonthly), e.PaybackMonth)
		}
		annual := annualOf(t, *e.IrrMonthly)
		if d := new(big.Float).Sub(annual, big.NewFloat(0.265817)); d.Abs(d).Cmp(big.NewFloat(5e-7)) > 0 {
			t.Errorf("(1 + %s)^12 - 1 = %s; want 0.265817 to six decimals", *e.IrrMonthly, annual.Text('f', 12))
		}
		// Exactly 10% a month: -1000, +1100.
		app.ok(t, evaluate, map[string]any{"in": map[string]any{"termMonths": 1, "mrc": "1100", "capex": "1000"}}, &out)
		if e := out.EvaluateDeal; e.IrrMonthly == nil || *e.IrrMonthly != "0.1" {
			t.Errorf("monthly IRR of -1000, +1100 = %s; want 0.1", wfxStr(e.IrrMonthly))
		} else if d := new(big.Float).Sub(annualOf(t, *e.IrrMonthly), big.NewFloat(2.138428376721)); d.Abs(d).Cmp(big.NewFloat(1e-9)) > 0 {
			t.Errorf("annual from monthly off by %s", d.Text('g', 5))
		}

		// The quote's deal model says the same.
		id := fx.create(t, "Quote", "DRAFT")
		app.ok(t, `mutation($id: ID!) { updateQuote(id: $id, input: {capex: "40000", monthlyOpex: "200"}) { id } }`, map[string]any{"id": id}, nil)
		var q struct {
			Node struct{ Irr, IrrMonthly, IrrNote *string }
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Quote { irr irrMonthly irrNote } } }`, map[string]any{"id": id}, &q)
		if q.Node.Irr == nil || q.Node.IrrMonthly == nil {
			t.Fatalf("quote's IRR = %s, monthly %s, note %s", wfxStr(q.Node.Irr), wfxStr(q.Node.IrrMonthly), wfxStr(q.Node.IrrNote))
		}
		irr, _ := new(big.Float).SetString(*q.Node.Irr)
		if d := new(big.Float).Sub(annualOf(t, *q.Node.IrrMonthly), irr); d.Abs(d).Cmp(big.NewFloat(5e-7)) > 0 {
			t.Errorf("quote: (1 + %s)^12 - 1 is not %s", *q.Node.IrrMonthly, *q.Node.Irr)
		}
		app.as(fx.token["CARRIER"]).fails(t, `query($id: ID!) { node(id: $id) { ... on Quote { irrMonthly } } }`, map[string]any{"id": fx.create(t, "Quote", "SENT")}, "FORBIDDEN", "")
	})
}

// annualOf is (1 + m)^12 - 1 for a monthly rate given as a decimal string.
func annualOf(t *testing.T, monthly string) *big.Float {
	t.Helper()
	m, ok := new(big.Float).SetPrec(256).SetString(monthly)
	if !ok {
		t.Fatalf("monthly IRR %q is not a decimal", monthly)
	}
	y := new(big.Float).SetPrec(256).Add(m, big.NewFloat(1))
	a := new(big.Float).SetPrec(256).SetInt64(1)
	for range 12 {
		a.Mul(a, y)
	}
	return a.Sub(a, big.NewFloat(1))
}

// walkQuote brings a draft quote to state the way the workflow would, so
// that every rule on the way applies: approved by approver, sent at sentAt
// when state is one the carrier sees.
func walkQuote(t *testing.T, c *ent.Client, id, state, approver string, sentAt time.Time) {
	t.Helper()
	for _, step := range workflow.Quote.Path("DRAFT", state) {
		u := c.Quote.UpdateOneID(id).SetStatus(quote.Status(step))
		if step == "APPROVED" {
			u.SetApprovedByID(approver)
		}
		if step == state && wfxCarrierSees("Quote", state) {
			u.SetSentAt(sentAt)
		}
		if err := u.Exec(allowCtx()); err != nil {
			t.Fatalf("bringing quote %s to %s: %v", id, step, err)
		}
	}
}

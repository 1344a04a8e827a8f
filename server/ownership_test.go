package main

import (
	"testing"

	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
)

// ownershipOutsider adds an active SUPPORT rep on no team and no account:
// one who may not read the fixture's account.
func ownershipOutsider(t *testing.T, fx *wfxFixture) (id, token string) {
	t.Helper()
	id = fx.app.db.Client.Rep.Create().
		SetName("Outsider").
		SetEmail("outsider@workflow.example").
		SetRole(enum.RoleSupport).
		SetRegion(enum.RegionWest).
		SaveX(allowCtx()).ID
	return id, fx.app.sign(t, auth.Claims{Subject: id, Role: string(enum.RoleSupport)})
}

// TestOwnershipDefaults: escalations, quotes and RFPs created through the
// API get an owner: the creating rep; for an escalation raised by the
// carrier, the account's SUPPORT rep, or their team manager when the
// account has none; for work an admin creates, the rep of the work's
// capacity.
func TestOwnershipDefaults(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		owner := func(who, mutation, input string, vars map[string]any) string {
			t.Helper()
			var out map[string]struct{ OwnerID *string }
			app.as(fx.token[who]).ok(t, `mutation($input: `+input+`!) { `+mutation+`(input: $input) { ownerID } }`, map[string]any{"input": vars}, &out)
			return wfxStr(out[mutation].OwnerID)
		}
		escalationIn := map[string]any{"accountID": fx.account, "title": "Circuit down", "category": "SERVICE_ASSURANCE", "severity": "SEV1"}
		quoteIn := map[string]any{"accountID": fx.account, "title": "Offer", "termMonths": 12, "validUntil": "2030-01-31"}
		rfpIn := map[string]any{"accountID": fx.account, "title": "RFP", "receivedAt": "2030-01-01T00:00:00Z", "dueAt": "2030-01-15T17:00:00Z"}

		for _, c := range []struct {
			name, who, mutation, input string
			vars                       map[string]any
			want                       string
		}{
			{"escalation raised by a rep", "ACCOUNT_EXECUTIVE", "createEscalation", "CreateEscalationInput", escalationIn, "ACCOUNT_EXECUTIVE"},
			{"escalation raised by the carrier", "CARRIER", "createEscalation", "CreateEscalationInput", escalationIn, "SUPPORT"},
			{"escalation raised by an admin", "ADMIN", "createEscalation", "CreateEscalationInput", escalationIn, "SUPPORT"},
			{"quote created by a rep", "SUPPORT", "createQuote", "CreateQuoteInput", quoteIn, "SUPPORT"},
			{"quote created by an admin", "ADMIN", "createQuote", "CreateQuoteInput", quoteIn, "STRATEGIC"},
			{"RFP created by a rep", "ACCOUNT_EXECUTIVE", "createRFP", "CreateRFPInput", rfpIn, "ACCOUNT_EXECUTIVE"},
			{"RFP created by an admin", "ADMIN", "createRFP", "CreateRFPInput", rfpIn, "STRATEGIC"},
		} {
			if got := owner(c.who, c.mutation, c.input, c.vars); got != fx.rep[c.want] {
				t.Errorf("%s: owner %q; want the %s rep %q", c.name, got, c.want, fx.rep[c.want])
			}
		}

		// Without a SUPPORT rep on the account, a carrier's escalation goes to the team manager.
		app.db.Client.AccountAssignment.Update().
			Where().
			SetEndedAt(fx.now).
			ExecX(allowCtx())
		app.db.Client.AccountAssignment.Create().
			SetAccountID(fx.account).
			SetRepID(fx.rep["ACCOUNT_EXECUTIVE"]).
			SetCapacity("ACCOUNT_EXECUTIVE").
			ExecX(allowCtx())
		if got := owner("CARRIER", "createEscalation", "CreateEscalationInput", escalationIn); got != fx.rep["MANAGER"] {
			t.Errorf("carrier's escalation on an account without SUPPORT: owner %q; want the team manager %q", got, fx.rep["MANAGER"])
		}
	})
}

// TestOwnershipOnlyToRepsWhoMayRead: an escalation cannot be reassigned, nor
// a quote or RFP given, to a rep who may not read its account
// (BAD_USER_INPUT naming ownerID), and nothing changes; the rep who may
// read it can be given it and then reads it.
func TestOwnershipOnlyToRepsWhoMayRead(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		outsider, outsiderToken := ownershipOutsider(t, fx)
		manager := app.as(fx.token["MANAGER"])
		id := fx.create(t, "Escalation", "OPEN")

		const reassign = `mutation($id: ID!, $owner: ID!) { reassignEscalation(id: $id, ownerID: $owner) { id ownerID } }`
		manager.fails(t, reassign, map[string]any{"id": id, "owner": outsider}, "BAD_USER_INPUT", "ownerID")
		e := c.Escalation.GetX(ctx, id)
		if wfxStr(e.OwnerID) != fx.rep["SUPPORT"] || e.Version != 1 {
			t.Errorf("a refused reassignment changed the escalation: owner %q, version %d", wfxStr(e.OwnerID), e.Version)
		}
		if n := c.EscalationEvent.Query().Where(escalationevent.EscalationID(id), escalationevent.KindEQ(escalationevent.KindReassignment)).CountX(ctx); n != 0 {
			t.Errorf("a refused reassignment wrote %d reassignment events", n)
		}
		app.as(outsiderToken).fails(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, "NOT_FOUND", "")

		manager.ok(t, reassign, map[string]any{"id": id, "owner": fx.rep["STRATEGIC"]}, nil)
		var out struct{ Node struct{ OwnerID string } }
		app.as(fx.token["STRATEGIC"]).ok(t, `query($id: ID!) { node(id: $id) { ... on Escalation { ownerID } } }`, map[string]any{"id": id}, &out)
		if out.Node.OwnerID != fx.rep["STRATEGIC"] {
			t.Errorf("the new owner reads owner %q", out.Node.OwnerID)
		}

		support := app.as(fx.token["SUPPORT"])
		before := c.Quote.Query().CountX(ctx)
		support.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`, map[string]any{"input": map[string]any{
			"accountID": fx.account, "title": "Offer", "termMonths": 12, "validUntil": "2030-01-31", "ownerID": outsider,
		}}, "BAD_USER_INPUT", "ownerID")
		if n := c.Quote.Query().CountX(ctx); n != before {
			t.Errorf("a refused quote was written")
		}
		q := fx.create(t, "Quote", "DRAFT")
		support.fails(t, `mutation($id: ID!, $input: UpdateQuoteInput!) { updateQuote(id: $id, input: $input) { id } }`,
			map[string]any{"id": q, "input": map[string]any{"ownerID": outsider}}, "BAD_USER_INPUT", "ownerID")
		if got := wfxStr(c.Quote.GetX(ctx, q).OwnerID); got != fx.rep["SUPPORT"] {
			t.Errorf("a refused owner change left the quote owned by %q", got)
		}
		r := fx.create(t, "RFP", "RECEIVED")
		support.fails(t, `mutation($id: ID!, $input: UpdateRFPInput!) { updateRFP(id: $id, input: $input) { id } }`,
			map[string]any{"id": r, "input": map[string]any{"ownerID": outsider}}, "BAD_USER_INPUT", "ownerID")
		support.fails(t, `mutation($input: CreateEscalationInput!) { createEscalation(input: $input) { id } }`, map[string]any{"input": map[string]any{
			"accountID": fx.account, "title": "Down", "category": "BILLING", "severity": "SEV3", "ownerID": fx.rep["ANALYST"],
		}}, "BAD_USER_INPUT", "ownerID")
	})
}

// TestOwnershipManagerHomeScreen: a manager's home screen lists the open
// escalations their team owns and every unowned open one on the accounts
// they oversee, not only their own.
func TestOwnershipManagerHomeScreen(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		teams := fx.create(t, "Escalation", "IN_PROGRESS") // owned by the team's SUPPORT rep
		unowned := fx.create(t, "Escalation", "OPEN")
		c.Escalation.UpdateOneID(unowned).ClearOwnerID().ExecX(ctx) // as the demo data's 103 were
		closed := fx.create(t, "Escalation", "CLOSED")

		var me struct {
			Me struct {
				Escalations struct {
					TotalCount int
					Nodes      []struct{ ID string }
				}
			}
		}
		app.as(fx.token["MANAGER"]).ok(t, `query { me { escalations { totalCount nodes { id } } } }`, nil, &me)
		got := map[string]bool{}
		for _, n := range me.Me.Escalations.Nodes {
			got[n.ID] = true
		}
		if !got[teams] || !got[unowned] || got[closed] {
			t.Errorf("manager's home screen escalations = %v; want the team's %s and the unowned %s, not the closed %s", got, teams, unowned, closed)
		}
	})
}

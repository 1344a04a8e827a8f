package main

import (
	"carrierdesk/internal/date"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/auditentry"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/order"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/money"
	"carrierdesk/internal/sla"
	"carrierdesk/internal/workflow"
)

// This file drives the workflows of issue 4 through the real handler on both
// databases: every transition from each of its states, refused from every
// other state, per role; what a transition writes besides the status (the
// timeline event and the audit entry, in the same transaction); the SLA
// clocks of escalations; the sweep; account assignment; the decided price of
// a special pricing request; renewals and co-terming.

// The viewers of the transition matrix. CARRIER is a contact of the carrier
// that owns the records; OTHER_CARRIER a contact of another carrier.
var wfxRoles = []string{"ADMIN", "MANAGER", "ACCOUNT_EXECUTIVE", "SUPPORT", "STRATEGIC", "ANALYST", "CARRIER", "OTHER_CARRIER"}

// Outcomes of a workflow call.
const (
	wfxOK        = "ok"
	wfxForbidden = "FORBIDDEN"
	wfxNotFound  = "NOT_FOUND"
	wfxInvalid   = "INVALID_TRANSITION"
)

// Who may take an action besides ADMIN, as issue 4 and the authorization issue state it.
var (
	wfxStaff        = []string{"MANAGER", "ACCOUNT_EXECUTIVE", "SUPPORT", "STRATEGIC"}
	wfxStaffCarrier = []string{"MANAGER", "ACCOUNT_EXECUTIVE", "SUPPORT", "STRATEGIC", "CARRIER"}
	wfxManager      = []string{"MANAGER"}
)

// The states of each workflow's entity.
var wfxStates = map[string][]string{
	"Quote":                 {"DRAFT", "PENDING_APPROVAL", "APPROVED", "SENT", "ACCEPTED", "DECLINED", "EXPIRED"},
	"SpecialPricingRequest": {"DRAFT", "SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "WITHDRAWN"},
	"Contract":              {"DRAFT", "PENDING_SIGNATURE", "ACTIVE", "EXPIRED", "TERMINATED", "RENEWED"},
	"RFP":                   {"RECEIVED", "QUALIFYING", "IN_PROGRESS", "SUBMITTED", "WON", "LOST", "NO_BID"},
	"Order":                 {"DRAFT", "SUBMITTED", "CLARIFICATION", "CONFIRMED", "COMPLETED", "CANCELLED", "REJECTED"},
	"Escalation":            {"OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT", "RESOLVED", "CLOSED"},
}

// wfxOpen are the states of an escalation still being worked.
var wfxOpen = []string{"OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT"}

// wfxTransition is one workflow mutation as the API offers it.
type wfxTransition struct {
	entity   string   // the workflow's entity
	action   string   // the action, as the audit trail names it after the entity: "quote.approve"
	mutation string   // the API mutation
	args     string   // further arguments; $owner stands for another rep's ID
	from     []string // states it may be taken in
	to       string   // the state it leads to; "" keeps the state
	roles    []string // who may take it besides ADMIN
	event    string   // the timeline event a state-keeping escalation action writes
}

// wfxTransitions is every workflow mutation. The sweep-only expiry of quotes
// and contracts is in TestSweep.
var wfxTransitions = []wfxTransition{
	{"Quote", "submit", "submitQuote", "", []string{"DRAFT"}, "PENDING_APPROVAL", wfxStaff, ""},
	{"Quote", "approve", "approveQuote", `, note: "margin fine"`, []string{"PENDING_APPROVAL"}, "APPROVED", wfxManager, ""},
	{"Quote", "reject", "rejectQuote", `, reason: "too cheap"`, []string{"PENDING_APPROVAL"}, "DRAFT", wfxManager, ""},
	{"Quote", "revise", "reviseQuote", `, reason: "new price"`, []string{"PENDING_APPROVAL", "APPROVED", "SENT"}, "DRAFT", wfxStaff, ""},
	{"Quote", "send", "sendQuote", "", []string{"APPROVED"}, "SENT", wfxStaff, ""},
	{"Quote", "accept", "acceptQuote", "", []string{"SENT"}, "ACCEPTED", wfxStaffCarrier, ""},
	{"Quote", "decline", "declineQuote", `, reason: "price"`, []string{"SENT"}, "DECLINED", wfxStaffCarrier, ""},

	{"SpecialPricingRequest", "submit", "submitPricingRequest", "", []string{"DRAFT"}, "SUBMITTED", wfxStaff, ""},
	{"SpecialPricingRequest", "review", "reviewPricingRequest", "", []string{"SUBMITTED"}, "IN_REVIEW", wfxManager, ""},
	{"SpecialPricingRequest", "approve", "approvePricingRequest", `, approvedMrc: "1300.00", reason: "competing bid"`, []string{"SUBMITTED", "IN_REVIEW"}, "APPROVED", wfxManager, ""},
	{"SpecialPricingRequest", "reject", "rejectPricingRequest", `, reason: "below cost"`, []string{"SUBMITTED", "IN_REVIEW"}, "REJECTED", wfxManager, ""},
	{"SpecialPricingRequest", "withdraw", "withdrawPricingRequest", "", []string{"DRAFT", "SUBMITTED", "IN_REVIEW"}, "WITHDRAWN", wfxStaff, ""},

	{"Contract", "sendForSignature", "sendContractForSignature", "", []string{"DRAFT"}, "PENDING_SIGNATURE", wfxStaff, ""},
	{"Contract", "activate", "activateContract", "", []string{"PENDING_SIGNATURE"}, "ACTIVE", wfxStaff, ""},
	{"Contract", "renew", "renewContract", `, input: {termMonths: 12}`, []string{"ACTIVE", "EXPIRED"}, "", wfxStaff, ""},
	{"Contract", "terminate", "terminateContract", `, reason: "carrier exit"`, []string{"ACTIVE"}, "TERMINATED", wfxManager, ""},

	{"RFP", "qualify", "qualifyRFP", "", []string{"RECEIVED"}, "QUALIFYING", wfxStaff, ""},
	{"RFP", "start", "startRFP", "", []string{"QUALIFYING"}, "IN_PROGRESS", wfxStaff, ""},
	{"RFP", "submit", "submitRFP", "", []string{"IN_PROGRESS"}, "SUBMITTED", wfxStaff, ""},
	{"RFP", "win", "winRFP", `, note: "best price"`, []string{"SUBMITTED"}, "WON", wfxStaff, ""},
	{"RFP", "lose", "loseRFP", `, note: "price"`, []string{"SUBMITTED"}, "LOST", wfxStaff, ""},
	{"RFP", "noBid", "noBidRFP", `, note: "no footprint"`, []string{"RECEIVED", "QUALIFYING", "IN_PROGRESS"}, "NO_BID", wfxStaff, ""},

	{"Order", "submit", "submitOrder", "", []string{"DRAFT", "CLARIFICATION"}, "SUBMITTED", wfxStaff, ""},
	{"Order", "clarify", "clarifyOrder", `, question: "which demarc?"`, []string{"SUBMITTED"}, "CLARIFICATION", wfxStaff, ""},
	{"Order", "confirm", "confirmOrder", `, input: {focDate: "2030-01-10", confirmedDueDate: "2030-01-20", circuitID: "12.KFGS.000123..NY"}`, []string{"SUBMITTED"}, "CONFIRMED", wfxStaff, ""},
	{"Order", "complete", "completeOrder", "", []string{"CONFIRMED"}, "COMPLETED", wfxStaff, ""},
	{"Order", "cancel", "cancelOrder", `, reason: "duplicate"`, []string{"DRAFT", "SUBMITTED", "CLARIFICATION", "CONFIRMED"}, "CANCELLED", wfxStaff, ""},
	{"Order", "reject", "rejectOrder", `, reason: "bad PON"`, []string{"SUBMITTED", "CLARIFICATION"}, "REJECTED", wfxStaff, ""},

	{"Escalation", "acknowledge", "acknowledgeEscalation", "", []string{"OPEN"}, "ACKNOWLEDGED", wfxStaff, ""},
	{"Escalation", "start", "startEscalation", "", []string{"OPEN", "ACKNOWLEDGED"}, "IN_PROGRESS", wfxStaff, ""},
	{"Escalation", "awaitClient", "awaitClientOnEscalation", `, note: "need site access"`, []string{"ACKNOWLEDGED", "IN_PROGRESS"}, "PENDING_CLIENT", wfxStaff, ""},
	{"Escalation", "resume", "resumeEscalation", "", []string{"PENDING_CLIENT"}, "IN_PROGRESS", wfxStaffCarrier, ""},
	{"Escalation", "resolve", "resolveEscalation", `, resolution: "card replaced"`, []string{"ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT"}, "RESOLVED", wfxStaff, ""},
	{"Escalation", "close", "closeEscalation", "", []string{"RESOLVED"}, "CLOSED", wfxStaffCarrier, ""},
	{"Escalation", "reopen", "reopenEscalation", `, reason: "recurred"`, []string{"RESOLVED"}, "IN_PROGRESS", wfxStaffCarrier, ""},
	{"Escalation", "reassign", "reassignEscalation", `, ownerID: $owner`, wfxOpen, "", wfxStaff, "REASSIGNMENT"},
	{"Escalation", "raiseLevel", "raiseEscalationLevel", `, reason: "no progress"`, wfxOpen, "", wfxStaffCarrier, "LEVEL_CHANGE"},
	{"Escalation", "comment", "commentOnEscalation", `, body: "looking into it"`, append(slices.Clone(wfxOpen), "RESOLVED", "CLOSED"), "", wfxStaffCarrier, "COMMENT"},
}

// auditAction is the action the audit trail records for the transition.
func (tr wfxTransition) auditAction() string {
	return strings.ToLower(tr.entity) + "." + tr.action
}

// document is the mutation, taking the record as $id.
func (tr wfxTransition) document(owner string) string {
	args := strings.ReplaceAll(tr.args, "$owner", strconv.Quote(owner))
	return fmt.Sprintf("mutation($id: ID!) { %s(id: $id%s) { id } }", tr.mutation, args)
}

// expect is the outcome of role taking the transition on a record in state from.
func (tr wfxTransition) expect(role, from string) string {
	switch role {
	case "ADMIN":
		return wfxOK
	case "OTHER_CARRIER":
		return wfxNotFound
	case "CARRIER":
		if !wfxCarrierSees(tr.entity, from) {
			return wfxNotFound
		}
	}
	if slices.Contains(tr.roles, role) {
		return wfxOK
	}
	return wfxForbidden
}

// wfxCarrierSees reports whether the carrier's contact reads a record of its
// own carrier in this state: never a special pricing request, a quote only
// once it was sent.
func wfxCarrierSees(entity, state string) bool {
	switch entity {
	case "SpecialPricingRequest":
		return false
	case "Quote":
		return slices.Contains([]string{"SENT", "ACCEPTED", "DECLINED", "EXPIRED"}, state)
	}
	return true
}

// wfxFixture is carrier A's account, worked by a team, and everyone who might act on it.
type wfxFixture struct {
	app          *testApp
	now          time.Time
	carrier      string
	otherCarrier string
	account      string
	rep          map[string]string // by role
	token        map[string]string // by viewer of wfxRoles
	seq          int
}

func newWfxFixture(t *testing.T, app *testApp) *wfxFixture {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	fx := &wfxFixture{
		app:   app,
		now:   time.Now().UTC().Truncate(time.Second),
		rep:   map[string]string{},
		token: map[string]string{"ADMIN": app.token},
	}
	fx.carrier = c.Carrier.Create().SetName("Workflow Carrier A").SetOcn("8A01").SetCcna("WFA").SaveX(ctx).ID
	fx.otherCarrier = c.Carrier.Create().SetName("Workflow Carrier B").SetOcn("8B01").SetCcna("WFB").SaveX(ctx).ID
	contactA := c.Contact.Create().SetCarrierID(fx.carrier).SetName("Carla A").SetEmail("carla@wfa.example").SaveX(ctx).ID
	contactB := c.Contact.Create().SetCarrierID(fx.otherCarrier).SetName("Boris B").SetEmail("boris@wfb.example").SaveX(ctx).ID
	fx.token["CARRIER"] = app.sign(t, auth.Claims{Subject: contactA, Role: string(enum.RoleCarrier), CarrierID: fx.carrier})
	fx.token["OTHER_CARRIER"] = app.sign(t, auth.Claims{Subject: contactB, Role: string(enum.RoleCarrier), CarrierID: fx.otherCarrier})

	newRep := func(role enum.Role, teamID string) string {
		create := c.Rep.Create().
			SetName("Workflow " + strings.ToLower(string(role))).
			SetEmail(strings.ToLower(string(role)) + "@workflow.example").
			SetRole(role).
			SetRegion(enum.RegionNortheast)
		if teamID != "" {
			create.SetTeamID(teamID)
		}
		id := create.SaveX(ctx).ID
		fx.rep[string(role)] = id
		fx.token[string(role)] = app.sign(t, auth.Claims{Subject: id, Role: string(role)})
		return id
	}
	manager := newRep(enum.RoleManager, "")
	team := c.Team.Create().SetName("Workflow team").SetRegion(enum.RegionNortheast).SetManagerID(manager).SaveX(ctx).ID
	newRep(enum.RoleSupport, team)
	newRep(enum.RoleStrategic, team)
	newRep(enum.RoleAccountExecutive, team)
	newRep(enum.RoleAnalyst, "")

	fx.account = c.Account.Create().
		SetCarrierID(fx.carrier).
		SetAccountNumber("WF-A1").
		SetBan("BAN-WF-A1").
		SetName("Workflow account").
		SetMarket("Boston").
		SetRegion(enum.RegionNortheast).
		SetMrr(money.Amount(1000000)).
		SaveX(ctx).ID
	for role, capacity := range map[string]accountassignment.Capacity{
		"SUPPORT":           accountassignment.CapacitySupport,
		"STRATEGIC":         accountassignment.CapacityStrategic,
		"ACCOUNT_EXECUTIVE": accountassignment.CapacityAccountExecutive,
	} {
		c.AccountAssignment.Create().
			SetAccountID(fx.account).
			SetRepID(fx.rep[role]).
			SetCapacity(capacity).
			SetStartedAt(fx.now.AddDate(0, -6, 0)).
			SaveX(ctx)
	}
	// The other carrier has an account too, so that its contact is not alone in the world.
	c.Account.Create().
		SetCarrierID(fx.otherCarrier).
		SetAccountNumber("WF-B1").
		SetBan("BAN-WF-B1").
		SetName("Other account").
		SetMarket("Miami").
		SetRegion(enum.RegionSoutheast).
		SaveX(ctx)
	return fx
}

// create writes a record of entity in state, as the workflows would have left it.
func (fx *wfxFixture) create(t *testing.T, entity, state string) string {
	t.Helper()
	c, ctx, now := fx.app.db.Client, allowCtx(), fx.now
	fx.seq++
	n := strconv.Itoa(fx.seq)
	switch entity {
	case "Quote":
		// A quote's lines are written while it is a DRAFT, and it then walks
		// the workflow to state, approved by the manager (issue 11: priced
		// content is frozen from submission on).
		id := c.Quote.Create().
			SetAccountID(fx.account).
			SetTitle("Quote " + n).
			SetTermMonths(36).
			SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
			SetOwnerID(fx.rep["SUPPORT"]).
			SaveX(ctx).ID
		c.QuoteLineItem.Create().
			SetQuoteID(id).
			SetProduct(quotelineitem.ProductEthernet).
			SetBandwidth("1 Gbps").
			SetALocation("1 Main St, Boston").
			SetMrc(money.Amount(150000)).
			SetNrc(money.Amount(50000)).
			SaveX(ctx)
		walkQuote(t, c, id, state, fx.rep["MANAGER"], now.Add(-time.Hour))
		return id
	case "SpecialPricingRequest":
		r := c.SpecialPricingRequest.Create().
			SetQuoteID(fx.create(t, "Quote", "DRAFT")).
			SetRequestedByID(fx.rep["STRATEGIC"]).
			SetJustification("Competing bid " + n).
			SetStandardMrc(money.Amount(150000)).
			SetRequestedMrc(money.Amount(120000)).
			SetStatus(specialpricingrequest.Status(state))
		if state != "DRAFT" {
			r.SetSubmittedAt(now.Add(-2 * time.Hour)).SetResponseDueAt(now.AddDate(0, 0, 2))
		}
		switch state {
		case "APPROVED":
			r.SetApprovedMrc(money.Amount(130000)).SetDecidedAt(now.Add(-time.Hour)).SetDecidedByID(fx.rep["MANAGER"]).SetDecisionReason("ok")
		case "REJECTED":
			r.SetDecidedAt(now.Add(-time.Hour)).SetDecidedByID(fx.rep["MANAGER"]).SetDecisionReason("no")
		}
		return r.SaveX(ctx).ID
	case "Contract":
		start := now.AddDate(-1, 0, 0).Truncate(24 * time.Hour)
		return c.Contract.Create().
			SetAccountID(fx.account).
			SetKind(contract.KindServiceOrder).
			SetTitle("Contract " + n).
			SetStartDate(workflow.DayOf(start)).
			SetEndDate(workflow.DayOf(start.AddDate(3, 0, 0))).
			SetTermMonths(36).
			SetMrc(money.Amount(450000)).
			SetStatus(contract.Status(state)).
			SaveX(ctx).ID
	case "RFP":
		return c.RFP.Create().
			SetAccountID(fx.account).
			SetTitle("RFP " + n).
			SetReceivedAt(now.AddDate(0, 0, -7)).
			SetDueAt(now.AddDate(0, 0, 7)).
			SetOwnerID(fx.rep["SUPPORT"]).
			SetStatus(rfp.Status(state)).
			SaveX(ctx).ID
	case "Order":
		o := c.Order.Create().
			SetAccountID(fx.account).
			SetKind(order.KindASR).
			SetPon("WFX-" + n).
			SetDesiredDueDate(workflow.DayOf(now.AddDate(0, 1, 0))).
			SetStatus(order.Status(state))
		if state != "DRAFT" {
			o.SetSubmittedAt(now.AddDate(0, 0, -5))
		}
		if state == "CONFIRMED" || state == "COMPLETED" {
			o.SetFocDate(workflow.DayOf(now.AddDate(0, 0, -3))).SetConfirmedDueDate(workflow.DayOf(now.AddDate(0, 1, 0))).SetCircuitID("12.KFGS.0" + n + "..NY")
		}
		if state == "COMPLETED" {
			o.SetCompletedAt(now.Add(-time.Hour))
		}
		return o.SaveX(ctx).ID
	case "Escalation":
		e := c.Escalation.Create().
			SetAccountID(fx.account).
			SetTitle("Escalation " + n).
			SetCategory(escalation.CategoryBilling).
			SetSeverity(escalation.SeveritySev3).
			SetOwnerID(fx.rep["SUPPORT"]).
			SetStatus(escalation.Status(state))
		if state != "OPEN" {
			e.SetAcknowledgedAt(now.Add(-time.Minute))
		}
		switch state {
		case "PENDING_CLIENT":
			e.SetPausedAt(now.Add(-time.Minute))
		case "RESOLVED":
			e.SetResolvedAt(now.Add(-time.Minute))
		case "CLOSED":
			e.SetResolvedAt(now.Add(-2 * time.Minute)).SetClosedAt(now.Add(-time.Minute))
		}
		return e.SaveX(ctx).ID
	}
	t.Fatalf("no fixture for %s", entity)
	return ""
}

// status reads a record's status from the database.
func (fx *wfxFixture) status(t *testing.T, entity, id string) string {
	t.Helper()
	c, ctx := fx.app.db.Client, allowCtx()
	var (
		s   fmt.Stringer
		err error
	)
	switch entity {
	case "Quote":
		var x *ent.Quote
		x, err = c.Quote.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	case "SpecialPricingRequest":
		var x *ent.SpecialPricingRequest
		x, err = c.SpecialPricingRequest.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	case "Contract":
		var x *ent.Contract
		x, err = c.Contract.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	case "RFP":
		var x *ent.RFP
		x, err = c.RFP.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	case "Order":
		var x *ent.Order
		x, err = c.Order.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	case "Escalation":
		var x *ent.Escalation
		x, err = c.Escalation.Get(ctx, id)
		if err == nil {
			s = x.Status
		}
	default:
		t.Fatalf("no status for %s", entity)
	}
	if err != nil {
		t.Fatalf("reading %s %s: %v", entity, id, err)
	}
	return s.String()
}

// auditCount is how many audit entries name action, across the whole database.
func (fx *wfxFixture) auditCount(t *testing.T, action string) int {
	t.Helper()
	return fx.app.db.Client.AuditEntry.Query().Where(auditentry.Action(action)).CountX(allowCtx())
}

// wfxEvent is a timeline event as the API shows it.
type wfxEvent struct {
	ID, Kind, FromValue, ToValue, Body string
	Internal                           bool
	ActorRepID, ActorContactID         *string
}

// events reads an escalation's timeline through the API, as ADMIN.
func (fx *wfxFixture) events(t *testing.T, id string) []wfxEvent {
	t.Helper()
	var out struct {
		Node struct {
			Events struct {
				Edges []struct{ Node wfxEvent }
			}
		}
	}
	fx.app.ok(t, `query($id: ID!) { node(id: $id) { ... on Escalation {
	  events(first: 100) { edges { node { id kind fromValue toValue body internal actorRepID actorContactID } } }
	} } }`, map[string]any{"id": id}, &out)
	events := make([]wfxEvent, 0, len(out.Node.Events.Edges))
	for _, e := range out.Node.Events.Edges {
		events = append(events, e.Node)
	}
	return events
}

// wfxAudit is an audit entry as the API shows it.
type wfxAudit struct {
	EntityID, EntityType, Operation, APIOperation string
	Action, ActorID, ActorRole                    *string
	Changes                                       []struct {
		Field              string
		FromValue, ToValue *string
	}
}

// change is the from and to of field in the entry, and whether it changed.
func (a wfxAudit) change(field string) (from, to string, ok bool) {
	for _, c := range a.Changes {
		if c.Field == field {
			return wfxStr(c.FromValue), wfxStr(c.ToValue), true
		}
	}
	return "", "", false
}

// audit reads the audit entries of records ids that name action, through the API, as ADMIN.
func (fx *wfxFixture) audit(t *testing.T, action string, ids ...string) []wfxAudit {
	t.Helper()
	var out struct {
		AuditEntries struct {
			Edges []struct{ Node wfxAudit }
		}
	}
	fx.app.ok(t, `query($ids: [String!], $action: String!) {
	  auditEntries(first: 100, where: {entityIDIn: $ids, action: $action}) {
	    edges { node { entityID entityType operation apiOperation action actorID actorRole changes { field fromValue toValue } } }
	  }
	}`, map[string]any{"ids": ids, "action": action}, &out)
	entries := make([]wfxAudit, 0, len(out.AuditEntries.Edges))
	for _, e := range out.AuditEntries.Edges {
		entries = append(entries, e.Node)
	}
	return entries
}

// attempt takes the transition on a fresh record in state from as role and
// checks the outcome and everything it wrote, or that it wrote nothing.
func (fx *wfxFixture) attempt(t *testing.T, tr wfxTransition, from, role, want string) {
	t.Helper()
	id := fx.create(t, tr.entity, from)
	var before []wfxEvent
	if tr.entity == "Escalation" {
		before = fx.events(t, id)
	}
	auditBefore := fx.auditCount(t, tr.auditAction())
	app := fx.app.as(fx.token[role])
	doc := tr.document(fx.rep["STRATEGIC"])
	vars := map[string]any{"id": id}

	if want != wfxOK {
		res := app.fails(t, doc, vars, want, "")
		if want == wfxInvalid {
			msg := res.Errors[0].Message
			if !strings.Contains(msg, tr.action) || !strings.Contains(msg, from) {
				t.Errorf("INVALID_TRANSITION message %q names neither the action %q nor the state %s", msg, tr.action, from)
			}
		}
		if got := fx.status(t, tr.entity, id); got != from {
			t.Errorf("refused %s moved the record from %s to %s", tr.mutation, from, got)
		}
		if n := fx.auditCount(t, tr.auditAction()); n != auditBefore {
			t.Errorf("refused %s wrote %d audit entries with action %s", tr.mutation, n-auditBefore, tr.auditAction())
		}
		if tr.entity == "Escalation" {
			if after := fx.events(t, id); len(after) != len(before) {
				t.Errorf("refused %s wrote timeline events: %+v", tr.mutation, after[len(before):])
			}
		}
		return
	}

	res := app.do(t, doc, vars)
	if len(res.Errors) > 0 {
		t.Fatalf("%s by %s from %s: %s", tr.mutation, role, from, res.Raw)
	}
	to := tr.to
	if to == "" {
		to = from
	}
	if got := fx.status(t, tr.entity, id); got != to {
		t.Fatalf("%s from %s: status %s; want %s", tr.mutation, from, got, to)
	}

	ids := []string{id}
	if tr.entity == "Contract" && tr.action == "renew" {
		// Renewing drafts the successor; the renewed contract waits for its activation.
		ids = append(ids, fx.app.db.Client.Contract.Query().Where(contract.RenewalOfID(id)).OnlyIDX(allowCtx()))
	}
	if tr.entity == "Escalation" {
		var fresh []wfxEvent
		for _, e := range fx.events(t, id) {
			if !slices.ContainsFunc(before, func(b wfxEvent) bool { return b.ID == e.ID }) {
				fresh = append(fresh, e)
			}
		}
		if len(fresh) != 1 {
			t.Fatalf("%s wrote %d timeline events; want 1: %+v", tr.mutation, len(fresh), fresh)
		}
		ev := fresh[0]
		wantKind := tr.event
		if tr.to != "" {
			wantKind = "STATUS_CHANGE"
			if ev.FromValue != from || ev.ToValue != to {
				t.Errorf("%s event from %q to %q; want %s to %s", tr.mutation, ev.FromValue, ev.ToValue, from, to)
			}
		}
		if ev.Kind != wantKind {
			t.Errorf("%s event kind %s; want %s", tr.mutation, ev.Kind, wantKind)
		}
		switch {
		case role == "CARRIER" && (ev.ActorContactID == nil || ev.ActorRepID != nil):
			t.Errorf("%s by the carrier: event actor rep %v contact %v", tr.mutation, ev.ActorRepID, ev.ActorContactID)
		case role != "CARRIER" && ev.ActorRepID == nil:
			t.Errorf("%s by %s: event has no acting rep", tr.mutation, role)
		}
		ids = append(ids, ev.ID)
	}

	entries := fx.audit(t, tr.auditAction(), ids...)
	if len(entries) == 0 {
		t.Fatalf("%s wrote no audit entry with action %s", tr.mutation, tr.auditAction())
	}
	var statusEntry bool
	for _, e := range entries {
		if e.APIOperation != "mutation "+tr.mutation {
			t.Errorf("audit entry apiOperation %q; want %q", e.APIOperation, "mutation "+tr.mutation)
		}
		if wfxStr(e.ActorRole) != strings.TrimPrefix(role, "OTHER_") {
			t.Errorf("audit entry actorRole %q; want %s", wfxStr(e.ActorRole), role)
		}
		if f, tv, ok := e.change("status"); ok && e.EntityID == id {
			statusEntry = true
			if f != from || tv != to {
				t.Errorf("audit entry status %s -> %s; want %s -> %s", f, tv, from, to)
			}
		}
	}
	if tr.to != "" && !statusEntry {
		t.Errorf("%s: no audit entry records the status change: %+v", tr.mutation, entries)
	}
	if tr.to == "" && tr.action == "reassign" {
		e := wfxEntryFor(entries, id)
		if _, tv, ok := e.change("ownerID"); !ok || tv != fx.rep["STRATEGIC"] {
			t.Errorf("reassign audit entry does not record the new owner: %+v", e)
		}
	}
	if tr.to == "" && tr.action == "raiseLevel" {
		e := wfxEntryFor(entries, id)
		if f, tv, ok := e.change("level"); !ok || f != "REP" || tv != "MANAGER" {
			t.Errorf("raiseLevel audit entry level %q -> %q; want REP -> MANAGER", f, tv)
		}
	}
}

func wfxEntryFor(entries []wfxAudit, id string) wfxAudit {
	for _, e := range entries {
		if e.EntityID == id {
			return e
		}
	}
	return wfxAudit{}
}

// TestWorkflowTableMatchesMachines keeps the table of this file complete: each
// machine transition has a row stating the same states and roles, or is the
// sweep's. A transition added to a machine without a test fails here.
func TestWorkflowTableMatchesMachines(t *testing.T) {
	sweepOnly := map[string]bool{"Quote.expire": true, "Contract.expire": true, "Contract.supersede": true}
	seen := map[string]bool{}
	for _, m := range workflow.Machines {
		if _, ok := wfxStates[m.Entity]; !ok {
			t.Errorf("no states listed for %s", m.Entity)
		}
		for _, tr := range m.Transitions {
			key := m.Entity + "." + tr.Action
			if sweepOnly[key] {
				continue
			}
			i := slices.IndexFunc(wfxTransitions, func(x wfxTransition) bool { return x.entity == m.Entity && x.action == tr.Action })
			if i < 0 {
				t.Errorf("%s has no test row", key)
				continue
			}
			seen[key] = true
			row := wfxTransitions[i]
			if !slices.Equal(wfxSorted(row.from), wfxSorted(tr.From)) {
				t.Errorf("%s: machine takes it from %v; the API promises %v", key, tr.From, row.from)
			}
			if row.to != tr.To {
				t.Errorf("%s: machine leads to %q; the API promises %q", key, tr.To, row.to)
			}
			var roles []string
			for _, r := range tr.Roles {
				roles = append(roles, string(r))
			}
			if !slices.Equal(wfxSorted(row.roles), wfxSorted(roles)) {
				t.Errorf("%s: machine allows %v; the rules allow %v", key, roles, row.roles)
			}
		}
	}
	for _, row := range wfxTransitions {
		if !seen[row.entity+"."+row.action] {
			t.Errorf("test row %s.%s has no machine transition", row.entity, row.action)
		}
	}
}

func wfxSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// TestWorkflowTransitions takes every transition from each state it allows
// and from each state it does not, and, from its first state, as every role.
func TestWorkflowTransitions(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		for _, tr := range wfxTransitions {
			t.Run(tr.mutation, func(t *testing.T) {
				// A role allowed to take it besides ADMIN: the last listed,
				// the carrier where the carrier may.
				some := tr.roles[len(tr.roles)-1]
				for i, from := range tr.from {
					// From the first state, the whole role matrix; from the
					// others, ADMIN and a role allowed to take it.
					roles := []string{"ADMIN", some}
					if i == 0 {
						roles = wfxRoles
					}
					for _, role := range roles {
						t.Run("from "+from+" as "+role, func(t *testing.T) {
							fx.attempt(t, tr, from, role, tr.expect(role, from))
						})
					}
				}
				for _, from := range wfxStates[tr.entity] {
					if slices.Contains(tr.from, from) {
						continue
					}
					for _, role := range []string{"ADMIN", some} {
						want := wfxInvalid
						if role == "CARRIER" && !wfxCarrierSees(tr.entity, from) {
							want = wfxNotFound // a record the carrier cannot read
						}
						t.Run("refused from "+from+" as "+role, func(t *testing.T) {
							fx.attempt(t, tr, from, role, want)
						})
					}
				}
			})
		}
	})
}

// TestWorkflowStatusIsNotAnInput: the generic updates offer no status, so no
// edit bypasses a workflow.
func TestWorkflowStatusIsNotAnInput(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		for _, tc := range []struct {
			entity, mutation, from, to string
		}{
			{"Quote", "updateQuote", "DRAFT", "APPROVED"},
			{"SpecialPricingRequest", "updateSpecialPricingRequest", "DRAFT", "APPROVED"},
			{"Contract", "updateContract", "DRAFT", "ACTIVE"},
			{"RFP", "updateRFP", "RECEIVED", "WON"},
			{"Order", "updateOrder", "DRAFT", "COMPLETED"},
			{"Escalation", "updateEscalation", "OPEN", "CLOSED"},
		} {
			t.Run(tc.mutation, func(t *testing.T) {
				id := fx.create(t, tc.entity, tc.from)
				doc := fmt.Sprintf(`mutation($id: ID!) { %s(id: $id, input: {status: %s}) { id } }`, tc.mutation, tc.to)
				res := app.do(t, doc, map[string]any{"id": id})
				if len(res.Errors) == 0 || res.Code() == "" {
					t.Fatalf("%s accepted a status: %s", tc.mutation, res.Raw)
				}
				if got := fx.status(t, tc.entity, id); got != tc.from {
					t.Errorf("%s moved the status to %s", tc.mutation, got)
				}
			})
		}
		// A legitimate edit leaves the status alone.
		id := fx.create(t, "Quote", "PENDING_APPROVAL")
		var out struct {
			UpdateQuote struct{ Title, Status string }
		}
		app.ok(t, `mutation($id: ID!) { updateQuote(id: $id, input: {title: "Renamed"}) { title status } }`, map[string]any{"id": id}, &out)
		if out.UpdateQuote.Title != "Renamed" || out.UpdateQuote.Status != "PENDING_APPROVAL" {
			t.Errorf("updateQuote = %+v", out.UpdateQuote)
		}
	})
}

// TestWorkflowWritesInOneTransaction: a status change, its timeline event and
// its audit entry are written together, and undone together when the
// operation fails.
func TestWorkflowWritesInOneTransaction(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])

		// Committed: all three.
		id := fx.create(t, "Escalation", "OPEN")
		support.ok(t, `mutation($id: ID!) { acknowledgeEscalation(id: $id) { id } }`, map[string]any{"id": id}, nil)
		if got := fx.status(t, "Escalation", id); got != "ACKNOWLEDGED" {
			t.Fatalf("status %s; want ACKNOWLEDGED", got)
		}
		var event *wfxEvent
		for _, e := range fx.events(t, id) {
			if e.Kind == "STATUS_CHANGE" {
				event = &e
			}
		}
		if event == nil || event.FromValue != "OPEN" || event.ToValue != "ACKNOWLEDGED" || wfxStr(event.ActorRepID) != fx.rep["SUPPORT"] {
			t.Errorf("timeline event = %+v; want STATUS_CHANGE OPEN -> ACKNOWLEDGED by the SUPPORT rep", event)
		}
		entries := fx.audit(t, "escalation.acknowledge", id)
		if len(entries) != 1 {
			t.Fatalf("%d audit entries for the acknowledgement; want 1", len(entries))
		}
		e := entries[0]
		if f, to, _ := e.change("status"); f != "OPEN" || to != "ACKNOWLEDGED" || e.Operation != "UPDATE" ||
			e.APIOperation != "mutation acknowledgeEscalation" || wfxStr(e.ActorID) != fx.rep["SUPPORT"] || wfxStr(e.ActorRole) != "SUPPORT" {
			t.Errorf("audit entry = %+v", e)
		}
		if _, to, ok := e.change("acknowledgedAt"); !ok || to == "" {
			t.Errorf("audit entry does not record acknowledgedAt: %+v", e.Changes)
		}

		// Rolled back: the first change of an operation whose second change is
		// refused leaves no status, no event and no audit entry behind.
		first, second := fx.create(t, "Escalation", "OPEN"), fx.create(t, "Escalation", "OPEN")
		before := fx.auditCount(t, "escalation.start")
		res := support.do(t, `mutation($a: ID!, $b: ID!) {
		  first: startEscalation(id: $a) { id }
		  second: closeEscalation(id: $b) { id }
		}`, map[string]any{"a": first, "b": second})
		if res.Code() != wfxInvalid {
			t.Fatalf("want INVALID_TRANSITION, got %s", res.Raw)
		}
		if got := fx.status(t, "Escalation", first); got != "OPEN" {
			t.Errorf("the first change survived the failed operation: status %s", got)
		}
		for _, e := range fx.events(t, first) {
			if e.Kind != "CREATED" {
				t.Errorf("the first change's event survived the failed operation: %+v", e)
			}
		}
		if n := fx.auditCount(t, "escalation.start"); n != before {
			t.Errorf("the first change's audit entry survived the failed operation (%d)", n-before)
		}
		if k := app.db.Client.Escalation.GetX(allowCtx(), first); k.AcknowledgedAt != nil {
			t.Errorf("the first change's acknowledgedAt survived the failed operation")
		}
	})
}

// wfxEscalation is an escalation's clocks as the API shows them.
type wfxEscalation struct {
	ID, Status, Severity                      string
	CreatedAt, ResponseDueAt, ResolutionDueAt time.Time
	PausedAt, AcknowledgedAt, ResolvedAt      *time.Time
	ResponseBreachedAt, ResolutionBreachedAt  *time.Time
	ResponseBreached, ResolutionBreached      bool
}

const wfxEscalationFields = `id status severity createdAt responseDueAt resolutionDueAt pausedAt acknowledgedAt resolvedAt
  responseBreachedAt resolutionBreachedAt responseBreached resolutionBreached`

func (fx *wfxFixture) escalation(t *testing.T, id string) wfxEscalation {
	t.Helper()
	var out struct{ Node wfxEscalation }
	fx.app.ok(t, `query($id: ID!) { node(id: $id) { ... on Escalation { `+wfxEscalationFields+` } } }`, map[string]any{"id": id}, &out)
	return out.Node
}

// step runs an escalation mutation as role and returns the escalation after it.
func (fx *wfxFixture) step(t *testing.T, role, mutation, args, id string) wfxEscalation {
	t.Helper()
	var out map[string]wfxEscalation
	fx.app.as(fx.token[role]).ok(t, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id%s) { %s } }`, mutation, args, wfxEscalationFields), map[string]any{"id": id}, &out)
	return out[mutation]
}

// TestSLADueTimesFollowSeverity raises one escalation of each severity through
// the API and checks its due times against the targets of DOMAIN.md.
func TestSLADueTimesFollowSeverity(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		// SEV3 and SEV4 run in business time on the default calendar
		// (America/Chicago, 08:00-18:00 on weekdays); TestSLABusinessDaysFollowTheAccountsCalendar
		// checks that calendar at fixed times.
		cal := sla.Default()
		for _, tc := range []struct {
			severity string
			respond  func(opened time.Time) time.Time
			resolve  func(opened time.Time) time.Time
		}{
			{"SEV1", func(o time.Time) time.Time { return o.Add(15 * time.Minute) }, func(o time.Time) time.Time { return o.Add(2 * time.Hour) }},
			{"SEV2", func(o time.Time) time.Time { return o.Add(30 * time.Minute) }, func(o time.Time) time.Time { return o.Add(4 * time.Hour) }},
			{"SEV3", func(o time.Time) time.Time { return cal.Add(o, 4*time.Hour) }, func(o time.Time) time.Time { return cal.AddBusinessDays(o, 1) }},
			{"SEV4", func(o time.Time) time.Time { return cal.Add(o, 8*time.Hour) }, func(o time.Time) time.Time { return cal.AddBusinessDays(o, 3) }},
		} {
			t.Run(tc.severity, func(t *testing.T) {
				var out struct{ CreateEscalation wfxEscalation }
				app.as(fx.token["CARRIER"]).ok(t, `mutation($input: CreateEscalationInput!) { createEscalation(input: $input) { `+wfxEscalationFields+` } }`,
					map[string]any{"input": map[string]any{"accountID": fx.account, "title": "Loss on " + tc.severity, "category": "SERVICE_ASSURANCE", "severity": tc.severity}}, &out)
				e := out.CreateEscalation
				if want := tc.respond(e.CreatedAt); !e.ResponseDueAt.Equal(want) {
					t.Errorf("responseDueAt %s; want %s", e.ResponseDueAt, want)
				}
				if want := tc.resolve(e.CreatedAt); !e.ResolutionDueAt.Equal(want) {
					t.Errorf("resolutionDueAt %s; want %s", e.ResolutionDueAt, want)
				}
				if e.ResponseBreached || e.ResolutionBreached || e.Status != "OPEN" {
					t.Errorf("a new escalation = %+v", e)
				}
			})
		}
	})
}

// TestSLAPendingClientPausesTheClock: awaiting the client pauses the
// resolution clock, resuming moves the due time out by the pause, and late
// resolution is flagged.
func TestSLAPendingClientPausesTheClock(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		near := func(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }

		t.Run("resume moves the due time by the pause", func(t *testing.T) {
			id := fx.create(t, "Escalation", "OPEN")
			// SEV1 runs 24x7: the pause moves it by clock time (business
			// time: TestSLAPauseCountsBusinessTime).
			c.Escalation.UpdateOneID(id).SetSeverity(escalation.SeveritySev1).ExecX(ctx)
			fx.step(t, "SUPPORT", "acknowledgeEscalation", "", id)
			e := fx.step(t, "SUPPORT", "awaitClientOnEscalation", `, note: "need a loop test"`, id)
			if e.Status != "PENDING_CLIENT" || e.PausedAt == nil || !near(*e.PausedAt, time.Now()) {
				t.Fatalf("after awaitClient: %+v", e)
			}
			due := e.ResolutionDueAt
			// Two hours pass pending the client.
			c.Escalation.UpdateOneID(id).SetPausedAt(e.PausedAt.Add(-2 * time.Hour)).ExecX(ctx)
			e = fx.step(t, "CARRIER", "resumeEscalation", "", id)
			if e.Status != "IN_PROGRESS" || e.PausedAt != nil {
				t.Fatalf("after resume: %+v", e)
			}
			if !near(e.ResolutionDueAt, due.Add(2*time.Hour)) {
				t.Errorf("resolutionDueAt %s after a 2-hour pause; want about %s", e.ResolutionDueAt, due.Add(2*time.Hour))
			}
		})

		t.Run("a paused clock does not breach", func(t *testing.T) {
			id := fx.create(t, "Escalation", "IN_PROGRESS")
			fx.step(t, "SUPPORT", "awaitClientOnEscalation", "", id)
			now := time.Now().UTC()
			// Due half an hour ago, but paused for the last hour: not breached.
			c.Escalation.UpdateOneID(id).SetResolutionDueAt(now.Add(-30 * time.Minute)).SetPausedAt(now.Add(-time.Hour)).ExecX(ctx)
			if e := fx.escalation(t, id); e.ResolutionBreached {
				t.Errorf("breached while the clock was paused: %+v", e)
			}
			// Paused only ten minutes of the half hour past due: breached.
			c.Escalation.UpdateOneID(id).SetPausedAt(now.Add(-10 * time.Minute)).ExecX(ctx)
			if e := fx.escalation(t, id); !e.ResolutionBreached {
				t.Errorf("not breached 20 minutes past the paused due time: %+v", e)
			}
			// Resolving now, the pause counts: the due time was 20 minutes ago.
			e := fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "done"`, id)
			if !e.ResolutionBreached || e.ResolutionBreachedAt == nil || e.PausedAt != nil {
				t.Errorf("resolved late from pending client: %+v", e)
			}
		})

		t.Run("resolving while paused within the target", func(t *testing.T) {
			id := fx.create(t, "Escalation", "IN_PROGRESS")
			c.Escalation.UpdateOneID(id).SetSeverity(escalation.SeveritySev1).ExecX(ctx)
			fx.step(t, "SUPPORT", "awaitClientOnEscalation", "", id)
			now := time.Now().UTC()
			c.Escalation.UpdateOneID(id).SetResolutionDueAt(now.Add(-time.Hour)).SetPausedAt(now.Add(-3 * time.Hour)).ExecX(ctx)
			e := fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "client fixed CPE"`, id)
			if e.ResolutionBreached || e.ResolutionBreachedAt != nil {
				t.Errorf("flagged though paused 3 hours against 1 hour late: %+v", e)
			}
			if !near(e.ResolutionDueAt, now.Add(2*time.Hour)) {
				t.Errorf("resolutionDueAt %s; want about %s", e.ResolutionDueAt, now.Add(2*time.Hour))
			}
		})

		t.Run("late resolution is flagged", func(t *testing.T) {
			id := fx.create(t, "Escalation", "IN_PROGRESS")
			c.Escalation.UpdateOneID(id).SetResolutionDueAt(time.Now().UTC().Add(-time.Hour)).ExecX(ctx)
			e := fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "late fix"`, id)
			if e.Status != "RESOLVED" || !e.ResolutionBreached || e.ResolutionBreachedAt == nil {
				t.Errorf("resolved an hour late: %+v", e)
			}
		})

		t.Run("on-time resolution is not", func(t *testing.T) {
			id := fx.create(t, "Escalation", "IN_PROGRESS")
			c.Escalation.UpdateOneID(id).SetResolutionDueAt(time.Now().UTC().Add(time.Hour)).ExecX(ctx)
			e := fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "quick fix"`, id)
			if e.ResolutionBreached || e.ResolutionBreachedAt != nil {
				t.Errorf("resolved an hour early: %+v", e)
			}
		})

		t.Run("late acknowledgement breaches the response target", func(t *testing.T) {
			late, early := fx.create(t, "Escalation", "OPEN"), fx.create(t, "Escalation", "OPEN")
			c.Escalation.UpdateOneID(late).SetResponseDueAt(time.Now().UTC().Add(-time.Minute)).ExecX(ctx)
			if e := fx.escalation(t, late); !e.ResponseBreached {
				t.Errorf("unacknowledged past its response time, not breached: %+v", e)
			}
			if e := fx.step(t, "SUPPORT", "acknowledgeEscalation", "", late); !e.ResponseBreached {
				t.Errorf("acknowledged late, not breached: %+v", e)
			}
			if e := fx.step(t, "SUPPORT", "acknowledgeEscalation", "", early); e.ResponseBreached {
				t.Errorf("acknowledged on time, breached: %+v", e)
			}
		})
	})
}

// TestSweepExpiresRenewsAndFlags calls the sweep as the server's ticker does
// and reads its work through the API; a second sweep changes nothing.
func TestSweepExpiresRenewsAndFlags(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx, now := app.db.Client, allowCtx(), fx.now

		quoteIn := func(status string, validUntil time.Time) string {
			id := fx.create(t, "Quote", status)
			c.Quote.UpdateOneID(id).SetValidUntil(workflow.DayOf(validUntil)).ExecX(ctx)
			return id
		}
		// Valid until a day means through the end of that day (UTC): a quote
		// valid until today stays, one valid until yesterday expires.
		approvedPast := quoteIn("APPROVED", now.AddDate(0, 0, -1))
		approvedToday := quoteIn("APPROVED", now)
		sentPast := quoteIn("SENT", now.AddDate(0, 0, -1))
		sentValid := quoteIn("SENT", now.AddDate(0, 0, 10))
		draftPast := quoteIn("DRAFT", now.AddDate(0, 0, -1))

		contractEnding := func(autoRenew bool, end time.Time) string {
			return c.Contract.Create().
				SetAccountID(fx.account).
				SetKind(contract.KindServiceOrder).
				SetTitle(fmt.Sprintf("Ending %v %s", autoRenew, end)).
				SetStartDate(workflow.DayOf(end.AddDate(-1, 0, 0))).
				SetEndDate(workflow.DayOf(end)).
				SetTermMonths(12).
				SetMrc(money.Amount(100000)).
				SetAutoRenew(autoRenew).
				SetStatus(contract.StatusActive).
				SaveX(ctx).ID
		}
		evergreenEnd := now.AddDate(0, 0, -1)
		evergreen := contractEnding(true, evergreenEnd)
		ending := contractEnding(false, now.AddDate(0, 0, -1))
		running := contractEnding(false, now.AddDate(0, 0, 10))

		escalationIn := func(status string, set func(*ent.EscalationUpdateOne)) string {
			id := fx.create(t, "Escalation", status)
			u := c.Escalation.UpdateOneID(id).
				SetResponseDueAt(now.Add(time.Hour)).
				SetResolutionDueAt(now.Add(2 * time.Hour))
			set(u)
			u.ExecX(ctx)
			return id
		}
		noResponse := escalationIn("OPEN", func(u *ent.EscalationUpdateOne) { u.SetResponseDueAt(now.Add(-10 * time.Minute)) })
		// Acknowledged in time (a late acknowledgement flags itself: TestSLALateActionWritesTheBreachEvent).
		acknowledged := escalationIn("ACKNOWLEDGED", func(u *ent.EscalationUpdateOne) {
			u.SetResponseDueAt(now.Add(-10 * time.Minute)).SetAcknowledgedAt(now.Add(-20 * time.Minute))
		})
		overdue := escalationIn("IN_PROGRESS", func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(now.Add(-time.Hour)) })
		// Paused before it was due: the clock stands still (paused after the due time, it would be late).
		paused := escalationIn("PENDING_CLIENT", func(u *ent.EscalationUpdateOne) {
			u.SetResolutionDueAt(now.Add(-time.Hour)).SetPausedAt(now.Add(-2 * time.Hour))
		})
		onTime := escalationIn("OPEN", func(*ent.EscalationUpdateOne) {})

		swept, err := workflow.Sweep(context.Background(), c, workflow.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := workflow.Swept{QuotesExpired: 2, ContractsExpired: 1, ContractsRenewed: 1, ResponseBreaches: 1, ResolutionBreaches: 1}
		if swept != want {
			t.Errorf("first sweep = %+v; want %+v", swept, want)
		}

		var quotes struct {
			Quotes struct {
				Edges []struct{ Node struct{ ID, Status string } }
			}
		}
		app.ok(t, `query { quotes(first: 100) { edges { node { id status } } } }`, nil, &quotes)
		quoteStatus := map[string]string{}
		for _, e := range quotes.Quotes.Edges {
			quoteStatus[e.Node.ID] = e.Node.Status
		}
		for id, want := range map[string]string{approvedPast: "EXPIRED", approvedToday: "APPROVED", sentPast: "EXPIRED", sentValid: "SENT", draftPast: "DRAFT"} {
			if quoteStatus[id] != want {
				t.Errorf("quote %s is %s after the sweep; want %s", id, quoteStatus[id], want)
			}
		}
		if entries := fx.audit(t, "quote.expire", approvedPast); len(entries) != 1 || entries[0].APIOperation != "system sweep" || wfxStr(entries[0].ActorID) != "" {
			t.Errorf("expiry audit entries = %+v", entries)
		}

		type contractOut struct {
			Status  string
			EndDate string
		}
		readContract := func(id string) contractOut {
			var out struct{ Node contractOut }
			app.ok(t, `query($id: ID!) { node(id: $id) { ... on Contract { status endDate } } }`, map[string]any{"id": id}, &out)
			return out.Node
		}
		if k, want := readContract(evergreen), workflow.DayOf(evergreenEnd).AddMonths(12).String(); k.Status != "ACTIVE" || k.EndDate != want {
			t.Errorf("evergreen contract after the sweep = %+v; want ACTIVE until %s", k, want)
		}
		if k := readContract(ending); k.Status != "EXPIRED" {
			t.Errorf("ended contract after the sweep = %+v; want EXPIRED", k)
		}
		if k := readContract(running); k.Status != "ACTIVE" {
			t.Errorf("running contract after the sweep = %+v; want ACTIVE", k)
		}
		if entries := fx.audit(t, "contract.evergreen", evergreen); len(entries) != 1 {
			t.Errorf("evergreen audit entries = %+v", entries)
		}

		breaches := func(id string) []wfxEvent {
			var out []wfxEvent
			for _, e := range fx.events(t, id) {
				if e.Kind == "SLA_BREACH" {
					out = append(out, e)
				}
			}
			return out
		}
		for id, want := range map[string]int{noResponse: 1, acknowledged: 0, overdue: 1, paused: 0, onTime: 0} {
			if got := len(breaches(id)); got != want {
				t.Errorf("escalation %s has %d SLA_BREACH events; want %d", id, got, want)
			}
		}
		if e := fx.escalation(t, noResponse); !e.ResponseBreached || e.ResponseBreachedAt == nil || e.ResolutionBreached {
			t.Errorf("unanswered escalation after the sweep = %+v", e)
		}
		if e := fx.escalation(t, overdue); !e.ResolutionBreached || e.ResolutionBreachedAt == nil || e.ResponseBreached {
			t.Errorf("overdue escalation after the sweep = %+v", e)
		}
		if e := fx.escalation(t, paused); e.ResolutionBreachedAt != nil {
			t.Errorf("paused escalation flagged by the sweep = %+v", e)
		}

		// Again: nothing more to do.
		swept, err = workflow.Sweep(context.Background(), c, workflow.Now())
		if err != nil {
			t.Fatal(err)
		}
		if swept != (workflow.Swept{}) {
			t.Errorf("second sweep = %+v; want nothing", swept)
		}
		if k := readContract(evergreen); k.EndDate != workflow.DayOf(evergreenEnd).AddMonths(12).String() {
			t.Errorf("second sweep moved the evergreen end to %s", k.EndDate)
		}
		for id, want := range map[string]int{noResponse: 1, overdue: 1} {
			if got := len(breaches(id)); got != want {
				t.Errorf("after the second sweep escalation %s has %d SLA_BREACH events; want %d", id, got, want)
			}
		}
		if n := c.AuditEntry.Query().Where(auditentry.Action("quote.expire")).CountX(ctx); n != 2 {
			t.Errorf("%d quote.expire audit entries after two sweeps; want 2", n)
		}
	})
}

// TestWorkflowAssignAccount: a manager moves an account to another rep; the
// previous holder's assignment ends and stays as history. Reps may not.
func TestWorkflowAssignAccount(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		teamID := c.Rep.GetX(ctx, fx.rep["SUPPORT"]).TeamID
		second := c.Rep.Create().SetName("Second support").SetEmail("second@workflow.example").SetRole(enum.RoleSupport).SetRegion(enum.RegionNortheast).SetTeamID(*teamID).SaveX(ctx).ID
		outsider := c.Rep.Create().SetName("Outsider").SetEmail("outsider@workflow.example").SetRole(enum.RoleSupport).SetRegion(enum.RegionWest).SaveX(ctx).ID
		const assign = `mutation($account: ID!, $rep: ID!, $capacity: AccountAssignmentCapacity!) {
		  assignAccount(accountID: $account, repID: $rep, capacity: $capacity) { id repID capacity startedAt endedAt }
		}`
		vars := func(rep, capacity string) map[string]any {
			return map[string]any{"account": fx.account, "rep": rep, "capacity": capacity}
		}
		type assignmentOut struct {
			ID, RepID, Capacity string
			StartedAt           time.Time
			EndedAt             *time.Time
		}
		history := func() []assignmentOut {
			var out struct {
				AccountAssignments struct {
					Edges []struct{ Node assignmentOut }
				}
			}
			app.ok(t, `query($account: ID!) { accountAssignments(first: 100, where: {accountID: $account, capacity: SUPPORT}) { edges { node { id repID capacity startedAt endedAt } } } }`,
				map[string]any{"account": fx.account}, &out)
			var rows []assignmentOut
			for _, e := range out.AccountAssignments.Edges {
				rows = append(rows, e.Node)
			}
			return rows
		}
		if h := history(); len(h) != 1 || h[0].RepID != fx.rep["SUPPORT"] || h[0].EndedAt != nil {
			t.Fatalf("starting assignments = %+v", h)
		}

		// A SUPPORT rep may not assign accounts, even their own.
		app.as(fx.token["SUPPORT"]).fails(t, assign, vars(second, "SUPPORT"), wfxForbidden, "")
		// A manager may not put a rep of another team on the account.
		app.as(fx.token["MANAGER"]).fails(t, assign, vars(outsider, "SUPPORT"), wfxForbidden, "")
		if h := history(); len(h) != 1 || h[0].EndedAt != nil {
			t.Fatalf("refused assignments changed the history: %+v", h)
		}
		if n := fx.auditCount(t, "account.assign"); n != 0 {
			t.Errorf("refused assignments wrote %d audit entries", n)
		}

		var out struct{ AssignAccount assignmentOut }
		app.as(fx.token["MANAGER"]).ok(t, assign, vars(second, "SUPPORT"), &out)
		if a := out.AssignAccount; a.RepID != second || a.Capacity != "SUPPORT" || a.EndedAt != nil {
			t.Errorf("new assignment = %+v", a)
		}
		h := history()
		if len(h) != 2 {
			t.Fatalf("history = %+v; want the ended and the new assignment", h)
		}
		var ended, current int
		for _, a := range h {
			switch {
			case a.RepID == fx.rep["SUPPORT"] && a.EndedAt != nil && !a.EndedAt.Before(a.StartedAt):
				ended++
			case a.RepID == second && a.EndedAt == nil:
				current++
			}
		}
		if ended != 1 || current != 1 {
			t.Errorf("history = %+v; want the previous holder ended and the new one current", h)
		}
		// The other capacities are untouched.
		if n := c.AccountAssignment.Query().Where(accountassignment.AccountID(fx.account), accountassignment.EndedAtIsNil()).CountX(ctx); n != 3 {
			t.Errorf("%d current assignments; want 3 (support, strategic, account executive)", n)
		}
		if n := fx.auditCount(t, "account.assign"); n != 2 {
			t.Errorf("%d account.assign audit entries; want 2 (the ended and the new assignment)", n)
		}
		// The previous holder no longer reads the account; the new one does.
		count := func(role string, token string) int {
			var out struct{ Accounts struct{ TotalCount int } }
			app.as(token).ok(t, `query($id: ID!) { accounts(where: {id: $id}) { totalCount } }`, map[string]any{"id": fx.account}, &out)
			return out.Accounts.TotalCount
		}
		if n := count("SUPPORT", fx.token["SUPPORT"]); n != 0 {
			t.Errorf("the previous holder still reads the account")
		}
		if n := count("SUPPORT", app.sign(t, auth.Claims{Subject: second, Role: "SUPPORT"})); n != 1 {
			t.Errorf("the new holder does not read the account")
		}
	})
}

// TestWorkflowApprovedPriceBecomesQuoteMRC: the MRC a manager grants on a
// special pricing request becomes the quote's MRC, and its TCV follows.
func TestWorkflowApprovedPriceBecomesQuoteMRC(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		sparc := fx.create(t, "SpecialPricingRequest", "SUBMITTED")
		quoteID := app.db.Client.SpecialPricingRequest.GetX(allowCtx(), sparc).QuoteID
		type quoteOut struct {
			Mrc, Nrc, Tcv string
			SpecialMrc    *string
		}
		readQuote := func() quoteOut {
			var out struct{ Node quoteOut }
			app.ok(t, `query($id: ID!) { node(id: $id) { ... on Quote { mrc nrc tcv specialMrc } } }`, map[string]any{"id": quoteID}, &out)
			return out.Node
		}
		// One line: MRC 1500.00, NRC 500.00, 36 months: TCV 1500 x 36 + 500.
		if q := readQuote(); q.Mrc != "1500.00" || q.Tcv != "54500.00" || q.SpecialMrc != nil {
			t.Fatalf("quote before the decision = %+v", q)
		}
		const approve = `mutation($id: ID!, $mrc: Money!) { approvePricingRequest(id: $id, approvedMrc: $mrc, reason: "competing bid") { status approvedMrc decidedBy { id } hoursToDecision } }`
		// More than the standard rate is refused, and changes nothing.
		app.as(fx.token["MANAGER"]).fails(t, approve, map[string]any{"id": sparc, "mrc": "1600.00"}, "BAD_USER_INPUT", "approvedMrc")
		if got := fx.status(t, "SpecialPricingRequest", sparc); got != "SUBMITTED" {
			t.Errorf("a refused approval moved the request to %s", got)
		}
		var out struct {
			ApprovePricingRequest struct {
				Status, ApprovedMrc string
				DecidedBy           struct{ ID string }
				HoursToDecision     *float64
			}
		}
		app.as(fx.token["MANAGER"]).ok(t, approve, map[string]any{"id": sparc, "mrc": "1250.00"}, &out)
		r := out.ApprovePricingRequest
		if r.Status != "APPROVED" || r.ApprovedMrc != "1250.00" || r.DecidedBy.ID != fx.rep["MANAGER"] || r.HoursToDecision == nil || *r.HoursToDecision < 1.9 || *r.HoursToDecision > 2.2 {
			t.Errorf("approved request = %+v", r)
		}
		// 1250.00 x 36 + 500.00 = 45500.00.
		if q := readQuote(); q.Mrc != "1250.00" || q.Tcv != "45500.00" || q.Nrc != "500.00" || wfxStr(q.SpecialMrc) != "1250.00" {
			t.Errorf("quote after the decision = %+v; want MRC 1250.00, TCV 45500.00", q)
		}
		// The quote's change is on the trail under the approval: the granted
		// price, and the MRC and TCV that follow from it.
		var special, mrc, tcv bool
		for _, e := range fx.audit(t, "specialpricingrequest.approve", quoteID) {
			if e.APIOperation != "mutation approvePricingRequest" || wfxStr(e.ActorID) != fx.rep["MANAGER"] {
				t.Errorf("the quote's audit entry = %+v", e)
			}
			if f, to, ok := e.change("specialMrc"); ok {
				special = f == "" && to == "1250.00"
			}
			if f, to, ok := e.change("mrc"); ok {
				mrc = f == "1500.00" && to == "1250.00"
			}
			if f, to, ok := e.change("tcv"); ok {
				tcv = f == "54500.00" && to == "45500.00"
			}
		}
		if !special || !mrc || !tcv {
			t.Errorf("the quote's audit trail under the approval records specialMrc %v, mrc 1500.00 -> 1250.00 %v, tcv 54500.00 -> 45500.00 %v", special, mrc, tcv)
		}
	})
}

// TestWorkflowRenewals: a renewal drafts a successor that starts when the old
// contract ends, leaving the old one ACTIVE; a co-termed renewal ends with its
// master agreement.
func TestWorkflowRenewals(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		day := workflow.DayOf(fx.now)
		newContract := func(kind contract.Kind, end date.Date, master *string) string {
			return c.Contract.Create().
				SetAccountID(fx.account).
				SetKind(kind).
				SetTitle("Renewal " + string(kind)).
				SetStartDate(end.AddMonths(-36)).
				SetEndDate(end).
				SetTermMonths(36).
				SetMrc(money.Amount(450000)).
				SetAutoRenew(true).
				SetNoticeDays(90).
				SetNillableMasterID(master).
				SetStatus(contract.StatusActive).
				SaveX(ctx).ID
		}
		type successor struct {
			ID, Status, Mrc, Tcv  string
			TermMonths            int
			StartDate, EndDate    date.Date
			RenewalOfID, MasterID *string
			CoTermed, AutoRenew   bool
			NoticeDeadline        date.Date
		}
		const renew = `mutation($id: ID!, $input: RenewContractInput!) {
		  renewContract(id: $id, input: $input) { id status mrc tcv termMonths startDate endDate renewalOfID masterID coTermed autoRenew noticeDeadline }
		}`
		support := app.as(fx.token["SUPPORT"])

		end := day.AddDays(30)
		old := newContract(contract.KindServiceOrder, end, nil)
		var out struct{ RenewContract successor }
		support.ok(t, renew, map[string]any{"id": old, "input": map[string]any{"termMonths": 12, "mrc": "4800.00"}}, &out)
		s := out.RenewContract
		if s.ID == old || s.Status != "DRAFT" || wfxStr(s.RenewalOfID) != old || s.StartDate != end || s.EndDate != end.AddMonths(12) ||
			s.TermMonths != 12 || s.Mrc != "4800.00" || s.Tcv != "57600.00" || s.CoTermed || !s.AutoRenew || s.NoticeDeadline != end.AddMonths(12).AddDays(-90) {
			t.Errorf("successor = %+v", s)
		}
		// Issue 11: the old contract stays ACTIVE until its successor activates
		// (TestRenewalWaitsForTheSuccessor).
		if got := fx.status(t, "Contract", old); got != "ACTIVE" {
			t.Errorf("renewed contract is %s before its successor activates; want ACTIVE", got)
		}

		// Co-termed: the add-on's renewal ends with its master.
		masterEnd := day.AddMonths(36)
		master := newContract(contract.KindMasterAgreement, masterEnd, nil)
		addOn := newContract(contract.KindServiceOrder, day.AddMonths(12), &master)
		support.ok(t, renew, map[string]any{"id": addOn, "input": map[string]any{"termMonths": 24, "coTerm": true}}, &out)
		s = out.RenewContract
		if s.EndDate != masterEnd || !s.CoTermed || wfxStr(s.MasterID) != master || wfxStr(s.RenewalOfID) != addOn || s.StartDate != day.AddMonths(12) || s.Mrc != "4500.00" {
			t.Errorf("co-termed successor = %+v; want it to end with the master on %s", s, masterEnd)
		}

		// Co-terming needs a master; refused, the old contract stays as it was.
		lone := newContract(contract.KindServiceOrder, day.AddMonths(6), nil)
		support.fails(t, renew, map[string]any{"id": lone, "input": map[string]any{"termMonths": 12, "coTerm": true}}, "BAD_USER_INPUT", "coTerm")
		if got := fx.status(t, "Contract", lone); got != "ACTIVE" {
			t.Errorf("a refused renewal left the contract %s", got)
		}
		if n := c.Contract.Query().Where(contract.RenewalOfID(lone)).CountX(ctx); n != 0 {
			t.Errorf("a refused renewal left %d successors", n)
		}
	})
}

// TestWorkflowEscalationTimelineForTheCarrier: the carrier reads the status
// changes and public comments of its escalation, never the internal ones.
func TestWorkflowEscalationTimelineForTheCarrier(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		id := fx.create(t, "Escalation", "OPEN")
		support, carrier := app.as(fx.token["SUPPORT"]), app.as(fx.token["CARRIER"])
		support.ok(t, `mutation($id: ID!) { commentOnEscalation(id: $id, body: "margin is thin here", internal: true) { id } }`, map[string]any{"id": id}, nil)
		support.ok(t, `mutation($id: ID!) { commentOnEscalation(id: $id, body: "we are dispatching") { id } }`, map[string]any{"id": id}, nil)
		carrier.ok(t, `mutation($id: ID!) { commentOnEscalation(id: $id, body: "thanks") { id } }`, map[string]any{"id": id}, nil)
		carrier.fails(t, `mutation($id: ID!) { commentOnEscalation(id: $id, body: "psst", internal: true) { id } }`, map[string]any{"id": id}, "BAD_USER_INPUT", "internal")
		var out struct {
			Node struct {
				Events struct {
					Edges []struct{ Node wfxEvent }
				}
			}
		}
		carrier.ok(t, `query($id: ID!) { node(id: $id) { ... on Escalation { events(first: 100) { edges { node { kind body internal } } } } } }`, map[string]any{"id": id}, &out)
		var bodies []string
		for _, e := range out.Node.Events.Edges {
			if e.Node.Internal {
				t.Errorf("the carrier reads an internal event: %+v", e.Node)
			}
			if e.Node.Kind == "COMMENT" {
				bodies = append(bodies, e.Node.Body)
			}
		}
		sort.Strings(bodies)
		if want := []string{"thanks", "we are dispatching"}; !slices.Equal(bodies, want) {
			t.Errorf("the carrier reads comments %q; want %q", bodies, want)
		}
		if all := fx.events(t, id); len(all) != 4 {
			b, _ := json.Marshal(all)
			t.Errorf("staff read %d events; want created and three comments: %s", len(all), b)
		}
	})
}

// wfxStr is the text of an optional string, "" when absent.
func wfxStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

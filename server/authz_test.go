package main

import (
	"carrierdesk/internal/workflow"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/ent/team"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"

	"entgo.io/ent/dialect"
)

// This file is the authorization matrix of issue 3, driven through the real
// handler on both databases: for every role and every entity, which records a
// read returns (root connection, totalCount, nested edges, node, nodes) and
// which creates and updates succeed; then every path a carrier user might take
// to another carrier's data, the relation-filter probes, and introspection.

// authzRoles is the order of the outcome columns of the write matrix.
var authzRoles = [...]enum.Role{
	enum.RoleAdmin, enum.RoleManager, enum.RoleAccountExecutive, enum.RoleSupport,
	enum.RoleStrategic, enum.RoleAnalyst, enum.RoleCarrier,
}

// Outcomes of a write in the matrix: it lands, or it fails with this code.
const (
	allowed   = "ok"
	notFound  = "NOT_FOUND"
	badInput  = "BAD_USER_INPUT"
	forbidden = "FORBIDDEN"
)

// authzFixture is two carriers and everything under them.
//
// Carrier A has accounts A1 (held by the team's SUPPORT and ACCOUNT_EXECUTIVE
// reps), A2 (held by the team's STRATEGIC rep) and A3 (unassigned: its only
// assignment, the SUPPORT rep's, has ended). Carrier B has account B1, held by
// a rep of another team. Team A is the MANAGER's. Every account has a draft
// and a sent quote, each with a line item and a special pricing request, a
// contract and an order pointing at the draft quote, an RFP, a review, an
// activity and an escalation with a public and an internal comment.
type authzFixture struct {
	carrier, ocn                 map[string]string // by carrier label: "A", "B"
	account, accountNumber       map[string]string // by account label: "A1", "A2", "A3", "B1"
	team                         map[string]string // "A": the manager's; "B": another team
	rep                          map[string]string // by role name; "OTHER" is team B's rep, "OTHER_MANAGER" its manager
	repName                      map[string]string
	contact                      map[string]string // "A" is the carrier user
	draftQuote, sentQuote        map[string]string // by account label, as are the rest
	draftLine, sentLine          map[string]string
	draftSparc, sentSparc        map[string]string
	contract, rfp, order, review map[string]string
	activity, escalation         map[string]string
	internalEvent, publicEvent   map[string]string
	endedAssignment              map[string]string // "A3", "B1"
	tokens                       map[enum.Role]string
	rows                         map[string][]authzRow // by root field: every row in the database
	accountLabel, carrierLabel   map[string]string     // ID -> label
	accountLabels                []string
}

// authzRow is a row of the database as the expectations see it.
type authzRow struct {
	id       string
	account  string // label of the account it belongs to, if any
	carrier  string // label of the carrier it belongs to, if any
	sent     bool   // a quote, or the line of a quote, that was sent to the carrier
	internal bool   // an internal escalation event
}

func newAuthzFixture(t *testing.T, app *testApp) *authzFixture {
	t.Helper()
	c := app.db.Client
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	now := time.Now().UTC().Truncate(time.Second)
	fx := &authzFixture{
		carrier: map[string]string{}, ocn: map[string]string{},
		account: map[string]string{}, accountNumber: map[string]string{},
		team: map[string]string{}, rep: map[string]string{}, repName: map[string]string{},
		contact: map[string]string{}, draftQuote: map[string]string{}, sentQuote: map[string]string{},
		draftLine: map[string]string{}, sentLine: map[string]string{},
		draftSparc: map[string]string{}, sentSparc: map[string]string{},
		contract: map[string]string{}, rfp: map[string]string{}, order: map[string]string{},
		review: map[string]string{}, activity: map[string]string{}, escalation: map[string]string{},
		internalEvent: map[string]string{}, publicEvent: map[string]string{},
		endedAssignment: map[string]string{}, tokens: map[enum.Role]string{},
		accountLabel: map[string]string{}, carrierLabel: map[string]string{},
		accountLabels: []string{"A1", "A2", "A3", "B1"},
	}
	for _, l := range []string{"A", "B"} {
		fx.ocn[l] = "7" + l + "00"
		fx.carrier[l] = c.Carrier.Create().
			SetName("Authz Carrier " + l).
			SetOcn(fx.ocn[l]).
			SetCcna("AZ" + l).
			SaveX(ctx).ID
		fx.carrierLabel[fx.carrier[l]] = l
		fx.contact[l] = c.Contact.Create().
			SetCarrierID(fx.carrier[l]).
			SetName("Contact " + l).
			SetEmail("contact-" + strings.ToLower(l) + "@carrier.example").
			SaveX(ctx).ID
	}
	newRep := func(key string, role enum.Role, teamID string) {
		fx.repName[key] = "Authz " + strings.ReplaceAll(strings.ToLower(key), "_", " ")
		create := c.Rep.Create().
			SetName(fx.repName[key]).
			SetEmail(strings.ToLower(key) + "@authz.example").
			SetRole(role).
			SetRegion(enum.RegionNortheast)
		if teamID != "" {
			create.SetTeamID(teamID)
		}
		fx.rep[key] = create.SaveX(ctx).ID
	}
	newRep("ADMIN", enum.RoleAdmin, "")
	newRep("ANALYST", enum.RoleAnalyst, "")
	newRep("MANAGER", enum.RoleManager, "")
	newRep("OTHER_MANAGER", enum.RoleManager, "")
	fx.team["A"] = c.Team.Create().SetName("Authz Team A").SetRegion(enum.RegionNortheast).SetManagerID(fx.rep["MANAGER"]).SaveX(ctx).ID
	fx.team["B"] = c.Team.Create().SetName("Authz Team B").SetRegion(enum.RegionSoutheast).SetManagerID(fx.rep["OTHER_MANAGER"]).SaveX(ctx).ID
	newRep("SUPPORT", enum.RoleSupport, fx.team["A"])
	newRep("STRATEGIC", enum.RoleStrategic, fx.team["A"])
	newRep("ACCOUNT_EXECUTIVE", enum.RoleAccountExecutive, fx.team["A"])
	newRep("OTHER", enum.RoleSupport, fx.team["B"])

	for i, l := range fx.accountLabels {
		fx.accountNumber[l] = "AZ-" + l
		fx.account[l] = c.Account.Create().
			SetCarrierID(fx.carrier[l[:1]]).
			SetAccountNumber(fx.accountNumber[l]).
			SetBan("BAN-" + l).
			SetName("Authz account " + l).
			SetMarket("Boston").
			SetRegion(enum.RegionNortheast).
			SetMrr(money.Amount(100000 * (i + 1))).
			SaveX(ctx).ID
		fx.accountLabel[fx.account[l]] = l
	}
	assign := func(l, repKey string, capacity accountassignment.Capacity, ended bool) string {
		create := c.AccountAssignment.Create().
			SetAccountID(fx.account[l]).
			SetRepID(fx.rep[repKey]).
			SetCapacity(capacity).
			SetStartedAt(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		if ended {
			create.SetEndedAt(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
		}
		return create.SaveX(ctx).ID
	}
	assign("A1", "SUPPORT", accountassignment.CapacitySupport, false)
	assign("A1", "ACCOUNT_EXECUTIVE", accountassignment.CapacityAccountExecutive, false)
	assign("A2", "STRATEGIC", accountassignment.CapacityStrategic, false)
	fx.endedAssignment["A3"] = assign("A3", "SUPPORT", accountassignment.CapacitySupport, true)
	assign("B1", "OTHER", accountassignment.CapacitySupport, false)
	fx.endedAssignment["B1"] = assign("B1", "OTHER", accountassignment.CapacityStrategic, true)

	for _, l := range fx.accountLabels {
		acct := fx.account[l]
		owner, requester := fx.rep["SUPPORT"], fx.rep["STRATEGIC"]
		if l == "B1" {
			owner, requester = fx.rep["OTHER"], fx.rep["OTHER"]
		}
		fx.draftQuote[l] = c.Quote.Create().
			SetAccountID(acct).
			SetTitle("Draft quote " + l).
			SetTermMonths(36).
			SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
			SaveX(ctx).ID
		// A sent quote is priced as a draft, then walks the workflow (below).
		fx.sentQuote[l] = c.Quote.Create().
			SetAccountID(acct).
			SetTitle("Sent quote " + l).
			SetTermMonths(36).
			SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
			SetOwnerID(owner).
			SaveX(ctx).ID
		line := func(q string) string {
			return c.QuoteLineItem.Create().
				SetQuoteID(q).
				SetProduct(quotelineitem.ProductEthernet).
				SetBandwidth("10 Gbps").
				SetALocation("1 Main St").
				SetMrc(money.Amount(150000)).
				SaveX(ctx).ID
		}
		fx.draftLine[l], fx.sentLine[l] = line(fx.draftQuote[l]), line(fx.sentQuote[l])
		walkQuote(t, c, fx.sentQuote[l], "SENT", fx.rep["MANAGER"], now)
		sparc := func(q string) string {
			// Written as history: the sent quote's request was decided before it was sent.
			return c.SpecialPricingRequest.Create().
				SetQuoteID(q).
				SetRequestedByID(requester).
				SetJustification("Competing bid " + l).
				SetStandardMrc(money.Amount(150000)).
				SetRequestedMrc(money.Amount(120000)).
				SaveX(bulk.NewContext(ctx)).ID
		}
		fx.draftSparc[l], fx.sentSparc[l] = sparc(fx.draftQuote[l]), sparc(fx.sentQuote[l])
		fx.contract[l] = c.Contract.Create().
			SetAccountID(acct).
			SetKind(contract.KindServiceOrder).
			SetTitle("Contract " + l).
			SetStartDate(workflow.DayOf(now)).
			SetEndDate(workflow.DayOf(now.AddDate(3, 0, 0))).
			SetTermMonths(36).
			SetMrc(money.Amount(450000)).
			SaveX(ctx).ID
		fx.rfp[l] = c.RFP.Create().
			SetAccountID(acct).
			SetTitle("RFP " + l).
			SetReceivedAt(now.AddDate(0, 0, -7)).
			SetDueAt(now.AddDate(0, 0, 7)).
			SetOwnerID(owner).
			SaveX(ctx).ID
		fx.order[l] = c.Order.Create().
			SetAccountID(acct).
			SetKind(order.KindASR).
			SetPon("PON-" + l).
			SetDesiredDueDate(workflow.DayOf(now.AddDate(0, 1, 0))).
			SaveX(ctx).ID
		// Since issue 11 no writer links a contract or an order to a draft
		// quote; records from before it may be, and their edges must still
		// keep the draft from the carrier, so the link is written in SQL.
		for table, id := range map[string]string{"contracts": fx.contract[l], "orders": fx.order[l]} {
			link := "UPDATE " + table + " SET quote_id = ? WHERE id = ?"
			if app.db.Dialect == dialect.Postgres {
				link = "UPDATE " + table + " SET quote_id = $1 WHERE id = $2"
			}
			if _, err := app.db.DB.ExecContext(ctx, link, fx.draftQuote[l], id); err != nil {
				t.Fatalf("linking a legacy %s row to a draft quote: %v", table, err)
			}
		}
		fx.review[l] = c.BusinessReview.Create().
			SetAccountID(acct).
			SetQuarter("2026-Q2").
			SetScheduledAt(now.AddDate(0, 0, 14)).
			SetAgenda("MRC trend " + l).
			SaveX(ctx).ID
		fx.activity[l] = c.Activity.Create().
			SetAccountID(acct).
			SetRepID(owner).
			SetKind(activity.KindCall).
			SetOccurredAt(now).
			SetSummary("Weekly call " + l).
			SaveX(ctx).ID
		fx.escalation[l] = c.Escalation.Create().
			SetAccountID(acct).
			SetTitle("Escalation " + l).
			SetCategory(escalation.CategoryBilling).
			SetSeverity(escalation.SeveritySev3).
			SetOwnerID(owner).
			SaveX(ctx).ID
		event := func(internal bool, body string) string {
			return c.EscalationEvent.Create().
				SetEscalationID(fx.escalation[l]).
				SetKind(escalationevent.KindComment).
				SetInternal(internal).
				SetBody(body).
				SetActorRepID(owner).
				SaveX(ctx).ID
		}
		fx.internalEvent[l] = event(true, "internal: margin too thin on "+l)
		fx.publicEvent[l] = event(false, "we are looking into "+l)
	}

	for key, role := range map[string]enum.Role{
		"ADMIN": enum.RoleAdmin, "ANALYST": enum.RoleAnalyst, "MANAGER": enum.RoleManager,
		"SUPPORT": enum.RoleSupport, "STRATEGIC": enum.RoleStrategic, "ACCOUNT_EXECUTIVE": enum.RoleAccountExecutive,
	} {
		fx.tokens[role] = app.sign(t, auth.Claims{Subject: fx.rep[key], Role: string(role)})
	}
	fx.tokens[enum.RoleCarrier] = app.sign(t, auth.Claims{Subject: fx.contact["A"], Role: string(enum.RoleCarrier), CarrierID: fx.carrier["A"]})
	fx.loadRows(t, c)
	return fx
}

// loadRows reads every row of the database, with what the expectations need
// to know about it, so that rows written by hooks (the CREATED event of an
// escalation, the harness's admin) are expected too.
func (fx *authzFixture) loadRows(t *testing.T, c *ent.Client) {
	t.Helper()
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	rows := map[string][]authzRow{}
	add := func(field, id, accountID, carrierID string, sent, internal bool) {
		r := authzRow{id: id, account: fx.accountLabel[accountID], carrier: fx.carrierLabel[carrierID], sent: sent, internal: internal}
		if r.account != "" {
			r.carrier = r.account[:1]
		}
		rows[field] = append(rows[field], r)
	}
	for _, x := range c.Carrier.Query().AllX(ctx) {
		add("carriers", x.ID, "", x.ID, false, false)
	}
	for _, x := range c.Contact.Query().AllX(ctx) {
		add("contacts", x.ID, "", x.CarrierID, false, false)
	}
	for _, x := range c.Account.Query().AllX(ctx) {
		add("accounts", x.ID, x.ID, x.CarrierID, false, false)
	}
	for _, x := range c.AccountAssignment.Query().AllX(ctx) {
		add("accountAssignments", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.Quote.Query().AllX(ctx) {
		add("quotes", x.ID, x.AccountID, "", x.SentAt != nil, false)
	}
	for _, x := range c.QuoteLineItem.Query().WithQuote().AllX(ctx) {
		add("quoteLineItems", x.ID, x.Edges.Quote.AccountID, "", x.Edges.Quote.SentAt != nil, false)
	}
	for _, x := range c.SpecialPricingRequest.Query().WithQuote().AllX(ctx) {
		add("specialPricingRequests", x.ID, x.Edges.Quote.AccountID, "", x.Edges.Quote.SentAt != nil, false)
	}
	for _, x := range c.Contract.Query().AllX(ctx) {
		add("contracts", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.RFP.Query().AllX(ctx) {
		add("rfps", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.Order.Query().AllX(ctx) {
		add("orders", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.BusinessReview.Query().AllX(ctx) {
		add("businessReviews", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.Activity.Query().AllX(ctx) {
		add("activities", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.Escalation.Query().AllX(ctx) {
		add("escalations", x.ID, x.AccountID, "", false, false)
	}
	for _, x := range c.EscalationEvent.Query().WithEscalation().AllX(ctx) {
		add("escalationEvents", x.ID, x.Edges.Escalation.AccountID, "", false, x.Internal)
	}
	for _, x := range c.Rep.Query().AllX(ctx) {
		add("reps", x.ID, "", "", false, false)
	}
	for _, x := range c.Team.Query().AllX(ctx) {
		add("teams", x.ID, "", "", false, false)
	}
	for field, rs := range rows {
		for _, r := range rs {
			if r.account == "" && field != "carriers" && field != "contacts" && field != "reps" && field != "teams" {
				t.Fatalf("%s row %s belongs to no fixture account", field, r.id)
			}
		}
	}
	fx.rows = rows
}

// authzRootFields are the root connections, one per entity.
var authzRootFields = []string{
	"carriers", "contacts", "accounts", "accountAssignments", "quotes", "quoteLineItems",
	"specialPricingRequests", "contracts", "rfps", "orders", "businessReviews", "activities",
	"escalations", "escalationEvents", "reps", "teams",
}

// authzView is what a role reads, stated as the rules of issue 3 state it.
type authzView struct {
	role     enum.Role
	accounts []string // the accounts the role reads
	carriers []string // the carriers the role reads
}

// authzViews: ADMIN and ANALYST read everything; reps the accounts they
// currently hold; the MANAGER the team's accounts plus the unassigned A3; the
// carrier user all of carrier A's accounts. Internal roles read every rep and
// team; the carrier user never reads assignments, activities, special pricing
// requests, draft quotes (and their lines), internal events, reps or teams.
var authzViews = []authzView{
	{enum.RoleAdmin, []string{"A1", "A2", "A3", "B1"}, []string{"A", "B"}},
	{enum.RoleAnalyst, []string{"A1", "A2", "A3", "B1"}, []string{"A", "B"}},
	{enum.RoleManager, []string{"A1", "A2", "A3"}, []string{"A"}},
	{enum.RoleAccountExecutive, []string{"A1"}, []string{"A"}},
	{enum.RoleSupport, []string{"A1"}, []string{"A"}}, // not A3: that assignment has ended
	{enum.RoleStrategic, []string{"A2"}, []string{"A"}},
	{enum.RoleCarrier, []string{"A1", "A2", "A3"}, []string{"A"}},
}

// sees reports whether the view reads row r of the root connection field.
func (v authzView) sees(field string, r authzRow) bool {
	internal := v.role != enum.RoleCarrier
	switch field {
	case "reps", "teams":
		return internal
	case "carriers", "contacts":
		return slices.Contains(v.carriers, r.carrier)
	}
	if !slices.Contains(v.accounts, r.account) {
		return false
	}
	switch field {
	case "accountAssignments", "activities", "specialPricingRequests":
		return internal
	case "quotes", "quoteLineItems":
		return internal || r.sent
	case "escalationEvents":
		return internal || !r.internal
	}
	return true
}

// expected is the sorted IDs of field that v reads.
func (fx *authzFixture) expected(v authzView, field string) []string {
	ids := []string{}
	for _, r := range fx.rows[field] {
		if v.sees(field, r) {
			ids = append(ids, r.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// allIDs is every ID in the database with the root field it belongs to.
func (fx *authzFixture) allIDs() (ids, fields []string) {
	for _, field := range authzRootFields {
		for _, r := range fx.rows[field] {
			ids, fields = append(ids, r.id), append(fields, field)
		}
	}
	return ids, fields
}

// rootIDs reads a whole root connection and checks that totalCount agrees with the edges.
func rootIDs(t *testing.T, app *testApp, field, where string, vars jsonObject) []string {
	t.Helper()
	args := "first: 100"
	if where != "" {
		args += ", where: " + where
	}
	q := fmt.Sprintf(`query%s { %s(%s) { totalCount edges { node { id } } } }`, authzVarDecls(vars), field, args)
	var out map[string]struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
	app.ok(t, q, vars, &out)
	page := out[field]
	ids := []string{}
	for _, e := range page.Edges {
		ids = append(ids, e.Node.ID)
	}
	if page.TotalCount != len(ids) {
		t.Errorf("%s(%s): totalCount %d but %d edges", field, where, page.TotalCount, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// authzVarDecls declares the variables of vars: IDs for values that look like
// global IDs, strings for the rest.
func authzVarDecls(vars jsonObject) string {
	if len(vars) == 0 {
		return ""
	}
	var decls []string
	for name, v := range vars {
		typ := "String!"
		if s, ok := v.(string); ok && globalID.MatchString(s) {
			typ = "ID!"
		}
		decls = append(decls, "$"+name+": "+typ)
	}
	slices.Sort(decls)
	return "(" + strings.Join(decls, ", ") + ")"
}

func TestRoleMatrixReads(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newAuthzFixture(t, app)
		admin := authzViews[0]
		for _, field := range authzRootFields {
			if len(fx.expected(admin, field)) == 0 {
				t.Fatalf("fixture has no %s: the matrix would prove nothing", field)
			}
		}
		allIDs, allFields := fx.allIDs()
		for _, v := range authzViews {
			t.Run(string(v.role), func(t *testing.T) {
				as := app.as(fx.tokens[v.role])

				t.Run("root connections", func(t *testing.T) {
					for _, field := range authzRootFields {
						if got, want := rootIDs(t, as, field, "", nil), fx.expected(v, field); !slices.Equal(got, want) {
							t.Errorf("%s: read %d %v\nwant %d %v", field, len(got), fx.names(got), len(want), fx.names(want))
						}
					}
				})

				t.Run("node", func(t *testing.T) {
					for i, id := range allIDs {
						visible := slices.Contains(fx.expected(v, allFields[i]), id)
						res := as.do(t, `query($id: ID!) { node(id: $id) { id } }`, jsonObject{"id": id})
						switch {
						case visible && (len(res.Errors) > 0 || string(res.Data) != fmt.Sprintf(`{"node":{"id":%q}}`, id)):
							t.Errorf("node(%s) should be readable: %s", fx.name(id), res.Raw)
						case !visible && (res.Code() != notFound || string(res.Data) != `{"node":null}`):
							t.Errorf("node(%s) should be NOT_FOUND with node null: %s", fx.name(id), res.Raw)
						}
					}
				})

				t.Run("nodes", func(t *testing.T) {
					res := as.do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, jsonObject{"ids": allIDs})
					var data struct{ Nodes []*struct{ ID string } }
					if err := json.Unmarshal(res.Data, &data); err != nil || len(data.Nodes) != len(allIDs) {
						t.Fatalf("nodes: %v %s", err, res.Raw)
					}
					missing := 0
					for i, n := range data.Nodes {
						visible := slices.Contains(fx.expected(v, allFields[i]), allIDs[i])
						if visible != (n != nil) || (n != nil && n.ID != allIDs[i]) {
							t.Errorf("nodes[%d] (%s) = %v, visible %v", i, fx.name(allIDs[i]), n, visible)
						}
						if n == nil {
							missing++
						}
					}
					if len(res.Errors) != missing {
						t.Errorf("%d null nodes but %d errors", missing, len(res.Errors))
					}
					for _, e := range res.Errors {
						if e.Extensions["code"] != notFound {
							t.Errorf("nodes error %+v, want NOT_FOUND", e)
						}
					}
				})

				t.Run("nested edges", func(t *testing.T) {
					res := as.do(t, authzNestedQuery, nil)
					if len(res.Errors) > 0 {
						t.Fatalf("nested read failed: %s", res.Raw)
					}
					var data any
					if err := json.Unmarshal(res.Data, &data); err != nil {
						t.Fatal(err)
					}
					found := map[string][]string{}
					collectNested(data, "", found)
					for path, field := range authzNestedFields {
						got := found[path]
						slices.Sort(got)
						got = slices.Compact(got)
						want := fx.expected(v, field)
						if authzNestedComplete[path] {
							if !slices.Equal(got, want) {
								t.Errorf("%s: read %v\nwant %v", path, fx.names(got), fx.names(want))
							}
							continue
						}
						for _, id := range got {
							if !slices.Contains(want, id) {
								t.Errorf("%s leaks %s", path, fx.name(id))
							}
						}
					}
					for path := range found {
						if _, ok := authzNestedFields[path]; !ok {
							t.Errorf("nested path %s has no expectation", path)
						}
					}
				})
			})
		}
	})
}

// authzNestedQuery walks every edge from the roots down to the leaves; pages of
// 20 hold every row of the fixture and keep the query under the cost limit.
const authzNestedQuery = `{
  carriers(first: 20) { edges { node { id
    accounts(first: 20) { edges { node { id } } }
    contacts(first: 20) { edges { node { id raisedEscalations(first: 20) { edges { node { id } } } } } }
    orders(first: 20) { edges { node { id quote { id } } } }
  } } }
  accounts(first: 20) { edges { node { id
    carrier { id }
    assignments(first: 20) { edges { node { id rep { id } } } }
    quotes(first: 20) { edges { node { id owner { id }
      lineItems(first: 20) { edges { node { id } } }
      pricingRequests(first: 20) { edges { node { id requestedBy { id } } } }
      orders(first: 20) { edges { node { id } } }
      contracts(first: 20) { edges { node { id } } }
    } } }
    contracts(first: 20) { edges { node { id quote { id } } } }
    rfps(first: 20) { edges { node { id owner { id } } } }
    orders(first: 20) { edges { node { id quote { id } carrier { id } } } }
    businessReviews(first: 20) { edges { node { id } } }
    activities(first: 20) { edges { node { id rep { id } } } }
    escalations(first: 20) { edges { node { id owner { id }
      events(first: 20) { edges { node { id actorRep { id } } } }
    } } }
  } } }
  reps(first: 20) { edges { node { id
    team { id }
    assignments(first: 20) { edges { node { id account { id } } } }
    activities(first: 20) { edges { node { id } } }
    ownedQuotes(first: 20) { edges { node { id } } }
    ownedRfps(first: 20) { edges { node { id } } }
    ownedEscalations(first: 20) { edges { node { id } } }
    requestedPricing(first: 20) { edges { node { id } } }
  } } }
  teams(first: 20) { edges { node { id manager { id } members(first: 20) { edges { node { id } } } } } }
}`

// authzNestedFields maps each path of authzNestedQuery to the root field whose rules it obeys.
var authzNestedFields = map[string]string{
	"carriers":                                    "carriers",
	"carriers.accounts":                           "accounts",
	"carriers.contacts":                           "contacts",
	"carriers.contacts.raisedEscalations":         "escalations",
	"carriers.orders":                             "orders",
	"carriers.orders.quote":                       "quotes",
	"accounts":                                    "accounts",
	"accounts.carrier":                            "carriers",
	"accounts.assignments":                        "accountAssignments",
	"accounts.assignments.rep":                    "reps",
	"accounts.quotes":                             "quotes",
	"accounts.quotes.owner":                       "reps",
	"accounts.quotes.lineItems":                   "quoteLineItems",
	"accounts.quotes.pricingRequests":             "specialPricingRequests",
	"accounts.quotes.pricingRequests.requestedBy": "reps",
	"accounts.quotes.orders":                      "orders",
	"accounts.quotes.contracts":                   "contracts",
	"accounts.contracts":                          "contracts",
	"accounts.contracts.quote":                    "quotes",
	"accounts.rfps":                               "rfps",
	"accounts.rfps.owner":                         "reps",
	"accounts.orders":                             "orders",
	"accounts.orders.quote":                       "quotes",
	"accounts.orders.carrier":                     "carriers",
	"accounts.businessReviews":                    "businessReviews",
	"accounts.activities":                         "activities",
	"accounts.activities.rep":                     "reps",
	"accounts.escalations":                        "escalations",
	"accounts.escalations.owner":                  "reps",
	"accounts.escalations.events":                 "escalationEvents",
	"accounts.escalations.events.actorRep":        "reps",
	"reps":                                        "reps",
	"reps.team":                                   "teams",
	"reps.assignments":                            "accountAssignments",
	"reps.assignments.account":                    "accounts",
	"reps.activities":                             "activities",
	"reps.ownedQuotes":                            "quotes",
	"reps.ownedRfps":                              "rfps",
	"reps.ownedEscalations":                       "escalations",
	"reps.requestedPricing":                       "specialPricingRequests",
	"teams":                                       "teams",
	"teams.manager":                               "reps",
	"teams.members":                               "reps",
}

// authzNestedComplete are the paths that reach every row the viewer reads of
// their entity, so they must return exactly those; the others must return
// nothing else.
var authzNestedComplete = map[string]bool{
	"carriers": true, "carriers.accounts": true, "carriers.contacts": true, "carriers.orders": true,
	"accounts": true, "accounts.carrier": true, "accounts.assignments": true, "accounts.quotes": true,
	"accounts.quotes.lineItems": true, "accounts.quotes.pricingRequests": true, "accounts.contracts": true,
	"accounts.rfps": true, "accounts.orders": true, "accounts.businessReviews": true,
	"accounts.activities": true, "accounts.escalations": true, "accounts.escalations.events": true,
	"reps": true, "reps.assignments": true, "reps.activities": true, "reps.requestedPricing": true,
	"teams": true,
}

// collectNested records the IDs found at each path of a response: the nodes of
// a connection and single objects with an id, under the path of field names.
func collectNested(v any, path string, found map[string][]string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, val := range obj {
		switch child := val.(type) {
		case map[string]any:
			p := strings.TrimPrefix(path+"."+k, ".")
			if edges, ok := child["edges"].([]any); ok {
				if _, seen := found[p]; !seen {
					found[p] = nil // an empty connection is still a path walked
				}
				for _, e := range edges {
					node, _ := e.(map[string]any)["node"].(map[string]any)
					if id, ok := node["id"].(string); ok {
						found[p] = append(found[p], id)
					}
					collectNested(node, p, found)
				}
				continue
			}
			if id, ok := child["id"].(string); ok {
				found[p] = append(found[p], id)
			}
			collectNested(child, p, found)
		}
	}
}

// name describes a fixture ID for failure messages.
func (fx *authzFixture) name(id string) string {
	for _, m := range []struct {
		what string
		ids  map[string]string
	}{
		{"carrier", fx.carrier}, {"contact", fx.contact}, {"account", fx.account}, {"team", fx.team},
		{"rep", fx.rep}, {"draft quote", fx.draftQuote}, {"sent quote", fx.sentQuote},
		{"draft line", fx.draftLine}, {"sent line", fx.sentLine}, {"draft SPARC", fx.draftSparc},
		{"sent SPARC", fx.sentSparc}, {"contract", fx.contract}, {"RFP", fx.rfp}, {"order", fx.order},
		{"review", fx.review}, {"activity", fx.activity}, {"escalation", fx.escalation},
		{"internal event", fx.internalEvent}, {"public event", fx.publicEvent},
		{"ended assignment", fx.endedAssignment},
	} {
		for label, x := range m.ids {
			if x == id {
				return m.what + " " + label
			}
		}
	}
	for field, rs := range fx.rows {
		for _, r := range rs {
			if r.id == id {
				return fmt.Sprintf("%s %s of %s", field, id, or(r.account, r.carrier))
			}
		}
	}
	return id
}

func (fx *authzFixture) names(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fx.name(id)
	}
	return out
}

// authzMark is what one attempted write leaves behind if it lands: a text
// no other write uses, and an instant no other write uses.
type authzMark struct {
	text string
	at   time.Time
}

// authzEntity knows how to write one entity through the API, and how to tell
// from the database, past privacy, whether a write landed.
type authzEntity struct {
	typ string
	// create is the input of a create on target (an account or carrier label) by role.
	create func(fx *authzFixture, target string, role enum.Role, m authzMark) jsonObject
	// created reports whether a row carrying m exists.
	created func(ctx context.Context, c *ent.Client, m authzMark) bool
	// update is the record an update of target changes, and the input.
	update func(fx *authzFixture, target string, m authzMark) (string, jsonObject)
	// updated reports whether the record carries m.
	updated func(ctx context.Context, c *ent.Client, id string, m authzMark) bool
	// cleanup undoes a create that landed, so later roles meet the same database.
	cleanup func(ctx context.Context, c *ent.Client, m authzMark)
}

// actor is the rep a role's writes name as their own; the carrier user has none and borrows one.
func (fx *authzFixture) actor(role enum.Role) string {
	if role == enum.RoleCarrier {
		return fx.rep["SUPPORT"]
	}
	return fx.rep[string(role)]
}

func authzEntities() map[string]authzEntity {
	const amount = "100.00"
	return map[string]authzEntity{
		"Quote": {
			typ: "Quote",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"title": m.text, "termMonths": 12, "validUntil": fixtureDate(60), "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Quote.Query().Where(quote.Title(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.draftQuote[l], jsonObject{"title": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Quote.GetX(ctx, id).Title == m.text
			},
		},
		"QuoteLineItem": {
			typ: "QuoteLineItem",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"product": "ETHERNET", "aLocation": m.text, "mrc": amount, "quoteID": fx.draftQuote[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.QuoteLineItem.Query().Where(quotelineitem.ALocation(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.draftLine[l], jsonObject{"aLocation": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.QuoteLineItem.GetX(ctx, id).ALocation == m.text
			},
		},
		"SpecialPricingRequest": {
			typ: "SpecialPricingRequest",
			// The requester is not an input: it is the rep who creates the request.
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"justification": m.text, "requestedMrc": "80.00",
					"quoteID": fx.draftQuote[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.SpecialPricingRequest.Query().Where(specialpricingrequest.Justification(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.draftSparc[l], jsonObject{"justification": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.SpecialPricingRequest.GetX(ctx, id).Justification == m.text
			},
		},
		"Contract": {
			typ: "Contract",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"kind": "SERVICE_ORDER", "title": m.text, "startDate": fixtureDate(0), "endDate": fixtureDate(365),
					"termMonths": 12, "mrc": amount, "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Contract.Query().Where(contract.Title(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.contract[l], jsonObject{"title": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Contract.GetX(ctx, id).Title == m.text
			},
		},
		"RFP": {
			typ: "RFP",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"title": m.text, "receivedAt": fixtureTime(0), "dueAt": fixtureTime(30), "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.RFP.Query().Where(rfp.Title(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.rfp[l], jsonObject{"title": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.RFP.GetX(ctx, id).Title == m.text
			},
		},
		"Order": {
			typ: "Order",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"kind": "ASR", "pon": m.text, "desiredDueDate": fixtureDate(3680), "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Order.Query().Where(order.Pon(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.order[l], jsonObject{"circuitID": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Order.GetX(ctx, id).CircuitID == m.text
			},
		},
		"BusinessReview": {
			typ: "BusinessReview",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"quarter": "2026-Q3", "scheduledAt": fixtureTime(30), "agenda": m.text, "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.BusinessReview.Query().Where(businessreview.Agenda(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.review[l], jsonObject{"agenda": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.BusinessReview.GetX(ctx, id).Agenda == m.text
			},
		},
		"Activity": {
			typ: "Activity",
			create: func(fx *authzFixture, l string, role enum.Role, m authzMark) jsonObject {
				return jsonObject{"kind": "CALL", "occurredAt": fixtureTime(0), "summary": m.text, "accountID": fx.account[l], "repID": fx.actor(role)}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Activity.Query().Where(activity.Summary(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.activity[l], jsonObject{"summary": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Activity.GetX(ctx, id).Summary == m.text
			},
		},
		"Escalation": {
			typ: "Escalation",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"title": m.text, "category": "BILLING", "severity": "SEV3", "accountID": fx.account[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Escalation.Query().Where(escalation.Title(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.escalation[l], jsonObject{"title": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Escalation.GetX(ctx, id).Title == m.text
			},
		},
		"Account": {
			typ: "Account",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"accountNumber": m.text, "ban": "BAN-" + m.text, "name": m.text, "market": "Boston",
					"region": "NORTHEAST", "carrierID": fx.carrier[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Account.Query().Where(account.AccountNumber(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.account[l], jsonObject{"name": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Account.GetX(ctx, id).Name == m.text
			},
		},
		"Carrier": {
			typ: "Carrier",
			create: func(_ *authzFixture, _ string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"name": m.text, "ocn": m.text[1:], "ccna": strings.Map(func(r rune) rune { return 'A' + (r - '0') }, m.text[2:])}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Carrier.Query().Where(carrier.Name(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.carrier[l], jsonObject{"name": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Carrier.GetX(ctx, id).Name == m.text
			},
		},
		"Contact": {
			typ: "Contact",
			create: func(fx *authzFixture, l string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"name": m.text, "email": strings.ToLower(m.text) + "@carrier.example", "carrierID": fx.carrier[l]}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Contact.Query().Where(contact.Name(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.contact[l], jsonObject{"name": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Contact.GetX(ctx, id).Name == m.text
			},
		},
		"Rep": {
			typ: "Rep",
			create: func(_ *authzFixture, _ string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"name": m.text, "email": strings.ToLower(m.text) + "@authz.example", "role": "SUPPORT", "region": "WEST"}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Rep.Query().Where(rep.Name(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, key string, m authzMark) (string, jsonObject) {
				return fx.rep[key], jsonObject{"title": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Rep.GetX(ctx, id).Title == m.text
			},
		},
		"Team": {
			typ: "Team",
			create: func(_ *authzFixture, _ string, _ enum.Role, m authzMark) jsonObject {
				return jsonObject{"name": m.text, "region": "WEST"}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.Team.Query().Where(team.Name(m.text)).ExistX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.team[l], jsonObject{"name": m.text}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				return c.Team.GetX(ctx, id).Name == m.text
			},
		},
		// An assignment's target is "account rep capacity"; its mark is its start (create) or end (update).
		"AccountAssignment": {
			typ: "AccountAssignment",
			create: func(fx *authzFixture, target string, _ enum.Role, m authzMark) jsonObject {
				f := strings.Fields(target)
				return jsonObject{"accountID": fx.account[f[0]], "repID": fx.rep[f[1]], "capacity": f[2], "startedAt": m.at.Format(time.RFC3339)}
			},
			created: func(ctx context.Context, c *ent.Client, m authzMark) bool {
				return c.AccountAssignment.Query().Where(accountassignment.StartedAt(m.at)).ExistX(ctx)
			},
			cleanup: func(ctx context.Context, c *ent.Client, m authzMark) {
				c.AccountAssignment.Delete().Where(accountassignment.StartedAt(m.at)).ExecX(ctx)
			},
			update: func(fx *authzFixture, l string, m authzMark) (string, jsonObject) {
				return fx.endedAssignment[l], jsonObject{"endedAt": m.at.Format(time.RFC3339)}
			},
			updated: func(ctx context.Context, c *ent.Client, id string, m authzMark) bool {
				e := c.AccountAssignment.GetX(ctx, id).EndedAt
				return e != nil && e.Equal(m.at)
			},
		},
	}
}

// authzWriteCase is one row of the write matrix: an operation on a target and
// its outcome for each role, in the order of authzRoles.
type authzWriteCase struct {
	entity, op, target string
	want               [len(authzRoles)]string
}

// authzWriteCases states the write rules. Columns: ADMIN, MANAGER,
// ACCOUNT_EXECUTIVE, SUPPORT, STRATEGIC, ANALYST, CARRIER. A write the
// writer's role may not do at all gets FORBIDDEN (the role rules run first);
// a create naming a parent the writer cannot read gets BAD_USER_INPUT on that
// reference; an update of a record the writer cannot read gets NOT_FOUND.
func authzWriteCases() []authzWriteCase {
	const ok, nf, bad, fb = allowed, notFound, badInput, forbidden
	var cases []authzWriteCase
	// Everything under an account: reps write the accounts they hold, the
	// manager the team's and the unassigned ones, analysts and carriers nothing.
	underAccount := map[string][len(authzRoles)]string{
		"create A1": {ok, ok, ok, ok, bad, fb, fb},
		"create A2": {ok, ok, bad, bad, ok, fb, fb},
		"create A3": {ok, ok, bad, bad, bad, fb, fb},
		"create B1": {ok, bad, bad, bad, bad, fb, fb},
		"update A1": {ok, ok, ok, ok, nf, fb, fb},
		"update A2": {ok, ok, nf, nf, ok, fb, fb},
		"update A3": {ok, ok, nf, nf, nf, fb, fb},
		"update B1": {ok, nf, nf, nf, nf, fb, fb},
	}
	keys := []string{"create A1", "create A2", "create A3", "create B1", "update A1", "update A2", "update A3", "update B1"}
	for _, entity := range []string{"Quote", "QuoteLineItem", "SpecialPricingRequest", "Contract", "RFP", "Order", "BusinessReview", "Activity", "Escalation"} {
		for _, k := range keys {
			op, target, _ := strings.Cut(k, " ")
			want := underAccount[k]
			// The carrier user raises escalations on the carrier's own accounts, and changes none.
			if entity == "Escalation" && op == "create" {
				want[6] = map[string]string{"A1": ok, "A2": ok, "A3": ok, "B1": bad}[target]
			}
			cases = append(cases, authzWriteCase{entity, op, target, want})
		}
	}
	return append(cases, []authzWriteCase{
		{"Account", "create", "A", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Account", "update", "A1", [...]string{ok, ok, ok, ok, nf, fb, fb}},
		{"Account", "update", "A2", [...]string{ok, ok, nf, nf, ok, fb, fb}},
		{"Account", "update", "A3", [...]string{ok, ok, nf, nf, nf, fb, fb}},
		{"Account", "update", "B1", [...]string{ok, nf, nf, nf, nf, fb, fb}},
		{"Carrier", "create", "", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Carrier", "update", "A", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Carrier", "update", "B", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		// Contacts are carrier users' logins: only admins set them up.
		{"Contact", "create", "A", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Contact", "create", "B", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Contact", "update", "A", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Contact", "update", "B", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Rep", "create", "", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Rep", "update", "SUPPORT", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Team", "create", "", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"Team", "update", "A", [...]string{ok, ok, fb, fb, fb, fb, fb}},
		{"Team", "update", "B", [...]string{ok, nf, fb, fb, fb, fb, fb}},
		// The manager assigns the team's reps to the accounts the manager reads.
		{"AccountAssignment", "create", "A3 MANAGER ACCOUNT_EXECUTIVE", [...]string{ok, ok, fb, fb, fb, fb, fb}},
		{"AccountAssignment", "create", "A3 SUPPORT SUPPORT", [...]string{ok, ok, fb, fb, fb, fb, fb}},
		{"AccountAssignment", "create", "A1 OTHER STRATEGIC", [...]string{ok, fb, fb, fb, fb, fb, fb}},
		{"AccountAssignment", "create", "B1 SUPPORT STRATEGIC", [...]string{ok, bad, fb, fb, fb, fb, fb}},
		{"AccountAssignment", "update", "A3", [...]string{ok, ok, fb, fb, fb, fb, fb}},
		{"AccountAssignment", "update", "B1", [...]string{ok, nf, fb, fb, fb, fb, fb}},
	}...)
}

func TestRoleMatrixWrites(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newAuthzFixture(t, app)
		c := app.db.Client
		ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
		entities := authzEntities()
		base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		for ci, tc := range authzWriteCases() {
			e := entities[tc.entity]
			t.Run(fmt.Sprintf("%s %s %s", tc.entity, tc.op, tc.target), func(t *testing.T) {
				for ri, role := range authzRoles {
					m := authzMark{text: fmt.Sprintf("M%03d%d", ci, ri), at: base.Add(time.Duration(ci*10+ri) * time.Hour)}
					var (
						query  string
						vars   jsonObject
						landed func() bool
					)
					switch tc.op {
					case "create":
						query = fmt.Sprintf(`mutation($input: Create%[1]sInput!) { create%[1]s(input: $input) { id } }`, e.typ)
						vars = jsonObject{"input": e.create(fx, tc.target, role, m)}
						landed = func() bool { return e.created(ctx, c, m) }
					case "update":
						id, input := e.update(fx, tc.target, m)
						query = fmt.Sprintf(`mutation($id: ID!, $input: Update%[1]sInput!) { update%[1]s(id: $id, input: $input) { id } }`, e.typ)
						vars = jsonObject{"id": id, "input": input}
						landed = func() bool { return e.updated(ctx, c, id, m) }
					}
					if landed() {
						t.Fatalf("mark %s is already in the database", m.text)
					}
					res := app.as(fx.tokens[role]).do(t, query, vars)
					want := tc.want[ri]
					switch {
					case want == allowed && (len(res.Errors) > 0 || res.Status != http.StatusOK):
						t.Errorf("%s: want the write allowed, got %s", role, res.Raw)
					case want == allowed && !landed():
						t.Errorf("%s: the write answered %s but did not land", role, res.Raw)
					case want != allowed && res.Code() != want:
						t.Errorf("%s: want %s, got %s", role, want, res.Raw)
					case want != allowed && landed():
						t.Errorf("%s: the write was refused (%s) but landed", role, res.Code())
					case want != allowed && strings.Contains(string(res.Data), `"id"`):
						t.Errorf("%s: a refused write returned data: %s", role, res.Data)
					}
					for _, leak := range []string{"SQL", "sql:", "pq:", "constraint failed", "ent:", "privacy", ".go:"} {
						if strings.Contains(res.Raw, leak) {
							t.Errorf("%s: response leaks %q: %s", role, leak, res.Raw)
						}
					}
					if e.cleanup != nil && landed() {
						e.cleanup(ctx, c, m)
					}
				}
			})
		}
	})
}

// TestCarrierCannotReachOtherCarrier walks every path from carrier A's user to
// carrier B's data: root lists and their counts, filters naming B, nested
// edges, node and nodes with B's real IDs and with guessed ones.
func TestCarrierCannotReachOtherCarrier(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newAuthzFixture(t, app)
		carrierA := app.as(fx.tokens[enum.RoleCarrier])
		var bIDs []string
		for _, field := range authzRootFields {
			for _, r := range fx.rows[field] {
				if r.carrier == "B" {
					bIDs = append(bIDs, r.id)
				}
			}
		}
		if len(bIDs) < 20 {
			t.Fatalf("only %d records of carrier B", len(bIDs))
		}

		t.Run("root lists and counts", func(t *testing.T) {
			for _, field := range authzRootFields {
				for _, id := range rootIDs(t, carrierA, field, "", nil) {
					if slices.Contains(bIDs, id) {
						t.Errorf("%s lists %s", field, fx.name(id))
					}
				}
			}
		})

		// Each filter names carrier B; as admin it finds something, so it is a real probe.
		filters := []struct{ field, where string }{
			{"carriers", `{id: $b}`},
			{"carriers", `{ocn: $ocn}`},
			{"carriers", `{hasAccountsWith: [{accountNumber: $number}]}`},
			{"accounts", `{carrierID: $b}`},
			{"accounts", `{accountNumber: $number}`},
			{"accounts", `{idIn: [$b1]}`},
			{"accounts", `{hasCarrierWith: [{ocn: $ocn}]}`},
			{"contacts", `{carrierID: $b}`},
			{"quotes", `{hasAccountWith: [{hasCarrierWith: [{ocn: $ocn}]}]}`},
			{"quotes", `{hasAccountWith: [{id: $b1}]}`},
			{"quoteLineItems", `{hasQuoteWith: [{hasAccountWith: [{carrierID: $b}]}]}`},
			{"contracts", `{hasAccountWith: [{carrierID: $b}]}`},
			{"rfps", `{hasAccountWith: [{carrierID: $b}]}`},
			{"orders", `{carrierID: $b}`},
			{"orders", `{hasCarrierWith: [{ocn: $ocn}]}`},
			{"businessReviews", `{hasAccountWith: [{accountNumber: $number}]}`},
			{"escalations", `{hasAccountWith: [{carrierID: $b}]}`},
			{"escalationEvents", `{hasEscalationWith: [{hasAccountWith: [{carrierID: $b}]}]}`},
		}
		vars := jsonObject{"b": fx.carrier["B"], "ocn": fx.ocn["B"], "number": fx.accountNumber["B1"], "b1": fx.account["B1"]}
		t.Run("filters naming B", func(t *testing.T) {
			for _, f := range filters {
				used := jsonObject{}
				for name, v := range vars {
					if regexp.MustCompile(`\$` + name + `\b`).MatchString(f.where) {
						used[name] = v
					}
				}
				if got := rootIDs(t, app, f.field, f.where, used); len(got) == 0 {
					t.Errorf("as admin, %s(where: %s) finds nothing: not a probe", f.field, f.where)
				}
				if got := rootIDs(t, carrierA, f.field, f.where, used); len(got) != 0 {
					t.Errorf("%s(where: %s) finds %v", f.field, f.where, fx.names(got))
				}
			}
		})

		t.Run("nested edges", func(t *testing.T) {
			res := carrierA.do(t, authzNestedQuery, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("nested read failed: %s", res.Raw)
			}
			for _, id := range bIDs {
				if strings.Contains(res.Raw, id) {
					t.Errorf("nested read reaches %s", fx.name(id))
				}
			}
			// Nor anything internal of carrier A: reps, drafts, SPARCs, activities, internal comments.
			for _, id := range []string{fx.rep["SUPPORT"], fx.draftQuote["A1"], fx.sentSparc["A1"], fx.activity["A1"], fx.internalEvent["A1"]} {
				if strings.Contains(res.Raw, id) {
					t.Errorf("nested read reaches %s", fx.name(id))
				}
			}
			for _, text := range []string{fx.repName["SUPPORT"], "margin too thin"} {
				if strings.Contains(res.Raw, text) {
					t.Errorf("nested read shows %q", text)
				}
			}
			// From A's own records, the edges that lead to B's or to internal records come back empty or null.
			var out struct {
				Node struct {
					Carrier struct {
						Accounts struct{ TotalCount int }
						Orders   struct{ TotalCount int }
					}
					Orders struct {
						Edges []struct {
							Node struct{ Quote *struct{ ID string } }
						}
					}
					Escalations struct {
						Edges []struct {
							Node struct {
								Owner  *struct{ ID string }
								Events struct{ TotalCount int }
							}
						}
					}
				}
			}
			carrierA.ok(t, `query($id: ID!, $b: ID!) { node(id: $id) { ... on Account {
				carrier { accounts(where: {carrierID: $b}) { totalCount } orders(where: {carrierID: $b}) { totalCount } }
				orders { edges { node { quote { id } } } }
				escalations { edges { node { owner { id } events(where: {internal: true}) { totalCount } } } }
			} } }`, jsonObject{"id": fx.account["A1"], "b": fx.carrier["B"]}, &out)
			n := out.Node
			if n.Carrier.Accounts.TotalCount != 0 || n.Carrier.Orders.TotalCount != 0 {
				t.Errorf("carrier A's edges reach B: %+v", n.Carrier)
			}
			if len(n.Orders.Edges) != 1 || n.Orders.Edges[0].Node.Quote != nil {
				t.Errorf("order's draft quote is readable: %+v", n.Orders)
			}
			if len(n.Escalations.Edges) != 1 || n.Escalations.Edges[0].Node.Owner != nil || n.Escalations.Edges[0].Node.Events.TotalCount != 0 {
				t.Errorf("escalation shows its owner or internal events: %+v", n.Escalations)
			}
		})

		t.Run("node with B's IDs", func(t *testing.T) {
			for _, id := range bIDs {
				res := carrierA.do(t, `query($id: ID!) { node(id: $id) { id } }`, jsonObject{"id": id})
				if res.Code() != notFound || string(res.Data) != `{"node":null}` {
					t.Errorf("node(%s): %s", fx.name(id), res.Raw)
				}
			}
		})

		t.Run("node with guessed IDs", func(t *testing.T) {
			for _, id := range []string{changeLastChar(fx.account["B1"]), changeLastChar(fx.account["A1"]), "acc_" + strings.Repeat("0", 26), fx.account["B1"][:10]} {
				res := carrierA.do(t, `query($id: ID!) { node(id: $id) { id } }`, jsonObject{"id": id})
				if res.Code() != notFound || string(res.Data) != `{"node":null}` {
					t.Errorf("node(%s): %s", id, res.Raw)
				}
			}
		})

		t.Run("nodes with B's IDs", func(t *testing.T) {
			res := carrierA.do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, jsonObject{"ids": bIDs})
			want := "{\"nodes\":[" + strings.TrimSuffix(strings.Repeat("null,", len(bIDs)), ",") + "]}"
			if string(res.Data) != want || len(res.Errors) != len(bIDs) {
				t.Errorf("nodes: %s", res.Raw)
			}
			for _, e := range res.Errors {
				if e.Extensions["code"] != notFound {
					t.Errorf("nodes error %+v", e)
				}
			}
		})
	})
}

// TestCarrierFilterProbes checks that a relation filter cannot test for rows
// the viewer may not read: each probe counts nothing for the viewer, though
// the rows it probes for exist (the admin's count shows it).
func TestCarrierFilterProbes(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newAuthzFixture(t, app)
		probes := []struct {
			role         enum.Role
			field, where string
			vars         jsonObject
		}{
			{enum.RoleCarrier, "escalations", `{hasEventsWith: [{internal: true}]}`, nil},
			{enum.RoleCarrier, "quotes", `{hasPricingRequestsWith: [{}]}`, nil},
			{enum.RoleCarrier, "quotes", `{hasOwnerWith: [{}]}`, nil},
			{enum.RoleCarrier, "quotes", `{hasAccountWith: [{hasActivitiesWith: [{}]}]}`, nil},
			{enum.RoleCarrier, "accounts", `{hasActivitiesWith: [{}]}`, nil},
			{enum.RoleCarrier, "accounts", `{hasAssignmentsWith: [{}]}`, nil},
			{enum.RoleCarrier, "accounts", `{hasQuotesWith: [{sentAtIsNil: true}]}`, nil},
			{enum.RoleCarrier, "accounts", `{hasEscalationsWith: [{hasEventsWith: [{internal: true}]}]}`, nil},
			{enum.RoleCarrier, "escalations", `{hasOwnerWith: [{name: $name}]}`, jsonObject{"name": fx.repName["SUPPORT"]}},
			{enum.RoleCarrier, "orders", `{hasQuoteWith: [{sentAtIsNil: true}]}`, nil},
			{enum.RoleCarrier, "contracts", `{hasQuoteWith: [{status: DRAFT}]}`, nil},
			{enum.RoleSupport, "carriers", `{hasAccountsWith: [{accountNumber: $number}]}`, jsonObject{"number": fx.accountNumber["A2"]}},
			{enum.RoleSupport, "carriers", `{hasAccountsWith: [{accountNumber: $number}]}`, jsonObject{"number": fx.accountNumber["A3"]}},
			{enum.RoleSupport, "reps", `{hasAssignmentsWith: [{hasAccountWith: [{accountNumber: $number}]}]}`, jsonObject{"number": fx.accountNumber["A2"]}},
			{enum.RoleStrategic, "reps", `{hasActivitiesWith: [{hasAccountWith: [{accountNumber: $number}]}]}`, jsonObject{"number": fx.accountNumber["A1"]}},
			{enum.RoleManager, "carriers", `{hasAccountsWith: [{accountNumber: $number}]}`, jsonObject{"number": fx.accountNumber["B1"]}},
		}
		for _, p := range probes {
			t.Run(fmt.Sprintf("%s %s %s", p.role, p.field, p.where), func(t *testing.T) {
				q := fmt.Sprintf(`query%s { %s(where: %s) { totalCount } }`, authzVarDecls(p.vars), p.field, p.where)
				count := func(a *testApp) int {
					var out map[string]struct{ TotalCount int }
					a.ok(t, q, p.vars, &out)
					return out[p.field].TotalCount
				}
				if count(app) == 0 {
					t.Fatalf("as admin the probe finds nothing: it proves nothing")
				}
				if n := count(app.as(fx.tokens[p.role])); n != 0 {
					t.Errorf("as %s the probe counts %d, want 0", p.role, n)
				}
			})
		}
		// The same filter on what the rep does hold still works.
		var out struct{ Carriers struct{ TotalCount int } }
		app.as(fx.tokens[enum.RoleSupport]).ok(t, `query($n: String!) { carriers(where: {hasAccountsWith: [{accountNumber: $n}]}) { totalCount } }`,
			jsonObject{"n": fx.accountNumber["A1"]}, &out)
		if out.Carriers.TotalCount != 1 {
			t.Errorf("the support rep's own account finds %d carriers, want 1", out.Carriers.TotalCount)
		}
	})
}

func TestAuthzIntrospection(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newAuthzFixture(t, app)
		for _, role := range authzRoles {
			t.Run(string(role), func(t *testing.T) {
				as := app.as(fx.tokens[role])
				for _, q := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Quote") { name fields { name } } }`} {
					res := as.do(t, q, nil)
					if role != enum.RoleCarrier {
						if len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"name":"Q`) {
							t.Errorf("%s: %s", q, res.Raw)
						}
						continue
					}
					// Refused as what it is, not as an internal error.
					if len(res.Errors) == 0 || res.Code() != "FORBIDDEN" || res.Status >= 500 ||
						strings.Contains(string(res.Data), `"name":"Q`) {
						t.Errorf("carrier introspects %s: %s", q, res.Raw)
					}
				}
			})
		}
	})
}

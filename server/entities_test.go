package main

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/privacy"
)

// This file drives every entity through the real handler on both databases:
// create, read (node and root connection), update, filter (also across
// relations), multi-field order and cursor pagination; node/nodes for every
// type; and the validation and constraint errors a client can run into.

// jsonObject is a GraphQL input or a node, as a client sends and receives it.
type jsonObject = map[string]any

// entityRecords is how many records each entity test creates: three pages of
// two, with ties on the first sort key.
const entityRecords = 5

// fixtureTime is a fixed instant moved by days, as the RFC 3339 UTC text a client sends.
func fixtureTime(days int) string {
	return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC).AddDate(0, 0, days).Format(time.RFC3339)
}

// fixtureDate is the calendar day fixtureTime(days) falls on, as the Date
// scalar spells it.
func fixtureDate(days int) string {
	return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days).Format(time.DateOnly)
}

// globalID is what every ID on the wire looks like: a type prefix and 26 base32 characters.
var globalID = regexp.MustCompile(`^[a-z]{3}_[0-9abcdefghjkmnpqrstvwxyz]{26}$`)

// accountFixture is the carrier -> account chain, with reps, a team, quotes and
// escalations, that the entity tests build on. There are two of most things, A
// and B, so that a filter across a relation has something to leave out.
type accountFixture struct {
	carrierA, carrierB       string
	ocnB                     string
	accountA, accountB       string
	accountNumberB           string
	team, teamName           string
	repA, repB, repC         string
	repEmailB                string
	quoteA, quoteB           string
	escalationA, escalationB string
}

func createAccountFixture(t *testing.T, app *testApp) *accountFixture {
	t.Helper()
	fx := &accountFixture{
		ocnB:           "1B00",
		accountNumberB: "FXB-0001",
		teamName:       "Fixture Team",
		repEmailB:      "fixture.b@carrierdesk.example",
	}
	fx.carrierA = createEntity(t, app, "Carrier", jsonObject{"name": "Fixture Carrier A", "ocn": "1A00", "ccna": "FXA"})
	fx.carrierB = createEntity(t, app, "Carrier", jsonObject{"name": "Fixture Carrier B", "ocn": fx.ocnB, "ccna": "FXB"})
	fx.accountA = createEntity(t, app, "Account", jsonObject{
		"accountNumber": "FXA-0001", "ban": "FXA-BAN", "name": "Fixture Account A",
		"market": "Boston", "region": "NORTHEAST", "carrierID": fx.carrierA,
	})
	fx.accountB = createEntity(t, app, "Account", jsonObject{
		"accountNumber": fx.accountNumberB, "ban": "FXB-BAN", "name": "Fixture Account B",
		"market": "Atlanta", "region": "SOUTHEAST", "carrierID": fx.carrierB,
	})
	fx.team = createEntity(t, app, "Team", jsonObject{"name": fx.teamName, "region": "NORTHEAST"})
	fx.repA = createEntity(t, app, "Rep", jsonObject{
		"name": "Fixture Rep A", "email": "fixture.a@carrierdesk.example",
		"role": "MANAGER", "region": "NORTHEAST", "teamID": fx.team,
	})
	fx.repB = createEntity(t, app, "Rep", jsonObject{
		"name": "Fixture Rep B", "email": fx.repEmailB, "role": "ACCOUNT_EXECUTIVE", "region": "SOUTHEAST",
	})
	fx.repC = createEntity(t, app, "Rep", jsonObject{
		"name": "Fixture Rep C", "email": "fixture.c@carrierdesk.example", "role": "STRATEGIC", "region": "SOUTHEAST",
	})
	app.ok(t, `mutation($id: ID!, $manager: ID!) { updateTeam(id: $id, input: {managerID: $manager}) { id } }`,
		jsonObject{"id": fx.team, "manager": fx.repA}, nil)
	fx.quoteA = createEntity(t, app, "Quote", jsonObject{
		"title": "Fixture Quote A", "termMonths": 24, "validUntil": fixtureDate(90), "accountID": fx.accountA,
	})
	fx.quoteB = createEntity(t, app, "Quote", jsonObject{
		"title": "Fixture Quote B", "termMonths": 36, "validUntil": fixtureDate(90), "accountID": fx.accountB,
	})
	// A line each, so that special prices can be asked below their MRC (issue 11).
	for _, q := range []string{fx.quoteA, fx.quoteB} {
		createEntity(t, app, "QuoteLineItem", jsonObject{"product": "WAVELENGTH", "aLocation": "1 Fixture Way", "mrc": "5000.00", "quoteID": q})
	}
	fx.escalationA = createEntity(t, app, "Escalation", jsonObject{
		"title": "Fixture Escalation A", "category": "OTHER", "severity": "SEV3", "accountID": fx.accountA,
	})
	fx.escalationB = createEntity(t, app, "Escalation", jsonObject{
		"title": "Fixture Escalation B", "category": "OTHER", "severity": "SEV4", "accountID": fx.accountB,
	})
	return fx
}

// pick returns b for the records that belong to "B" (every third, from the second) and a otherwise.
func pick(i int, a, b string) string {
	if i%3 == 1 {
		return b
	}
	return a
}

// createEntity runs createX with input and returns the new record's ID.
func createEntity(t testing.TB, app *testApp, typ string, input jsonObject) string {
	t.Helper()
	var out map[string]struct{ ID string }
	app.ok(t, fmt.Sprintf(`mutation($input: Create%[1]sInput!) { create%[1]s(input: $input) { id } }`, typ),
		jsonObject{"input": input}, &out)
	id := out["create"+typ].ID
	if !globalID.MatchString(id) {
		t.Fatalf("create%s returned ID %q", typ, id)
	}
	return id
}

// orderKey is one term of a multi-field orderBy, and how to compare its values.
type orderKey struct {
	enum  string // the OrderField value, such as TERM_MONTHS
	field string // the node field it sorts on, such as termMonths
	kind  string // string, int, money or time
	desc  bool
}

// entityFilter is a where input and the rule, on a node, it stands for.
type entityFilter struct {
	name  string
	where func(fx *accountFixture) jsonObject
	want  func(fx *accountFixture, node jsonObject) bool
}

// entitySpec describes one entity for the generic create/read/update/filter/order/paginate test.
type entitySpec struct {
	typ, root string // GraphQL type and root connection field
	fields    string // the selection read back everywhere; scalars only
	// input is the create input of the i-th record.
	input func(fx *accountFixture, i int) jsonObject
	// insert writes the i-th record without GraphQL (for types without a create
	// mutation) and returns its ID and the API values it must read back with.
	insert func(t *testing.T, app *testApp, fx *accountFixture, i int) (string, jsonObject)
	// check asserts what else a created record must show.
	check   func(t *testing.T, fx *accountFixture, node jsonObject)
	update  jsonObject // update input applied to the first record; nil when not editable
	changed string     // a field the update changes
	kept    string     // a field the update must leave alone
	order   []orderKey
	filters []entityFilter
}

func entitySpecs() []entitySpec {
	onAccountB := func(fx *accountFixture, n jsonObject) bool { return n["accountID"] == fx.accountB }
	accountOfCarrierB := func(fx *accountFixture) jsonObject {
		return jsonObject{"hasAccountWith": []jsonObject{{"hasCarrierWith": []jsonObject{{"ocn": fx.ocnB}}}}}
	}
	relationFilter := entityFilter{"account's carrier has OCN", accountOfCarrierB, onAccountB}
	return []entitySpec{
		{
			typ: "Carrier", root: "carriers",
			fields: "id createdAt updatedAt name ocn ccna tier status",
			input: func(_ *accountFixture, i int) jsonObject {
				return jsonObject{
					"name": fmt.Sprintf("Carrier %c", 'E'-i), "ocn": fmt.Sprintf("7%03d", i),
					"ccna": fmt.Sprintf("Q%c%c", 'A'+i, 'A'+i), "tier": []string{"TIER_1", "TIER_3"}[i%2],
				}
			},
			update:  jsonObject{"name": "Carrier Renamed", "tier": "TIER_2"},
			changed: "name", kept: "ocn",
			order: []orderKey{{"TIER", "tier", "string", true}, {"NAME", "name", "string", false}},
			filters: []entityFilter{
				{"has account with number",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasAccountsWith": []jsonObject{{"accountNumber": fx.accountNumberB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["id"] == fx.carrierB }},
				{"tier in", func(*accountFixture) jsonObject { return jsonObject{"tierIn": []string{"TIER_1"}} },
					func(_ *accountFixture, n jsonObject) bool { return n["tier"] == "TIER_1" }},
			},
		},
		{
			typ: "Contact", root: "contacts",
			fields: "id createdAt updatedAt carrierID name email phone title active",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"name": []string{"Pat Lee", "Ann Roe"}[i%2], "email": fmt.Sprintf("contact%d@carrier.example", 5-i),
					"phone": fmt.Sprintf("+1 214 555 01%02d", i), "carrierID": pick(i, fx.carrierA, fx.carrierB),
				}
			},
			update:  jsonObject{"title": "Director, Provisioning", "active": false},
			changed: "title", kept: "email",
			order: []orderKey{{"NAME", "name", "string", true}, {"EMAIL", "email", "string", false}},
			filters: []entityFilter{
				{"carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasCarrierWith": []jsonObject{{"ocn": fx.ocnB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["carrierID"] == fx.carrierB }},
				{"name contains", func(*accountFixture) jsonObject { return jsonObject{"nameContains": "Pat"} },
					func(_ *accountFixture, n jsonObject) bool { return strings.Contains(n["name"].(string), "Pat") }},
			},
		},
		{
			typ: "Account", root: "accounts",
			fields: "id createdAt updatedAt carrierID accountNumber ban name market region status mrr currency",
			input: func(fx *accountFixture, i int) jsonObject {
				carrier := fx.carrierA
				if i >= 3 {
					carrier = fx.carrierB
				}
				return jsonObject{
					"accountNumber": fmt.Sprintf("ACC-%04d", 9000+i), "ban": fmt.Sprintf("BAN-%04d", i),
					"name": fmt.Sprintf("Account %d", i), "market": "Dallas-Fort Worth",
					"region": []string{"WEST", "MIDWEST"}[i%2], "carrierID": carrier,
				}
			},
			// MRR is derived from active contracts, not an input (issue 11).
			update:  jsonObject{"name": "Account renamed", "market": "Houston"},
			changed: "market", kept: "accountNumber",
			order: []orderKey{{"REGION", "region", "string", false}, {"MRR", "mrr", "money", true}},
			filters: []entityFilter{
				{"carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasCarrierWith": []jsonObject{{"ocn": fx.ocnB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["carrierID"] == fx.carrierB }},
				{"region", func(*accountFixture) jsonObject { return jsonObject{"region": "WEST"} },
					func(_ *accountFixture, n jsonObject) bool { return n["region"] == "WEST" }},
			},
		},
		{
			typ: "Rep", root: "reps",
			fields: "id createdAt updatedAt name email role region title phone teamID active",
			input: func(fx *accountFixture, i int) jsonObject {
				in := jsonObject{
					"name": fmt.Sprintf("Rep %c", 'E'-i), "email": fmt.Sprintf("rep%d@carrierdesk.example", i),
					"role": []string{"SUPPORT", "STRATEGIC"}[i%2], "region": "WEST",
				}
				if i%2 == 0 {
					in["teamID"] = fx.team
				}
				return in
			},
			update:  jsonObject{"title": "Senior Support Manager", "phone": "+1 972 555 0100"},
			changed: "title", kept: "email",
			order: []orderKey{{"ROLE", "role", "string", false}, {"NAME", "name", "string", true}},
			filters: []entityFilter{
				{"team has name",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasTeamWith": []jsonObject{{"name": fx.teamName}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["teamID"] == fx.team }},
				{"role is", func(*accountFixture) jsonObject { return jsonObject{"role": "STRATEGIC"} },
					func(_ *accountFixture, n jsonObject) bool { return n["role"] == "STRATEGIC" }},
			},
		},
		{
			typ: "Team", root: "teams",
			fields: "id createdAt updatedAt name region managerID",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"name": fmt.Sprintf("Team %c", 'E'-i), "region": []string{"WEST", "SOUTHEAST"}[i%2],
					"managerID": pick(i, fx.repA, fx.repB),
				}
			},
			update:  jsonObject{"name": "Team Renamed"},
			changed: "name", kept: "region",
			order: []orderKey{{"REGION", "region", "string", true}, {"NAME", "name", "string", false}},
			filters: []entityFilter{
				{"manager has email",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasManagerWith": []jsonObject{{"email": fx.repEmailB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["managerID"] == fx.repB }},
				{"region is", func(*accountFixture) jsonObject { return jsonObject{"region": "WEST"} },
					func(_ *accountFixture, n jsonObject) bool { return n["region"] == "WEST" }},
			},
		},
		{
			typ: "AccountAssignment", root: "accountAssignments",
			fields: "id createdAt updatedAt accountID repID capacity startedAt endedAt",
			input: func(fx *accountFixture, i int) jsonObject {
				slots := []struct{ account, capacity, rep string }{
					{fx.accountA, "SUPPORT", fx.repA}, {fx.accountB, "STRATEGIC", fx.repB}, {fx.accountA, "STRATEGIC", fx.repB},
					{fx.accountA, "ACCOUNT_EXECUTIVE", fx.repC}, {fx.accountB, "SUPPORT", fx.repA},
				}
				return jsonObject{
					"accountID": slots[i].account, "capacity": slots[i].capacity,
					"repID": slots[i].rep, "startedAt": fixtureTime(10*i - 100),
				}
			},
			update:  jsonObject{"endedAt": fixtureTime(30)},
			changed: "endedAt", kept: "capacity",
			order: []orderKey{{"CAPACITY", "capacity", "string", false}, {"STARTED_AT", "startedAt", "time", true}},
			filters: []entityFilter{
				relationFilter,
				{"still open", func(*accountFixture) jsonObject { return jsonObject{"endedAtIsNil": true} },
					func(_ *accountFixture, n jsonObject) bool { return n["endedAt"] == nil }},
			},
		},
		{
			typ: "Quote", root: "quotes",
			fields: "id createdAt updatedAt accountID title status termMonths currency mrc nrc tcv validUntil followUpOn ownerID rfpID sentAt",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"title": fmt.Sprintf("Quote %c", 'E'-i), "termMonths": []int{36, 12}[i%2],
					"validUntil": fixtureDate(30 + i), "followUpOn": fixtureDate(7),
					"accountID": pick(i, fx.accountA, fx.accountB), "ownerID": fx.repA,
				}
			},
			check: func(t *testing.T, _ *accountFixture, n jsonObject) {
				if n["status"] != "DRAFT" || n["mrc"] != "0.00" || n["tcv"] != "0.00" {
					t.Errorf("a new quote is a DRAFT with no charges: %v", n)
				}
			},
			update:  jsonObject{"title": "Quote Revised", "termMonths": 60},
			changed: "termMonths", kept: "validUntil",
			order: []orderKey{{"TERM_MONTHS", "termMonths", "int", true}, {"TITLE", "title", "string", false}},
			filters: []entityFilter{
				relationFilter,
				{"term at least", func(*accountFixture) jsonObject { return jsonObject{"termMonthsGTE": 30} },
					func(_ *accountFixture, n jsonObject) bool { return n["termMonths"].(float64) >= 30 }},
			},
		},
		{
			typ: "QuoteLineItem", root: "quoteLineItems",
			fields: "id createdAt updatedAt quoteID product bandwidth aLocation aClli zLocation zClli mrc nrc quantity",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"product": []string{"ETHERNET", "WAVELENGTH"}[i%2], "bandwidth": "10 Gbps",
					"aLocation": fmt.Sprintf("%d Main St, Dallas TX", 100+i), "aClli": "DLLSTXJA0D1",
					"zLocation": "2323 Bryan St, Dallas TX", "mrc": fmt.Sprintf("%d.25", 500*(i+1)),
					"nrc": "100.00", "quantity": i + 1, "quoteID": pick(i, fx.quoteA, fx.quoteB),
				}
			},
			update:  jsonObject{"quantity": 7, "bandwidth": "100 Gbps"},
			changed: "quantity", kept: "mrc",
			order: []orderKey{{"PRODUCT", "product", "string", false}, {"MRC", "mrc", "money", true}},
			filters: []entityFilter{
				{"quote's account's carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasQuoteWith": []jsonObject{accountOfCarrierB(fx)}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["quoteID"] == fx.quoteB }},
				{"product in", func(*accountFixture) jsonObject { return jsonObject{"productIn": []string{"WAVELENGTH"}} },
					func(_ *accountFixture, n jsonObject) bool { return n["product"] == "WAVELENGTH" }},
			},
		},
		{
			typ: "SpecialPricingRequest", root: "specialPricingRequests",
			fields: "id createdAt updatedAt quoteID requestedByID status justification standardMrc requestedMrc approvedMrc decidedByID decisionReason submittedAt responseDueAt decidedAt",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"justification": fmt.Sprintf("Competitive bid %d", i),
					"requestedMrc":  fmt.Sprintf("%d.00", 1000+100*i), "quoteID": pick(i, fx.quoteA, fx.quoteB),
				}
			},
			update:  jsonObject{"justification": "Matching a competitor's written offer"},
			changed: "justification", kept: "standardMrc",
			order: []orderKey{{"STATUS", "status", "string", false}, {"REQUESTED_MRC", "requestedMrc", "money", true}},
			filters: []entityFilter{
				{"quote's account's carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasQuoteWith": []jsonObject{accountOfCarrierB(fx)}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["quoteID"] == fx.quoteB }},
			},
		},
		{
			typ: "Contract", root: "contracts",
			fields: "id createdAt updatedAt accountID kind title status startDate endDate termMonths mrc nrc tcv autoRenew noticeDays masterID coTermed quoteID renewalOfID",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"kind": []string{"MASTER_AGREEMENT", "SERVICE_ORDER"}[i%2], "title": fmt.Sprintf("Contract %d", i),
					"startDate": fixtureDate(0), "endDate": fixtureDate(365 + 30*i), "termMonths": 12 + i,
					"mrc": fmt.Sprintf("%d.00", 2000+i), "nrc": "500.00", "autoRenew": i%2 == 0, "noticeDays": 90,
					"accountID": pick(i, fx.accountA, fx.accountB),
				}
			},
			check: func(t *testing.T, _ *accountFixture, n jsonObject) {
				if n["status"] != "DRAFT" {
					t.Errorf("a new contract is a DRAFT: %v", n)
				}
			},
			update:  jsonObject{"mrc": "2500.00", "noticeDays": 30},
			changed: "mrc", kept: "title",
			order: []orderKey{{"KIND", "kind", "string", false}, {"END_DATE", "endDate", "date", true}},
			filters: []entityFilter{
				relationFilter,
				{"auto-renewing", func(*accountFixture) jsonObject { return jsonObject{"autoRenew": true} },
					func(_ *accountFixture, n jsonObject) bool { return n["autoRenew"] == true }},
			},
		},
		{
			typ: "RFP", root: "rfps",
			fields: "id createdAt updatedAt accountID title status receivedAt dueAt estimatedValue ownerID",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"title": fmt.Sprintf("RFP %c", 'E'-i), "receivedAt": fixtureTime(-10), "dueAt": fixtureTime(20 + i),
					"estimatedValue": []string{"250000.00", "90000.00"}[i%2],
					"accountID":      pick(i, fx.accountA, fx.accountB), "ownerID": fx.repA,
				}
			},
			update:  jsonObject{"title": "RFP Renamed", "dueAt": fixtureTime(60)},
			changed: "dueAt", kept: "receivedAt",
			order: []orderKey{{"ESTIMATED_VALUE", "estimatedValue", "money", true}, {"TITLE", "title", "string", false}},
			filters: []entityFilter{
				relationFilter,
				{"value at least", func(*accountFixture) jsonObject { return jsonObject{"estimatedValueGTE": "100000.00"} },
					func(_ *accountFixture, n jsonObject) bool { return moneyCents(n["estimatedValue"]) >= 10000000 }},
			},
		},
		{
			typ: "Order", root: "orders",
			fields: "id createdAt updatedAt accountID carrierID kind pon status desiredDueDate focDate confirmedDueDate completedAt circuitID tnCount quoteID",
			input: func(fx *accountFixture, i int) jsonObject {
				in := jsonObject{
					"kind": []string{"ASR", "LSR"}[i%2], "pon": fmt.Sprintf("PON-%03d", i),
					"desiredDueDate": fixtureDate(3650 + 14 + i), "accountID": pick(i, fx.accountA, fx.accountB),
				}
				if i%2 == 0 {
					in["circuitID"] = fmt.Sprintf("12.KXFU.12345%d..SW", i)
				} else {
					in["tnCount"] = 25
				}
				return in
			},
			check: func(t *testing.T, fx *accountFixture, n jsonObject) {
				want := fx.carrierA
				if n["accountID"] == fx.accountB {
					want = fx.carrierB
				}
				if n["carrierID"] != want || n["status"] != "DRAFT" {
					t.Errorf("an order is a DRAFT of its account's carrier %s: %v", want, n)
				}
			},
			update:  jsonObject{"circuitID": "13.KXFU.000001..SW"},
			changed: "circuitID", kept: "pon",
			order: []orderKey{{"KIND", "kind", "string", false}, {"PON", "pon", "string", true}},
			filters: []entityFilter{
				{"carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasCarrierWith": []jsonObject{{"ocn": fx.ocnB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["carrierID"] == fx.carrierB }},
				relationFilter,
				{"kind in", func(*accountFixture) jsonObject { return jsonObject{"kindIn": []string{"LSR"}} },
					func(_ *accountFixture, n jsonObject) bool { return n["kind"] == "LSR" }},
			},
		},
		{
			typ: "BusinessReview", root: "businessReviews",
			fields: "id createdAt updatedAt accountID quarter status scheduledAt attendees agenda outcomes",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"quarter": []string{"2026-Q1", "2026-Q2"}[i%2], "scheduledAt": fixtureTime(7 * i),
					"attendees": []string{"Pat Lee", "Ann Roe"}, "agenda": "MRC trend; open quotes; renewals",
					"accountID": pick(i, fx.accountA, fx.accountB),
				}
			},
			update:  jsonObject{"outcomes": "Agreed on a 10G upgrade", "agenda": "MRC trend"},
			changed: "outcomes", kept: "quarter",
			order: []orderKey{{"QUARTER", "quarter", "string", true}, {"SCHEDULED_AT", "scheduledAt", "time", false}},
			filters: []entityFilter{
				relationFilter,
				{"quarter is", func(*accountFixture) jsonObject { return jsonObject{"quarter": "2026-Q2"} },
					func(_ *accountFixture, n jsonObject) bool { return n["quarter"] == "2026-Q2" }},
			},
		},
		{
			typ: "Activity", root: "activities",
			fields: "id createdAt updatedAt accountID repID kind occurredAt location summary",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"kind": []string{"CALL", "MEETING"}[i%2], "occurredAt": fixtureTime(i), "location": "Dallas, TX",
					"summary": fmt.Sprintf("Discussed renewal %d", i), "accountID": pick(i, fx.accountA, fx.accountB),
					"repID": []string{fx.repA, fx.repB}[i%2],
				}
			},
			update:  jsonObject{"summary": "Rescheduled the QBR"},
			changed: "summary", kept: "kind",
			order: []orderKey{{"KIND", "kind", "string", false}, {"OCCURRED_AT", "occurredAt", "time", true}},
			filters: []entityFilter{
				relationFilter,
				{"rep has email",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasRepWith": []jsonObject{{"email": fx.repEmailB}}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["repID"] == fx.repB }},
			},
		},
		{
			typ: "Escalation", root: "escalations",
			fields: "id createdAt updatedAt accountID title description category severity status level ownerID raisedByRepID raisedByContactID responseDueAt resolutionDueAt acknowledgedAt resolvedAt closedAt",
			input: func(fx *accountFixture, i int) jsonObject {
				return jsonObject{
					"title": fmt.Sprintf("Escalation %d", i), "description": "Circuit bouncing since 02:00",
					"category": []string{"BILLING", "SERVICE_ASSURANCE"}[i%2], "severity": []string{"SEV2", "SEV1"}[i%2],
					"accountID": pick(i, fx.accountA, fx.accountB), "ownerID": fx.repA,
				}
			},
			check: func(t *testing.T, _ *accountFixture, n jsonObject) {
				if n["status"] != "OPEN" || n["level"] != "REP" {
					t.Errorf("a new escalation is OPEN at level REP: %v", n)
				}
			},
			update:  jsonObject{"description": "Now affecting 3 circuits", "category": "ORDER"},
			changed: "description", kept: "severity",
			order: []orderKey{{"SEVERITY", "severity", "string", false}, {"TITLE", "title", "string", true}},
			filters: []entityFilter{
				relationFilter,
				{"severity in", func(*accountFixture) jsonObject { return jsonObject{"severityIn": []string{"SEV1"}} },
					func(_ *accountFixture, n jsonObject) bool { return n["severity"] == "SEV1" }},
			},
		},
		{
			typ: "EscalationEvent", root: "escalationEvents",
			fields: "id createdAt updatedAt escalationID kind internal body fromValue toValue actorRepID actorContactID",
			insert: func(t *testing.T, app *testApp, fx *accountFixture, i int) (string, jsonObject) {
				kind := []escalationevent.Kind{escalationevent.KindComment, escalationevent.KindStatusChange}[i%2]
				escalation := pick(i, fx.escalationA, fx.escalationB)
				body := fmt.Sprintf("Update %d from the field team", i)
				e, err := app.db.Client.EscalationEvent.Create().
					SetEscalationID(escalation).
					SetKind(kind).
					SetInternal(i%2 == 0).
					SetBody(body).
					SetActorRepID(fx.repA).
					Save(privacy.DecisionContext(context.Background(), privacy.Allow))
				if err != nil {
					t.Fatalf("writing an escalation event: %v", err)
				}
				return e.ID, jsonObject{
					"escalationID": escalation, "kind": string(kind), "internal": i%2 == 0,
					"body": body, "actorRepID": fx.repA,
				}
			},
			order: []orderKey{{"KIND", "kind", "string", true}, {"CREATED_AT", "createdAt", "time", false}},
			filters: []entityFilter{
				{"escalation's account's carrier has OCN",
					func(fx *accountFixture) jsonObject {
						return jsonObject{"hasEscalationWith": []jsonObject{accountOfCarrierB(fx)}}
					},
					func(fx *accountFixture, n jsonObject) bool { return n["escalationID"] == fx.escalationB }},
				{"kind is", func(*accountFixture) jsonObject { return jsonObject{"kind": "COMMENT"} },
					func(_ *accountFixture, n jsonObject) bool { return n["kind"] == "COMMENT" }},
			},
		},
	}
}

// connectionPage is one page of a root connection as a client reads it.
type connectionPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   jsonObject
	}
}

func (p connectionPage) nodes() []jsonObject {
	out := make([]jsonObject, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node
	}
	return out
}

func nodeIDs(nodes []jsonObject) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i], _ = n["id"].(string)
	}
	return out
}

// queryConnection reads spec's root connection with the given first/after/last/before/where/orderBy.
func queryConnection(t *testing.T, app *testApp, spec entitySpec, vars jsonObject) connectionPage {
	t.Helper()
	q := fmt.Sprintf(`query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: %[1]sWhereInput, $orderBy: [%[1]sOrder!]) {
  %[2]s(first: $first, after: $after, last: $last, before: $before, where: $where, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { %[3]s } }
  }
}`, spec.typ, spec.root, spec.fields)
	var data map[string]connectionPage
	app.ok(t, q, vars, &data)
	return data[spec.root]
}

// readNode reads a record through node(id:) with an inline fragment on its type.
func readNode(t *testing.T, app *testApp, spec entitySpec, id string) jsonObject {
	t.Helper()
	var data struct{ Node jsonObject }
	app.ok(t, fmt.Sprintf(`query($id: ID!) { node(id: $id) { __typename ... on %s { %s } } }`, spec.typ, spec.fields),
		jsonObject{"id": id}, &data)
	if data.Node == nil || data.Node["__typename"] != spec.typ {
		t.Fatalf("node(%s) = %v, want a %s", id, data.Node, spec.typ)
	}
	delete(data.Node, "__typename")
	return data.Node
}

func moneyCents(v any) int64 {
	s, _ := v.(string)
	n, err := strconv.ParseInt(strings.Replace(s, ".", "", 1), 10, 64)
	if err != nil || !strings.Contains(s, ".") || len(s)-strings.Index(s, ".") != 3 {
		panic(fmt.Sprintf("money %q is not a decimal string with two decimals", s))
	}
	return n
}

func parseAPITime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		t.Fatalf("time %q is not RFC 3339 in UTC", s)
	}
	return ts
}

// compareNodes orders two nodes as keys say, then by ID ascending (the stable tie-break).
func compareNodes(t *testing.T, keys []orderKey, a, b jsonObject) int {
	t.Helper()
	for _, k := range keys {
		var c int
		switch k.kind {
		case "int":
			c = compareOrdered(a[k.field].(float64), b[k.field].(float64))
		case "money":
			c = compareOrdered(moneyCents(a[k.field]), moneyCents(b[k.field]))
		case "time":
			c = parseAPITime(t, a[k.field]).Compare(parseAPITime(t, b[k.field]))
		default:
			c = strings.Compare(a[k.field].(string), b[k.field].(string))
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return strings.Compare(a["id"].(string), b["id"].(string))
}

func compareOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func orderByVar(keys []orderKey) []jsonObject {
	out := make([]jsonObject, len(keys))
	for i, k := range keys {
		dir := "ASC"
		if k.desc {
			dir = "DESC"
		}
		out[i] = jsonObject{"field": k.enum, "direction": dir}
	}
	return out
}

func sameValue(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// TestEntities creates, reads, updates, filters, orders and paginates every
// entity through the HTTP handler, on both databases.
func TestEntities(t *testing.T) {
	for _, spec := range entitySpecs() {
		t.Run(spec.typ, func(t *testing.T) {
			backends(t, func(t *testing.T, app *testApp) {
				fx := createAccountFixture(t, app)
				before := queryConnection(t, app, spec, jsonObject{"first": 1}).TotalCount
				total := before + entityRecords

				created := make([]jsonObject, entityRecords)
				for i := range created {
					var want jsonObject
					if spec.insert != nil {
						var id string
						id, want = spec.insert(t, app, fx, i)
						created[i] = readNode(t, app, spec, id)
					} else {
						want = spec.input(fx, i)
						var out map[string]jsonObject
						app.ok(t, fmt.Sprintf(`mutation($input: Create%[1]sInput!) { create%[1]s(input: $input) { %[2]s } }`, spec.typ, spec.fields),
							jsonObject{"input": want}, &out)
						created[i] = out["create"+spec.typ]
					}
					c := created[i]
					if id, _ := c["id"].(string); !globalID.MatchString(id) {
						t.Fatalf("created %s has ID %q", spec.typ, id)
					}
					parseAPITime(t, c["createdAt"])
					parseAPITime(t, c["updatedAt"])
					for k, v := range want {
						if got, ok := c[k]; ok && !sameValue(got, v) {
							t.Errorf("created %s: %s = %v, sent %v", spec.typ, k, got, v)
						}
					}
					if spec.check != nil {
						spec.check(t, fx, c)
					}
				}

				t.Run("read", func(t *testing.T) {
					for _, c := range created {
						if got := readNode(t, app, spec, c["id"].(string)); !reflect.DeepEqual(got, c) {
							t.Errorf("node(id:) = %v\nwant %v", got, c)
						}
						page := queryConnection(t, app, spec, jsonObject{"first": 10, "where": jsonObject{"id": c["id"]}})
						if page.TotalCount != 1 || len(page.Edges) != 1 || !reflect.DeepEqual(page.Edges[0].Node, c) {
							t.Errorf("%s(where: {id}) = %d %v\nwant %v", spec.root, page.TotalCount, page.nodes(), c)
						}
					}
				})

				t.Run("update", func(t *testing.T) {
					if spec.update == nil {
						// Read-only types have neither a create nor an update mutation.
						res := app.fails(t, fmt.Sprintf(`mutation { update%s(id: "x", input: {}) { id } }`, spec.typ), nil, "GRAPHQL_VALIDATION_FAILED", "")
						if !strings.Contains(res.Errors[0].Message, "update"+spec.typ) {
							t.Errorf("error does not name the missing field: %s", res.Raw)
						}
						app.fails(t, fmt.Sprintf(`mutation { create%s(input: {}) { id } }`, spec.typ), nil, "GRAPHQL_VALIDATION_FAILED", "")
						return
					}
					old := created[0]
					var out map[string]jsonObject
					app.ok(t, fmt.Sprintf(`mutation($id: ID!, $input: Update%[1]sInput!) { update%[1]s(id: $id, input: $input) { %[2]s } }`, spec.typ, spec.fields),
						jsonObject{"id": old["id"], "input": spec.update}, &out)
					got := out["update"+spec.typ]
					if sameValue(old[spec.changed], spec.update[spec.changed]) {
						t.Fatalf("test data: the update does not change %s", spec.changed)
					}
					if !sameValue(got[spec.changed], spec.update[spec.changed]) {
						t.Errorf("updated %s = %v, want %v", spec.changed, got[spec.changed], spec.update[spec.changed])
					}
					if !sameValue(got[spec.kept], old[spec.kept]) || got["id"] != old["id"] || got["createdAt"] != old["createdAt"] {
						t.Errorf("update changed what it should not:\n got %v\nfrom %v", got, old)
					}
					if parseAPITime(t, got["updatedAt"]).Before(parseAPITime(t, old["updatedAt"])) {
						t.Errorf("updatedAt went back: %v -> %v", old["updatedAt"], got["updatedAt"])
					}
					if reread := readNode(t, app, spec, old["id"].(string)); !reflect.DeepEqual(reread, got) {
						t.Errorf("update not persisted: read %v\nwant %v", reread, got)
					}
				})

				all := queryConnection(t, app, spec, jsonObject{"first": 100}).nodes()
				if len(all) != total {
					t.Fatalf("%s has %d records, want %d", spec.root, len(all), total)
				}

				t.Run("filter", func(t *testing.T) {
					for _, f := range spec.filters {
						t.Run(f.name, func(t *testing.T) {
							var want []string
							for _, n := range all {
								if f.want(fx, n) {
									want = append(want, n["id"].(string))
								}
							}
							if len(want) == 0 || len(want) == len(all) {
								t.Fatalf("test data: filter matches %d of %d records and so proves nothing", len(want), len(all))
							}
							page := queryConnection(t, app, spec, jsonObject{"first": 100, "where": f.where(fx)})
							got := nodeIDs(page.nodes())
							slices.Sort(got)
							slices.Sort(want)
							if page.TotalCount != len(want) || !slices.Equal(got, want) {
								t.Errorf("where %v: totalCount %d, ids %v\nwant %v", f.where(fx), page.TotalCount, got, want)
							}
						})
					}
				})

				orderBy := orderByVar(spec.order)
				ordered := queryConnection(t, app, spec, jsonObject{"first": 100, "orderBy": orderBy}).nodes()

				t.Run("order", func(t *testing.T) {
					if len(ordered) != total {
						t.Fatalf("ordered read returned %d of %d records", len(ordered), total)
					}
					for i := 1; i < len(ordered); i++ {
						if compareNodes(t, spec.order, ordered[i-1], ordered[i]) >= 0 {
							t.Errorf("orderBy %v: record %d %v comes before %v", orderBy, i-1, ordered[i-1], ordered[i])
						}
					}
					if byID := slices.Sorted(slices.Values(nodeIDs(ordered))); slices.Equal(byID, nodeIDs(ordered)) {
						t.Fatalf("test data: the order asked for is the ID order, so it proves nothing")
					}
				})

				t.Run("paginate", func(t *testing.T) {
					for _, tc := range []struct {
						name    string
						orderBy any
						want    []string
					}{
						{"default order", nil, slices.Sorted(slices.Values(nodeIDs(all)))},
						{"multi-field order", orderBy, nodeIDs(ordered)},
					} {
						t.Run(tc.name, func(t *testing.T) {
							if got := nodeIDs(all); tc.orderBy == nil && !slices.Equal(got, tc.want) {
								t.Errorf("default order is not by ID: %v", got)
							}
							walk := func(forward bool) []string {
								var walked []string
								var cursor *string
								for pages := 1; ; pages++ {
									vars := jsonObject{}
									if tc.orderBy != nil {
										vars["orderBy"] = tc.orderBy
									}
									if forward {
										vars["first"] = 2
										if cursor != nil {
											vars["after"] = *cursor
										}
									} else {
										vars["last"] = 2
										if cursor != nil {
											vars["before"] = *cursor
										}
									}
									p := queryConnection(t, app, spec, vars)
									if p.TotalCount != total || len(p.Edges) == 0 || len(p.Edges) > 2 {
										t.Fatalf("page %d: totalCount %d, %d edges", pages, p.TotalCount, len(p.Edges))
									}
									if *p.PageInfo.StartCursor != p.Edges[0].Cursor || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor {
										t.Errorf("page %d: pageInfo cursors do not match the edges", pages)
									}
									more := p.PageInfo.HasNextPage
									if forward {
										walked = append(walked, nodeIDs(p.nodes())...)
										cursor = p.PageInfo.EndCursor
									} else {
										walked = append(nodeIDs(p.nodes()), walked...)
										cursor, more = p.PageInfo.StartCursor, p.PageInfo.HasPreviousPage
									}
									if !more {
										break
									}
									if pages > total {
										t.Fatalf("pagination does not end: %v", walked)
									}
								}
								return walked
							}
							for _, forward := range []bool{true, false} {
								walked := walk(forward)
								if len(walked) != total || len(slices.Compact(slices.Sorted(slices.Values(walked)))) != total {
									t.Errorf("forward=%v: walked %d records (%d distinct), want %d: %v", forward, len(walked), len(slices.Compact(slices.Sorted(slices.Values(walked)))), total, walked)
								}
								if !slices.Equal(walked, tc.want) {
									t.Errorf("forward=%v: walked %v\nwant %v", forward, walked, tc.want)
								}
							}
						})
					}
				})
			})
		})
	}
}

// TestEscalationTimelineStartsWithCreated: a new escalation's timeline holds
// the CREATED event, written with the escalation.
func TestEscalationTimelineStartsWithCreated(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := createAccountFixture(t, app)
		var out struct {
			CreateEscalation struct {
				ID       string
				Severity string
				Events   struct {
					TotalCount int
					Edges      []struct {
						Node struct{ ID, Kind, ToValue, EscalationID string }
					}
				}
			}
		}
		app.ok(t, `mutation($input: CreateEscalationInput!) {
  createEscalation(input: $input) { id severity events(first: 10) { totalCount edges { node { id kind toValue escalationID } } } }
}`, jsonObject{"input": jsonObject{"title": "Port stuck at FOC", "category": "PORTABILITY", "severity": "SEV2", "accountID": fx.accountA}}, &out)
		e := out.CreateEscalation
		if e.Events.TotalCount != 1 || len(e.Events.Edges) != 1 {
			t.Fatalf("events of a new escalation: %+v", e.Events)
		}
		ev := e.Events.Edges[0].Node
		if ev.Kind != "CREATED" || ev.EscalationID != e.ID || ev.ToValue != "SEV2" || !strings.HasPrefix(ev.ID, "eev_") {
			t.Errorf("created event %+v", ev)
		}
		var read struct {
			Node struct{ Kind, EscalationID string }
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on EscalationEvent { kind escalationID } } }`, jsonObject{"id": ev.ID}, &read)
		if read.Node.Kind != "CREATED" || read.Node.EscalationID != e.ID {
			t.Errorf("node(created event) = %+v", read.Node)
		}
	})
}

// TestNodeResolvesEveryType: node and nodes resolve an ID of every type; a
// malformed, unknown or deleted ID is null with a NOT_FOUND error.
func TestNodeResolvesEveryType(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := createAccountFixture(t, app)
		var ids, types []string
		for _, spec := range entitySpecs() {
			var id string
			if spec.insert != nil {
				id, _ = spec.insert(t, app, fx, 0)
			} else {
				id = createEntity(t, app, spec.typ, spec.input(fx, 0))
			}
			ids, types = append(ids, id), append(types, spec.typ)
		}
		if len(ids) != 16 {
			t.Fatalf("%d types, want 16", len(ids))
		}

		t.Run("node", func(t *testing.T) {
			for i, id := range ids {
				var data struct {
					Node struct {
						ID       string
						Typename string `json:"__typename"`
					}
				}
				app.ok(t, `query($id: ID!) { node(id: $id) { id __typename } }`, jsonObject{"id": id}, &data)
				if data.Node.ID != id || data.Node.Typename != types[i] {
					t.Errorf("node(%s) = %+v, want a %s", id, data.Node, types[i])
				}
			}
		})

		t.Run("nodes", func(t *testing.T) {
			rev := slices.Clone(ids)
			slices.Reverse(rev)
			var data struct {
				Nodes []struct {
					ID       string
					Typename string `json:"__typename"`
				}
			}
			app.ok(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }`, jsonObject{"ids": rev}, &data)
			if len(data.Nodes) != len(rev) {
				t.Fatalf("nodes returned %d of %d", len(data.Nodes), len(rev))
			}
			for i, n := range data.Nodes {
				if want := types[len(types)-1-i]; n.ID != rev[i] || n.Typename != want {
					t.Errorf("nodes[%d] = %+v, want %s %s", i, n, want, rev[i])
				}
			}
		})

		account := ids[slices.Index(types, "Account")]
		activity := ids[slices.Index(types, "Activity")]
		if _, err := app.db.Client.Activity.Create().
			SetAccountID(fx.accountA).
			SetRepID(fx.repA).
			SetKind("NOTE").
			SetOccurredAt(time.Now().UTC()).
			SetSummary("to be deleted").
			Save(privacy.DecisionContext(context.Background(), privacy.Allow)); err != nil {
			t.Fatal(err)
		}
		if err := app.db.Client.Activity.DeleteOneID(activity).Exec(privacy.DecisionContext(context.Background(), privacy.Allow)); err != nil {
			t.Fatal(err)
		}
		unknown := changeLastChar(account)

		t.Run("missing", func(t *testing.T) {
			for _, tc := range []struct{ name, id string }{
				{"malformed", "garbage"},
				{"empty", ""},
				{"prefix only", "acc_"},
				{"unknown prefix", "zzz_" + account[4:]},
				{"upper case", strings.ToUpper(account)},
				{"another type's prefix", "car_" + account[4:]},
				{"well formed, no such record", unknown},
				{"deleted", activity},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := app.fails(t, `query($id: ID!) { node(id: $id) { id } }`, jsonObject{"id": tc.id}, "NOT_FOUND", "")
					if string(res.Data) != `{"node":null}` {
						t.Errorf("data = %s, want node null", res.Data)
					}
				})
			}
		})

		t.Run("nodes with missing", func(t *testing.T) {
			res := app.do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				jsonObject{"ids": []string{account, "garbage", fx.carrierB, unknown}})
			want := fmt.Sprintf(`{"nodes":[{"id":%q},null,{"id":%q},null]}`, account, fx.carrierB)
			if string(res.Data) != want {
				t.Errorf("data = %s, want %s", res.Data, want)
			}
			if len(res.Errors) != 2 {
				t.Fatalf("want one NOT_FOUND per missing ID: %s", res.Raw)
			}
			for i, e := range res.Errors {
				if e.Extensions["code"] != "NOT_FOUND" || len(e.Path) != 2 || e.Path[1] != float64(1+2*i) {
					t.Errorf("error %d: %+v", i, e)
				}
			}
		})
	})
}

// changeLastChar returns id with its last character replaced by another base32 character.
func changeLastChar(id string) string {
	last := id[len(id)-1]
	for _, c := range []byte("0123456789abcdefghjkmnpqrstvwxyz") {
		if c != last {
			return id[:len(id)-1] + string(c)
		}
	}
	return id
}

// validationFixture adds to accountFixture the records that the constraint
// cases collide with or change.
type validationFixture struct {
	*accountFixture
	accountA2, contact, contract, rfp, order, assignment, lineItem, spr string
}

func createValidationFixture(t *testing.T, app *testApp) *validationFixture {
	t.Helper()
	v := &validationFixture{accountFixture: createAccountFixture(t, app)}
	v.accountA2 = createEntity(t, app, "Account", jsonObject{
		"accountNumber": "FXA-0002", "ban": "FXA-BAN", "name": "Fixture Account A2",
		"market": "Boston", "region": "NORTHEAST", "carrierID": v.carrierA,
	})
	v.contact = createEntity(t, app, "Contact", withFields(validInput(v, "Contact"), "email", "taken@fxa.example"))
	v.contract = createEntity(t, app, "Contract", validInput(v, "Contract"))
	v.rfp = createEntity(t, app, "RFP", validInput(v, "RFP"))
	v.order = createEntity(t, app, "Order", withFields(validInput(v, "Order"), "pon", "PON-DUP"))
	v.assignment = createEntity(t, app, "AccountAssignment", validInput(v, "AccountAssignment"))
	v.lineItem = createEntity(t, app, "QuoteLineItem", validInput(v, "QuoteLineItem"))
	v.spr = createEntity(t, app, "SpecialPricingRequest", validInput(v, "SpecialPricingRequest"))
	return v
}

// validInput is a create input for typ that a fresh validationFixture accepts
// (apart from the collisions the fixture was made for); each case changes one field.
func validInput(v *validationFixture, typ string) jsonObject {
	switch typ {
	case "Carrier":
		return jsonObject{"name": "Valid Carrier", "ocn": "5555", "ccna": "VAL"}
	case "Account":
		return jsonObject{"accountNumber": "NEW-0001", "ban": "NEW-BAN", "name": "New", "market": "Austin", "region": "SOUTH_CENTRAL", "carrierID": v.carrierA}
	case "Contact":
		return jsonObject{"name": "Dana Fox", "email": "dana@fxa.example", "carrierID": v.carrierA}
	case "Rep":
		return jsonObject{"name": "Sam Poe", "email": "sam@carrierdesk.example", "role": "SUPPORT", "region": "WEST"}
	case "Team":
		return jsonObject{"name": "New Team", "region": "WEST"}
	case "AccountAssignment":
		return jsonObject{"capacity": "SUPPORT", "accountID": v.accountA, "repID": v.repB, "startedAt": fixtureTime(0)}
	case "Quote":
		return jsonObject{"title": "Valid Quote", "termMonths": 12, "validUntil": fixtureDate(30), "accountID": v.accountA}
	case "QuoteLineItem":
		return jsonObject{"product": "ETHERNET", "aLocation": "1 Elm St", "mrc": "100.00", "quoteID": v.quoteA}
	case "SpecialPricingRequest":
		return jsonObject{"justification": "Competitive", "requestedMrc": "80.00", "quoteID": v.quoteA}
	case "Contract":
		return jsonObject{"kind": "SERVICE_ORDER", "title": "Valid Contract", "startDate": fixtureDate(0), "endDate": fixtureDate(365), "termMonths": 12, "mrc": "100.00", "accountID": v.accountA}
	case "RFP":
		return jsonObject{"title": "Valid RFP", "receivedAt": fixtureTime(0), "dueAt": fixtureTime(14), "accountID": v.accountA}
	case "Order":
		return jsonObject{"kind": "ASR", "pon": "PON-NEW", "desiredDueDate": fixtureDate(3680), "accountID": v.accountA}
	case "BusinessReview":
		return jsonObject{"quarter": "2026-Q2", "scheduledAt": fixtureTime(10), "accountID": v.accountA}
	case "Activity":
		return jsonObject{"kind": "CALL", "occurredAt": fixtureTime(0), "summary": "Called about the port", "accountID": v.accountA, "repID": v.repA}
	case "Escalation":
		return jsonObject{"title": "Valid Escalation", "category": "BILLING", "severity": "SEV3", "accountID": v.accountA}
	}
	panic("validInput: no input for " + typ)
}

// withFields copies input and sets the given key/value pairs.
func withFields(input jsonObject, kv ...any) jsonObject {
	out := make(jsonObject, len(input)+len(kv)/2)
	for k, v := range input {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// failingWrite is a create or update that must fail with code and field, and write nothing.
type failingWrite struct {
	name        string
	typ         string
	update      func(v *validationFixture) string // the record updated; nil for a create
	input       func(v *validationFixture) jsonObject
	code, field string // field "" when the API names none
}

func (w failingWrite) mutation() string {
	if w.update != nil {
		return fmt.Sprintf(`mutation($id: ID!, $input: Update%[1]sInput!) { update%[1]s(id: $id, input: $input) { id } }`, w.typ)
	}
	return fmt.Sprintf(`mutation($input: Create%[1]sInput!) { create%[1]s(input: $input) { id } }`, w.typ)
}

// snapshotStore is everything a failed write could have changed, as a client
// reads it: the row count of every entity and, for an update, the record.
func snapshotStore(t *testing.T, app *testApp, typ, id string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("{ ")
	for _, spec := range entitySpecs() {
		fmt.Fprintf(&b, "%s { totalCount } ", spec.root)
	}
	b.WriteString("}")
	var counts jsonObject
	app.ok(t, b.String(), nil, &counts)
	out := fmt.Sprint(counts)
	if id != "" {
		out += fmt.Sprint(readNode(t, app, specFor(typ), id))
	}
	return out
}

func specFor(typ string) entitySpec {
	for _, s := range entitySpecs() {
		if s.typ == typ {
			return s
		}
	}
	panic("no entity spec for " + typ)
}

// changed returns a failingWrite input func: typ's valid input with kv changed.
func changed(typ string, kv ...any) func(v *validationFixture) jsonObject {
	return func(v *validationFixture) jsonObject { return withFields(validInput(v, typ), kv...) }
}

// fixed returns a failingWrite input func for an update input.
func fixed(input jsonObject) func(v *validationFixture) jsonObject {
	return func(*validationFixture) jsonObject { return input }
}

// TestEntityValidation: every rule on the schema answers a bad write with a
// code and the field at fault, leaks nothing internal, and writes nothing.
func TestEntityValidation(t *testing.T) {
	missing := func(id func(v *validationFixture) string) func(v *validationFixture) string {
		return func(v *validationFixture) string { return changeLastChar(id(v)) }
	}
	missingCarrier := missing(func(v *validationFixture) string { return v.carrierA })
	missingAccount := missing(func(v *validationFixture) string { return v.accountA })
	missingRep := missing(func(v *validationFixture) string { return v.repA })
	refersTo := func(typ, key string, id func(v *validationFixture) string) func(v *validationFixture) jsonObject {
		return func(v *validationFixture) jsonObject { return withFields(validInput(v, typ), key, id(v)) }
	}
	onCarrierA := func(v *validationFixture) string { return v.carrierA }
	onAccountA := func(v *validationFixture) string { return v.accountA }
	onQuoteA := func(v *validationFixture) string { return v.quoteA }
	onEscalationA := func(v *validationFixture) string { return v.escalationA }
	onContract := func(v *validationFixture) string { return v.contract }
	onRFP := func(v *validationFixture) string { return v.rfp }
	onOrder := func(v *validationFixture) string { return v.order }
	onAssignment := func(v *validationFixture) string { return v.assignment }
	onLineItem := func(v *validationFixture) string { return v.lineItem }
	onSPR := func(v *validationFixture) string { return v.spr }
	circuit53 := " 12.KXFU.123456..SW  /x" + strings.Repeat("-", 29) + " "
	if len(circuit53) != 53 {
		t.Fatalf("circuit53 has %d characters", len(circuit53))
	}

	tests := []failingWrite{
		{"carrier ocn taken on update", "Carrier", onCarrierA, func(v *validationFixture) jsonObject { return jsonObject{"ocn": v.ocnB} }, "CONFLICT", "ocn"},
		{"carrier ccna lower case on update", "Carrier", onCarrierA, fixed(jsonObject{"ccna": "fxa"}), "BAD_USER_INPUT", "ccna"},

		{"contact email taken", "Contact", nil, changed("Contact", "email", "taken@fxa.example"), "CONFLICT", "email"},
		{"contact email malformed", "Contact", nil, changed("Contact", "email", "dana at fxa"), "BAD_USER_INPUT", "email"},
		{"contact name empty", "Contact", nil, changed("Contact", "name", ""), "BAD_USER_INPUT", "name"},
		{"contact of a nonexistent carrier", "Contact", nil, refersTo("Contact", "carrierID", missingCarrier), "BAD_USER_INPUT", "carrierID"},

		{"account number taken", "Account", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "Account"), "accountNumber", v.accountNumberB)
		}, "CONFLICT", "accountNumber"},
		{"account number taken on update", "Account", onAccountA, func(v *validationFixture) jsonObject {
			return jsonObject{"accountNumber": v.accountNumberB}
		}, "CONFLICT", "accountNumber"},
		{"account number malformed", "Account", nil, changed("Account", "accountNumber", "acc 1"), "BAD_USER_INPUT", "accountNumber"},
		{"account mrr with three decimals", "Account", nil, changed("Account", "mrr", "1.005"), "BAD_USER_INPUT", "mrr"},
		{"account mrr as a JSON number", "Account", nil, changed("Account", "mrr", 1234.5), "BAD_USER_INPUT", "mrr"},
		{"account mrr negative", "Account", nil, changed("Account", "mrr", "-5.00"), "BAD_USER_INPUT", "mrr"},
		{"account mrr with three decimals on update", "Account", onAccountA, fixed(jsonObject{"mrr": "1.005"}), "BAD_USER_INPUT", "mrr"},
		{"account region unknown", "Account", nil, changed("Account", "region", "ATLANTIS"), "BAD_USER_INPUT", "region"},
		{"account of a nonexistent carrier", "Account", nil, refersTo("Account", "carrierID", missingCarrier), "BAD_USER_INPUT", "carrierID"},
		{"account of a malformed carrier ID", "Account", nil, changed("Account", "carrierID", "nope"), "BAD_USER_INPUT", "carrierID"},

		{"rep email taken", "Rep", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "Rep"), "email", v.repEmailB)
		}, "CONFLICT", "email"},
		{"rep role unknown", "Rep", nil, changed("Rep", "role", "PRESIDENT"), "BAD_USER_INPUT", "role"},
		{"rep on a nonexistent team", "Rep", nil, refersTo("Rep", "teamID", missing(func(v *validationFixture) string { return v.team })), "BAD_USER_INPUT", "teamID"},

		{"team name taken", "Team", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "Team"), "name", v.teamName)
		}, "CONFLICT", "name"},
		{"team name empty", "Team", nil, changed("Team", "name", ""), "BAD_USER_INPUT", "name"},
		{"team with a nonexistent manager", "Team", nil, refersTo("Team", "managerID", missingRep), "BAD_USER_INPUT", "managerID"},

		{"second open assignment in a capacity", "AccountAssignment", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "AccountAssignment"), "repID", v.repA, "startedAt", fixtureTime(5))
		}, "CONFLICT", "capacity"},
		{"assignment ends before it starts", "AccountAssignment", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "AccountAssignment"), "capacity", "STRATEGIC", "repID", v.repA, "endedAt", fixtureTime(-1))
		}, "BAD_USER_INPUT", "endedAt"},
		{"assignment ends before it starts on update", "AccountAssignment", onAssignment, fixed(jsonObject{"endedAt": fixtureTime(-1)}), "BAD_USER_INPUT", "endedAt"},
		{"assignment of a nonexistent rep", "AccountAssignment", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "AccountAssignment"), "capacity", "STRATEGIC", "repID", missingRep(v))
		}, "BAD_USER_INPUT", "repID"},

		{"quote term 0", "Quote", nil, changed("Quote", "termMonths", 0), "BAD_USER_INPUT", "termMonths"},
		{"quote term 121", "Quote", nil, changed("Quote", "termMonths", 121), "BAD_USER_INPUT", "termMonths"},
		{"quote term 0 on update", "Quote", onQuoteA, fixed(jsonObject{"termMonths": 0}), "BAD_USER_INPUT", "termMonths"},
		{"quote title empty", "Quote", nil, changed("Quote", "title", ""), "BAD_USER_INPUT", "title"},
		{"quote currency lower case", "Quote", nil, changed("Quote", "currency", "usd"), "BAD_USER_INPUT", "currency"},
		{"quote on a nonexistent account", "Quote", nil, refersTo("Quote", "accountID", missingAccount), "BAD_USER_INPUT", "accountID"},

		{"line quantity 0", "QuoteLineItem", nil, changed("QuoteLineItem", "quantity", 0), "BAD_USER_INPUT", "quantity"},
		{"line quantity 0 on update", "QuoteLineItem", onLineItem, fixed(jsonObject{"quantity": 0}), "BAD_USER_INPUT", "quantity"},
		{"line mrc with three decimals", "QuoteLineItem", nil, changed("QuoteLineItem", "mrc", "1.005"), "BAD_USER_INPUT", "mrc"},
		{"line mrc as a JSON number", "QuoteLineItem", nil, changed("QuoteLineItem", "mrc", 100), "BAD_USER_INPUT", "mrc"},
		{"line A CLLI malformed", "QuoteLineItem", nil, changed("QuoteLineItem", "aClli", "dllstx"), "BAD_USER_INPUT", "aClli"},

		{"pricing request mrc with a comma", "SpecialPricingRequest", nil, changed("SpecialPricingRequest", "requestedMrc", "12,50"), "BAD_USER_INPUT", "requestedMrc"},
		{"pricing request mrc negative", "SpecialPricingRequest", nil, changed("SpecialPricingRequest", "requestedMrc", "-1.00"), "BAD_USER_INPUT", "requestedMrc"},
		{"pricing request justification empty", "SpecialPricingRequest", nil, changed("SpecialPricingRequest", "justification", ""), "BAD_USER_INPUT", "justification"},

		{"contract ends before it starts", "Contract", nil, changed("Contract", "endDate", fixtureDate(-1)), "BAD_USER_INPUT", "endDate"},
		{"contract ends as it starts", "Contract", nil, changed("Contract", "endDate", fixtureDate(0)), "BAD_USER_INPUT", "endDate"},
		{"contract end moved before start", "Contract", onContract, fixed(jsonObject{"endDate": fixtureDate(-1)}), "BAD_USER_INPUT", "endDate"},
		{"contract start moved after end", "Contract", onContract, fixed(jsonObject{"startDate": fixtureDate(400)}), "BAD_USER_INPUT", "endDate"},
		{"contract term 0", "Contract", nil, changed("Contract", "termMonths", 0), "BAD_USER_INPUT", "termMonths"},
		{"contract mrc with three decimals", "Contract", nil, changed("Contract", "mrc", "1.005"), "BAD_USER_INPUT", "mrc"},
		{"contract mrc as a JSON number", "Contract", nil, changed("Contract", "mrc", 100.5), "BAD_USER_INPUT", "mrc"},
		{"contract nrc with three decimals", "Contract", nil, changed("Contract", "nrc", "1.005"), "BAD_USER_INPUT", "nrc"},

		{"rfp due before received", "RFP", nil, changed("RFP", "dueAt", fixtureTime(-1)), "BAD_USER_INPUT", "dueAt"},
		{"rfp due as received", "RFP", nil, changed("RFP", "dueAt", fixtureTime(0)), "BAD_USER_INPUT", "dueAt"},
		{"rfp due moved before received", "RFP", onRFP, fixed(jsonObject{"dueAt": fixtureTime(-1)}), "BAD_USER_INPUT", "dueAt"},
		{"rfp value as a JSON number", "RFP", nil, changed("RFP", "estimatedValue", 250000), "BAD_USER_INPUT", "estimatedValue"},

		{"order pon taken by the carrier on another account", "Order", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "Order"), "pon", "PON-DUP", "accountID", v.accountA2)
		}, "CONFLICT", "pon"},
		{"order pon of 17 characters", "Order", nil, changed("Order", "pon", strings.Repeat("P", 17)), "BAD_USER_INPUT", "pon"},
		{"order pon empty", "Order", nil, changed("Order", "pon", ""), "BAD_USER_INPUT", "pon"},
		{"order circuit ID of 54 characters", "Order", nil, changed("Order", "circuitID", circuit53+"x"), "BAD_USER_INPUT", "circuitID"},
		{"order circuit ID of 54 characters on update", "Order", onOrder, fixed(jsonObject{"circuitID": circuit53 + "x"}), "BAD_USER_INPUT", "circuitID"},
		{"order tn count negative", "Order", nil, changed("Order", "tnCount", -1), "BAD_USER_INPUT", "tnCount"},
		{"order on a nonexistent account", "Order", nil, refersTo("Order", "accountID", missingAccount), "BAD_USER_INPUT", "accountID"},

		{"review quarter Q5", "BusinessReview", nil, changed("BusinessReview", "quarter", "2026-Q5"), "BAD_USER_INPUT", "quarter"},
		{"activity summary empty", "Activity", nil, changed("Activity", "summary", ""), "BAD_USER_INPUT", "summary"},
		{"activity kind unknown", "Activity", nil, changed("Activity", "kind", "LUNCH"), "BAD_USER_INPUT", "kind"},
		{"escalation title empty", "Escalation", nil, changed("Escalation", "title", ""), "BAD_USER_INPUT", "title"},
		{"escalation severity unknown", "Escalation", nil, changed("Escalation", "severity", "SEV0"), "BAD_USER_INPUT", "severity"},
		{"escalation on a nonexistent account", "Escalation", nil, refersTo("Escalation", "accountID", missingAccount), "BAD_USER_INPUT", "accountID"},

		// Workflow fields are not in the generic inputs at all.
		{"quote status on create", "Quote", nil, changed("Quote", "status", "APPROVED"), "BAD_USER_INPUT", "status"},
		{"quote status on update", "Quote", onQuoteA, fixed(jsonObject{"status": "ACCEPTED"}), "BAD_USER_INPUT", "status"},
		{"quote sentAt on update", "Quote", onQuoteA, fixed(jsonObject{"sentAt": fixtureTime(0)}), "BAD_USER_INPUT", "sentAt"},
		{"quote totals on update", "Quote", onQuoteA, fixed(jsonObject{"mrc": "1.00"}), "BAD_USER_INPUT", "mrc"},
		{"pricing request status on create", "SpecialPricingRequest", nil, changed("SpecialPricingRequest", "status", "APPROVED"), "BAD_USER_INPUT", "status"},
		{"pricing request approval on update", "SpecialPricingRequest", onSPR, fixed(jsonObject{"approvedMrc": "1.00"}), "BAD_USER_INPUT", "approvedMrc"},
		{"contract status on create", "Contract", nil, changed("Contract", "status", "ACTIVE"), "BAD_USER_INPUT", "status"},
		{"contract status on update", "Contract", onContract, fixed(jsonObject{"status": "TERMINATED"}), "BAD_USER_INPUT", "status"},
		{"rfp status on create", "RFP", nil, changed("RFP", "status", "WON"), "BAD_USER_INPUT", "status"},
		{"rfp status on update", "RFP", onRFP, fixed(jsonObject{"status": "WON"}), "BAD_USER_INPUT", "status"},
		{"order status on create", "Order", nil, changed("Order", "status", "COMPLETED"), "BAD_USER_INPUT", "status"},
		{"order status on update", "Order", onOrder, fixed(jsonObject{"status": "CONFIRMED"}), "BAD_USER_INPUT", "status"},
		{"order carrier on create", "Order", nil, func(v *validationFixture) jsonObject {
			return withFields(validInput(v, "Order"), "carrierID", v.carrierB)
		}, "BAD_USER_INPUT", "carrierID"},
		{"escalation status on create", "Escalation", nil, changed("Escalation", "status", "CLOSED"), "BAD_USER_INPUT", "status"},
		{"escalation status on update", "Escalation", onEscalationA, fixed(jsonObject{"status": "RESOLVED"}), "BAD_USER_INPUT", "status"},
		{"escalation level on update", "Escalation", onEscalationA, fixed(jsonObject{"level": "DIRECTOR"}), "BAD_USER_INPUT", "level"},
	}

	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				vars := jsonObject{"input": tc.input(v)}
				id := ""
				if tc.update != nil {
					id = tc.update(v)
					vars["id"] = id
				}
				before := snapshotStore(t, app, tc.typ, id)
				app.fails(t, tc.mutation(), vars, tc.code, tc.field)
				if after := snapshotStore(t, app, tc.typ, id); after != before {
					t.Errorf("the failed write changed the store:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		// The same workflow fields written into the document, not variables,
		// fail validation before anything runs.
		for _, tc := range []struct{ name, query string }{
			{"quote status literal", `mutation($id: ID!) { updateQuote(id: $id, input: {status: ACCEPTED}) { id } }`},
			{"order status literal", `mutation($id: ID!) { updateOrder(id: $id, input: {status: CONFIRMED}) { id } }`},
			{"escalation status literal", `mutation($id: ID!) { updateEscalation(id: $id, input: {status: CLOSED}) { id } }`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := app.fails(t, tc.query, jsonObject{"id": v.quoteA}, "GRAPHQL_VALIDATION_FAILED", "")
				if !strings.Contains(res.Errors[0].Message, `"status"`) {
					t.Errorf("error does not name the field: %s", res.Raw)
				}
			})
		}

		// Each case changes one thing of an input that is otherwise accepted,
		// so the failures above are for the reason they name.
		t.Run("the valid inputs are accepted", func(t *testing.T) {
			for _, spec := range entitySpecs() {
				if spec.insert != nil {
					continue
				}
				in := validInput(v, spec.typ)
				if spec.typ == "AccountAssignment" {
					in = withFields(in, "capacity", "STRATEGIC", "repID", v.repA)
				}
				createEntity(t, app, spec.typ, in)
			}
		})
	})
}

// TestOrderIdentifiers: a PON is unique per carrier, not across carriers, and
// up to 16 characters; a circuit ID of up to 53 characters is kept exactly as sent.
func TestOrderIdentifiers(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		circuit53 := " 12.KXFU.123456..SW  /x" + strings.Repeat("-", 29) + " "
		pon16 := strings.Repeat("9", 16)
		var out struct {
			CreateOrder struct{ ID, Pon, CircuitID, CarrierID string }
		}
		app.ok(t, `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id pon circuitID carrierID } }`,
			jsonObject{"input": withFields(validInput(v, "Order"), "pon", "PON-DUP", "accountID", v.accountB, "circuitID", circuit53)}, &out)
		if o := out.CreateOrder; o.Pon != "PON-DUP" || o.CircuitID != circuit53 || o.CarrierID != v.carrierB {
			t.Errorf("another carrier's order with the same PON: %+v", o)
		}
		var read struct {
			Orders struct {
				Edges []struct {
					Node struct{ ID, CircuitID string }
				}
			}
		}
		app.ok(t, `query($c: String!) { orders(first: 10, where: {circuitID: $c}) { edges { node { id circuitID } } } }`,
			jsonObject{"c": circuit53}, &read)
		if len(read.Orders.Edges) != 1 || read.Orders.Edges[0].Node.ID != out.CreateOrder.ID || read.Orders.Edges[0].Node.CircuitID != circuit53 {
			t.Errorf("circuit ID not stored verbatim: %+v", read.Orders.Edges)
		}
		var updated struct{ UpdateOrder struct{ CircuitID string } }
		app.ok(t, `mutation($id: ID!, $c: String!) { updateOrder(id: $id, input: {circuitID: $c}) { circuitID } }`,
			jsonObject{"id": v.order, "c": circuit53}, &updated)
		if updated.UpdateOrder.CircuitID != circuit53 {
			t.Errorf("updated circuit ID %q", updated.UpdateOrder.CircuitID)
		}
		createEntity(t, app, "Order", withFields(validInput(v, "Order"), "pon", pon16))
	})
}

// TestAssignmentCapacityReopens: once the open assignment in a capacity ends,
// the account can be assigned in that capacity again, to another rep or to the
// same rep, and only once; the ended assignment stays as history.
func TestAssignmentCapacityReopens(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  func(v *validationFixture) string
	}{
		{"another rep", func(v *validationFixture) string { return v.repA }},
		{"the same rep again", func(v *validationFixture) string { return v.repB }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backends(t, func(t *testing.T, app *testApp) {
				v := createValidationFixture(t, app)
				app.ok(t, `mutation($id: ID!) { updateAccountAssignment(id: $id, input: {endedAt: "2026-06-01T00:00:00Z"}) { id } }`,
					jsonObject{"id": v.assignment}, nil)
				in := withFields(validInput(v, "AccountAssignment"), "repID", tc.rep(v), "startedAt", "2026-06-01T00:00:00Z")
				createEntity(t, app, "AccountAssignment", in)
				app.fails(t, `mutation($input: CreateAccountAssignmentInput!) { createAccountAssignment(input: $input) { id } }`,
					jsonObject{"input": withFields(in, "repID", v.repC)}, "CONFLICT", "capacity")
				var count struct {
					Node struct{ Assignments struct{ TotalCount int } }
				}
				app.ok(t, `query($a: ID!) { node(id: $a) { ... on Account { assignments(where: {capacity: SUPPORT}) { totalCount } } } }`,
					jsonObject{"a": v.accountA}, &count)
				if n := count.Node.Assignments.TotalCount; n != 2 {
					t.Errorf("%d SUPPORT assignments on the account, want the ended one and the open one", n)
				}
			})
		})
	}
}

// TestUnsetPageVariableGetsDefault: a page size taken from a variable that the
// client leaves out or sends as null is no page size at all, so the default
// page applies; otherwise `first: $n` would read a whole table past the cap.
func TestUnsetPageVariableGetsDefault(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		for i := range 25 {
			createEntity(t, app, "Carrier", jsonObject{
				"name": fmt.Sprintf("Carrier %02d", i), "ocn": fmt.Sprintf("9%03d", i), "ccna": fmt.Sprintf("Z%c%c", 'A'+i/10, 'A'+i%10),
			})
		}
		// The same text runs with each set of variables in turn: a rewrite
		// remembered for one must not serve the next.
		for _, tc := range []struct {
			name string
			vars jsonObject
			want int
		}{
			{"left out", nil, 20},
			{"null", jsonObject{"n": nil}, 20},
			{"five", jsonObject{"n": 5}, 5},
			{"left out again", nil, 20},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out struct {
					Carriers struct {
						Edges    []struct{ Cursor string }
						PageInfo struct{ HasNextPage bool }
					}
				}
				app.ok(t, `query($n: Int) { carriers(first: $n) { edges { cursor } pageInfo { hasNextPage } } }`, tc.vars, &out)
				if len(out.Carriers.Edges) != tc.want || !out.Carriers.PageInfo.HasNextPage {
					t.Errorf("first: $n with $n %s returned %d of 25 carriers (next page %v), want %d",
						tc.name, len(out.Carriers.Edges), out.Carriers.PageInfo.HasNextPage, tc.want)
				}
			})
		}
	})
}

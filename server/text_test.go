package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"carrierdesk/ent/escalation"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
)

// TestTextWithNUL: a NUL character in any text is BAD_USER_INPUT naming the
// field on both databases (it was INTERNAL on PostgreSQL and stored on
// SQLite), on a generic create, a generic update and a workflow's write,
// and nothing is written.
func TestTextWithNUL(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		c, ctx := app.db.Client, allowCtx()
		app.fails(t, `mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"name": "Null\u0000Carrier", "ocn": "9N01", "ccna": "NUL"}}, "BAD_USER_INPUT", "name")
		if n := c.Carrier.Query().CountX(ctx); n != 0 {
			t.Errorf("%d carriers written", n)
		}
		carrier := c.Carrier.Create().SetName("Clean Carrier").SetOcn("9N02").SetCcna("CLN").SaveX(ctx)
		app.fails(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {name: "a\u0000b"}) { id } }`,
			jsonObject{"id": carrier.ID}, "BAD_USER_INPUT", "name")
		if got := c.Carrier.GetX(ctx, carrier.ID); got.Name != "Clean Carrier" || got.Version != carrier.Version {
			t.Errorf("refused update changed the carrier: %+v", got)
		}
		account := c.Account.Create().SetCarrierID(carrier.ID).SetAccountNumber("NUL-1").SetBan("NUL-BAN-1").
			SetName("Null account").SetMarket("Boston").SetRegion(enum.RegionNortheast).SaveX(ctx)
		esc := c.Escalation.Create().SetAccountID(account.ID).SetTitle("Null escalation").
			SetCategory(escalation.CategoryOther).SetSeverity(escalation.SeveritySev4).SaveX(ctx)
		events := c.EscalationEvent.Query().CountX(ctx)
		app.fails(t, `mutation($id: ID!, $body: String!) { commentOnEscalation(id: $id, body: $body) { id } }`,
			jsonObject{"id": esc.ID, "body": "before\u0000after"}, "BAD_USER_INPUT", "body")
		if n := c.EscalationEvent.Query().CountX(ctx); n != events {
			t.Errorf("%d events after a refused comment, want %d", n, events)
		}
	})
}

// stringInputField is a String (or [String]) field of a create or update input.
type stringInputField struct {
	input, typ, name string // CreateQuoteInput, Quote, title
	list             bool
	create           bool
}

// stringInputFields lists, by introspection through the handler, every String
// field of every create and update input, so that a field added tomorrow is
// walked too.
func stringInputFields(t *testing.T, app *testApp) []stringInputField {
	t.Helper()
	var schema struct {
		Schema struct {
			Types []struct {
				Name, Kind  string
				InputFields []struct {
					Name string
					Type typeRef
				}
			}
		} `json:"__schema"`
	}
	app.ok(t, `{ __schema { types { name kind inputFields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`, nil, &schema)
	var out []stringInputField
	for _, typ := range schema.Schema.Types {
		m := mutationInput.FindStringSubmatch(typ.Name)
		if typ.Kind != "INPUT_OBJECT" || m == nil {
			continue
		}
		for _, f := range typ.InputFields {
			if name, list := f.Type.named(); name == "String" {
				out = append(out, stringInputField{input: typ.Name, typ: m[2], name: f.Name, list: list, create: m[1] == "Create"})
			}
		}
	}
	if len(out) < 40 {
		t.Fatalf("introspection found only %d string input fields", len(out))
	}
	return out
}

var mutationInput = regexp.MustCompile(`^(Create|Update)(\w+)Input$`)

// typeRef is an introspected type reference.
type typeRef struct {
	Kind, Name string
	OfType     *typeRef
}

// named is the named type under the wrappers, and whether a list is among them.
func (r typeRef) named() (string, bool) {
	list := false
	for r.OfType != nil {
		list = list || r.Kind == "LIST"
		r = *r.OfType
	}
	return r.Name, list
}

// recordsToUpdate gives a record of every editable type of a validation fixture.
func recordsToUpdate(t *testing.T, app *testApp, v *validationFixture) map[string]string {
	return map[string]string{
		"Carrier": v.carrierA, "Account": v.accountA, "Contact": v.contact, "Rep": v.repA, "Team": v.team,
		"AccountAssignment": v.assignment, "Quote": v.quoteA, "QuoteLineItem": v.lineItem,
		"SpecialPricingRequest": v.spr, "Contract": v.contract, "RFP": v.rfp, "Order": v.order,
		"Escalation":     v.escalationA,
		"Activity":       createEntity(t, app, "Activity", validInput(v, "Activity")),
		"BusinessReview": createEntity(t, app, "BusinessReview", validInput(v, "BusinessReview")),
		"Holiday":        createEntity(t, app, "Holiday", createInput(v, "Holiday")),
	}
}

// createInput is a create input of typ that a validation fixture accepts.
func createInput(v *validationFixture, typ string) jsonObject {
	if typ == "Holiday" {
		return jsonObject{"date": fixtureDate(40), "name": "Fixture Day"}
	}
	return validInput(v, typ)
}

// stringWrite writes value into field f of a valid create input, or of an
// update of an existing record.
func stringWrite(t *testing.T, app *testApp, v *validationFixture, records map[string]string, f stringInputField, value any) gqlResponse {
	t.Helper()
	if f.list {
		value = []any{value}
	}
	if f.create {
		in := withFields(createInput(v, f.typ), f.name, value)
		return app.do(t, fmt.Sprintf(`mutation($input: Create%[1]sInput!) { create%[1]s(input: $input) { id } }`, f.typ), jsonObject{"input": in})
	}
	id, ok := records[f.typ]
	if !ok {
		t.Fatalf("no record to update for %s: add one to recordsToUpdate", f.typ)
	}
	return app.do(t, fmt.Sprintf(`mutation($id: ID!, $input: Update%[1]sInput!) { update%[1]s(id: $id, input: $input) { id } }`, f.typ),
		jsonObject{"id": id, "input": jsonObject{f.name: value}})
}

// statesLimit is a message that says how long text may be.
var statesLimit = regexp.MustCompile(`at most [\d,]+ characters`)

// TestEveryStringInputHasALimit: every String field of every create and update
// input refuses text over its limit, counted in characters, with
// BAD_USER_INPUT naming the field and stating the limit, on both databases.
func TestEveryStringInputHasALimit(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		records := recordsToUpdate(t, app, v)
		// 20,000 characters, 40,000 bytes: over any limit a field has.
		long := strings.Repeat("é", 20_000)
		for _, f := range stringInputFields(t, app) {
			t.Run(f.input+"."+f.name, func(t *testing.T) {
				res := stringWrite(t, app, v, records, f, long)
				if res.Code() != "BAD_USER_INPUT" || res.Field() != f.name || !statesLimit.MatchString(res.Errors[0].Message) {
					t.Fatalf("want BAD_USER_INPUT on %s stating its limit, got %s", f.name, res.Raw)
				}
			})
		}
	})
}

// TestWhitespaceOnlyIsEmpty: text of spaces, tabs and newlines fails wherever
// empty text fails, naming the same field; text with spaces around it is
// stored as sent.
func TestWhitespaceOnlyIsEmpty(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		records := recordsToUpdate(t, app, v)
		refused := 0
		for _, f := range stringInputFields(t, app) {
			if f.create || f.list {
				continue
			}
			t.Run(f.input+"."+f.name, func(t *testing.T) {
				empty := stringWrite(t, app, v, records, f, "")
				if empty.Code() != "BAD_USER_INPUT" {
					return // empty text is allowed here
				}
				refused++
				blank := stringWrite(t, app, v, records, f, " \t\n ")
				if blank.Code() != "BAD_USER_INPUT" || blank.Field() != empty.Field() {
					t.Fatalf("%q was refused (%s) but whitespace got %s", "", empty.Raw, blank.Raw)
				}
			})
		}
		if refused < 10 {
			t.Errorf("only %d fields refuse empty text", refused)
		}
		var out struct{ UpdateCarrier struct{ Name string } }
		app.ok(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {name: "  Spaced  Carrier "}) { name } }`,
			jsonObject{"id": v.carrierA}, &out)
		if out.UpdateCarrier.Name != "  Spaced  Carrier " {
			t.Errorf("name stored as %q, not as sent", out.UpdateCarrier.Name)
		}
	})
}

// TestTextLimitCountsCharacters: a limit is in characters, not bytes: a
// comment of 4,000 three-byte characters is taken, one more is refused, on a
// workflow mutation as on generic ones.
func TestTextLimitCountsCharacters(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		comment := `mutation($id: ID!, $body: String!) { commentOnEscalation(id: $id, body: $body) { id } }`
		app.ok(t, comment, jsonObject{"id": v.escalationA, "body": strings.Repeat("€", 4000)}, nil)
		res := app.fails(t, comment, jsonObject{"id": v.escalationA, "body": strings.Repeat("x", 4001)}, "BAD_USER_INPUT", "body")
		if !strings.Contains(res.Errors[0].Message, "at most 4000 characters") {
			t.Errorf("message does not state the limit: %s", res.Raw)
		}
		// A writer outside GraphQL that appends to a list is held to it too.
		review := createEntity(t, app, "BusinessReview", validInput(v, "BusinessReview"))
		_, err := app.db.Client.BusinessReview.UpdateOneID(review).AppendAttendees([]string{strings.Repeat("é", 201)}).Save(allowCtx())
		if e, ok := fault.As(err); !ok || e.Field != "appendAttendees" {
			t.Errorf("appending a 201-character attendee: %v", err)
		}
	})
}

// TestEveryInvalidFieldReported: a write with several bad fields names them
// all in one response, the first in extensions.field as before, and writes nothing.
func TestEveryInvalidFieldReported(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		v := createValidationFixture(t, app)
		before := snapshotStore(t, app, "Quote", "")
		res := app.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
			jsonObject{"input": withFields(validInput(v, "Quote"), "title", "   ", "termMonths", 0, "currency", "usd")},
			"BAD_USER_INPUT", "title")
		if len(res.Errors) != 1 {
			t.Fatalf("want one error listing the fields, got %s", res.Raw)
		}
		fields, _ := res.Errors[0].Extensions["fields"].([]any)
		var names []string
		for _, f := range fields {
			entry, _ := f.(map[string]any)
			names = append(names, fmt.Sprint(entry["field"]))
			if msg, _ := entry["message"].(string); !strings.HasPrefix(msg, fmt.Sprint(entry["field"])+" ") {
				t.Errorf("message %q does not name its field", msg)
			}
		}
		if got := strings.Join(names, ","); got != "title,termMonths,currency" {
			t.Errorf("extensions.fields names %s, want title,termMonths,currency: %s", got, res.Raw)
		}
		if after := snapshotStore(t, app, "Quote", ""); after != before {
			t.Errorf("the refused write changed the store")
		}
		// One bad field is listed alike, so a client reads one shape.
		one := app.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
			jsonObject{"input": withFields(validInput(v, "Quote"), "termMonths", 0)}, "BAD_USER_INPUT", "termMonths")
		if fields, _ := one.Errors[0].Extensions["fields"].([]any); len(fields) != 1 {
			t.Errorf("one bad field: extensions.fields %v", one.Errors[0].Extensions["fields"])
		}
	})
}

// TestRequestTextIsUnicode: bytes that are not UTF-8 and escapes of half a
// surrogate pair are BAD_USER_INPUT naming the variable or argument, in a
// POST body, a GET query string, a document literal and a WebSocket
// subscribe, on both databases; before, Go's decoder stored them as U+FFFD.
// A real pair is a character and is stored.
func TestRequestTextIsUnicode(t *testing.T) {
	const create = `mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { name } }`
	body := func(name string) string {
		return `{"query": "` + strings.ReplaceAll(create, `"`, `\"`) + `", "variables": {"input": {"name": "` + name + `", "ocn": "9U01", "ccna": "UTF"}}}`
	}
	backends(t, func(t *testing.T, app *testApp) {
		for _, tc := range []struct{ name, body, field string }{
			{"bytes that are not UTF-8 in a variable", body("Bad \xff\xfe carrier"), "input"},
			{"a lone leading surrogate in a variable", body(`Bad \ud800 carrier`), "input"},
			{"a lone trailing surrogate in a variable", body(`Bad \udc00 carrier`), "input"},
			{"a lone surrogate in a literal", `{"query": "mutation { createCarrier(input: {name: \"a\\ud800b\", ocn: \"9U02\", ccna: \"UTG\"}) { id } }"}`, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, accept := range []string{mediaJSON, mediaGraphQLResponse} {
					res := app.postAccepting(t, tc.body, accept)
					errs, _ := res.JSON["errors"].([]any)
					field := ""
					if len(errs) > 0 {
						ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
						field, _ = ext["field"].(string)
					}
					if res.code() != "BAD_USER_INPUT" || field != tc.field || !strings.Contains(res.message(), "Unicode") && !strings.Contains(res.message(), "surrogate") {
						t.Fatalf("want BAD_USER_INPUT naming %s, got %d %s", tc.field, res.Status, res.Body)
					}
				}
				if n := app.db.Client.Carrier.Query().CountX(allowCtx()); n != 0 {
					t.Fatalf("%d carriers written", n)
				}
			})
		}
		t.Run("a GET query string", func(t *testing.T) {
			for _, params := range []map[string]string{
				{"query": `query($q: String) { carriers(where: {nameContains: $q}) { totalCount } }`, "variables": `{"q": "\ud800"}`},
				{"query": `query($q: String) { carriers(where: {nameContains: $q}) { totalCount } }`, "variables": "{\"q\": \"\xff\"}"},
				{"query": "{ carriers(where: {nameContains: \"\xff\"}) { totalCount } }"},
				{"query": `{ carriers(where: {nameContains: "\ud800"}) { totalCount } }`},
			} {
				if res := app.exchange(t, "GET", queryURL(params), ""); res.code() != "BAD_USER_INPUT" {
					t.Errorf("GET %v: want BAD_USER_INPUT, got %d %s", params, res.Status, res.Body)
				}
			}
		})
		t.Run("an event stream", func(t *testing.T) {
			res := app.exchange(t, http.MethodPost, "/query",
				`{"query": "subscription($after: String) { escalationEvents(after: $after) { cursor } }", "variables": {"after": "\udfff"}}`,
				"Accept", "text/event-stream")
			if res.code() != "BAD_USER_INPUT" || !strings.Contains(res.Body, `"field":"after"`) || !strings.Contains(res.message(), "Unicode") {
				t.Errorf("want BAD_USER_INPUT naming after, got %d %s", res.Status, res.Body)
			}
		})
		t.Run("a surrogate pair is a character", func(t *testing.T) {
			res := app.postAccepting(t, body(`Smile \ud83d\ude00 carrier`), mediaJSON)
			if got := res.data(); got != `{"createCarrier":{"name":"Smile 😀 carrier"}}` {
				t.Fatalf("got %s", res.Body)
			}
		})
	})
}

// TestWebSocketTextIsUnicode: a subscribe whose variables escape half a
// surrogate pair gets an error for its id, BAD_USER_INPUT naming the
// variable, and the connection stays open.
func TestWebSocketTextIsUnicode(t *testing.T) {
	app, url := newWSServer(t, defaultLimits)
	conn := mustDial(t, url)
	wsInit(t, conn, app.token)
	wsWrite(t, conn, `{"id": "1", "type": "subscribe", "payload": {"query": "subscription($after: String) { escalationEvents(after: $after) { cursor } }", "variables": {"after": "\ud800"}}}`)
	m, err := wsRead(t, conn, waitFor, true)
	if err != nil || m.ID != "1" || m.Type != "error" || !strings.Contains(string(m.Payload), `"BAD_USER_INPUT"`) || !strings.Contains(string(m.Payload), `"field":"after"`) || !strings.Contains(string(m.Payload), "Unicode") {
		t.Fatalf("want a BAD_USER_INPUT error for subscription 1, got %+v, %v", m, err)
	}
	wsWrite(t, conn, wsMessage{Type: "ping"})
	if m, err := wsRead(t, conn, waitFor, true); err != nil || m.Type != "pong" {
		t.Fatalf("connection ended: %+v, %v", m, err)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/contact"
	"carrierdesk/ent/rep"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/seed"

	"entgo.io/ent/dialect"
)

var plannerSeed = flag.Uint64("planner-seed", 0, "the seed of TestPlannerAnswersAsTheResolvers' random queries (0: a new one, logged)")

// plannerPages are the pages the planner is for: each must run as one
// statement (and the viewer's) and answer as the resolvers do.
var plannerPages = map[string]string{
	"account page": `query($id: ID!) { node(id: $id) { ... on Account {
      id accountNumber name status region market mrr
      carrier { id name ocn ccna }
      assignments(first: 5, where: {endedAtIsNil: true}) { edges { node { capacity startedAt rep { id name email role } } } }
      quotes(first: 20, where: {statusNotIn: [ACCEPTED, DECLINED, EXPIRED]}) {
        totalCount
        edges { node { id title status mrc nrc tcv validUntil lineItems(first: 10) { edges { node { id product bandwidth mrc nrc quantity } } } } }
      }
      contracts(first: 10, where: {status: ACTIVE}) { totalCount edges { node { id title endDate mrc autoRenew } } }
      escalations(first: 10, where: {statusNotIn: [RESOLVED, CLOSED]}) {
        totalCount
        edges { node { id title severity status resolutionDueAt events(last: 3, orderBy: [{field: CREATED_AT}]) { edges { node { kind body createdAt } } } } }
      }
    } } }`,
	"carrier page": `query($id: ID!) { node(id: $id) { ... on Carrier {
      id name ocn ccna tier status
      accounts(first: 50, orderBy: [{field: ACCOUNT_NUMBER}]) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id accountNumber name status region market mrr
          quotes { totalCount } contracts(where: {status: ACTIVE}) { totalCount }
          escalations(where: {statusNotIn: [RESOLVED, CLOSED]}) { totalCount } } }
      }
    } } }`,
}

// TestPlannerAnswersAsTheResolvers is the read planner's differential test:
// on a seeded portfolio, the same operations run through a server with the
// planner and one without (READ_PLANNER=false), as every demo user, and the
// responses must be byte-identical. The operations are the pages above,
// cursors forwards and backwards over their connections, and random
// selections over the schema (bounded depth and page sizes, every order
// field) below node(id) of every type that has rows; -planner-seed repeats
// a run's random operations.
func TestPlannerAnswersAsTheResolvers(t *testing.T) {
	app := newTestApp(t, dialect.Postgres)
	if _, err := seed.Run(allowCtx(), app.db.Client, seed.Options{Scale: 1}); err != nil {
		t.Fatal(err)
	}
	cfg := app.cfg
	cfg.ReadPlanner = false
	resolvers := httptest.NewServer(NewHandler(app.db, cfg, app.authn))
	t.Cleanup(resolvers.Close)

	// Every demo user, as the token the development login would give.
	viewers := map[string]string{}
	for _, u := range seed.DemoUsers {
		if r, err := app.db.Client.Rep.Query().Where(rep.Email(u.Email)).Only(allowCtx()); err == nil {
			viewers[string(u.Role)] = app.sign(t, auth.Claims{Subject: r.ID, Role: string(u.Role)})
			continue
		}
		c, err := app.db.Client.Contact.Query().Where(contact.Email(u.Email)).Only(allowCtx())
		if err != nil {
			t.Fatalf("demo user %s: %v", u.Email, err)
		}
		viewers[string(u.Role)] = app.sign(t, auth.Claims{Subject: c.ID, Role: string(u.Role), CarrierID: c.CarrierID})
	}

	schema := introspect(t, app)
	seedValue := *plannerSeed
	if seedValue == 0 {
		seedValue = uint64(time.Now().UnixNano())
	}
	t.Logf("random operations from -planner-seed %d", seedValue)
	rng := rand.New(rand.NewPCG(seedValue, 1))

	// Subjects: two rows of every node type that has a root connection.
	type subject struct{ typ, id string }
	var subjects []subject
	for _, f := range schema.types["Query"].Fields {
		node := strings.TrimSuffix(f.Type.named(), "Connection")
		if node == f.Type.named() || schema.types[node] == nil {
			continue
		}
		var out map[string]struct{ Nodes []struct{ ID string } }
		app.ok(t, fmt.Sprintf(`{ %s(first: 2) { nodes { id } } }`, f.Name), nil, &out)
		for _, n := range out[f.Name].Nodes {
			subjects = append(subjects, subject{node, n.ID})
		}
	}
	if len(subjects) < 10 {
		t.Fatalf("only %d subjects: the seed is too small to compare anything", len(subjects))
	}

	compared, planned, firstRandom := 0, 0, ""
	compare := func(name, query string, vars map[string]any) {
		t.Helper()
		for _, role := range slices.Sorted(maps.Keys(viewers)) {
			token := viewers[role]
			app.countStatements()
			got := postRaw(t, app.srv.URL, token, query, vars)
			statements := app.statements.Load()
			want := postRaw(t, resolvers.URL, token, query, vars)
			if !sameResponse(t, got, want) {
				t.Fatalf("%s as %s, variables %v:\n%s\nplanner:   %s\nresolvers: %s", name, role, vars, query, got, want)
			}
			compared++
			if statements <= 2 {
				planned++
			}
		}
	}

	for _, s := range subjects {
		vars := map[string]any{"id": s.id}
		for name, page := range plannerPages {
			compare(name, page, vars)
		}
		for i := range 4 {
			op := fmt.Sprintf("query($id: ID!) { node(id: $id) { ... on %s %s } }", s.typ, schema.selection(rng, s.typ, 0))
			if firstRandom == "" {
				firstRandom = op
			}
			compare(fmt.Sprintf("random operation %d on %s", i, s.typ), op, vars)
		}
	}

	// Root connections, with random paging, orders and selections.
	for _, f := range schema.types["Query"].Fields {
		conn := schema.types[f.Type.named()]
		if conn == nil || !strings.HasSuffix(conn.Name, "Connection") || hasRequiredArg(f) {
			continue
		}
		for i := range 3 {
			compare(fmt.Sprintf("random operation %d on %s", i, f.Name),
				fmt.Sprintf("{ %s%s %s }", f.Name, schema.pageArgs(rng, f), schema.connection(rng, conn, 1)), nil)
		}
	}

	// Bad paging input gets the same client error either way (the planner
	// leaves it to the usual path).
	compare("first and last", `{ accounts(first: 1, last: 1) { totalCount } }`, nil)
	compare("a cursor that is not one", `{ accounts(first: 1, after: "bm90IGEgY3Vyc29y") { totalCount } }`, nil)

	// Cursors forwards and backwards over the pages' connections: a page
	// read the usual way gives the cursors the planner must honour.
	for _, s := range subjects {
		if s.typ != "Account" && s.typ != "Carrier" {
			continue
		}
		conn := map[string]string{"Account": "quotes", "Carrier": "accounts"}[s.typ]
		var out struct {
			Node map[string]struct {
				PageInfo struct{ StartCursor, EndCursor *string }
			}
		}
		first := fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on %s { %s(first: 2) { pageInfo { startCursor endCursor } } } } }`, s.typ, conn)
		app.ok(t, first, map[string]any{"id": s.id}, &out)
		end := out.Node[conn].PageInfo.EndCursor
		if end == nil {
			continue
		}
		for _, args := range []string{`first: 3, after: $c`, `last: 1, before: $c`, `last: 5, after: $c`, `first: 1, before: $c`} {
			compare("cursor "+args, fmt.Sprintf(`query($id: ID!, $c: Cursor) { node(id: $id) { ... on %s { %s(%s) {
				totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } } }`, s.typ, conn, args),
				map[string]any{"id": s.id, "c": *end})
		}
	}

	t.Logf("%d responses compared, %d of them read in at most two statements; the first random operation: %s", compared, planned, firstRandom)
	if planned < compared/4 {
		t.Errorf("only %d of %d reads were planned: the planner falls back far too often", planned, compared)
	}

	// The pages themselves are always planned: one statement, and the viewer's.
	for name, page := range plannerPages {
		for _, s := range subjects {
			if !strings.Contains(page, "on "+s.typ+" ") {
				continue
			}
			app.countStatements()
			app.ok(t, page, map[string]any{"id": s.id}, nil)
			if n := app.statements.Load(); n > 2 {
				t.Errorf("%s of %s: %d statements, want at most 2 (the viewer and the page)", name, s.id, n)
			}
		}
	}
}

// sameResponse compares two responses: data and extensions byte for byte,
// errors as the set of what they say (message and extensions). gqlgen
// resolves a list's elements concurrently: the order of their errors, and
// which errors of an element nulled by a sibling's error are reported at
// all, differ from one run to the next on either path.
func sameResponse(t *testing.T, a, b []byte) bool {
	t.Helper()
	type gqlError struct {
		Message    string
		Extensions json.RawMessage
	}
	type response struct {
		Data       json.RawMessage
		Errors     []gqlError
		Extensions json.RawMessage
	}
	var ra, rb response
	if json.Unmarshal(a, &ra) != nil || json.Unmarshal(b, &rb) != nil {
		return bytes.Equal(a, b)
	}
	errs := func(r response) []string {
		out := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			out[i] = e.Message + " " + string(e.Extensions)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return bytes.Equal(ra.Data, rb.Data) && bytes.Equal(ra.Extensions, rb.Extensions) && slices.Equal(errs(ra), errs(rb))
}

// postRaw posts an operation and returns the response body as it came.
func postRaw(t *testing.T, url, token, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// introspected is the part of the schema the random operations are made from.
type introspected struct{ types map[string]*introType }

type introType struct {
	Name       string
	Kind       string
	Fields     []introField
	EnumValues []struct{ Name string }
}

type introField struct {
	Name string
	Args []struct {
		Name string
		Type introTypeRef
	}
	Type introTypeRef
}

type introTypeRef struct {
	Kind   string
	Name   *string
	OfType *introTypeRef
}

func (r introTypeRef) named() string {
	for t := &r; t != nil; t = t.OfType {
		if t.Name != nil {
			return *t.Name
		}
	}
	return ""
}

func (r introTypeRef) required() bool { return r.Kind == "NON_NULL" }

func introspect(t *testing.T, app *testApp) introspected {
	t.Helper()
	var out struct {
		Schema struct{ Types []*introType } `json:"__schema"`
	}
	ref := `kind name ofType { kind name ofType { kind name ofType { kind name } } }`
	app.ok(t, `{ __schema { types { name kind enumValues { name } fields { name args { name type { `+ref+` } } type { `+ref+` } } } } }`, nil, &out)
	s := introspected{types: map[string]*introType{}}
	for _, typ := range out.Schema.Types {
		s.types[typ.Name] = typ
	}
	return s
}

// selection is a random selection set of typ, depth levels below node.
func (s introspected) selection(rng *rand.Rand, typ string, depth int) string {
	var b strings.Builder
	b.WriteString("{ id")
	connections := 0
	for _, f := range s.types[typ].Fields {
		if f.Name == "id" || hasRequiredArg(f) {
			continue
		}
		target := s.types[f.Type.named()]
		if target == nil {
			continue
		}
		switch {
		case target.Kind == "SCALAR" || target.Kind == "ENUM":
			if rng.IntN(2) == 0 {
				b.WriteString(" " + f.Name)
			}
		case strings.HasSuffix(target.Name, "Connection") && depth < 3 && connections < 2 && rng.IntN(3) == 0:
			connections++
			b.WriteString(" " + f.Name + s.pageArgs(rng, f) + " " + s.connection(rng, target, depth+1))
		case target.Kind == "OBJECT" && !strings.HasSuffix(target.Name, "Connection") && depth < 3 && s.types[target.Name].hasField("id") && rng.IntN(4) == 0:
			b.WriteString(" " + f.Name + " " + s.selection(rng, target.Name, depth+1))
		}
	}
	b.WriteString(" }")
	return b.String()
}

// pageArgs are random paging and ordering arguments of a connection field.
func (s introspected) pageArgs(rng *rand.Rand, f introField) string {
	var args []string
	switch rng.IntN(4) {
	case 0:
		args = append(args, fmt.Sprintf("first: %d", rng.IntN(6)))
	case 1:
		args = append(args, fmt.Sprintf("last: %d", 1+rng.IntN(4)))
	case 2:
		args = append(args, fmt.Sprintf("first: %d", 1+rng.IntN(3)))
	}
	for _, a := range f.Args {
		if a.Name != "orderBy" || rng.IntN(2) == 0 {
			continue
		}
		order := s.types[a.Type.named()]
		if order == nil {
			continue
		}
		fieldEnum := s.types[strings.TrimSuffix(order.Name, "Order")+"OrderField"]
		if fieldEnum == nil || len(fieldEnum.EnumValues) == 0 {
			continue
		}
		field := fieldEnum.EnumValues[rng.IntN(len(fieldEnum.EnumValues))].Name
		direction := []string{"ASC", "DESC"}[rng.IntN(2)]
		args = append(args, fmt.Sprintf("orderBy: [{field: %s, direction: %s}]", field, direction))
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// connection is a random selection of a connection's fields.
func (s introspected) connection(rng *rand.Rand, conn *introType, depth int) string {
	node := strings.TrimSuffix(conn.Name, "Connection")
	parts := []string{}
	if rng.IntN(2) == 0 {
		parts = append(parts, "totalCount")
	}
	if rng.IntN(2) == 0 {
		parts = append(parts, "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
	}
	switch rng.IntN(3) {
	case 0:
		parts = append(parts, "edges { cursor node "+s.selection(rng, node, depth)+" }")
	case 1:
		parts = append(parts, "nodes "+s.selection(rng, node, depth))
	}
	if len(parts) == 0 {
		parts = append(parts, "totalCount")
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func hasRequiredArg(f introField) bool {
	for _, a := range f.Args {
		if a.Type.required() {
			return true
		}
	}
	return false
}

func (t *introType) hasField(name string) bool {
	for _, f := range t.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

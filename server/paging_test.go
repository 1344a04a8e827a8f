package main

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"carrierdesk/internal/seed"

	"github.com/vmihailenco/msgpack/v5"
)

// TestPagingEveryOrdering pages every root connection by every field it can
// be ordered by, in both directions, forwards with first/after and
// backwards with last/before, over the seeded demo portfolio (which has
// nulls in the nullable sort fields: quotes never sent, escalations still
// open, orders without a FOC). To keep it quick each connection is cut to
// its oldest and newest 40 rows by ID (a where filter), read 12 at a time.
// Each walk must return every row once: as many as totalCount, the same
// rows as a read in ID order, and backwards the forward walk reversed. Before nulls had a place in the order, a
// walk by FOLLOW_UP_ON stopped at the first null with hasNextPage false,
// and an order by a related entity's field (CARRIER_NAME) failed on page 2.
func TestPagingEveryOrdering(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		if _, err := seed.Run(allowCtx(), app.db.Client, seed.Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		var schema struct {
			Schema struct {
				QueryType struct {
					Fields []struct {
						Name string
						Args []struct {
							Name string
							Type struct {
								OfType struct{ OfType struct{ Name string } }
							}
						}
						Type struct{ OfType struct{ Name string } }
					}
				}
			} `json:"__schema"`
		}
		app.ok(t, `{ __schema { queryType { fields { name args { name type { ofType { ofType { name } } } } type { ofType { name } } } } } }`, nil, &schema)
		walked := 0
		for _, f := range schema.Schema.QueryType.Fields {
			if !strings.HasSuffix(f.Type.OfType.Name, "Connection") {
				continue
			}
			var order string
			for _, a := range f.Args {
				if a.Name == "orderBy" {
					order = a.Type.OfType.OfType.Name // [XOrder!]
				}
			}
			if order == "" {
				continue
			}
			var enum struct {
				Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
			}
			app.ok(t, `query($n: String!) { __type(name: $n) { enumValues { name } } }`, jsonObject{"n": strings.TrimSuffix(order, "Order") + "OrderField"}, &enum)
			where := sample(t, app, f.Name)
			all := walk(t, app, f.Name, where, "", "ASC")
			for _, v := range enum.Type.EnumValues {
				for _, dir := range []string{"ASC", "DESC"} {
					t.Run(f.Name+"/"+v.Name+"/"+dir, func(t *testing.T) {
						fwd := walk(t, app, f.Name, where, v.Name, dir)
						if !sameSet(fwd, all) {
							t.Fatalf("forward walk returned %d rows (%d distinct); the connection holds %d", len(fwd), distinct(fwd), len(all))
						}
						back := walkBack(t, app, f.Name, where, v.Name, dir)
						slices.Reverse(back)
						if !slices.Equal(back, fwd) {
							t.Fatalf("backward walk (%d rows) is not the forward walk (%d rows) reversed", len(back), len(fwd))
						}
					})
					walked++
				}
			}
		}
		if walked < 100 {
			t.Fatalf("walked %d orderings; the schema has more", walked)
		}
	})
}

// TestPagingNullsHaveAPlace: nulls sort after every value ascending and
// before every value descending, on both databases, at the root and in a
// nested connection, and a page that starts among the nulls continues
// with the rest of them.
func TestPagingNullsHaveAPlace(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		if _, err := seed.Run(allowCtx(), app.db.Client, seed.Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{"ASC", "DESC"} {
			var values []*string
			after := any(nil)
			for {
				var page struct {
					Quotes struct {
						Edges    []struct{ Node struct{ FollowUpOn *string } }
						PageInfo struct {
							HasNextPage bool
							EndCursor   *string
						}
					}
				}
				app.ok(t, `query($after: Cursor, $dir: OrderDirection!) {
					quotes(first: 9, after: $after, orderBy: [{field: FOLLOW_UP_ON, direction: $dir}]) {
						edges { node { followUpOn } } pageInfo { hasNextPage endCursor } } }`,
					jsonObject{"after": after, "dir": dir}, &page)
				for _, e := range page.Quotes.Edges {
					values = append(values, e.Node.FollowUpOn)
				}
				if !page.Quotes.PageInfo.HasNextPage {
					break
				}
				after = *page.Quotes.PageInfo.EndCursor
			}
			nulls := 0
			for _, v := range values {
				if v == nil {
					nulls++
				}
			}
			if nulls == 0 || nulls == len(values) {
				t.Fatalf("the seeded quotes have %d null follow-up dates of %d: the test needs both", nulls, len(values))
			}
			for i := 1; i < len(values); i++ {
				a, b := values[i-1], values[i]
				if dir == "DESC" {
					a, b = b, a
				}
				if a == nil && b != nil || a != nil && b != nil && *a > *b {
					t.Fatalf("%s: row %d out of order (nulls belong %s)", dir, i, map[string]string{"ASC": "last", "DESC": "first"}[dir])
				}
			}
		}

		// Nested, eagerly loaded: an account's escalations by RESOLVED_AT, two at a time.
		var accounts struct {
			Accounts struct {
				Edges []struct {
					Node struct {
						ID          string
						Escalations struct{ TotalCount int }
					}
				}
			}
		}
		app.ok(t, `{ accounts(first: 100) { edges { node { id escalations { totalCount } } } } }`, nil, &accounts)
		best := accounts.Accounts.Edges[0].Node
		for _, e := range accounts.Accounts.Edges {
			if e.Node.Escalations.TotalCount > best.Escalations.TotalCount {
				best = e.Node
			}
		}
		var seen []string
		after := any(nil)
		for {
			var page struct {
				Node struct {
					Escalations struct {
						Edges    []struct{ Node struct{ ID string } }
						PageInfo struct {
							HasNextPage bool
							EndCursor   *string
						}
					}
				}
			}
			app.ok(t, `query($id: ID!, $after: Cursor) { node(id: $id) { ... on Account {
				escalations(first: 2, after: $after, orderBy: [{field: RESOLVED_AT}]) { edges { node { id } } pageInfo { hasNextPage endCursor } } } } }`,
				jsonObject{"id": best.ID, "after": after}, &page)
			for _, e := range page.Node.Escalations.Edges {
				seen = append(seen, e.Node.ID)
			}
			if !page.Node.Escalations.PageInfo.HasNextPage {
				break
			}
			after = *page.Node.Escalations.PageInfo.EndCursor
		}
		if len(seen) != best.Escalations.TotalCount || distinct(seen) != len(seen) {
			t.Fatalf("nested walk returned %d rows (%d distinct) of %d", len(seen), distinct(seen), best.Escalations.TotalCount)
		}
	})
}

// TestCursorOfAnotherConnectionOrOrdering: a cursor is good only for the
// connection and orderBy that gave it out. Used elsewhere it is
// BAD_USER_INPUT naming after or before, never INTERNAL and never a
// silently empty page; so is a cursor whose contents were edited.
func TestCursorOfAnotherConnectionOrOrdering(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		if _, err := seed.Run(allowCtx(), app.db.Client, seed.Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		cursorOf := func(query string) string {
			var out map[string]struct {
				PageInfo struct{ EndCursor string }
			}
			app.ok(t, query, nil, &out)
			for _, c := range out {
				return c.PageInfo.EndCursor
			}
			return ""
		}
		quotes := cursorOf(`{ quotes(first: 3) { pageInfo { endCursor } } }`)
		byTitle := cursorOf(`{ quotes(first: 3, orderBy: [{field: TITLE}]) { pageInfo { endCursor } } }`)
		byTwo := cursorOf(`{ quotes(first: 3, orderBy: [{field: STATUS}, {field: TITLE}]) { pageInfo { endCursor } } }`)
		byFollowUp := cursorOf(`{ quotes(first: 3, orderBy: [{field: FOLLOW_UP_ON}]) { pageInfo { endCursor } } }`)

		// Each cursor still works where it came from.
		app.ok(t, `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: TITLE}]) { totalCount } }`, jsonObject{"c": byTitle}, nil)

		for _, tc := range []struct{ name, query, cursor, field string }{
			{"another type's cursor", `query($c: Cursor) { accounts(first: 3, after: $c) { edges { node { id } } } }`, quotes, "after"},
			{"another sort", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: STATUS}]) { edges { node { id } } } }`, byTitle, "after"},
			{"another direction", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: TITLE, direction: DESC}]) { edges { node { id } } } }`, byTitle, "after"},
			{"two fields under one", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: STATUS}]) { edges { node { id } } } }`, byTwo, "after"},
			{"before, another sort", `query($c: Cursor) { quotes(last: 3, before: $c, orderBy: [{field: SENT_AT}]) { edges { node { id } } } }`, byFollowUp, "before"},
			{"nested, another type", `query($c: Cursor) { accounts(first: 1) { edges { node { escalations(first: 2, after: $c) { edges { node { id } } } } } } }`, quotes, "after"},
			{"edited value", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: FOLLOW_UP_ON}]) { edges { node { id } } } }`, edited(t, byFollowUp, "not a date"), "after"},
			{"edited count", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: FOLLOW_UP_ON}]) { edges { node { id } } } }`, edited(t, byFollowUp, "2026-01-01", "extra"), "after"},
			{"a field twice", `{ quotes(first: 3, orderBy: [{field: TITLE}, {field: TITLE, direction: DESC}]) { edges { node { id } } } }`, "", "orderBy"},
			{"edited null on a field never null", `query($c: Cursor) { quotes(first: 3, after: $c, orderBy: [{field: TITLE}]) { edges { node { id } } } }`, edited(t, byTitle, nil), "after"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				vars := jsonObject{"c": tc.cursor}
				if tc.cursor == "" {
					vars = nil
				}
				app.fails(t, tc.query, vars, "BAD_USER_INPUT", tc.field)
			})
		}
	})
}

// edited returns cursor c with its sort values replaced, its stamp kept.
func edited(t *testing.T, c string, values ...any) string {
	t.Helper()
	raw, err := base64.RawStdEncoding.DecodeString(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := msgpack.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["v"] = values
	raw, err = msgpack.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawStdEncoding.EncodeToString(raw)
}

// sample returns a where filter that keeps a connection's oldest and newest
// 40 rows by ID.
func sample(t *testing.T, app *testApp, connection string) string {
	t.Helper()
	var out struct {
		Head, Tail struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	app.ok(t, fmt.Sprintf(`{ head: %[1]s(first: 40) { edges { node { id } } } tail: %[1]s(last: 40) { edges { node { id } } } }`, connection), nil, &out)
	if len(out.Head.Edges) < 40 {
		return "" // all of it
	}
	return fmt.Sprintf(`, where: {or: [{idLTE: %q}, {idGTE: %q}]}`, out.Head.Edges[39].Node.ID, out.Tail.Edges[0].Node.ID)
}

// walk pages connection by field (its default order when "") and returns the IDs in order.
func walk(t *testing.T, app *testApp, connection, where, field, dir string) []string {
	t.Helper()
	return pageThrough(t, app, connection, where, field, dir, "first", "after", "endCursor", "hasNextPage")
}

// walkBack pages connection backwards from its end and returns the IDs in the order read.
func walkBack(t *testing.T, app *testApp, connection, where, field, dir string) []string {
	t.Helper()
	return pageThrough(t, app, connection, where, field, dir, "last", "before", "startCursor", "hasPreviousPage")
}

func pageThrough(t *testing.T, app *testApp, connection, where, field, dir, size, cursorArg, cursorField, more string) []string {
	t.Helper()
	order := ""
	if field != "" {
		order = fmt.Sprintf(", orderBy: [{field: %s, direction: %s}]", field, dir)
	}
	query := fmt.Sprintf(`query($c: Cursor) { page: %s(%s: 12, %s: $c%s%s) { totalCount edges { node { id } } pageInfo { %s %s } } }`,
		connection, size, cursorArg, order, where, cursorField, more)
	var ids []string
	var c any
	for pages := 0; ; pages++ {
		var out struct {
			Page struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
				PageInfo   map[string]any
			}
		}
		app.ok(t, query, jsonObject{"c": c}, &out)
		page := make([]string, 0, len(out.Page.Edges))
		for _, e := range out.Page.Edges {
			page = append(page, e.Node.ID)
		}
		if size == "last" {
			slices.Reverse(page)
		}
		ids = append(ids, page...)
		if out.Page.PageInfo[more] != true {
			if len(ids) != out.Page.TotalCount {
				t.Fatalf("%s: %d rows before %s was false, totalCount %d", query, len(ids), more, out.Page.TotalCount)
			}
			return ids
		}
		if pages > out.Page.TotalCount {
			t.Fatalf("%s: more pages than rows", query)
		}
		c = out.Page.PageInfo[cursorField]
	}
}

func distinct(ids []string) int {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return len(set)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) || distinct(a) != len(a) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// TestConnectionNodes: every connection has the nodes shortcut, which
// returns the edges' nodes and loads as edges { node } does (one statement
// per level, not one per parent), and pageInfo's cursors are there whether
// or not edges are selected.
func TestConnectionNodes(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		if _, err := seed.Run(allowCtx(), app.db.Client, seed.Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		type page struct {
			Nodes    []struct{ ID string }
			Edges    []struct{ Node struct{ ID string } }
			PageInfo struct{ EndCursor *string }
		}
		var both struct{ Accounts page }
		app.ok(t, `{ accounts(first: 10) { nodes { id } edges { node { id } } } }`, nil, &both)
		if len(both.Accounts.Nodes) != 10 {
			t.Fatalf("nodes holds %d accounts, want 10", len(both.Accounts.Nodes))
		}
		for i, n := range both.Accounts.Nodes {
			if n.ID != both.Accounts.Edges[i].Node.ID {
				t.Fatalf("nodes[%d] is %s, edges[%d].node is %s", i, n.ID, i, both.Accounts.Edges[i].Node.ID)
			}
		}
		for _, query := range []string{
			`{ accounts(first: 5, orderBy: [{field: NAME}]) { nodes { id } pageInfo { endCursor } } }`,
			`{ accounts(first: 5, orderBy: [{field: NAME}]) { pageInfo { endCursor } } }`,
		} {
			var first struct{ Accounts page }
			app.ok(t, query, nil, &first)
			if first.Accounts.PageInfo.EndCursor == nil {
				t.Fatalf("%s: endCursor is null", query)
			}
			var next, ten struct{ Accounts page }
			app.ok(t, `query($c: Cursor) { accounts(first: 5, after: $c, orderBy: [{field: NAME}]) { nodes { id } } }`, jsonObject{"c": *first.Accounts.PageInfo.EndCursor}, &next)
			app.ok(t, `{ accounts(first: 10, orderBy: [{field: NAME}]) { nodes { id } } }`, nil, &ten)
			if len(next.Accounts.Nodes) != 5 || next.Accounts.Nodes[0].ID != ten.Accounts.Nodes[5].ID {
				t.Fatalf("%s: the page after endCursor does not start with the sixth account", query)
			}
		}
		statements := func(query string) int64 {
			app.ok(t, query, nil, nil) // the viewer is loaded
			app.statements.Store(0)
			app.ok(t, query, nil, nil)
			return app.statements.Load()
		}
		viaEdges := statements(`{ accounts(first: 20) { edges { node { name quotes(first: 3) { edges { node { title } } } } } } }`)
		viaNodes := statements(`{ accounts(first: 20) { nodes { name quotes(first: 3) { nodes { title } } } } }`)
		if viaNodes != viaEdges {
			t.Fatalf("nodes took %d statements, edges { node } %d", viaNodes, viaEdges)
		}
	})
}

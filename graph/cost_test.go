package graph

import (
	"testing"

	"carrierdesk/internal/saturating"

	"github.com/vektah/gqlparser/v2"
)

// TestCostMeasure pins the cost model: objects count 1, a connection
// multiplies one item by its page, edges and scalars are free, plain lists
// count as a default page, introspection is free and adds no depth.
func TestCostMeasure(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	limits := Limits{DefaultPage: 20}
	for _, tc := range []struct {
		name        string
		query       string
		vars        map[string]any
		cost, depth int
	}{
		{"one object", `{ me { role } }`, nil, 1, 2},
		{"a page of nodes", `{ accounts(first: 10) { totalCount edges { node { id name } } } }`, nil, 1 + 10, 4},
		{"a page of nodes, by the shortcut", `{ accounts(first: 10) { totalCount nodes { id name } } }`, nil, 1 + 10, 3},
		{"the default page", `{ accounts { edges { node { id } } } }`, nil, 1 + 20, 4},
		{"last", `{ accounts(last: 7) { edges { node { id } } } }`, nil, 1 + 7, 4},
		{"a page size from a variable", `query($n: Int) { accounts(first: $n) { edges { node { id } } } }`, map[string]any{"n": int64(30)}, 1 + 30, 4},
		{"cursors only still count the rows", `{ accounts(first: 10) { edges { cursor } pageInfo { hasNextPage } } }`, nil, 1 + 10 + 1, 3},
		{
			"nested connections multiply",
			`{ accounts(first: 10) { edges { node { carrier { name } quotes(first: 5) { edges { node { title } } } } } } }`,
			nil, 1 + 10*(1+1+(1+5)), 7,
		},
		{
			"a fragment takes the page of where it is used",
			`{ a: accounts(first: 10) { ...Page } b: accounts(first: 5) { ...Page } }
			 fragment Page on AccountConnection { edges { node { id } } }`,
			nil, (1 + 10) + (1 + 5), 4,
		},
		{
			"inline fragments on a node",
			`query($id: ID!) { node(id: $id) { ... on Carrier { accounts(first: 3) { edges { node { id } } } } } }`,
			map[string]any{"id": "x"}, 1 + (1 + 3), 5,
		},
		{"nodes by ID count the IDs", `{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 3, 2},
		{"a plain list counts a default page", `{ me { escalations { totalCount nodes { id title } } } }`, nil, 1 + 1 + 20, 4},
		{"typename is free", `{ __typename me { __typename } }`, nil, 1, 1},
		{
			"introspection is free",
			`{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }`,
			nil, 0, 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(schema, tc.query)
			if errs != nil {
				t.Fatalf("invalid query: %v", errs)
			}
			cost, depth := limits.MeasureCost(doc, doc.Operations[0], tc.vars)
			if cost != tc.cost || depth != tc.depth {
				t.Errorf("cost %d, depth %d; want cost %d, depth %d", cost, depth, tc.cost, tc.depth)
			}
		})
	}
}

// TestCostMeasureSaturates keeps absurd nesting from overflowing into a small or negative cost.
func TestCostMeasureSaturates(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	q := `{ accounts(first: 100000) { edges { node { quotes(first: 100000) { edges { node {
	       lineItems(first: 100000) { edges { node { quote { lineItems(first: 100000) { edges { node {
	       quote { lineItems(first: 100000) { edges { node { id } } } } } } } } } } } } } } } } } }`
	doc, errs := gqlparser.LoadQuery(schema, q)
	if errs != nil {
		t.Fatalf("invalid query: %v", errs)
	}
	if cost, _ := (Limits{DefaultPage: 20}).MeasureCost(doc, doc.Operations[0], nil); cost != saturating.Ceiling {
		t.Errorf("cost %d; want the ceiling %d", cost, saturating.Ceiling)
	}
}

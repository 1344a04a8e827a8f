package main

import (
	"net/http"
	"strings"
	"testing"
)

const createCarrier = `mutation($input: CreateCarrierInput!) {
  createCarrier(input: $input) { id name ocn ccna tier status createdAt updatedAt }
}`

type carrierOut struct {
	ID, Name, Ocn, Ccna, Tier, Status string
	CreatedAt, UpdatedAt              string
}

func TestCarrierLifecycle(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		var created struct{ CreateCarrier carrierOut }
		app.ok(t, createCarrier, map[string]any{"input": map[string]any{"name": "Zayo Wholesale", "ocn": "8210", "ccna": "ZYO"}}, &created)
		c := created.CreateCarrier
		if !strings.HasPrefix(c.ID, "car_") || c.Tier != "TIER_2" || c.Status != "ACTIVE" || c.Ocn != "8210" {
			t.Fatalf("created %+v", c)
		}

		var node struct {
			Node struct{ ID, Name string }
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { id ... on Carrier { name } } }`, map[string]any{"id": c.ID}, &node)
		if node.Node.ID != c.ID || node.Node.Name != "Zayo Wholesale" {
			t.Fatalf("node = %+v", node.Node)
		}

		var updated struct{ UpdateCarrier carrierOut }
		app.ok(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {tier: TIER_1, name: "Zayo Group"}) { id name tier ocn updatedAt createdAt } }`,
			map[string]any{"id": c.ID}, &updated)
		if u := updated.UpdateCarrier; u.Name != "Zayo Group" || u.Tier != "TIER_1" || u.Ocn != "8210" || u.CreatedAt != c.CreatedAt || u.UpdatedAt < c.UpdatedAt {
			t.Fatalf("updated %+v from %+v", u, c)
		}
	})
}

func TestCarrierValidation(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		app.ok(t, createCarrier, map[string]any{"input": map[string]any{"name": "Cogent", "ocn": "4321", "ccna": "COG"}}, nil)
		tests := []struct {
			name        string
			input       map[string]any
			code, field string
		}{
			{"empty name", map[string]any{"name": "", "ocn": "1111", "ccna": "AAA"}, "BAD_USER_INPUT", "name"},
			{"long name", map[string]any{"name": strings.Repeat("x", 201), "ocn": "1111", "ccna": "AAA"}, "BAD_USER_INPUT", "name"},
			{"short ocn", map[string]any{"name": "A", "ocn": "111", "ccna": "AAA"}, "BAD_USER_INPUT", "ocn"},
			{"lower ccna", map[string]any{"name": "A", "ocn": "1111", "ccna": "aaa"}, "BAD_USER_INPUT", "ccna"},
			{"bad tier", map[string]any{"name": "A", "ocn": "1111", "ccna": "AAA", "tier": "TIER_9"}, "BAD_USER_INPUT", "tier"},
			{"duplicate ocn", map[string]any{"name": "B", "ocn": "4321", "ccna": "BBB"}, "CONFLICT", "ocn"},
			{"duplicate ccna", map[string]any{"name": "B", "ocn": "9999", "ccna": "COG"}, "CONFLICT", "ccna"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				app.fails(t, createCarrier, map[string]any{"input": tt.input}, tt.code, tt.field)
			})
		}
		var count struct{ Carriers struct{ TotalCount int } }
		app.ok(t, `{ carriers { totalCount } }`, nil, &count)
		if count.Carriers.TotalCount != 1 {
			t.Fatalf("failed creates wrote rows: %d carriers", count.Carriers.TotalCount)
		}
	})
}

func TestPageLimits(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		for i := range 25 {
			app.ok(t, createCarrier, map[string]any{"input": map[string]any{
				"name": "Carrier " + string(rune('A'+i)), "ocn": "10" + string(rune('A'+i/10)) + string(rune('0'+i%10)), "ccna": "C" + string(rune('A'+i/10)) + string(rune('A'+i%10)),
			}}, nil)
		}
		var page struct {
			Carriers struct {
				TotalCount int
				Edges      []struct{ Node struct{ Name string } }
				PageInfo   struct{ HasNextPage bool }
			}
		}
		for range 2 { // the second time, the rewritten operation is the remembered one
			app.ok(t, `{ carriers(orderBy: [{field: NAME}]) { totalCount edges { node { name } } pageInfo { hasNextPage } } }`, nil, &page)
			if page.Carriers.TotalCount != 25 || len(page.Carriers.Edges) != 20 || !page.Carriers.PageInfo.HasNextPage {
				t.Fatalf("default page: total %d, %d edges, next %v", page.Carriers.TotalCount, len(page.Carriers.Edges), page.Carriers.PageInfo.HasNextPage)
			}
		}
		res := app.fails(t, `{ carriers(first: 101) { totalCount } }`, nil, "BAD_USER_INPUT", "first")
		if res.Status != http.StatusOK && res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", res.Status)
		}
		app.fails(t, `query($n: Int) { carriers(last: $n) { totalCount } }`, map[string]any{"n": 1000}, "BAD_USER_INPUT", "last")
	})
}

package main

import (
	"os"
	"strings"
	"testing"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/seed"
)

// TestREADMEListsDemoUsers keeps the README's table of demo users true to the seed.
func TestREADMEListsDemoUsers(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, u := range seed.DemoUsers {
		if !strings.Contains(readme, "| `"+u.Email+"` | `"+string(u.Role)+"` |") {
			t.Errorf("README does not list demo user %s with role %s", u.Email, u.Role)
		}
	}
}

// TestREADMEExamplesRun runs every GraphQL example in the README against a
// small portfolio: an example that no longer fits the schema fails here.
func TestREADMEExamplesRun(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples []string
	for _, block := range strings.Split(string(b), "```graphql\n")[1:] {
		q := strings.SplitN(block, "```", 2)[0]
		if strings.HasPrefix(q, "subscription") {
			continue // streamed over WebSocket or SSE, as server/subscription_test.go does
		}
		examples = append(examples, q)
	}
	if len(examples) < 3 {
		t.Fatalf("found %d GraphQL examples in the README; want the web, mobile and reporting ones", len(examples))
	}
	backends(t, func(t *testing.T, app *testApp) {
		carrier := buildPortfolio(t, app.db.Client, "RDM", 2, 2)
		team := app.db.Client.Team.Create().SetName("README team").SetRegion(enum.RegionWest).SaveX(allowCtx())
		vars := map[string]any{"carrier": carrier, "team": team.ID, "week": "2026-11-23T00:00:00Z"}
		for _, q := range examples {
			var data map[string]any
			app.ok(t, q, vars, &data)
			if len(data) == 0 {
				t.Errorf("example returned no data:\n%s", q)
			}
		}
	})
}

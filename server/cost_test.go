package main

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"carrierdesk/internal/auth"

	"entgo.io/ent/dialect"
)

// reportedCost is extensions.cost of a response, or zeros.
func reportedCost(t testing.TB, res gqlResponse) (requested, limit int) {
	t.Helper()
	c, ok := res.Extensions["cost"].(map[string]any)
	if !ok {
		t.Fatalf("no extensions.cost in %s", res.Raw)
	}
	r, _ := c["requested"].(float64)
	l, _ := c["limit"].(float64)
	return int(r), int(l)
}

// extInt is an integer extension of the first error.
func extInt(res gqlResponse, name string) int {
	if len(res.Errors) == 0 {
		return -1
	}
	n, ok := res.Errors[0].Extensions[name].(float64)
	if !ok {
		return -1
	}
	return int(n)
}

// withConfig is a second server on the same database, configured by change.
// Its statements are counted by the app it came from.
func (a *testApp) withConfig(t *testing.T, change func(*Config)) *testApp {
	t.Helper()
	cfg := a.cfg
	change(&cfg)
	verifier, err := auth.NewVerifier(context.Background(), cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(a.db, cfg, &Authenticator{Verifier: verifier, Client: a.db.Client}))
	t.Cleanup(srv.Close)
	return &testApp{db: a.db, cfg: cfg, token: a.token, srv: srv}
}

// authStatements is how many SQL statements a request costs before GraphQL
// runs anything (loading the viewer): measured on a request that fails validation.
func authStatements(t *testing.T, app *testApp) int64 {
	t.Helper()
	app.countStatements()
	if res := app.do(t, `{ noSuchField }`, nil); len(res.Errors) == 0 {
		t.Fatalf("an invalid query passed: %s", res.Raw)
	}
	return app.statements.Load()
}

// TestCostLimits sends operations through the real handler: too costly or too
// deep ones are refused with the numbers, before any SQL of theirs runs.
func TestCostLimits(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "CST", 3, 2)
		base := authStatements(t, app)

		const nested = `query($n: Int) { carriers(first: $n) { edges { node { name
		  accounts(first: $n) { edges { node { name quotes(first: $n) { totalCount edges { node { title } } } } } } } } } }`
		// 1 + n*(1 + 1 + n*(1 + 1 + n*1)) for n = 100
		const nestedCost = 1 + 100*(2+100*(2+100))

		t.Run("too costly", func(t *testing.T) {
			app.countStatements()
			res := app.fails(t, nested, map[string]any{"n": 100}, "COMPLEXITY_LIMIT_EXCEEDED", "")
			if n := app.statements.Load(); n != base {
				t.Errorf("%d SQL statements ran; want %d (the viewer's only)", n, base)
			}
			if got := extInt(res, "cost"); got != nestedCost {
				t.Errorf("extensions.cost = %d; want %d", got, nestedCost)
			}
			if got := extInt(res, "limit"); got != app.cfg.Limits.MaxCost {
				t.Errorf("extensions.limit = %d; want %d", got, app.cfg.Limits.MaxCost)
			}
			msg := res.Errors[0].Message
			if !strings.Contains(msg, strconv.Itoa(nestedCost)) || !strings.Contains(msg, strconv.Itoa(app.cfg.Limits.MaxCost)) {
				t.Errorf("message does not state cost and limit: %q", msg)
			}
			if req, limit := reportedCost(t, res); req != nestedCost || limit != app.cfg.Limits.MaxCost {
				t.Errorf("response extensions.cost = %d/%d; want %d/%d", req, limit, nestedCost, app.cfg.Limits.MaxCost)
			}
		})

		t.Run("the same shape in small pages runs", func(t *testing.T) {
			app.countStatements()
			res := app.do(t, nested, map[string]any{"n": 5})
			if len(res.Errors) > 0 {
				t.Fatalf("unexpected errors: %s", res.Raw)
			}
			if n := app.statements.Load(); n <= base {
				t.Errorf("%d SQL statements for a query that runs; the count cannot tell running from refusing", n)
			}
			if req, limit := reportedCost(t, res); req != 1+5*(2+5*(2+5)) || limit != app.cfg.Limits.MaxCost {
				t.Errorf("extensions.cost = %d/%d; want %d/%d", req, limit, 1+5*(2+5*(2+5)), app.cfg.Limits.MaxCost)
			}
		})

		t.Run("too deep", func(t *testing.T) {
			// carriers, edges, node, accounts, edges, node, quotes, edges, node,
			// lineItems, edges, node, quote, account, carrier, name: 16 levels.
			const deep = `{ carriers(first: 1) { edges { node { accounts(first: 1) { edges { node {
			  quotes(first: 1) { edges { node { lineItems(first: 1) { edges { node {
			  quote { account { carrier { name } } } } } } } } } } } } } } } }`
			app.countStatements()
			res := app.fails(t, deep, nil, "DEPTH_LIMIT_EXCEEDED", "")
			if n := app.statements.Load(); n != base {
				t.Errorf("%d SQL statements ran; want %d", n, base)
			}
			if extInt(res, "depth") != 16 || extInt(res, "limit") != app.cfg.Limits.MaxDepth {
				t.Errorf("want depth 16 and limit %d: %s", app.cfg.Limits.MaxDepth, res.Raw)
			}
		})

		t.Run("page limits are checked first", func(t *testing.T) {
			app.fails(t, nested, map[string]any{"n": 1000}, "BAD_USER_INPUT", "first")
		})

		t.Run("a connection without first costs a default page", func(t *testing.T) {
			res := app.do(t, `{ accounts { totalCount edges { node { id carrier { name } } } } }`, nil)
			if req, _ := reportedCost(t, res); len(res.Errors) > 0 || req != 1+app.cfg.Limits.DefaultPage*2 {
				t.Errorf("cost %d; want %d: %s", req, 1+app.cfg.Limits.DefaultPage*2, res.Raw)
			}
		})

		t.Run("introspection is free for internal users", func(t *testing.T) {
			res := app.do(t, `{ __schema { queryType { name } types { name kind fields(includeDeprecated: true) {
			  name args { name type { kind name ofType { kind name ofType { kind name ofType { kind name
			  ofType { kind name ofType { kind name } } } } } } } } } } }`, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("introspection failed: %s", res.Raw)
			}
			if c, ok := res.Extensions["cost"]; ok {
				t.Errorf("introspection reports a cost: %v", c)
			}
		})

		t.Run("limits are configurable", func(t *testing.T) {
			env := map[string]string{"COST_LIMIT": "100", "DEPTH_LIMIT": "5"}
			cfg, err := LoadConfig(func(k string) string { return env[k] })
			if err != nil || cfg.Limits.MaxCost != 100 || cfg.Limits.MaxDepth != 5 {
				t.Fatalf("LoadConfig: %+v, %v", cfg, err)
			}
			for _, bad := range []map[string]string{{"COST_LIMIT": "0"}, {"DEPTH_LIMIT": "x"}} {
				if _, err := LoadConfig(func(k string) string { return bad[k] }); err == nil {
					t.Errorf("LoadConfig accepted %v", bad)
				}
			}
			strict := app.withConfig(t, func(c *Config) { c.Limits.MaxCost, c.Limits.MaxDepth = cfg.Limits.MaxCost, cfg.Limits.MaxDepth })
			page := `query($n: Int) { accounts(first: $n) { edges { node { id } } } }`
			res := strict.do(t, page, map[string]any{"n": 99})
			if req, limit := reportedCost(t, res); len(res.Errors) > 0 || req != 100 || limit != 100 {
				t.Errorf("a query costing the limit: %s", res.Raw)
			}
			res = strict.do(t, page, map[string]any{"n": 100})
			if res.Code() != "COMPLEXITY_LIMIT_EXCEEDED" || extInt(res, "cost") != 101 || extInt(res, "limit") != 100 {
				t.Errorf("a query costing one more than the limit: %s", res.Raw)
			}
			// accounts, edges, node, carrier, name: 5 levels, at the limit.
			if res = strict.do(t, `{ accounts(first: 1) { edges { node { carrier { name } } } } }`, nil); len(res.Errors) > 0 {
				t.Errorf("depth 5 under a limit of 5: %s", res.Raw)
			}
			res = strict.do(t, `{ accounts(first: 1) { edges { node { carrier { accounts(first: 1) { totalCount } } } } } }`, nil)
			if res.Code() != "DEPTH_LIMIT_EXCEEDED" || extInt(res, "depth") != 6 || extInt(res, "limit") != 5 {
				t.Errorf("depth 6 under a limit of 5: %s", res.Raw)
			}
		})
	})
}

// TestClientQueriesFitTheLimits keeps the default limits honest: the web
// app's account page and every README example run under them, with the cost
// reported. (TestREADMEExamplesRun checks their data; this checks their cost.)
func TestClientQueriesFitTheLimits(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{"nplusone account page": accountPage}
	for _, block := range strings.Split(string(b), "```graphql\n")[1:] {
		q := strings.SplitN(block, "```", 2)[0]
		if strings.HasPrefix(q, "subscription") {
			continue // needs a stream; the subscription tests run one
		}
		name, _, _ := strings.Cut(q, "(")
		name, _, _ = strings.Cut(name, " {")
		queries["README "+name] = q
	}
	app := newTestApp(t, dialect.SQLite)
	carrier := buildPortfolio(t, app.db.Client, "FIT", 1, 1)
	vars := map[string]any{"id": carrier, "carrier": carrier, "team": "tea_x", "week": "2026-11-23T00:00:00Z"}
	for name, q := range queries {
		res := app.do(t, q, vars)
		for _, e := range res.Errors {
			if c := e.Extensions["code"]; c == "COMPLEXITY_LIMIT_EXCEEDED" || c == "DEPTH_LIMIT_EXCEEDED" {
				t.Errorf("%s refused: %s", name, res.Raw)
			}
		}
		req, limit := reportedCost(t, res)
		t.Logf("%-40s cost %7d of %d", name, req, limit)
	}
}

// TestCostActual: extensions.cost.actual counts what the response really
// holds, as requested counts what it could hold: each connection's returned
// edges instead of its page size.
func TestCostActual(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "ACT", 3, 2)
		actual := func(res gqlResponse) int {
			t.Helper()
			c, _ := res.Extensions["cost"].(map[string]any)
			n, ok := c["actual"].(float64)
			if !ok || len(res.Errors) > 0 {
				t.Fatalf("no extensions.cost.actual in %s", res.Raw)
			}
			return int(n)
		}
		for _, tc := range []struct {
			name, query         string
			requested, returned int
		}{
			// One carrier with three accounts of two quotes each.
			{"nested connections", `{ carriers(first: 5) { edges { node { name
			  accounts(first: 5) { edges { node { name quotes(first: 5) { totalCount edges { node { title } } } } } } } } } }`,
				1 + 5*(2+5*(2+5)), 1 + 1*(2+3*(2+2))},
			{"cursors only", `{ carriers(first: 10) { edges { cursor } } }`, 1 + 10, 1 + 1},
			{"page info", `{ accounts(first: 2) { pageInfo { hasNextPage } edges { node { id } } } }`, 1 + 1 + 2, 1 + 1 + 2},
			{"nothing found", `{ quotes(first: 50, where: {title: "none such"}) { edges { node { id } } } }`, 1 + 50, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := app.do(t, tc.query, nil)
				if req, _ := reportedCost(t, res); req != tc.requested {
					t.Errorf("requested %d; want %d", req, tc.requested)
				}
				if got := actual(res); got != tc.returned {
					t.Errorf("actual %d; want %d: %s", got, tc.returned, res.Raw)
				}
			})
		}
	})
}

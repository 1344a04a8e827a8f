package main

import "testing"

// TestCursorThatIsNotACursor: a client that sends something that is not a
// cursor of this API gets BAD_USER_INPUT naming the argument, never
// UNAVAILABLE ("retry later", which sends well-behaved clients into retry
// loops) or INTERNAL, on both databases, at the root and nested.
func TestCursorThatIsNotACursor(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		// The same operation with a variable cursor: checked on every request.
		var page struct {
			Quotes struct{ PageInfo struct{ EndCursor *string } }
		}
		const byVariable = `query($c: Cursor) { quotes(first: 1, after: $c) { pageInfo { endCursor } } }`
		app.ok(t, byVariable, nil, &page)
		app.ok(t, byVariable, map[string]any{"c": page.Quotes.PageInfo.EndCursor}, nil)
		app.fails(t, byVariable, map[string]any{"c": "garbage"}, "BAD_USER_INPUT", "after")

		for _, tc := range []struct{ name, query, field string }{
			{"garbage after", `{ quotes(after: "garbage") { totalCount } }`, "after"},
			{"garbage before", `{ quotes(last: 2, before: "garbage") { totalCount } }`, "before"},
			{"base64 of nothing useful", `{ accounts(after: "AAAA") { totalCount } }`, "after"},
			{"nested", `{ accounts(first: 1) { edges { node { quotes(after: "garbage") { totalCount } } } } }`, "after"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				app.fails(t, tc.query, nil, "BAD_USER_INPUT", tc.field)
			})
		}
	})
}

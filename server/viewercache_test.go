package main

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
)

// TestViewerCache: the server keeps the viewer a token names for
// VIEWER_CACHE_TTL, so a client's second request reads no rep; a change to
// the rep through the API takes effect on the next request, and one made
// behind this server's back (by another instance) once the TTL has passed.
func TestViewerCache(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		ctx := allowCtx()
		rep := app.db.Client.Rep.Create().
			SetName("Cache Rep").SetEmail("cache.rep@viewer.example").
			SetRole(enum.RoleAnalyst).SetRegion(enum.RegionWest).
			SaveX(ctx)
		analyst := app.as(app.sign(t, auth.Claims{Subject: rep.ID, Role: string(enum.RoleAnalyst)}))
		const query = `{ carriers(first: 1) { totalCount } }`

		app.countStatements()
		analyst.ok(t, query, nil, nil)
		cold := app.statements.Load()
		app.statements.Store(0)
		analyst.ok(t, query, nil, nil)
		if warm := app.statements.Load(); warm != cold-1 {
			t.Fatalf("%d statements with the viewer kept, %d without; want one fewer", warm, cold)
		}

		// Through the API: the rep loses the analyst role, and the token that claims it stops working at once.
		var updated struct{ UpdateRep struct{ Role string } }
		app.ok(t, `mutation($id: ID!) { updateRep(id: $id, input: {role: SUPPORT}) { role } }`, map[string]any{"id": rep.ID}, &updated)
		if updated.UpdateRep.Role != "SUPPORT" {
			t.Fatalf("updateRep: %+v", updated)
		}
		if res := analyst.do(t, query, nil); res.Status != http.StatusUnauthorized || res.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a kept viewer outlived the change of role: %d %s", res.Status, res.Raw)
		}

		// Behind the server's back: the kept viewer serves until the TTL passes.
		rep = app.db.Client.Rep.UpdateOne(rep).SetRole(enum.RoleAnalyst).SaveX(ctx)
		analyst.ok(t, query, nil, nil) // kept again
		var clock atomic.Int64
		clock.Store(time.Now().UnixNano())
		app.authn.Viewers.mu.Lock()
		app.authn.Viewers.now = func() time.Time { return time.Unix(0, clock.Load()) }
		app.authn.Viewers.mu.Unlock()
		update := `UPDATE reps SET active = false WHERE id = ?`
		if app.db.Dialect == dialect.Postgres {
			update = `UPDATE reps SET active = false WHERE id = $1`
		}
		if _, err := app.db.DB.ExecContext(ctx, update, rep.ID); err != nil {
			t.Fatal(err)
		}
		analyst.ok(t, query, nil, nil)
		clock.Add(int64(app.cfg.ViewerTTL))
		if res := analyst.do(t, query, nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("a deactivated rep still served after VIEWER_CACHE_TTL: %d %s", res.Status, res.Raw)
		}
	})
}

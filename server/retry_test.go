package main

import (
	"testing"
	"time"
)

// TestIdempotentRetryWritesOnce sends the same mutation twice with one
// Idempotency-Key: the second gets the first response and writes nothing.
// The same key with other input is refused.
func TestIdempotentRetryWritesOnce(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		input := map[string]any{"input": map[string]any{"name": "Zayo", "ocn": "8210", "ccna": "ZYO"}}
		first := app.do(t, createCarrier, input, "Idempotency-Key", "retry-1")
		second := app.do(t, createCarrier, input, "Idempotency-Key", "retry-1")
		if len(first.Errors) > 0 || len(second.Errors) > 0 {
			t.Fatalf("first %s / second %s", first.Raw, second.Raw)
		}
		if string(first.Data) != string(second.Data) {
			t.Fatalf("retry returned other data:\n%s\n%s", first.Data, second.Data)
		}
		if second.Extensions["idempotentReplay"] != true {
			t.Errorf("retry not marked as a replay: %s", second.Raw)
		}
		var count struct{ Carriers struct{ TotalCount int } }
		app.ok(t, `{ carriers { totalCount } }`, nil, &count)
		if count.Carriers.TotalCount != 1 {
			t.Fatalf("%d carriers after a retried create; want 1", count.Carriers.TotalCount)
		}

		other := map[string]any{"input": map[string]any{"name": "Cogent", "ocn": "4321", "ccna": "COG"}}
		reused := app.do(t, createCarrier, other, "Idempotency-Key", "retry-1")
		if reused.Code() != "BAD_USER_INPUT" || reused.Field() != "Idempotency-Key" {
			t.Fatalf("key reused with other input: %s", reused.Raw)
		}

		// A failed mutation leaves no key behind: the retry runs again.
		bad := map[string]any{"input": map[string]any{"name": "Dup", "ocn": "8210", "ccna": "DUP"}}
		if r := app.do(t, createCarrier, bad, "Idempotency-Key", "retry-2"); r.Code() != "CONFLICT" {
			t.Fatalf("duplicate OCN: %s", r.Raw)
		}
		fixed := map[string]any{"input": map[string]any{"name": "Dup", "ocn": "8211", "ccna": "DUP"}}
		if r := app.do(t, createCarrier, fixed, "Idempotency-Key", "retry-3"); len(r.Errors) > 0 {
			t.Fatalf("after a failure: %s", r.Raw)
		}

		// A key must be printable ASCII.
		if r := app.do(t, createCarrier, input, "Idempotency-Key", "bad key with spaces"); r.Status != 400 || r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("malformed key: HTTP %d %s", r.Status, r.Raw)
		}
	})
}

// TestStaleVersionIsAConflict updates with the version last read; a second
// update from the same stale version is a CONFLICT and changes nothing.
func TestStaleVersionIsAConflict(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		var created struct {
			CreateCarrier struct {
				ID      string
				Version int
			}
		}
		app.ok(t, `mutation { createCarrier(input: {name: "Lumen", ocn: "9636", ccna: "LMN"}) { id version } }`, nil, &created)
		id, v := created.CreateCarrier.ID, created.CreateCarrier.Version
		const update = `mutation($id: ID!, $name: String!, $v: Int) { updateCarrier(id: $id, input: {name: $name}, expectedVersion: $v) { name version } }`
		var updated struct {
			UpdateCarrier struct {
				Name    string
				Version int
			}
		}
		app.ok(t, update, map[string]any{"id": id, "name": "Lumen Wholesale", "v": v}, &updated)
		if updated.UpdateCarrier.Version != v+1 {
			t.Fatalf("version %d after an update from %d", updated.UpdateCarrier.Version, v)
		}
		res := app.fails(t, update, map[string]any{"id": id, "name": "Lumen Technologies", "v": v}, "CONFLICT", "expectedVersion")
		_ = res
		var now struct {
			Node struct {
				Name    string
				Version int
			}
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Carrier { name version } } }`, map[string]any{"id": id}, &now)
		if now.Node.Name != "Lumen Wholesale" || now.Node.Version != v+1 {
			t.Fatalf("stale update changed the record: %+v", now.Node)
		}
		// Without expectedVersion the update applies, as before.
		app.ok(t, update, map[string]any{"id": id, "name": "Lumen", "v": nil}, nil)
	})
}

// TestIdempotencyKeysAreForgotten: keys, and the answers kept with them,
// live for IDEMPOTENCY_TTL (24 hours unless set); the sweep then deletes
// them, so the table does not grow for ever, and a retry with a forgotten
// key runs as a new request. A key younger than the cutoff survives it.
func TestIdempotencyKeysAreForgotten(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		if app.cfg.IdempotencyTTL != 24*time.Hour {
			t.Fatalf("IDEMPOTENCY_TTL defaults to %s, want 24h", app.cfg.IdempotencyTTL)
		}
		input := map[string]any{"input": map[string]any{"name": "Zayo", "ocn": "8210", "ccna": "ZYO"}}
		first := app.do(t, createCarrier, input, "Idempotency-Key", "kept")
		if n, err := forgetIdempotencyKeys(allowCtx(), app.db.Client, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("a cutoff an hour ago forgot %d keys (%v), want 0", n, err)
		}
		if r := app.do(t, createCarrier, input, "Idempotency-Key", "kept"); r.Extensions["idempotentReplay"] != true || string(r.Data) != string(first.Data) {
			t.Fatalf("a kept key did not replay: %s", r.Raw)
		}
		// A day later: the sweep's cutoff has passed the key.
		if n, err := forgetIdempotencyKeys(allowCtx(), app.db.Client, time.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("forgot %d keys (%v), want 1", n, err)
		}
		again := app.do(t, createCarrier, input, "Idempotency-Key", "kept")
		if again.Extensions["idempotentReplay"] == true {
			t.Fatalf("a forgotten key replayed: %s", again.Raw)
		}
		// The request ran again: the carrier exists, so this time it is a conflict.
		if again.Code() != "CONFLICT" {
			t.Fatalf("a forgotten key's retry did not run again: %s", again.Raw)
		}
	})
}

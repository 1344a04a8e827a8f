package main

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/contract"

	"entgo.io/ent/dialect"
)

// This file is writing safely from a client (issue 12): every mutation that
// changes a record moves its version by one and writes one audit entry,
// whatever hooks and workflows write inside it; a mutation that changes
// nothing writes nothing; every mutation of an existing record takes
// expectedVersion, and a stale one is a CONFLICT that tells the current
// version and writes nothing.

// trackedVersion reads a record's version and the number of audit entries
// about it, through the API, as ADMIN.
func trackedVersion(t testing.TB, app *testApp, id string) (version, entries int) {
	t.Helper()
	var out struct {
		Node         map[string]any
		AuditEntries struct{ TotalCount int }
	}
	var fragments strings.Builder
	for _, typ := range []string{"Carrier", "Account", "Quote", "QuoteLineItem", "SpecialPricingRequest", "Contract", "RFP", "Order", "Escalation"} {
		fmt.Fprintf(&fragments, " ... on %s { version }", typ)
	}
	app.ok(t, `query($id: ID!, $eid: String!) { node(id: $id) {`+fragments.String()+` } auditEntries(where: {entityID: $eid}) { totalCount } }`,
		map[string]any{"id": id, "eid": id}, &out)
	v, ok := out.Node["version"].(float64)
	if !ok {
		t.Fatalf("no version for %s: %v", id, out.Node)
	}
	return int(v), out.AuditEntries.TotalCount
}

// moves checks that change moves each record by the version steps and
// audit entries given, and returns the response of change.
func moves(t *testing.T, app *testApp, want map[string]int, change func() gqlResponse) gqlResponse {
	t.Helper()
	type state struct{ version, entries int }
	before := map[string]state{}
	for id := range want {
		v, n := trackedVersion(t, app, id)
		before[id] = state{v, n}
	}
	res := change()
	if len(res.Errors) > 0 {
		t.Fatalf("change failed: %s", res.Raw)
	}
	for id, steps := range want {
		v, n := trackedVersion(t, app, id)
		if v != before[id].version+steps || n != before[id].entries+steps {
			t.Errorf("%s went from version %d (%d audit entries) to %d (%d); want %d step(s) and as many entries",
				id, before[id].version, before[id].entries, v, n, steps)
		}
	}
	return res
}

// TestOneVersionStepPerMutation changes records whose hooks and workflows
// write them again inside the mutation (a quote's totals recomputed, a
// contract's end date following its term, a breach noticed, an approved
// price flowing into its quote): each record the mutation changes moves one
// version and gets one audit entry, which records everything that changed.
func TestOneVersionStepPerMutation(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := createAccountFixture(t, app)

		t.Run("createQuote", func(t *testing.T) {
			var out struct{ CreateQuote struct{ ID string } }
			app.ok(t, `mutation($a: ID!) { createQuote(input: {title: "New", termMonths: 12, validUntil: "2030-01-01", accountID: $a}) { id } }`,
				map[string]any{"a": fx.accountA}, &out)
			if v, n := trackedVersion(t, app, out.CreateQuote.ID); v != 1 || n != 1 {
				t.Errorf("a new quote is at version %d with %d audit entries; want 1 and 1", v, n)
			}
		})

		t.Run("updateQuote termMonths", func(t *testing.T) {
			res := moves(t, app, map[string]int{fx.quoteA: 1}, func() gqlResponse {
				return app.do(t, `mutation($id: ID!) { updateQuote(id: $id, input: {termMonths: 36}) { termMonths tcv version } }`, map[string]any{"id": fx.quoteA})
			})
			if !strings.Contains(string(res.Data), `"tcv":"180000.00"`) {
				t.Errorf("recomputed TCV not in the answer: %s", res.Data)
			}
			e := lastEntry(t, app, fx.quoteA)
			for _, f := range []string{"termMonths", "tcv"} {
				if !slices.Contains(e, f) {
					t.Errorf("the entry records %v; want %s too", e, f)
				}
			}
		})

		t.Run("updateQuoteLineItem", func(t *testing.T) {
			line := firstLine(t, app, fx.quoteB)
			// The expected version is the line's; the quote, whose totals
			// follow, is at another version and is not checked against it.
			moves(t, app, map[string]int{line: 1, fx.quoteB: 1}, func() gqlResponse {
				return app.do(t, `mutation($id: ID!) { updateQuoteLineItem(id: $id, input: {mrc: "6000.00"}, expectedVersion: 1) { id } }`, map[string]any{"id": line})
			})
		})

		t.Run("updateContract termMonths", func(t *testing.T) {
			k := createEntity(t, app, "Contract", jsonObject{
				"kind": "SERVICE_ORDER", "title": "Term", "startDate": "2027-01-01", "endDate": "2028-01-01",
				"termMonths": 12, "mrc": "1000.00", "accountID": fx.accountA,
			})
			res := moves(t, app, map[string]int{k: 1}, func() gqlResponse {
				return app.do(t, `mutation($id: ID!) { updateContract(id: $id, input: {termMonths: 24}, expectedVersion: 1) { endDate tcv version } }`, map[string]any{"id": k})
			})
			if !strings.Contains(string(res.Data), `"endDate":"2029-01-01"`) {
				t.Errorf("end date did not follow the term: %s", res.Data)
			}
		})

		wf := newWfxFixture(t, app)
		t.Run("resolveEscalation noticing a breach", func(t *testing.T) {
			id := wf.create(t, "Escalation", "IN_PROGRESS")
			app.db.Client.Escalation.UpdateOneID(id).SetResolutionDueAt(time.Now().Add(-time.Hour)).ExecX(allowCtx())
			moves(t, app, map[string]int{id: 1}, func() gqlResponse {
				return app.do(t, `mutation($id: ID!) { resolveEscalation(id: $id, resolution: "late fix") { status resolutionBreached } }`, map[string]any{"id": id})
			})
			e := lastEntry(t, app, id)
			for _, f := range []string{"status", "resolvedAt", "resolutionBreachedAt"} {
				if !slices.Contains(e, f) {
					t.Errorf("the entry records %v; want %s too", e, f)
				}
			}
		})

		t.Run("approvePricingRequest", func(t *testing.T) {
			sparc := wf.create(t, "SpecialPricingRequest", "SUBMITTED")
			quote := app.db.Client.SpecialPricingRequest.GetX(allowCtx(), sparc).QuoteID
			moves(t, app, map[string]int{sparc: 1, quote: 1}, func() gqlResponse {
				return app.as(wf.token["MANAGER"]).do(t, `mutation($id: ID!) { approvePricingRequest(id: $id, approvedMrc: "1300.00", reason: "bid") { id } }`, map[string]any{"id": sparc})
			})
		})

		t.Run("activateContract of a renewal", func(t *testing.T) {
			old := wf.create(t, "Contract", "ACTIVE")
			var out struct{ RenewContract struct{ ID string } }
			app.ok(t, `mutation($id: ID!) { renewContract(id: $id, input: {termMonths: 12}) { id } }`, map[string]any{"id": old}, &out)
			renewal := out.RenewContract.ID
			app.ok(t, `mutation($id: ID!) { sendContractForSignature(id: $id) { id } }`, map[string]any{"id": renewal}, nil)
			moves(t, app, map[string]int{renewal: 1, old: 1}, func() gqlResponse {
				return app.do(t, `mutation($id: ID!) { activateContract(id: $id) { id } }`, map[string]any{"id": renewal})
			})
			if got := app.db.Client.Contract.GetX(allowCtx(), old).Status; got != contract.StatusRenewed {
				t.Errorf("renewed contract is %s", got)
			}
		})
	})
}

// lastEntry is the fields the latest audit entry about id records.
func lastEntry(t *testing.T, app *testApp, id string) []string {
	t.Helper()
	var out struct {
		AuditEntries struct {
			Edges []struct {
				Node struct{ Changes []struct{ Field string } }
			}
		}
	}
	app.ok(t, `query($id: String!) { auditEntries(where: {entityID: $id}, orderBy: [{field: CREATED_AT, direction: DESC}], first: 1) { edges { node { changes { field } } } } }`,
		map[string]any{"id": id}, &out)
	if len(out.AuditEntries.Edges) == 0 {
		t.Fatalf("no audit entry about %s", id)
	}
	var fields []string
	for _, c := range out.AuditEntries.Edges[0].Node.Changes {
		fields = append(fields, c.Field)
	}
	return fields
}

// firstLine is the ID of a quote's first line item.
func firstLine(t *testing.T, app *testApp, quote string) string {
	t.Helper()
	var out struct {
		Node struct {
			LineItems struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	app.ok(t, `query($id: ID!) { node(id: $id) { ... on Quote { lineItems(first: 1) { edges { node { id } } } } } }`, map[string]any{"id": quote}, &out)
	if len(out.Node.LineItems.Edges) == 0 {
		t.Fatalf("quote %s has no lines", quote)
	}
	return out.Node.LineItems.Edges[0].Node.ID
}

// TestNoOpUpdateWritesNothing sends updates whose values equal the stored
// ones: the version, updatedAt and the audit trail stay as they are, and the
// answer is the record. A stale expectedVersion is still a CONFLICT.
func TestNoOpUpdateWritesNothing(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := createAccountFixture(t, app)
		wf := newWfxFixture(t, app)
		signed := wf.create(t, "Contract", "ACTIVE")
		for _, tc := range []struct {
			name, doc string
			id        string
		}{
			{"updateCarrier", `mutation($id: ID!, $v: Int) { updateCarrier(id: $id, input: {name: "Fixture Carrier A", tier: TIER_2}, expectedVersion: $v) { id name updatedAt version } }`, fx.carrierA},
			{"updateQuote", `mutation($id: ID!, $v: Int) { updateQuote(id: $id, input: {termMonths: 24, title: "Fixture Quote A"}, expectedVersion: $v) { id title updatedAt version } }`, fx.quoteA},
			{"updateContract signed", `mutation($id: ID!, $v: Int) { updateContract(id: $id, input: {mrc: "4500.00", termMonths: 36}, expectedVersion: $v) { id mrc updatedAt version } }`, signed},
			{"commentOnEscalation", `mutation($id: ID!, $v: Int) { commentOnEscalation(id: $id, body: "on it", expectedVersion: $v) { id title updatedAt version } }`, fx.escalationA},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v, entries := trackedVersion(t, app, tc.id)
				before := readUpdatedAt(t, app, tc.id)
				res := app.do(t, tc.doc, map[string]any{"id": tc.id, "v": v})
				if len(res.Errors) > 0 {
					t.Fatalf("no-op update: %s", res.Raw)
				}
				if !strings.Contains(string(res.Data), tc.id) || !strings.Contains(string(res.Data), `"version":`+strconv.Itoa(v)) {
					t.Errorf("no-op answer is not the record as it is: %s", res.Data)
				}
				if v2, n := trackedVersion(t, app, tc.id); v2 != v || n != entries {
					t.Errorf("no-op moved version %d -> %d and audit entries %d -> %d", v, v2, entries, n)
				}
				if after := readUpdatedAt(t, app, tc.id); after != before {
					t.Errorf("no-op moved updatedAt %s -> %s", before, after)
				}
				stale := app.fails(t, tc.doc, map[string]any{"id": tc.id, "v": v + 1}, "CONFLICT", "expectedVersion")
				if got := stale.Errors[0].Extensions["currentVersion"]; got != float64(v) {
					t.Errorf("currentVersion %v; want %d", got, v)
				}
			})
		}
	})
}

// readUpdatedAt reads a record's updatedAt.
func readUpdatedAt(t *testing.T, app *testApp, id string) string {
	t.Helper()
	var out struct{ Node struct{ UpdatedAt string } }
	var fragments strings.Builder
	for _, typ := range []string{"Carrier", "Quote", "Contract", "Escalation"} {
		fmt.Fprintf(&fragments, " ... on %s { updatedAt }", typ)
	}
	app.ok(t, `query($id: ID!) { node(id: $id) {`+fragments.String()+` } }`, map[string]any{"id": id}, &out)
	return out.Node.UpdatedAt
}

// TestWorkflowMutationsTakeExpectedVersion takes every workflow mutation
// (the table of workflow_test.go) from its first state: with a stale
// expectedVersion it is a CONFLICT carrying the record's ID and current
// version, and writes nothing; with the current one it applies, moving the
// record one version with one audit entry (none when the record itself does
// not change: a comment goes on the timeline, a renewal is a new contract).
func TestWorkflowMutationsTakeExpectedVersion(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		for _, tr := range wfxTransitions {
			t.Run(tr.mutation, func(t *testing.T) {
				id := fx.create(t, tr.entity, tr.from[0])
				v, entries := trackedVersion(t, app, id)
				args := strings.ReplaceAll(tr.args, "$owner", strconv.Quote(fx.rep["STRATEGIC"]))
				doc := fmt.Sprintf("mutation($id: ID!, $v: Int) { %s(id: $id, expectedVersion: $v%s) { id } }", tr.mutation, args)

				res := app.fails(t, doc, map[string]any{"id": id, "v": v - 1}, "CONFLICT", "expectedVersion")
				ext := res.Errors[0].Extensions
				if ext["currentVersion"] != float64(v) || ext["id"] != id {
					t.Errorf("CONFLICT extensions %v; want currentVersion %d and id %s", ext, v, id)
				}
				if got := fx.status(t, tr.entity, id); got != tr.from[0] {
					t.Errorf("a stale %s moved the record to %s", tr.mutation, got)
				}
				if v2, n := trackedVersion(t, app, id); v2 != v || n != entries {
					t.Errorf("a stale %s wrote: version %d -> %d, audit entries %d -> %d", tr.mutation, v, v2, entries, n)
				}
				if tr.action == "renew" && fx.app.db.Client.Contract.Query().Where(contract.RenewalOfID(id)).ExistX(allowCtx()) {
					t.Errorf("a stale renewContract drafted a renewal")
				}

				steps := 1
				if tr.action == "comment" || tr.action == "renew" {
					steps = 0
				}
				moves(t, app, map[string]int{id: steps}, func() gqlResponse {
					return app.do(t, doc, map[string]any{"id": id, "v": v})
				})
			})
		}
	})
}

// TestEveryRecordMutationTakesExpectedVersion reads the schema through the
// handler: every mutation that takes the ID of an existing record (id: ID!)
// also takes expectedVersion: Int, described with the conflict it causes. A
// mutation added without it fails here.
func TestEveryRecordMutationTakesExpectedVersion(t *testing.T) {
	app := newTestApp(t, "sqlite3")
	type typeRef struct {
		Kind   string
		Name   *string
		OfType *typeRef
	}
	var out struct {
		Schema struct {
			MutationType struct {
				Description string
				Fields      []struct {
					Name string
					Args []struct {
						Name        string
						Description string
						Type        typeRef
					}
				}
			}
		} `json:"__schema"`
	}
	app.ok(t, `{ __schema { mutationType { description fields { name args { name description type { kind name ofType { kind name } } } } } } }`, nil, &out)
	mt := out.Schema.MutationType
	for _, want := range []string{"Idempotency-Key", "expectedVersion", "currentVersion"} {
		if !strings.Contains(mt.Description, want) {
			t.Errorf("the Mutation type's description does not explain %s", want)
		}
	}
	checked := 0
	for _, f := range mt.Fields {
		var takesID, takesVersion bool
		for _, a := range f.Args {
			switch {
			case a.Name == "id" && a.Type.Kind == "NON_NULL" && a.Type.OfType != nil && *a.Type.OfType.Name == "ID":
				takesID = true
			case a.Name == "expectedVersion":
				takesVersion = a.Type.Kind == "SCALAR" && *a.Type.Name == "Int"
				if !strings.Contains(a.Description, "CONFLICT") || !strings.Contains(a.Description, "currentVersion") {
					t.Errorf("%s: expectedVersion is described as %q", f.Name, a.Description)
				}
			}
		}
		if takesID {
			checked++
			if !takesVersion {
				t.Errorf("%s(id: ID!) takes no expectedVersion: Int", f.Name)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d mutations take an id; the sweep read the wrong schema", checked)
	}
}

// TestRacingWritersOneWins: a writer that read the version another writer is
// about to commit passes the check, then finds the record moved on at its
// UPDATE (whose WHERE repeats the check): CONFLICT with the version the
// winner left, and nothing of its own written. PostgreSQL only, where the
// loser waits on the winner's row lock; the test commits the winner once the
// loser is seen waiting, so the loser's answer is decided in its UPDATE.
func TestRacingWritersOneWins(t *testing.T) {
	app := newTestApp(t, dialect.Postgres)
	fx := createAccountFixture(t, app)
	v, _ := trackedVersion(t, app, fx.carrierA)

	ctx := allowCtx()
	tx, err := app.db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tx.Carrier.UpdateOneID(fx.carrierA).SetName("Winner").ExecX(ctx)

	answer := make(chan gqlResponse, 1)
	go func() {
		answer <- app.do(t, `mutation($id: ID!, $v: Int) { updateCarrier(id: $id, input: {name: "Loser"}, expectedVersion: $v) { name } }`,
			map[string]any{"id": fx.carrierA, "v": v})
	}()
	monitor, err := sql.Open("postgres", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer monitor.Close()
	for polls, waiting := 0, 0; waiting == 0; polls++ {
		if polls == 2000 {
			t.Fatal("the loser never waited on the winner's row lock")
		}
		time.Sleep(5 * time.Millisecond)
		err := monitor.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE "carriers"%'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case res := <-answer:
			t.Fatalf("the loser answered before the winner committed: %s", res.Raw)
		default:
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	res := <-answer
	if res.Code() != "CONFLICT" || res.Field() != "expectedVersion" || res.Errors[0].Extensions["currentVersion"] != float64(v+1) {
		t.Fatalf("the loser got %s; want CONFLICT with currentVersion %d", res.Raw, v+1)
	}
	var now struct{ Node struct{ Name string } }
	app.ok(t, `query($id: ID!) { node(id: $id) { ... on Carrier { name } } }`, map[string]any{"id": fx.carrierA}, &now)
	if got, n := now.Node.Name, v+1; got != "Winner" {
		t.Errorf("the record is %q at version %d; want the winner's", got, n)
	}
}

// TestWriteFromAStaleCopyIsNotANoOp: an update is a no-op only against the
// record as stored. A writer holding an old copy of the record (ent's
// UpdateOne(entity), whose OldField answers from that copy) that sets a value
// the record had then but no longer has does write it.
func TestWriteFromAStaleCopyIsNotANoOp(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := createAccountFixture(t, app)
		stale := app.db.Client.Carrier.GetX(allowCtx(), fx.carrierA)
		app.ok(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {name: "Renamed"}) { id } }`, map[string]any{"id": fx.carrierA}, nil)
		v, entries := trackedVersion(t, app, fx.carrierA)
		app.db.Client.Carrier.UpdateOne(stale).SetName(stale.Name).ExecX(allowCtx())
		var now struct{ Node struct{ Name string } }
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Carrier { name } } }`, map[string]any{"id": fx.carrierA}, &now)
		if v2, n := trackedVersion(t, app, fx.carrierA); now.Node.Name != stale.Name || v2 != v+1 || n != entries+1 {
			t.Errorf("after the write from the old copy: name %q, version %d -> %d, entries %d -> %d; want %q, one step, one entry",
				now.Node.Name, v, v2, entries, n, stale.Name)
		}
	})
}

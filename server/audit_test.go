package main

import (
	"testing"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
)

// TestAuditTrailRecordsAChange changes a carrier through the API and reads the
// trail: who, through which operation, which fields from what to what.
func TestAuditTrailRecordsAChange(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		var created struct{ CreateCarrier struct{ ID string } }
		app.ok(t, createCarrier, map[string]any{"input": map[string]any{"name": "Cogent", "ocn": "4321", "ccna": "COG"}}, &created)
		id := created.CreateCarrier.ID
		app.ok(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {name: "Cogent Communications", tier: TIER_1}) { id } }`, map[string]any{"id": id}, nil)

		const trail = `query($id: String!) {
		  auditEntries(where: {entityID: $id}, orderBy: [{field: CREATED_AT}]) {
		    totalCount
		    edges { node { entityType operation apiOperation actorID actorRole changes { field fromValue toValue } } }
		  }
		}`
		type change struct{ Field, FromValue, ToValue *string }
		var out struct {
			AuditEntries struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						EntityType, Operation, APIOperation, ActorID, ActorRole string
						Changes                                                 []change
					}
				}
			}
		}
		app.ok(t, trail, map[string]any{"id": id}, &out)
		if out.AuditEntries.TotalCount != 2 {
			t.Fatalf("%d audit entries; want create and update", out.AuditEntries.TotalCount)
		}
		create, update := out.AuditEntries.Edges[0].Node, out.AuditEntries.Edges[1].Node
		if create.Operation != "CREATE" || create.APIOperation != "mutation createCarrier" || create.EntityType != "Carrier" || create.ActorRole != "ADMIN" || create.ActorID == "" {
			t.Errorf("create entry = %+v", create)
		}
		if update.Operation != "UPDATE" || update.APIOperation != "mutation updateCarrier" {
			t.Errorf("update entry = %+v", update)
		}
		got := map[string][2]string{}
		for _, c := range update.Changes {
			got[*c.Field] = [2]string{deref(c.FromValue), deref(c.ToValue)}
		}
		want := map[string][2]string{"name": {"Cogent", "Cogent Communications"}, "tier": {"TIER_2", "TIER_1"}}
		if len(got) != len(want) || got["name"] != want["name"] || got["tier"] != want["tier"] {
			t.Errorf("update changes = %v; want %v", got, want)
		}

		// Reps do not read the trail; managers do.
		rep := app.db.Client.Rep.Create().SetName("S").SetEmail("s@carrierdesk.example").SetRole(enum.RoleSupport).SetRegion(enum.RegionWest)
		mgr := app.db.Client.Rep.Create().SetName("M").SetEmail("m@carrierdesk.example").SetRole(enum.RoleManager).SetRegion(enum.RegionWest)
		for _, tc := range []struct {
			role  enum.Role
			id    string
			count int
		}{
			{enum.RoleSupport, rep.SaveX(allowCtx()).ID, 0},
			{enum.RoleManager, mgr.SaveX(allowCtx()).ID, 2},
		} {
			var seen struct{ AuditEntries struct{ TotalCount int } }
			app.as(app.sign(t, auth.Claims{Subject: tc.id, Role: string(tc.role)})).ok(t, `query($id: String!) { auditEntries(where: {entityID: $id}) { totalCount } }`, map[string]any{"id": id}, &seen)
			if seen.AuditEntries.TotalCount != tc.count {
				t.Errorf("%s sees %d audit entries; want %d", tc.role, seen.AuditEntries.TotalCount, tc.count)
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

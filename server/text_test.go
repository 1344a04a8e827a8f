package main

import (
	"testing"

	"carrierdesk/ent/escalation"
	"carrierdesk/ent/schema/enum"
)

// TestTextWithNUL: a NUL character in any text is BAD_USER_INPUT naming the
// field on both databases (it was INTERNAL on PostgreSQL and stored on
// SQLite), on a generic create, a generic update and a workflow's write,
// and nothing is written.
func TestTextWithNUL(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		c, ctx := app.db.Client, allowCtx()
		app.fails(t, `mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"name": "Null\u0000Carrier", "ocn": "9N01", "ccna": "NUL"}}, "BAD_USER_INPUT", "name")
		if n := c.Carrier.Query().CountX(ctx); n != 0 {
			t.Errorf("%d carriers written", n)
		}
		carrier := c.Carrier.Create().SetName("Clean Carrier").SetOcn("9N02").SetCcna("CLN").SaveX(ctx)
		app.fails(t, `mutation($id: ID!) { updateCarrier(id: $id, input: {name: "a\u0000b"}) { id } }`,
			jsonObject{"id": carrier.ID}, "BAD_USER_INPUT", "name")
		if got := c.Carrier.GetX(ctx, carrier.ID); got.Name != "Clean Carrier" || got.Version != carrier.Version {
			t.Errorf("refused update changed the carrier: %+v", got)
		}
		account := c.Account.Create().SetCarrierID(carrier.ID).SetAccountNumber("NUL-1").SetBan("NUL-BAN-1").
			SetName("Null account").SetMarket("Boston").SetRegion(enum.RegionNortheast).SaveX(ctx)
		esc := c.Escalation.Create().SetAccountID(account.ID).SetTitle("Null escalation").
			SetCategory(escalation.CategoryOther).SetSeverity(escalation.SeveritySev4).SaveX(ctx)
		events := c.EscalationEvent.Query().CountX(ctx)
		app.fails(t, `mutation($id: ID!, $body: String!) { commentOnEscalation(id: $id, body: $body) { id } }`,
			jsonObject{"id": esc.ID, "body": "before\u0000after"}, "BAD_USER_INPUT", "body")
		if n := c.EscalationEvent.Query().CountX(ctx); n != events {
			t.Errorf("%d events after a refused comment, want %d", n, events)
		}
	})
}

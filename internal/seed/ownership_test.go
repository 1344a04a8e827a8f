package seed_test

import (
	"context"
	"testing"

	"carrierdesk/ent/escalation"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/ownership"
	"carrierdesk/internal/seed"
)

// TestSeedOpenEscalationsHaveOwnersWhoSeeThem: every open escalation of the
// demo data has an owner, and the owner may read its account, so none falls
// off every home screen.
func TestSeedOpenEscalationsHaveOwnersWhoSeeThem(t *testing.T) {
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	client := openClient(t, dbName(t, "db"))
	if _, err := seed.Run(ctx, client, seed.Options{Scale: 1}); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	open := client.Escalation.Query().
		Where(escalation.StatusNotIn(escalation.StatusResolved, escalation.StatusClosed)).
		AllX(ctx)
	if len(open) == 0 {
		t.Fatal("the demo data has no open escalations")
	}
	for _, e := range open {
		if e.OwnerID == nil {
			t.Errorf("open escalation %s has no owner", e.ID)
			continue
		}
		ok, err := ownership.MayOwn(ctx, client, *e.OwnerID, e.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("open escalation %s is owned by %s, who may not read account %s", e.ID, *e.OwnerID, e.AccountID)
		}
	}
}

package report_test

import (
	"context"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/report"
	"carrierdesk/internal/viewer"
)

// TestRetention moves three accounts' MRR through the audited API path
// (an ent update with a viewer, so the trail records it) and checks the
// retention of the period around the changes against hand-computed numbers.
func TestRetention(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		allow := privacy.DecisionContext(context.Background(), privacy.Allow)
		old := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Microsecond)
		car := c.Carrier.Create().SetName("Ret").SetOcn("R001").SetCcna("RET").SaveX(allow)
		admin := c.Rep.Create().SetName("A").SetEmail("a@x.example").SetRole(enum.RoleAdmin).SetRegion(enum.RegionWest).SaveX(allow)
		mk := func(n string, mrr money.Amount) *ent.Account {
			return c.Account.Create().SetCarrierID(car.ID).SetAccountNumber("RET-" + n).SetBan("BAN-" + n).SetName(n).
				SetMarket("Dallas").SetRegion(enum.RegionWest).SetStatus(account.StatusActive).SetMrr(mrr).SetCreatedAt(old).SaveX(allow)
		}
		grow, shrink, leave := mk("0001", 10000), mk("0002", 20000), mk("0003", 30000)
		from := time.Now().UTC()
		time.Sleep(5 * time.Millisecond)
		// Changes made as a viewer land in the audit trail.
		as := viewer.NewContext(context.Background(), &viewer.Viewer{Role: enum.RoleAdmin, RepID: admin.ID, Reps: []string{admin.ID}})
		c.Account.UpdateOne(grow).SetMrr(15000).ExecX(as)
		c.Account.UpdateOne(shrink).SetMrr(15000).ExecX(as)
		c.Account.UpdateOne(leave).SetStatus(account.StatusChurned).ExecX(as)
		// An account opened during the period is not in the starting cohort.
		c.Account.Create().SetCarrierID(car.ID).SetAccountNumber("RET-0004").SetBan("BAN-4").SetName("new").
			SetMarket("Dallas").SetRegion(enum.RegionWest).SetMrr(99900).ExecX(allow)
		time.Sleep(5 * time.Millisecond)
		to := time.Now().UTC()

		got, err := report.Retention(as, c, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ByCurrency) != 1 || got.ByCurrency[0].Currency != "USD" {
			t.Fatalf("retention by currency = %+v; want USD alone", got.ByCurrency)
		}
		r := got.ByCurrency[0]
		// Starting 100 + 200 + 300; expansion 50; contraction 50; churn 300.
		if r.StartingMRR != 60000 || r.Expansion != 5000 || r.Contraction != 5000 || r.Churn != 30000 {
			t.Fatalf("retention = %+v", r)
		}
		if *r.GrossRetention < 0.4166 || *r.GrossRetention > 0.4167 || *r.NetRetention != 0.5 {
			t.Fatalf("gross %v net %v; want 250/600 and 300/600", *r.GrossRetention, *r.NetRetention)
		}
		// Before the changes, nothing had moved yet.
		all, err := report.Retention(as, c, old.Add(time.Hour), from)
		if err != nil {
			t.Fatal(err)
		}
		before := all.ByCurrency[0]
		if before.StartingMRR != 60000 || before.Expansion != 0 || before.Contraction != 0 || before.Churn != 0 {
			t.Fatalf("retention before the changes = %+v", before)
		}
	})
}

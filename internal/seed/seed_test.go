package seed_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/deal"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed"
	"carrierdesk/internal/sla"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "modernc.org/sqlite"
)

// openClient opens a fresh in-memory SQLite database, named after the test so
// that tests never share one, with the schema created.
func openClient(t *testing.T, name string) *ent.Client {
	t.Helper()
	dsn := fmt.Sprintf("file:%s?mode=memory&cache=shared&_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_time_format=sqlite", name)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("opening sqlite: %v", err)
	}
	// One connection: shared-cache table locks are not covered by busy_timeout.
	db.SetMaxOpenConns(1)
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, db)))
	t.Cleanup(func() { client.Close() })
	migrating.Lock()
	defer migrating.Unlock()
	if err := client.Schema.Create(context.Background()); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	return client
}

// migrating serialises schema creation: ent's migration writes to the
// package-level table definitions, so two at once race.
var migrating sync.Mutex

// dbName makes a database name unique to the test.
func dbName(t *testing.T, suffix string) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "_" + suffix
}

// counts reads the number of rows of every entity, in the order of the Summary fields.
func counts(ctx context.Context, t *testing.T, c *ent.Client) seed.Summary {
	t.Helper()
	n := func(count int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatalf("counting: %v", err)
		}
		return count
	}
	return seed.Summary{
		Carriers:         n(c.Carrier.Query().Count(ctx)),
		Contacts:         n(c.Contact.Query().Count(ctx)),
		Teams:            n(c.Team.Query().Count(ctx)),
		Reps:             n(c.Rep.Query().Count(ctx)),
		Accounts:         n(c.Account.Query().Count(ctx)),
		Assignments:      n(c.AccountAssignment.Query().Count(ctx)),
		RFPs:             n(c.RFP.Query().Count(ctx)),
		Quotes:           n(c.Quote.Query().Count(ctx)),
		LineItems:        n(c.QuoteLineItem.Query().Count(ctx)),
		PricingRequests:  n(c.SpecialPricingRequest.Query().Count(ctx)),
		Contracts:        n(c.Contract.Query().Count(ctx)),
		Orders:           n(c.Order.Query().Count(ctx)),
		BusinessReviews:  n(c.BusinessReview.Query().Count(ctx)),
		Activities:       n(c.Activity.Query().Count(ctx)),
		Escalations:      n(c.Escalation.Query().Count(ctx)),
		EscalationEvents: n(c.EscalationEvent.Query().Count(ctx)),
	}
}

func TestRun(t *testing.T) {
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	client := openClient(t, dbName(t, "db"))

	var progress bytes.Buffer
	first, err := seed.Run(ctx, client, seed.Options{Scale: 1, Progress: &progress})
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	t.Logf("scale 1:\n%s", progress.String())
	if first.Skipped {
		t.Fatal("first run was skipped on an empty database")
	}
	if !strings.Contains(progress.String(), "seed: accounts ") {
		t.Errorf("no progress lines for accounts in:\n%s", progress.String())
	}
	stored := counts(ctx, t, client)
	if stored != first {
		t.Errorf("database holds %+v, summary says %+v", stored, first)
	}

	t.Run("every entity has rows", func(t *testing.T) {
		for name, n := range map[string]int{
			"carriers": stored.Carriers, "contacts": stored.Contacts, "teams": stored.Teams, "reps": stored.Reps,
			"accounts": stored.Accounts, "assignments": stored.Assignments, "rfps": stored.RFPs, "quotes": stored.Quotes,
			"line items": stored.LineItems, "pricing requests": stored.PricingRequests, "contracts": stored.Contracts,
			"orders": stored.Orders, "business reviews": stored.BusinessReviews, "activities": stored.Activities,
			"escalations": stored.Escalations, "escalation events": stored.EscalationEvents,
		} {
			if n == 0 {
				t.Errorf("no %s", name)
			}
		}
		if stored.Carriers < 30 || stored.Accounts < 200 || stored.Teams != 4 {
			t.Errorf("scale 1 volume off: %d carriers, %d accounts, %d teams", stored.Carriers, stored.Accounts, stored.Teams)
		}
	})

	t.Run("second run is skipped and changes nothing", func(t *testing.T) {
		second, err := seed.Run(ctx, client, seed.Options{Scale: 1})
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if !second.Skipped {
			t.Errorf("second run not skipped: %s", second)
		}
		if again := counts(ctx, t, client); again != stored {
			t.Errorf("counts changed: %+v, then %+v", stored, again)
		}
	})

	t.Run("demo users exist with their roles", func(t *testing.T) {
		for _, u := range seed.DemoUsers {
			if u.Role == enum.RoleCarrier {
				c, err := client.Contact.Query().
					Where(contact.Email(u.Email)).
					Only(ctx)
				if err != nil {
					t.Errorf("carrier contact %s: %v", u.Email, err)
					continue
				}
				if c.Name != u.Name || !c.Active {
					t.Errorf("contact %s is %q active=%v, want %q active", u.Email, c.Name, c.Active, u.Name)
				}
				continue
			}
			r, err := client.Rep.Query().
				Where(rep.Email(u.Email)).
				Only(ctx)
			if err != nil {
				t.Errorf("rep %s: %v", u.Email, err)
				continue
			}
			if r.Role != u.Role || r.Name != u.Name {
				t.Errorf("rep %s is %q %s, want %q %s", u.Email, r.Name, r.Role, u.Name, u.Role)
			}
		}
		roles := map[enum.Role]bool{}
		for _, u := range seed.DemoUsers {
			roles[u.Role] = true
		}
		for _, role := range append(enum.Role("").Values(), string(enum.RoleCarrier)) {
			if !roles[enum.Role(role)] {
				t.Errorf("no demo user with role %s", role)
			}
		}
	})

	t.Run("demo manager's team holds the demo reps, each with current accounts", func(t *testing.T) {
		manager := client.Rep.Query().
			Where(rep.Email("manager@carrierdesk.example")).
			OnlyX(ctx)
		team := manager.QueryManagedTeams().OnlyX(ctx)
		for _, email := range []string{"ae@carrierdesk.example", "support@carrierdesk.example", "strategic@carrierdesk.example"} {
			r := client.Rep.Query().
				Where(rep.Email(email)).
				OnlyX(ctx)
			if r.TeamID == nil || *r.TeamID != team.ID {
				t.Errorf("%s is not on the manager's team %s", email, team.Name)
			}
			current := r.QueryAssignments().
				Where(accountassignment.EndedAtIsNil()).
				CountX(ctx)
			if current < 3 {
				t.Errorf("%s has %d current assignments, want several", email, current)
			}
		}
		members := team.QueryMembers().CountX(ctx)
		if members < 3 || members > 5 {
			t.Errorf("demo team has %d members, want 3 to 5", members)
		}
	})

	t.Run("PONs are unique per carrier and fit the form", func(t *testing.T) {
		seen := map[string]bool{}
		for _, o := range client.Order.Query().AllX(ctx) {
			key := o.CarrierID + "/" + o.Pon
			if seen[key] {
				t.Errorf("PON %s repeated for carrier %s", o.Pon, o.CarrierID)
			}
			seen[key] = true
			if len(o.Pon) > 16 || len(o.CircuitID) > 53 {
				t.Errorf("order %s: PON %q or circuit ID %q too long", o.ID, o.Pon, o.CircuitID)
			}
			if o.Kind == order.KindLSR && o.TnCount <= 0 {
				t.Errorf("LSR %s ports %d numbers", o.Pon, o.TnCount)
			}
			if o.FocDate != nil && o.ConfirmedDueDate != nil && o.ConfirmedDueDate.Before(*o.FocDate) {
				t.Errorf("order %s confirmed due before its FOC", o.Pon)
			}
		}
	})

	t.Run("at most one current assignment per account and capacity", func(t *testing.T) {
		current := map[string]int{}
		for _, a := range client.AccountAssignment.Query().AllX(ctx) {
			if a.EndedAt == nil {
				current[a.AccountID+"/"+string(a.Capacity)]++
			} else if a.EndedAt.Before(a.StartedAt) {
				t.Errorf("assignment %s ends before it starts", a.ID)
			}
		}
		for key, n := range current {
			if n > 1 {
				t.Errorf("%s has %d current assignments", key, n)
			}
		}
		ended := client.AccountAssignment.Query().
			Where(accountassignment.EndedAtNotNil()).
			CountX(ctx)
		if ended == 0 {
			t.Error("no ended assignments")
		}
	})

	t.Run("quote totals equal the sum of their lines", func(t *testing.T) {
		quotes := client.Quote.Query().
			WithLineItems().
			AllX(ctx)
		for _, q := range quotes {
			if n := len(q.Edges.LineItems); n < 1 || n > 4 {
				t.Errorf("quote %s has %d line items", q.ID, n)
			}
			var mrc, nrc, special money.Amount
			for _, l := range q.Edges.LineItems {
				mrc += l.Mrc * money.Amount(l.Quantity)
				nrc += l.Nrc * money.Amount(l.Quantity)
				if (l.SpecialLineMrc != nil) != (q.SpecialMrc != nil) {
					t.Errorf("quote %s: special price %v, line %s's %v", q.ID, q.SpecialMrc, l.ID, l.SpecialLineMrc)
				} else if l.SpecialLineMrc != nil {
					special += *l.SpecialLineMrc
				}
			}
			// A granted special price is the MRC, and the lines' shares add up to it.
			if q.SpecialMrc != nil {
				if special != *q.SpecialMrc || *q.SpecialMrc >= mrc {
					t.Errorf("quote %s: special price %s, lines' shares %s, rate card %s", q.ID, q.SpecialMrc, special, mrc)
				}
				mrc = *q.SpecialMrc
			}
			if q.Mrc != mrc || q.Nrc != nrc || q.Tcv != mrc*money.Amount(q.TermMonths)+nrc {
				t.Errorf("quote %s: mrc %s nrc %s tcv %s, lines give mrc %s nrc %s", q.ID, q.Mrc, q.Nrc, q.Tcv, mrc, nrc)
			}
			// The seeder writes the deal model itself; it must be what the
			// quote hooks would compute.
			d, err := deal.Evaluate(deal.Input{
				TermMonths: q.TermMonths, MRC: q.Mrc, NRC: q.Nrc, Capex: q.Capex, OneTimeCost: q.OneTimeCost,
				MonthlyOpex: q.MonthlyOpex, MonthlyOffNetCost: q.MonthlyOffNetCost,
				MonthlyChurn: q.MonthlyChurn, AnnualDiscountRate: q.AnnualDiscountRate,
			})
			if err != nil {
				t.Fatalf("quote %s: deal model: %v", q.ID, err)
			}
			if q.Npv != d.NPV || !reflect.DeepEqual(q.Irr, d.IRR) || !reflect.DeepEqual(q.IrrMonthly, d.IRRMonthly) || q.IrrNote != d.IRRReason || !reflect.DeepEqual(q.PaybackMonth, d.PaybackMonth) {
				t.Errorf("quote %s: npv %s irr %v (%q) payback %v; the deal model gives npv %s irr %v (%q) payback %v",
					q.ID, q.Npv, q.Irr, q.IrrNote, q.PaybackMonth, d.NPV, d.IRR, d.IRRReason, d.PaybackMonth)
			}
		}
	})

	// Issue 11: the seeded history obeys the commercial controls it never
	// passed through (the bulk load skips the hooks that enforce them).
	t.Run("approvals obey four eyes and special prices their quotes", func(t *testing.T) {
		quotes := client.Quote.Query().
			WithPricingRequests().
			AllX(ctx)
		approved := 0
		for _, q := range quotes {
			switch q.Status {
			case quote.StatusDraft, quote.StatusPendingApproval:
				if q.ApprovedByID != nil || q.ApprovedAt != nil {
					t.Errorf("quote %s is %s but approved by %v", q.ID, q.Status, q.ApprovedByID)
				}
			default:
				approved++
				if q.ApprovedByID == nil || q.ApprovedAt == nil || q.SubmittedAt == nil {
					t.Errorf("quote %s is %s with no approval or submission", q.ID, q.Status)
					continue
				}
				for _, who := range []*string{q.CreatedByID, q.OwnerID, q.SubmittedByID} {
					if who != nil && *who == *q.ApprovedByID {
						t.Errorf("quote %s approved by its own creator, owner or submitter %s", q.ID, *who)
					}
				}
				if q.ApprovedAt.Before(*q.SubmittedAt) || (q.SentAt != nil && q.SentAt.Before(*q.ApprovedAt)) {
					t.Errorf("quote %s: submitted %s, approved %s, sent %v", q.ID, q.SubmittedAt, q.ApprovedAt, q.SentAt)
				}
				if r := client.Rep.GetX(ctx, *q.ApprovedByID); r.Role != enum.RoleManager && r.Role != enum.RoleAdmin {
					t.Errorf("quote %s approved by a %s", q.ID, r.Role)
				}
			}
			for _, r := range q.Edges.PricingRequests {
				if r.RequestedMrc >= r.StandardMrc || (r.ApprovedMrc != nil && *r.ApprovedMrc >= r.StandardMrc) {
					t.Errorf("request %s: requested %s, approved %v, standard %s", r.ID, r.RequestedMrc, r.ApprovedMrc, r.StandardMrc)
				}
				if r.Status == specialpricingrequest.StatusApproved && (r.DecidedByID == nil || *r.DecidedByID == r.RequestedByID || (q.OwnerID != nil && *r.DecidedByID == *q.OwnerID)) {
					t.Errorf("request %s approved by %v, requested by %s on a quote owned by %v", r.ID, r.DecidedByID, r.RequestedByID, q.OwnerID)
				}
				undecided := r.Status == specialpricingrequest.StatusDraft || r.Status == specialpricingrequest.StatusSubmitted || r.Status == specialpricingrequest.StatusInReview
				if undecided && q.Status != quote.StatusDraft {
					t.Errorf("request %s is %s on a %s quote", r.ID, r.Status, q.Status)
				}
				if r.ApprovedMrc != nil && (q.SpecialMrc == nil || *q.SpecialMrc != *r.ApprovedMrc) {
					t.Errorf("request %s approved %s; the quote's special price is %v", r.ID, r.ApprovedMrc, q.SpecialMrc)
				}
			}
		}
		if approved == 0 {
			t.Error("no approved quotes")
		}
	})

	t.Run("contracts end after they start and service orders have masters", func(t *testing.T) {
		contracts := client.Contract.Query().
			WithMaster().
			AllX(ctx)
		for _, c := range contracts {
			if !c.EndDate.After(c.StartDate) {
				t.Errorf("contract %s ends %s, not after its start %s", c.ID, c.EndDate, c.StartDate)
			}
			if c.Tcv != c.Mrc*money.Amount(c.TermMonths)+c.Nrc {
				t.Errorf("contract %s: tcv %s is not mrc x term + nrc", c.ID, c.Tcv)
			}
			if c.Kind == contract.KindServiceOrder && c.Edges.Master == nil {
				t.Errorf("service order %s has no master", c.ID)
			}
			if c.CoTermed && (c.Edges.Master == nil || c.EndDate != c.Edges.Master.EndDate) {
				t.Errorf("co-termed contract %s does not end with its master", c.ID)
			}
		}
		coTermed := client.Contract.Query().
			Where(contract.CoTermed(true)).
			CountX(ctx)
		if coTermed == 0 {
			t.Error("no co-termed contracts")
		}
	})

	t.Run("escalation due times follow severity", func(t *testing.T) {
		escalations := client.Escalation.Query().
			WithEvents().
			AllX(ctx)
		for _, e := range escalations {
			respond, resolve, err := sla.Due(string(e.Severity), e.CreatedAt, sla.Default())
			if err != nil {
				t.Fatal(err)
			}
			if e.ResponseDueAt == nil || e.ResolutionDueAt == nil || !e.ResponseDueAt.Equal(respond) || !e.ResolutionDueAt.Equal(resolve) {
				t.Errorf("escalation %s (%s) opened %v: due %v, %v; want %v, %v", e.ID, e.Severity, e.CreatedAt, e.ResponseDueAt, e.ResolutionDueAt, respond, resolve)
			}
			if e.Severity == escalation.SeveritySev1 && e.ResolutionDueAt.Sub(e.CreatedAt) != 2*time.Hour {
				t.Errorf("SEV1 escalation %s must be restored within 2 hours, due %v", e.ID, e.ResolutionDueAt.Sub(e.CreatedAt))
			}
			created := 0
			for _, ev := range e.Edges.Events {
				if ev.Kind == escalationevent.KindCreated {
					created++
				}
			}
			if created != 1 {
				t.Errorf("escalation %s has %d CREATED events", e.ID, created)
			}
			events := e.Edges.Events
			slices.SortFunc(events, func(x, y *ent.EscalationEvent) int { return x.CreatedAt.Compare(y.CreatedAt) })
			if len(events) == 0 || events[0].Kind != escalationevent.KindCreated {
				t.Errorf("escalation %s timeline does not start with CREATED", e.ID)
				continue
			}
			status := string(escalation.StatusOpen)
			for _, ev := range events {
				if ev.Kind == escalationevent.KindStatusChange {
					if ev.FromValue != status {
						t.Errorf("escalation %s: change from %s while in %s", e.ID, ev.FromValue, status)
					}
					status = ev.ToValue
				}
			}
			if status != string(e.Status) {
				t.Errorf("escalation %s is %s, its timeline ends in %s", e.ID, e.Status, status)
			}
		}
	})

	t.Run("statuses and kinds cover every enum value", func(t *testing.T) {
		tests := []struct {
			what   string
			values func(context.Context) ([]string, error)
			want   []string
		}{
			{
				what: "quote status",
				values: client.Quote.Query().
					GroupBy(quote.FieldStatus).
					Strings,
				want: []string{"DRAFT", "PENDING_APPROVAL", "APPROVED", "SENT", "ACCEPTED", "DECLINED", "EXPIRED"},
			},
			{
				what: "pricing request status",
				values: client.SpecialPricingRequest.Query().
					GroupBy(specialpricingrequest.FieldStatus).
					Strings,
				want: []string{"DRAFT", "SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "WITHDRAWN"},
			},
			{
				what: "order status",
				values: client.Order.Query().
					GroupBy(order.FieldStatus).
					Strings,
				want: []string{"DRAFT", "SUBMITTED", "CLARIFICATION", "CONFIRMED", "COMPLETED", "CANCELLED", "REJECTED"},
			},
			{
				what: "order kind",
				values: client.Order.Query().
					GroupBy(order.FieldKind).
					Strings,
				want: []string{"ASR", "LSR"},
			},
			{
				what: "contract status",
				values: client.Contract.Query().
					GroupBy(contract.FieldStatus).
					Strings,
				want: []string{"DRAFT", "PENDING_SIGNATURE", "ACTIVE", "EXPIRED", "TERMINATED", "RENEWED"},
			},
			{
				what: "rfp status",
				values: client.RFP.Query().
					GroupBy(rfp.FieldStatus).
					Strings,
				want: []string{"RECEIVED", "QUALIFYING", "IN_PROGRESS", "SUBMITTED", "WON", "LOST", "NO_BID"},
			},
			{
				what: "account status",
				values: client.Account.Query().
					GroupBy(account.FieldStatus).
					Strings,
				want: []string{"ONBOARDING", "ACTIVE", "AT_RISK", "CHURNED"},
			},
			{
				what: "account region",
				values: client.Account.Query().
					GroupBy(account.FieldRegion).
					Strings,
				want: enum.Region("").Values(),
			},
			{
				what: "escalation status",
				values: client.Escalation.Query().
					GroupBy(escalation.FieldStatus).
					Strings,
				want: []string{"OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT", "RESOLVED", "CLOSED"},
			},
			{
				what: "escalation category",
				values: client.Escalation.Query().
					GroupBy(escalation.FieldCategory).
					Strings,
				want: []string{"BILLING", "SERVICE_ASSURANCE", "ORDER", "PORTABILITY", "CONTRACT", "OTHER"},
			},
			{
				what: "escalation severity",
				values: client.Escalation.Query().
					GroupBy(escalation.FieldSeverity).
					Strings,
				want: []string{"SEV1", "SEV2", "SEV3", "SEV4"},
			},
			{
				what: "escalation level",
				values: client.Escalation.Query().
					GroupBy(escalation.FieldLevel).
					Strings,
				want: []string{"REP", "MANAGER", "DIRECTOR"},
			},
			{
				what: "escalation event kind",
				values: client.EscalationEvent.Query().
					GroupBy(escalationevent.FieldKind).
					Strings,
				want: []string{"CREATED", "COMMENT", "STATUS_CHANGE", "REASSIGNMENT", "LEVEL_CHANGE", "SLA_BREACH"},
			},
			{
				what: "activity kind",
				values: client.Activity.Query().
					GroupBy(activity.FieldKind).
					Strings,
				want: []string{"MEETING", "CALL", "EMAIL", "SITE_VISIT", "NOTE"},
			},
			{
				what: "line item product",
				values: client.QuoteLineItem.Query().
					GroupBy(quotelineitem.FieldProduct).
					Strings,
				want: []string{"INTERNET_ACCESS", "ETHERNET", "WAVELENGTH", "DARK_FIBER", "VOICE", "VIDEO"},
			},
		}
		for _, tt := range tests {
			got, err := tt.values(ctx)
			if err != nil {
				t.Fatalf("%s: %v", tt.what, err)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("no %s %s", tt.what, w)
				}
			}
		}
		for _, internal := range []bool{true, false} {
			n := client.EscalationEvent.Query().
				Where(escalationevent.KindEQ(escalationevent.KindComment), escalationevent.Internal(internal)).
				CountX(ctx)
			if n == 0 {
				t.Errorf("no comments with internal=%v", internal)
			}
		}
	})

	// The slow checks seed more databases; they run side by side once the checks above are done.
	t.Run("a second database gets the same content", func(t *testing.T) {
		if testing.Short() {
			t.Skip("seeds another database")
		}
		t.Parallel()
		other := openClient(t, dbName(t, "db"))
		if _, err := seed.Run(ctx, other, seed.Options{Scale: 1}); err != nil {
			t.Fatalf("run: %v", err)
		}
		fa, fb := fingerprint(ctx, t, client), fingerprint(ctx, t, other)
		if len(fa) != len(fb) {
			t.Fatalf("runs differ in length: %d vs %d", len(fa), len(fb))
		}
		for i := range fa {
			if fa[i] != fb[i] {
				t.Fatalf("runs differ at %d: %q vs %q", i, fa[i], fb[i])
			}
		}
	})

	t.Run("scale 2 doubles the volume", func(t *testing.T) {
		if testing.Short() {
			t.Skip("seeds scale 2")
		}
		t.Parallel()
		double, err := seed.Run(ctx, openClient(t, dbName(t, "db")), seed.Options{Scale: 2})
		if err != nil {
			t.Fatalf("scale 2: %v", err)
		}
		if double.Carriers != 2*first.Carriers || double.Teams != 2*first.Teams {
			t.Errorf("scale 2 has %d carriers and %d teams, want %d and %d", double.Carriers, double.Teams, 2*first.Carriers, 2*first.Teams)
		}
		for name, ratio := range map[string]float64{
			"accounts":    float64(double.Accounts) / float64(first.Accounts),
			"quotes":      float64(double.Quotes) / float64(first.Quotes),
			"escalations": float64(double.Escalations) / float64(first.Escalations),
		} {
			if ratio < 1.6 || ratio > 2.4 {
				t.Errorf("scale 2 has %.2f times the %s of scale 1, want about 2", ratio, name)
			}
		}
	})
}

// fingerprint lists content that must not depend on the run: everything but IDs and dates.
func fingerprint(ctx context.Context, t *testing.T, c *ent.Client) []string {
	t.Helper()
	var out []string
	accounts := c.Account.Query().
		Order(ent.Asc("account_number")).
		WithCarrier().
		AllX(ctx)
	for _, a := range accounts {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", a.AccountNumber, a.Edges.Carrier.Ocn, a.Ban, a.Name, a.Status, a.Mrr))
	}
	quotes := c.Quote.Query().
		Order(ent.Asc("title"), ent.Asc("tcv"), ent.Asc("status"), ent.Asc("term_months")).
		AllX(ctx)
	for _, q := range quotes {
		out = append(out, fmt.Sprintf("%s %s %s %d", q.Title, q.Status, q.Tcv, q.TermMonths))
	}
	orders := c.Order.Query().
		Order(ent.Asc("pon"), ent.Asc("status"), ent.Asc("circuit_id"), ent.Asc("tn_count")).
		AllX(ctx)
	for _, o := range orders {
		out = append(out, fmt.Sprintf("%s %s %s %d", o.Pon, o.Status, o.CircuitID, o.TnCount))
	}
	return out
}

package report_test

import (
	"carrierdesk/ent/auditchange"
	"carrierdesk/ent/auditentry"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/rfp"
	_ "carrierdesk/ent/runtime"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/date"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"
	"carrierdesk/internal/viewer"
	"carrierdesk/internal/workflow"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"
)

// The reports run on SQLite and PostgreSQL, whose SQL for dates and
// arithmetic differs, so every test runs on both. PostgreSQL is skipped when
// unreachable, unless CARRIERDESK_TEST_POSTGRES=require.
var (
	pgURL      = or(os.Getenv("TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	pgRequired = os.Getenv("CARRIERDESK_TEST_POSTGRES") == "require"
	pgOnce     sync.Once
	pgReason   string
)

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// migrating serialises schema creation: ent's migration writes to the
// package-level table definitions, so two at once race.
var migrating sync.Mutex

// backends runs fn on a fresh database of each dialect.
func backends(t *testing.T, fn func(t *testing.T, c *ent.Client)) {
	t.Helper()
	for _, name := range []string{dialect.SQLite, dialect.Postgres} {
		t.Run(name, func(t *testing.T) {
			fn(t, openClient(t, name))
		})
	}
}

func openClient(t *testing.T, name string) *ent.Client {
	t.Helper()
	return openCountingClient(t, name, nil)
}

// openCountingClient opens a client that adds one to statements, when not
// nil, for every SQL statement it runs.
func openCountingClient(t *testing.T, name string, statements *atomic.Int64) *ent.Client {
	t.Helper()
	var drv dialect.Driver
	switch name {
	case dialect.SQLite:
		dbName := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
		db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?mode=memory&cache=shared&_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_time_format=sqlite", dbName))
		if err != nil {
			t.Fatalf("opening sqlite: %v", err)
		}
		// One connection: shared-cache table locks are not covered by busy_timeout.
		db.SetMaxOpenConns(1)
		drv = entsql.OpenDB(dialect.SQLite, db)
	case dialect.Postgres:
		db, err := sql.Open("postgres", pgSchema(t))
		if err != nil {
			t.Fatalf("opening postgres: %v", err)
		}
		drv = entsql.OpenDB(dialect.Postgres, db)
	}
	if statements != nil {
		drv = dialect.DebugWithContext(drv, func(context.Context, ...any) { statements.Add(1) })
	}
	c := ent.NewClient(ent.Driver(drv))
	t.Cleanup(func() { c.Close() })
	migrating.Lock()
	defer migrating.Unlock()
	if err := c.Schema.Create(context.Background()); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	return c
}

// pgSchema makes a PostgreSQL schema of the test's own and returns a URL that uses it.
func pgSchema(t *testing.T) string {
	t.Helper()
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db, err := sql.Open("postgres", pgURL)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err != nil {
			pgReason = err.Error()
		}
	})
	if pgReason != "" {
		if pgRequired {
			t.Fatalf("PostgreSQL required but not reachable: %s", pgReason)
		}
		t.Skipf("PostgreSQL not reachable (%s): skipped", pgReason)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_report_" + hex.EncodeToString(b)
	admin, err := sql.Open("postgres", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", pgURL)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// now is the clock of every fixture: Tuesday 10 March 2026, noon UTC.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// weekStart is the Monday of now's week.
var weekStart = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

// world is the hand-made portfolio the report tests count over. The comments
// at each record say what the tests expect of it.
type world struct {
	carA, carB, carC       string
	contactB               string
	mgr, sup1, str1, sup2  string
	team1, team2           string
	a1, a2, a3, a4, a5, a6 string
	e1, e2, e3, e4, e5, e6 string
	q1, q2, q3, q4, q5, q6 string
	s1, s2, s3, s4, s5     string
	r4                     string
	b1, b4                 string
}

// ctxAs returns a context carrying v.
func ctxAs(v *viewer.Viewer) context.Context {
	return viewer.NewContext(context.Background(), v)
}

func (w *world) admin() context.Context {
	return ctxAs(&viewer.Viewer{Role: enum.RoleAdmin, RepID: "rep_admin", Reps: []string{"rep_admin"}})
}

func (w *world) support1() context.Context {
	return ctxAs(&viewer.Viewer{Role: enum.RoleSupport, RepID: w.sup1, Reps: []string{w.sup1}})
}

func (w *world) manager() context.Context {
	return ctxAs(&viewer.Viewer{Role: enum.RoleManager, RepID: w.mgr, Reps: []string{w.mgr, w.sup1, w.str1}, Teams: []string{w.team1}})
}

func (w *world) carrierB() context.Context {
	return ctxAs(&viewer.Viewer{Role: enum.RoleCarrier, ContactID: w.contactB, CarrierID: w.carB})
}

// cents turns dollars and cents into an amount, for readable fixtures.
func cents(dollars, c int64) money.Amount { return money.Amount(dollars*100 + c) }

// build writes the world. Fixtures are the program's own work, not a viewer's.
func build(t *testing.T, c *ent.Client) *world {
	t.Helper()
	ctx := allow()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("building fixtures: %v", err)
		}
	}
	w := &world{}
	hours := func(h float64) time.Time { return now.Add(time.Duration(h * float64(time.Hour))) }
	days := func(d int) time.Time { return now.AddDate(0, 0, d) }

	carrier := func(name, ocn, ccna string) string {
		e, err := c.Carrier.Create().SetName(name).SetOcn(ocn).SetCcna(ccna).Save(ctx)
		must(err)
		return e.ID
	}
	w.carA = carrier("Alpha Telecom", "A001", "ALP")
	w.carB = carrier("Bravo Networks", "B002", "BRV")
	w.carC = carrier("Charlie Fiber", "C003", "CHF")
	ct, err := c.Contact.Create().SetCarrierID(w.carB).SetName("Bea Bravo").SetEmail("bea@bravo.example").Save(ctx)
	must(err)
	w.contactB = ct.ID

	newRep := func(name string, role enum.Role) string {
		e, err := c.Rep.Create().
			SetName(name).
			SetEmail(strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@carrierdesk.example").
			SetRole(role).
			SetRegion(enum.RegionNortheast).
			Save(ctx)
		must(err)
		return e.ID
	}
	w.mgr = newRep("Morgan Manager", enum.RoleManager)
	w.sup1 = newRep("Sam Support", enum.RoleSupport)
	w.str1 = newRep("Sasha Strategic", enum.RoleStrategic)
	w.sup2 = newRep("Alex Other", enum.RoleSupport)
	t1, err := c.Team.Create().SetName("Northeast One").SetRegion(enum.RegionNortheast).SetManagerID(w.mgr).Save(ctx)
	must(err)
	w.team1 = t1.ID
	t2, err := c.Team.Create().SetName("Northeast Two").SetRegion(enum.RegionNortheast).Save(ctx)
	must(err)
	w.team2 = t2.ID
	must(c.Rep.Update().Where(rep.IDIn(w.sup1, w.str1)).SetTeamID(w.team1).Exec(ctx))
	must(c.Rep.UpdateOneID(w.sup2).SetTeamID(w.team2).Exec(ctx))

	// Accounts: MRR of the not-churned ones totals $20,300.50.
	acct := func(carrierID, number string, region enum.Region, status account.Status, mrr money.Amount) string {
		e, err := c.Account.Create().
			SetCarrierID(carrierID).
			SetAccountNumber(number).
			SetBan("BAN-" + number).
			SetName("Account " + number).
			SetMarket("Market " + number).
			SetRegion(region).
			SetStatus(status).
			SetMrr(mrr).
			Save(ctx)
		must(err)
		return e.ID
	}
	w.a1 = acct(w.carA, "1001", enum.RegionNortheast, account.StatusActive, cents(10000, 0))
	w.a2 = acct(w.carA, "1002", enum.RegionWest, account.StatusAtRisk, cents(2500, 50))
	w.a3 = acct(w.carB, "2001", enum.RegionNortheast, account.StatusActive, cents(7000, 0))
	w.a4 = acct(w.carB, "2002", enum.RegionMidwest, account.StatusChurned, cents(1000, 0))
	w.a5 = acct(w.carC, "3001", enum.RegionSoutheast, account.StatusOnboarding, cents(300, 0))
	w.a6 = acct(w.carA, "1003", enum.RegionNortheast, account.StatusActive, cents(500, 0))

	// Assignments: sam holds a1 and a2, sasha a1, alex a3 and a4; a5 never
	// assigned; a6 was sam's until a month ago, so it is unassigned now.
	assign := func(accountID, repID string, capacity accountassignment.Capacity, started time.Time, ended *time.Time) {
		must(c.AccountAssignment.Create().
			SetAccountID(accountID).
			SetRepID(repID).
			SetCapacity(capacity).
			SetStartedAt(started).
			SetNillableEndedAt(ended).
			Exec(ctx))
	}
	ended := days(-30)
	assign(w.a1, w.sup1, accountassignment.CapacitySupport, days(-100), nil)
	assign(w.a1, w.str1, accountassignment.CapacityStrategic, days(-100), nil)
	assign(w.a2, w.sup1, accountassignment.CapacitySupport, days(-100), nil)
	assign(w.a3, w.sup2, accountassignment.CapacitySupport, days(-100), nil)
	assign(w.a4, w.sup2, accountassignment.CapacitySupport, days(-100), nil)
	assign(w.a6, w.sup1, accountassignment.CapacitySupport, days(-100), &ended)

	// Escalations, with due times set by hand after the SLA hook has run.
	type esc struct {
		account, owner       string
		severity             escalation.Severity
		status               escalation.Status
		created              time.Time
		responseDue, resolve time.Time
		acked, resolved      *time.Time
	}
	at := func(t time.Time) *time.Time { return &t }
	escalate := func(e esc) string {
		created, err := c.Escalation.Create().
			SetAccountID(e.account).
			SetOwnerID(e.owner).
			SetTitle("Trouble on " + e.account).
			SetCategory(escalation.CategoryServiceAssurance).
			SetSeverity(e.severity).
			SetStatus(e.status).
			SetCreatedAt(e.created).
			Save(ctx)
		must(err)
		id := created.ID
		must(c.Escalation.UpdateOneID(id).
			SetResponseDueAt(e.responseDue).
			SetResolutionDueAt(e.resolve).
			SetNillableAcknowledgedAt(e.acked).
			SetNillableResolvedAt(e.resolved).
			Exec(ctx))
		if e.resolved != nil {
			// The timeline names who resolved it: here, its owner.
			must(c.EscalationEvent.Create().
				SetEscalationID(id).
				SetKind(escalationevent.KindStatusChange).
				SetFromValue(escalation.StatusInProgress.String()).
				SetToValue(escalation.StatusResolved.String()).
				SetActorRepID(e.owner).
				SetCreatedAt(*e.resolved).
				Exec(ctx))
		}
		return id
	}
	// e1: open, never acknowledged, both targets passed: two breaches.
	w.e1 = escalate(esc{w.a1, w.sup1, escalation.SeveritySev1, escalation.StatusOpen, hours(-3), hours(-2.75), hours(-1), nil, nil})
	// e2: open, acknowledged in time, resolution not yet due.
	w.e2 = escalate(esc{w.a1, w.sup1, escalation.SeveritySev2, escalation.StatusInProgress, hours(-2), hours(-1.5), hours(2), at(hours(-1.75)), nil})
	// e3: resolved; acknowledged late and resolved late: two breaches; took 30 hours.
	c3 := days(-5)
	w.e3 = escalate(esc{w.a2, w.sup1, escalation.SeveritySev3, escalation.StatusResolved, c3, c3.Add(4 * time.Hour), c3.Add(24 * time.Hour), at(c3.Add(5 * time.Hour)), at(c3.Add(30 * time.Hour))})
	// e4: closed, everything in time; took 1 hour.
	c4 := days(-10)
	w.e4 = escalate(esc{w.a3, w.sup2, escalation.SeveritySev1, escalation.StatusClosed, c4, c4.Add(15 * time.Minute), c4.Add(2 * time.Hour), at(c4.Add(10 * time.Minute)), at(c4.Add(time.Hour))})
	// e5: open, nothing due yet.
	w.e5 = escalate(esc{w.a3, w.sup2, escalation.SeveritySev4, escalation.StatusOpen, hours(-1), hours(1), days(3), nil, nil})
	// e6: sasha's, raised last week, resolved late on Monday of this week; took 75 hours.
	c6 := days(-4)
	w.e6 = escalate(esc{w.a1, w.str1, escalation.SeveritySev2, escalation.StatusResolved, c6, c6.Add(30 * time.Minute), c6.Add(4 * time.Hour), at(c6.Add(20 * time.Minute)), at(c6.Add(75 * time.Hour))})

	// Quotes: TCV = MRC x term + NRC, kept by the quote hook.
	type q struct {
		account, owner string
		status         quote.Status
		mrc, nrc       money.Amount
		term           int
		validUntil     time.Time
		followUp, sent *time.Time
	}
	offer := func(v q) string {
		e, err := c.Quote.Create().
			SetAccountID(v.account).
			SetOwnerID(v.owner).
			SetTitle("Offer on " + v.account).
			SetTermMonths(v.term).
			SetValidUntil(workflow.DayOf(v.validUntil)).
			SetNillableFollowUpOn(dayOf(v.followUp)).
			SetCreatedAt(now.AddDate(0, -1, 0)).
			Save(ctx)
		must(err)
		// The quote's MRC and NRC follow its line items, written while it
		// is a draft; it then walks the workflow, approved by the manager.
		must(c.QuoteLineItem.Create().
			SetQuoteID(e.ID).
			SetProduct(quotelineitem.ProductEthernet).
			SetALocation("1 Main St").
			SetMrc(v.mrc).
			SetNrc(v.nrc).
			Exec(ctx))
		for _, step := range workflow.Quote.Path("DRAFT", string(v.status)) {
			u := c.Quote.UpdateOneID(e.ID).SetStatus(quote.Status(step))
			if step == "APPROVED" {
				u.SetApprovedByID(w.mgr)
			}
			if step == string(v.status) {
				u.SetNillableSentAt(v.sent)
			}
			must(u.Exec(ctx))
		}
		// The walk happened today, not in the fixture's past: its trail
		// would make the quote a draft as of every week the reports ask
		// about. The quote was in its status all along.
		walked := auditentry.And(auditentry.EntityID(e.ID), auditentry.OperationEQ(auditentry.OperationUpdate))
		_, err = c.AuditChange.Delete().Where(auditchange.HasEntryWith(walked)).Exec(ctx)
		must(err)
		_, err = c.AuditEntry.Delete().Where(walked).Exec(ctx)
		must(err)
		return e.ID
	}
	// q1: TCV 1,000.00 x 12 + 500.00 = 12,500.00; follow-up two days overdue.
	w.q1 = offer(q{w.a1, w.sup1, quote.StatusDraft, cents(1000, 0), cents(500, 0), 12, days(30), at(days(-2)), nil})
	// q2: TCV 2,000.00 x 24 = 48,000.00; follow-up tomorrow.
	w.q2 = offer(q{w.a1, w.str1, quote.StatusPendingApproval, cents(2000, 0), 0, 24, days(20), at(days(1)), nil})
	// q3: TCV 500.00 x 36 + 100.00 = 18,100.00.
	w.q3 = offer(q{w.a2, w.sup1, quote.StatusApproved, cents(500, 0), cents(100, 0), 36, days(10), nil, nil})
	// q4: Bravo's, sent last week; TCV 3,000.00 x 12 = 36,000.00.
	w.q4 = offer(q{w.a3, w.sup2, quote.StatusSent, cents(3000, 0), 0, 12, days(5), at(days(-1)), at(days(-3))})
	// q5: sent this week; TCV 800.01 x 12 + 200.00 = 9,800.12; follow-up due yesterday, overdue.
	w.q5 = offer(q{w.a1, w.sup1, quote.StatusSent, cents(800, 1), cents(200, 0), 12, days(15), at(days(-1)), at(days(-1))})
	// q6: accepted, so its old follow-up date is not overdue; TCV 400.00 x 12 = 4,800.00.
	w.q6 = offer(q{w.a1, w.sup1, quote.StatusAccepted, cents(400, 0), 0, 12, days(40), at(days(-10)), at(days(-20))})

	// Special pricing requests: two decided, in 10 and 40 hours, the second late.
	type sparc struct {
		quote, by               string
		status                  specialpricingrequest.Status
		submitted, due, decided *time.Time
	}
	request := func(v sparc) string {
		// Requests as they were left before issue 11 (undecided on quotes
		// that went on), written as history: past the pricing rules.
		e, err := c.SpecialPricingRequest.Create().
			SetQuoteID(v.quote).
			SetRequestedByID(v.by).
			SetStatus(v.status).
			SetJustification("Competitive bid").
			SetStandardMrc(cents(1000, 0)).
			SetRequestedMrc(cents(900, 0)).
			SetNillableSubmittedAt(v.submitted).
			SetNillableResponseDueAt(v.due).
			SetNillableDecidedAt(v.decided).
			Save(bulk.NewContext(ctx))
		must(err)
		return e.ID
	}
	w.s1 = request(sparc{w.q2, w.str1, specialpricingrequest.StatusApproved, at(hours(-50)), at(hours(-26)), at(hours(-40))})
	w.s2 = request(sparc{w.q3, w.sup1, specialpricingrequest.StatusRejected, at(hours(-100)), at(hours(-76)), at(hours(-60))})
	w.s3 = request(sparc{w.q1, w.sup1, specialpricingrequest.StatusDraft, nil, nil, nil})
	w.s4 = request(sparc{w.q4, w.sup2, specialpricingrequest.StatusSubmitted, at(hours(-5)), at(hours(19)), nil})
	w.s5 = request(sparc{w.q3, w.sup1, specialpricingrequest.StatusInReview, at(hours(-2)), at(hours(22)), nil})

	// RFPs: two won and one lost overall; r4 due in five days.
	proposal := func(accountID string, status rfp.Status, due time.Time) string {
		e, err := c.RFP.Create().
			SetAccountID(accountID).
			SetTitle("RFP for " + accountID).
			SetStatus(status).
			SetReceivedAt(days(-60)).
			SetDueAt(due).
			Save(ctx)
		must(err)
		return e.ID
	}
	proposal(w.a1, rfp.StatusWon, days(-30))
	proposal(w.a1, rfp.StatusLost, days(-20))
	proposal(w.a3, rfp.StatusWon, days(-10))
	w.r4 = proposal(w.a2, rfp.StatusInProgress, days(5))
	proposal(w.a3, rfp.StatusNoBid, days(3))
	proposal(w.a1, rfp.StatusReceived, days(20))

	// Contracts ending: within 30 days $1,500.00 (two), 60 and 90 days
	// $3,500.00 (three), 180 days $6,500.00 (four).
	agree := func(accountID string, status contract.Status, end time.Time, mrc money.Amount, autoRenew bool) {
		must(c.Contract.Create().
			SetAccountID(accountID).
			SetKind(contract.KindServiceOrder).
			SetTitle("Service order").
			SetStatus(status).
			SetStartDate(workflow.DayOf(end.AddDate(-1, 0, 0))).
			SetEndDate(workflow.DayOf(end)).
			SetTermMonths(12).
			SetMrc(mrc).
			SetCurrency("USD").
			SetAutoRenew(autoRenew).
			// A bulk load, as the seeder's: the accounts keep the MRR set above.
			Exec(bulk.NewContext(ctx)))
	}
	agree(w.a1, contract.StatusActive, days(10), cents(1000, 0), true)
	agree(w.a1, contract.StatusActive, days(45), cents(2000, 0), false)
	agree(w.a3, contract.StatusActive, days(100), cents(3000, 0), false)
	agree(w.a2, contract.StatusActive, days(200), cents(4000, 0), false)
	agree(w.a3, contract.StatusExpired, days(5), cents(5000, 0), false)
	agree(w.a1, contract.StatusActive, days(-1), cents(600, 0), false)
	agree(w.a5, contract.StatusActive, days(30), cents(500, 0), false)

	// Business reviews: b1 and b4 are scheduled within two weeks.
	review := func(accountID string, status businessreview.Status, when time.Time) string {
		e, err := c.BusinessReview.Create().
			SetAccountID(accountID).
			SetQuarter("2026-Q1").
			SetStatus(status).
			SetScheduledAt(when).
			Save(ctx)
		must(err)
		return e.ID
	}
	w.b1 = review(w.a1, businessreview.StatusScheduled, days(3))
	review(w.a2, businessreview.StatusScheduled, days(20))
	review(w.a1, businessreview.StatusHeld, days(1))
	w.b4 = review(w.a3, businessreview.StatusScheduled, days(2))

	// Activities around the week of Monday 9 March.
	logActivity := func(accountID, repID string, kind activity.Kind, when time.Time) {
		must(c.Activity.Create().
			SetAccountID(accountID).
			SetRepID(repID).
			SetKind(kind).
			SetOccurredAt(when).
			SetSummary("Worked the account").
			Exec(ctx))
	}
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	logActivity(w.a1, w.sup1, activity.KindEmail, day(8, 23, 59)) // the Sunday before
	logActivity(w.a1, w.sup1, activity.KindCall, day(9, 9, 0))
	logActivity(w.a2, w.sup1, activity.KindCall, day(10, 10, 0))
	logActivity(w.a1, w.sup1, activity.KindMeeting, day(11, 14, 0))
	logActivity(w.a1, w.sup1, activity.KindNote, day(16, 0, 0)) // the Monday after
	logActivity(w.a1, w.str1, activity.KindSiteVisit, day(12, 8, 0))
	logActivity(w.a3, w.sup2, activity.KindCall, day(10, 11, 0))
	logActivity(w.a5, w.mgr, activity.KindEmail, day(13, 16, 0))

	// Orders: one on a quote, two number ports of 25 and 15 numbers.
	place := func(accountID, pon string, kind order.Kind, status order.Status, tns int, quoteID *string) {
		must(c.Order.Create().
			SetAccountID(accountID).
			SetPon(pon).
			SetKind(kind).
			SetStatus(status).
			SetDesiredDueDate(workflow.DayOf(days(20))).
			SetCreatedAt(now). // the world's clock: a DDD is judged against the day the order was written
			SetTnCount(tns).
			SetNillableQuoteID(quoteID).
			Exec(ctx))
	}
	place(w.a1, "PON-1", order.KindASR, order.StatusCompleted, 0, &w.q6)
	place(w.a3, "PON-2", order.KindLSR, order.StatusSubmitted, 25, nil)
	place(w.a3, "PON-3", order.KindLSR, order.StatusConfirmed, 15, nil)
	return w
}

// allow is a context for writing fixtures: the program's own work, not a viewer's.
func allow() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}

// dayOf is the calendar day of an optional fixture time.
func dayOf(t *time.Time) *date.Date {
	if t == nil {
		return nil
	}
	return date.Ptr(workflow.DayOf(*t))
}

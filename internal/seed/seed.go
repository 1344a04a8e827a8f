// Package seed loads a deterministic demo portfolio: the carrier accounts of a
// wholesale fiber provider, with the teams that work them and a few years of
// quotes, contracts, orders, reviews, activities and escalations.
//
// The same scale always produces the same content (names, codes, amounts,
// statuses, the spacing of dates); only the IDs, which the schema makes random,
// and the anchor date, which is today in UTC so that renewals and due dates
// stay current, differ between runs.
package seed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/privacy"
	// Defaults (IDs, timestamps), validators and hooks live in the generated
	// runtime package; without it the builders cannot save.
	_ "carrierdesk/ent/runtime"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/audit"
	"carrierdesk/internal/seed/bulk"
)

// Options controls how much Run creates and where it reports.
type Options struct {
	// Scale multiplies the number of carriers, teams and accounts and so everything under them; below 1 counts as 1.
	Scale int
	// Progress receives one line per step of a long run; nil means quiet.
	Progress io.Writer
}

// MaxScale bounds Scale: carrier codes (CCNAs) are three letters, so there are only so many carriers to name.
const MaxScale = 400

// Summary counts the rows Run created.
type Summary struct {
	// Skipped is true when the demo data was already there and Run created nothing.
	Skipped bool
	// Carriers is the number of carriers created.
	Carriers int
	// Contacts is the number of carrier contacts created.
	Contacts int
	// Teams is the number of teams created.
	Teams int
	// Reps is the number of internal reps created.
	Reps int
	// Accounts is the number of accounts created.
	Accounts int
	// Assignments is the number of account assignments created, current and ended.
	Assignments int
	// RFPs is the number of requests for proposal created.
	RFPs int
	// Quotes is the number of quotes created.
	Quotes int
	// LineItems is the number of quote line items created.
	LineItems int
	// PricingRequests is the number of special pricing requests created.
	PricingRequests int
	// Contracts is the number of contracts created.
	Contracts int
	// Orders is the number of ASR and LSR orders created.
	Orders int
	// BusinessReviews is the number of quarterly business reviews created.
	BusinessReviews int
	// Activities is the number of rep activities created.
	Activities int
	// Escalations is the number of escalations created.
	Escalations int
	// EscalationEvents is the number of escalation timeline events created.
	EscalationEvents int
}

// String is the summary as one line, for logs.
func (s Summary) String() string {
	if s.Skipped {
		return "seed: already seeded, nothing created"
	}
	return fmt.Sprintf("carriers %d, contacts %d, teams %d, reps %d, accounts %d, assignments %d, rfps %d, quotes %d, line items %d, pricing requests %d, contracts %d, orders %d, business reviews %d, activities %d, escalations %d, escalation events %d",
		s.Carriers, s.Contacts, s.Teams, s.Reps, s.Accounts, s.Assignments, s.RFPs, s.Quotes, s.LineItems, s.PricingRequests,
		s.Contracts, s.Orders, s.BusinessReviews, s.Activities, s.Escalations, s.EscalationEvents)
}

// DemoUser is a documented login of the demo data.
type DemoUser struct {
	// Email is the login name.
	Email string
	// Name is the person's full name.
	Name string
	// Role is what the user may see and do; CARRIER users are carrier contacts, the others reps.
	Role enum.Role
	// Description says what the user is for in a demo.
	Description string
}

// DemoUsers lists one login per role, created by Run at every scale.
var DemoUsers = []DemoUser{
	{"admin@carrierdesk.example", "Dana Whitfield", enum.RoleAdmin,
		"Operations administrator: sees and does everything, including user and team setup."},
	{"manager@carrierdesk.example", "Marcus Bell", enum.RoleManager,
		"Manager of Client Support; manages the South Central team that the AE, support and strategic demo users are on."},
	{"ae@carrierdesk.example", "Priya Natarajan", enum.RoleAccountExecutive,
		"Carrier Account Executive on the South Central team; assigned to its accounts as account executive."},
	{"support@carrierdesk.example", "Luis Ortega", enum.RoleSupport,
		"Carrier Account Support Manager on the South Central team; owns the escalations, orders and QBRs of the accounts assigned to them."},
	{"strategic@carrierdesk.example", "Hannah Cole", enum.RoleStrategic,
		"Strategic Advancement Manager on the South Central team; owns quotes, RFPs and special pricing requests."},
	{"analyst@carrierdesk.example", "Grace Kim", enum.RoleAnalyst,
		"Revenue analyst: reads everything for reporting, changes nothing."},
	{"noc@lumen.example", "Jordan Ellis", enum.RoleCarrier,
		"NOC manager at Lumen Wholesale (the first demo carrier): sees only Lumen's accounts, quotes sent to it, its contracts and escalations."},
}

// Run creates the demo portfolio in one transaction, or does nothing when the
// first demo carrier already exists.
func Run(ctx context.Context, client *ent.Client, opts Options) (Summary, error) {
	// Seeding writes every entity for every carrier; no viewer may do that, so
	// this is the one place that bypasses the privacy policies. It is a bulk
	// load, not changes anyone made, so it leaves no audit trail either.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	ctx = audit.WithoutTrail(ctx)
	// The seeder writes each quote's totals and deal model itself (planQuote,
	// dealOf), so the hooks need not recompute them once per line item.
	ctx = bulk.NewContext(ctx)
	scale := max(opts.Scale, 1)
	if scale > MaxScale {
		return Summary{}, fmt.Errorf("seed: scale %d is above the maximum of %d", scale, MaxScale)
	}
	seeded, err := client.Carrier.Query().
		Where(carrier.Ocn(namedCarriers[0].ocn)).
		Exist(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("seed: looking for earlier seed data: %w", err)
	}
	if seeded {
		report(opts.Progress, "seed: already seeded (carrier %s exists); nothing to do", namedCarriers[0].ocn)
		return Summary{Skipped: true}, nil
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("seed: starting transaction: %w", err)
	}
	started := time.Now()
	s := &seeder{
		tx:       tx,
		rng:      rand.New(rand.NewPCG(1, 2)),
		today:    time.Now().UTC().Truncate(24 * time.Hour),
		scale:    scale,
		progress: opts.Progress,
	}
	if err := s.run(ctx); err != nil {
		return Summary{}, rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("seed: committing: %w", err)
	}
	report(opts.Progress, "seed: done in %s: %s", time.Since(started).Round(time.Millisecond), s.sum)
	return s.sum, nil
}

// rollback undoes the transaction after err, keeping err as the cause.
func rollback(tx *ent.Tx, err error) error {
	if rerr := tx.Rollback(); rerr != nil {
		return fmt.Errorf("%w (rolling back: %v)", err, rerr)
	}
	return err
}

// report writes one progress line, if anyone listens.
func report(w io.Writer, format string, args ...any) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, format+"\n", args...)
}

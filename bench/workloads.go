package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"carrierdesk/internal/seed"
)

// workload is one kind of request the suite measures: a GraphQL operation, the
// subjects it rotates over, and, for the web app's pages, the hand-written SQL
// that produces the same JSON.
type workload struct {
	Key      string // short name, for flags and files
	Name     string // what the table calls it
	Query    string // the GraphQL document
	Baseline string // SQL producing the whole response for $1, the subject's ID; empty for none

	requests []request // one per subject, rotated through
	// small and large are the subjects with the least and the most data under
	// them, whose statement counts must be equal.
	small, large request
	smallSize    string // how big small and large are, for the report
	largeSize    string
}

// request is one prepared HTTP request: a body and the bearer token it carries.
type request struct {
	Subject string
	Body    []byte
	Token   string
}

// The web app's account page: one account with its carrier, the reps
// assigned now, its open quotes with their lines, active contracts and open
// escalations with their three latest events.
const accountPageQuery = `query AccountPage($id: ID!) {
  node(id: $id) {
    ... on Account {
      id accountNumber name status region market mrr
      carrier { id name ocn ccna }
      assignments(first: 5, where: {endedAtIsNil: true}) { edges { node { capacity startedAt rep { id name email role } } } }
      quotes(first: 20, where: {statusNotIn: [ACCEPTED, DECLINED, EXPIRED]}) {
        totalCount
        edges { node {
          id title status mrc nrc tcv validUntil
          lineItems(first: 10) { edges { node { id product bandwidth mrc nrc quantity } } }
        } }
      }
      contracts(first: 10, where: {status: ACTIVE}) { totalCount edges { node { id title endDate mrc autoRenew } } }
      escalations(first: 10, where: {statusNotIn: [RESOLVED, CLOSED]}) {
        totalCount
        edges { node {
          id title severity status resolutionDueAt
          events(last: 3, orderBy: [{field: CREATED_AT}]) { edges { node { kind body createdAt } } }
        } }
      }
    }
  }
}`

// The web app's carrier page: a carrier and its first 50 accounts, each with
// its MRR and how many quotes, active contracts and open escalations it has.
const carrierPageQuery = `query CarrierPage($id: ID!) {
  node(id: $id) {
    ... on Carrier {
      id name ocn ccna tier status
      accounts(first: 50, orderBy: [{field: ACCOUNT_NUMBER}]) {
        totalCount
        pageInfo { hasNextPage }
        edges { node {
          id accountNumber name status region market mrr
          quotes { totalCount }
          contracts(where: {status: ACTIVE}) { totalCount }
          escalations(where: {statusNotIn: [RESOLVED, CLOSED]}) { totalCount }
        } }
      }
    }
  }
}`

// The mobile app's home screen, as the README shows it.
const meQuery = `query Home {
  me {
    role
    rep { name }
    accountCount
    escalations { totalCount nodes { id title severity resolutionBreached } }
    quotes { totalCount nodes { id title status } }
    specialPricingRequests { totalCount nodes { id requestedMrc overdue } }
    overdueFollowUps { totalCount nodes { id title followUpOn } }
    businessReviews { totalCount nodes { id quarter scheduledAt } }
    rfpDeadlines { totalCount nodes { id title dueAt } }
  }
}`

// A reporting tool's aggregate over every account: MRR and count by region
// and month of creation.
const aggregateQuery = `query MRRByRegionAndMonth {
  accountAggregate(measures: [{op: SUM, field: "mrr"}, {op: COUNT}], groupBy: ["region", "createdAt:month"]) {
    truncated rows { keys values { money int } }
  }
}`

// The portfolio at a glance, as the README shows it.
const portfolioQuery = `query Portfolio {
  portfolio {
    mrr { currency amount } accountCount
    byCarrier { name mrr { currency amount } }
    byRegion { region mrr { currency amount } }
    byStatus { status accounts mrr { currency amount } }
    atRisk { count mrr { currency amount } }
    openEscalations openResponseBreaches openResolutionBreaches
    escalationsBySeverity { severity open openResponseBreaches openResolutionBreaches allTimeResolutionBreaches }
    pipeline { status count mrc { currency amount } tcv { currency amount } }
    sparcTurnaround { decided averageHours maxHours overTarget }
    rfps { won lost winRate }
    renewals { days count mrr { currency amount } }
  }
}`

// money formats cents as the API's Money scalar does: a decimal string with two decimals.
func money(col string) string {
	return fmt.Sprintf("((%s)::numeric / 100)::numeric(20,2)::text", col)
}

// ts formats a timestamp as gqlgen's Time does: RFC 3339 in UTC, fractional
// seconds without trailing zeros.
func ts(col string) string {
	return fmt.Sprintf(`regexp_replace(to_char((%s) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '\.?0+$', '') || 'Z'`, col)
}

// day formats a date column as the Date scalar does: YYYY-MM-DD.
func day(col string) string {
	return fmt.Sprintf("to_char(%s, 'YYYY-MM-DD')", col)
}

// edges is a connection's edges as JSON: nodes built by node over rows, in order, or [].
func edges(node, order, from string) string {
	return fmt.Sprintf("COALESCE((SELECT json_agg(json_build_object('node', %s) ORDER BY %s) FROM %s), '[]'::json)", node, order, from)
}

// accountPageSQL is the account page as one hand-written query.
var accountPageSQL = `SELECT json_build_object('data', json_build_object('node', (
SELECT json_build_object(
  'id', a.id, 'accountNumber', a.account_number, 'name', a.name, 'status', a.status,
  'region', a.region, 'market', a.market, 'mrr', ` + money("a.mrr") + `,
  'carrier', (SELECT json_build_object('id', c.id, 'name', c.name, 'ocn', c.ocn, 'ccna', c.ccna) FROM carriers c WHERE c.id = a.carrier_id),
  'assignments', json_build_object('edges', ` + edges(
	`json_build_object('capacity', x.capacity, 'startedAt', `+ts("x.started_at")+`,
        'rep', json_build_object('id', r.id, 'name', r.name, 'email', r.email, 'role', r.role))`,
	"x.id",
	`(SELECT id, capacity, started_at, rep_id FROM account_assignments
         WHERE account_id = a.id AND ended_at IS NULL ORDER BY id LIMIT 5) x JOIN reps r ON r.id = x.rep_id`) + `),
  'quotes', json_build_object(
    'totalCount', (SELECT count(*) FROM quotes WHERE account_id = a.id AND status NOT IN ('ACCEPTED', 'DECLINED', 'EXPIRED')),
    'edges', ` + edges(
	`json_build_object('id', q.id, 'title', q.title, 'status', q.status, 'mrc', `+money("q.mrc")+`, 'nrc', `+money("q.nrc")+`,
        'tcv', `+money("q.tcv")+`, 'validUntil', `+day("q.valid_until")+`,
        'lineItems', json_build_object('edges', `+edges(
		`json_build_object('id', l.id, 'product', l.product, 'bandwidth', COALESCE(l.bandwidth, ''), 'mrc', `+money("l.mrc")+`,
            'nrc', `+money("l.nrc")+`, 'quantity', l.quantity)`,
		"l.id",
		`(SELECT id, product, bandwidth, mrc, nrc, quantity FROM quote_line_items WHERE quote_id = q.id ORDER BY id LIMIT 10) l`)+`))`,
	"q.id",
	`(SELECT id, title, status, mrc, nrc, tcv, valid_until FROM quotes
         WHERE account_id = a.id AND status NOT IN ('ACCEPTED', 'DECLINED', 'EXPIRED') ORDER BY id LIMIT 20) q`) + `),
  'contracts', json_build_object(
    'totalCount', (SELECT count(*) FROM contracts WHERE account_id = a.id AND status = 'ACTIVE'),
    'edges', ` + edges(
	`json_build_object('id', k.id, 'title', k.title, 'endDate', `+day("k.end_date")+`, 'mrc', `+money("k.mrc")+`, 'autoRenew', k.auto_renew)`,
	"k.id",
	`(SELECT id, title, end_date, mrc, auto_renew FROM contracts WHERE account_id = a.id AND status = 'ACTIVE' ORDER BY id LIMIT 10) k`) + `),
  'escalations', json_build_object(
    'totalCount', (SELECT count(*) FROM escalations WHERE account_id = a.id AND status NOT IN ('RESOLVED', 'CLOSED')),
    'edges', ` + edges(
	`json_build_object('id', e.id, 'title', e.title, 'severity', e.severity, 'status', e.status,
        'resolutionDueAt', `+ts("e.resolution_due_at")+`,
        'events', json_build_object('edges', `+edges(
		`json_build_object('kind', v.kind, 'body', COALESCE(v.body, ''), 'createdAt', `+ts("v.created_at")+`)`,
		"v.created_at, v.id",
		`(SELECT id, kind, body, created_at FROM escalation_events WHERE escalation_id = e.id
                   ORDER BY created_at DESC, id DESC LIMIT 3) v`)+`))`,
	"e.id",
	`(SELECT id, title, severity, status, resolution_due_at FROM escalations
         WHERE account_id = a.id AND status NOT IN ('RESOLVED', 'CLOSED') ORDER BY id LIMIT 10) e`) + `))
FROM accounts a WHERE a.id = $1)))`

// carrierPageSQL is the carrier page as one hand-written query.
var carrierPageSQL = `SELECT json_build_object('data', json_build_object('node', (
SELECT json_build_object(
  'id', c.id, 'name', c.name, 'ocn', c.ocn, 'ccna', c.ccna, 'tier', c.tier, 'status', c.status,
  'accounts', json_build_object(
    'totalCount', n.total,
    'pageInfo', json_build_object('hasNextPage', n.total > 50),
    'edges', ` + edges(
	`json_build_object('id', a.id, 'accountNumber', a.account_number, 'name', a.name, 'status', a.status,
        'region', a.region, 'market', a.market, 'mrr', `+money("a.mrr")+`,
        'quotes', json_build_object('totalCount', (SELECT count(*) FROM quotes q WHERE q.account_id = a.id)),
        'contracts', json_build_object('totalCount', (SELECT count(*) FROM contracts k WHERE k.account_id = a.id AND k.status = 'ACTIVE')),
        'escalations', json_build_object('totalCount', (SELECT count(*) FROM escalations e
            WHERE e.account_id = a.id AND e.status NOT IN ('RESOLVED', 'CLOSED'))))`,
	"a.account_number, a.id",
	`(SELECT id, account_number, name, status, region, market, mrr FROM accounts
         WHERE carrier_id = c.id ORDER BY account_number, id LIMIT 50) a`) + `))
FROM carriers c, LATERAL (SELECT count(*) AS total FROM accounts WHERE carrier_id = c.id) n
WHERE c.id = $1)))`

// subjects are the records the workloads ask about, chosen from the seeded data.
type subjects struct {
	Admin               string   // the demo admin's rep ID
	Accounts            []string // account pages to rotate through
	SmallAccount        string   // the account with the least under it, and the one with the most
	LargeAccount        string
	SmallAccountSize    int
	LargeAccountSize    int
	Carriers            []string // carrier pages: the carriers with the most accounts
	SmallCarrier        string   // the carrier with the fewest accounts, and the one with the most
	LargeCarrier        string
	SmallCarrierSize    int
	LargeCarrierSize    int
	BusyReps            []repSubject // reps with the most current assignments
	QuietRep            repSubject   // a rep with the fewest
	BusyRepAssignments  int
	QuietRepAssignments int
}

type repSubject struct{ ID, Role string }

// pickSubjects chooses the subjects: deterministic for a given seed scale.
func pickSubjects(ctx context.Context, db *sql.DB, accounts int) (subjects, error) {
	var s subjects
	err := db.QueryRowContext(ctx, `SELECT id FROM reps WHERE email = $1`, seed.DemoUsers[0].Email).Scan(&s.Admin)
	if err != nil {
		return s, fmt.Errorf("finding the demo admin: %w", err)
	}
	// Every k-th account by number: a spread of sizes, the same at every run.
	rows, err := db.QueryContext(ctx, `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY account_number) AS n FROM accounts) a
		WHERE n % greatest(1, (SELECT count(*) FROM accounts) / $1) = 0 ORDER BY n LIMIT $1`, accounts)
	if err != nil {
		return s, err
	}
	if s.Accounts, err = scanStrings(rows); err != nil {
		return s, err
	}
	size := `(SELECT count(*) FROM quotes q WHERE q.account_id = a.id AND q.status NOT IN ('ACCEPTED', 'DECLINED', 'EXPIRED'))
		+ (SELECT count(*) FROM contracts k WHERE k.account_id = a.id AND k.status = 'ACTIVE')
		+ (SELECT count(*) FROM escalations e WHERE e.account_id = a.id AND e.status NOT IN ('RESOLVED', 'CLOSED'))`
	// The smallest account still has something in every list of the page, so
	// that it asks the same questions as the largest, only about fewer rows.
	nonEmpty := `EXISTS (SELECT 1 FROM quotes q WHERE q.account_id = a.id AND q.status NOT IN ('ACCEPTED', 'DECLINED', 'EXPIRED'))
		AND EXISTS (SELECT 1 FROM contracts k WHERE k.account_id = a.id AND k.status = 'ACTIVE')
		AND EXISTS (SELECT 1 FROM escalations e WHERE e.account_id = a.id AND e.status NOT IN ('RESOLVED', 'CLOSED'))
		AND EXISTS (SELECT 1 FROM account_assignments x WHERE x.account_id = a.id AND x.ended_at IS NULL)`
	if err := db.QueryRowContext(ctx, `SELECT id, `+size+` FROM accounts a WHERE `+nonEmpty+` ORDER BY 2, account_number LIMIT 1`).Scan(&s.SmallAccount, &s.SmallAccountSize); err != nil {
		return s, fmt.Errorf("finding an account with open quotes, active contracts and open escalations: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT id, `+size+` FROM accounts a ORDER BY 2 DESC, account_number LIMIT 1`).Scan(&s.LargeAccount, &s.LargeAccountSize); err != nil {
		return s, err
	}
	rows, err = db.QueryContext(ctx, `SELECT carrier_id FROM accounts GROUP BY carrier_id ORDER BY count(*) DESC, carrier_id LIMIT 32`)
	if err != nil {
		return s, err
	}
	if s.Carriers, err = scanStrings(rows); err != nil {
		return s, err
	}
	bySize := `SELECT c.id, count(a.id) FROM carriers c JOIN accounts a ON a.carrier_id = c.id GROUP BY c.id ORDER BY 2 %s, c.ocn LIMIT 1`
	if err := db.QueryRowContext(ctx, fmt.Sprintf(bySize, "ASC")).Scan(&s.SmallCarrier, &s.SmallCarrierSize); err != nil {
		return s, err
	}
	if err := db.QueryRowContext(ctx, fmt.Sprintf(bySize, "DESC")).Scan(&s.LargeCarrier, &s.LargeCarrierSize); err != nil {
		return s, err
	}
	reps := `SELECT r.id, r.role, count(*) FROM account_assignments x JOIN reps r ON r.id = x.rep_id
		WHERE x.ended_at IS NULL AND r.active AND r.role IN ('ACCOUNT_EXECUTIVE', 'SUPPORT', 'STRATEGIC')
		GROUP BY r.id, r.role ORDER BY 3 %s, r.email LIMIT %d`
	rows, err = db.QueryContext(ctx, fmt.Sprintf(reps, "DESC", 8))
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var r repSubject
		var n int
		if err := rows.Scan(&r.ID, &r.Role, &n); err != nil {
			rows.Close()
			return s, err
		}
		s.BusyReps = append(s.BusyReps, r)
		s.BusyRepAssignments = max(s.BusyRepAssignments, n)
	}
	if err := rows.Close(); err != nil {
		return s, err
	}
	err = db.QueryRowContext(ctx, fmt.Sprintf(reps, "ASC", 1)).Scan(&s.QuietRep.ID, &s.QuietRep.Role, &s.QuietRepAssignments)
	if err != nil {
		return s, fmt.Errorf("finding a rep: %w", err)
	}
	if len(s.Accounts) == 0 || len(s.Carriers) == 0 || len(s.BusyReps) == 0 {
		return s, fmt.Errorf("the database has no accounts, carriers or assigned reps to ask about")
	}
	return s, nil
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// workloads builds the measured workloads for the chosen subjects, with
// tokens signed by sign for a rep's ID and role.
func workloads(s subjects, sign func(id, role string) (string, error)) ([]*workload, error) {
	admin, err := sign(s.Admin, "ADMIN")
	if err != nil {
		return nil, err
	}
	byID := func(op, query string, id, token string) request {
		body, _ := json.Marshal(map[string]any{"operationName": op, "query": query, "variables": map[string]any{"id": id}})
		return request{Subject: id, Body: body, Token: token}
	}
	plain := func(op, query, subject, token string) request {
		body, _ := json.Marshal(map[string]any{"operationName": op, "query": query})
		return request{Subject: subject, Body: body, Token: token}
	}
	account := &workload{Key: "account", Name: "1 account page", Query: accountPageQuery, Baseline: accountPageSQL,
		small: byID("AccountPage", accountPageQuery, s.SmallAccount, admin), smallSize: fmt.Sprintf("%d open items", s.SmallAccountSize),
		large: byID("AccountPage", accountPageQuery, s.LargeAccount, admin), largeSize: fmt.Sprintf("%d open items", s.LargeAccountSize)}
	for _, id := range s.Accounts {
		account.requests = append(account.requests, byID("AccountPage", accountPageQuery, id, admin))
	}
	carrier := &workload{Key: "carrier", Name: "2 carrier page", Query: carrierPageQuery, Baseline: carrierPageSQL,
		small: byID("CarrierPage", carrierPageQuery, s.SmallCarrier, admin), smallSize: fmt.Sprintf("%d accounts", s.SmallCarrierSize),
		large: byID("CarrierPage", carrierPageQuery, s.LargeCarrier, admin), largeSize: fmt.Sprintf("%d accounts", s.LargeCarrierSize)}
	for _, id := range s.Carriers {
		carrier.requests = append(carrier.requests, byID("CarrierPage", carrierPageQuery, id, admin))
	}
	me := &workload{Key: "me", Name: "3 me (busy rep)", Query: meQuery,
		smallSize: fmt.Sprintf("%d accounts", s.QuietRepAssignments), largeSize: fmt.Sprintf("%d accounts", s.BusyRepAssignments)}
	for i, r := range append([]repSubject{s.QuietRep}, s.BusyReps...) {
		tok, err := sign(r.ID, r.Role)
		if err != nil {
			return nil, err
		}
		req := plain("Home", meQuery, r.ID, tok)
		switch i {
		case 0:
			me.small = req
		case 1:
			me.large = req
			fallthrough
		default:
			me.requests = append(me.requests, req)
		}
	}
	aggregate := &workload{Key: "aggregate", Name: "4 accountAggregate", Query: aggregateQuery,
		requests: []request{plain("MRRByRegionAndMonth", aggregateQuery, "all accounts", admin)}}
	aggregate.small, aggregate.large = aggregate.requests[0], aggregate.requests[0]
	aggregate.smallSize, aggregate.largeSize = "the whole portfolio", "the whole portfolio"
	portfolio := &workload{Key: "portfolio", Name: "4b portfolio", Query: portfolioQuery,
		requests: []request{plain("Portfolio", portfolioQuery, "all accounts", admin)}}
	portfolio.small, portfolio.large = portfolio.requests[0], portfolio.requests[0]
	portfolio.smallSize, portfolio.largeSize = "the whole portfolio", "the whole portfolio"
	return []*workload{account, carrier, me, aggregate, portfolio}, nil
}

// selectWorkloads keeps the workloads named in a comma-separated list; all when it is empty.
func selectWorkloads(all []*workload, names string) ([]*workload, error) {
	if names == "" {
		return all, nil
	}
	var out []*workload
	for _, n := range strings.Split(names, ",") {
		found := false
		for _, w := range all {
			if w.Key == strings.TrimSpace(n) {
				out, found = append(out, w), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no workload %q (workloads: account, carrier, me, aggregate, portfolio)", n)
		}
	}
	return out, nil
}

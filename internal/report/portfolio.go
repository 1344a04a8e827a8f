package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/migrate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/date"
	"carrierdesk/internal/money"
	"carrierdesk/internal/workflow"

	"entgo.io/ent/dialect/sql"
)

// TopCarriers is how many carriers PortfolioResult.ByCarrier lists.
const TopCarriers = 10

// RenewalWindows are the horizons, in days, of PortfolioResult.Renewals.
var RenewalWindows = []int{30, 60, 90, 180}

// PortfolioResult is the state of the book of business the viewer may see.
// MRR figures leave out churned accounts, which no longer bill; ByStatus
// shows them. Every money figure is a total per currency: amounts in
// different currencies are never added.
type PortfolioResult struct {
	// AsOf is the time the report was computed for.
	AsOf time.Time
	// MRR is the monthly recurring revenue of the accounts that are not churned, per currency.
	MRR []MoneyTotal
	// Accounts is how many accounts are not churned.
	Accounts int
	// ByCarrier is MRR by carrier: the TopCarriers largest in each currency,
	// in currency order, largest first within it.
	ByCarrier []CarrierMRR
	// ByRegion is MRR by sales region, every region listed.
	ByRegion []RegionMRR
	// ByStatus is MRR by account status, every status listed, churned included.
	ByStatus []AccountStatusMRR
	// AtRisk is the accounts at risk of churning.
	AtRisk MRRTotal
	// OpenEscalations is how many escalations are neither resolved nor closed.
	OpenEscalations int
	// EscalationsBySeverity is, per severity, open escalations, the open ones
	// in breach, and all-time breaches.
	EscalationsBySeverity []SeverityEscalations
	// OpenResponseBreaches is how many open escalations missed their response target (all severities).
	OpenResponseBreaches int
	// OpenResolutionBreaches is how many open escalations are past their resolution target (all severities).
	OpenResolutionBreaches int
	// AllTimeResponseBreaches is how many escalations, open or not, ever missed their response target.
	AllTimeResponseBreaches int
	// AllTimeResolutionBreaches is how many escalations, open or not, ever missed their resolution target.
	AllTimeResolutionBreaches int
	// Pipeline is quotes by status with their value, every status listed.
	Pipeline []QuoteStatusTotal
	// SPARCTurnaround is how long special pricing requests wait for a decision.
	SPARCTurnaround SPARCTurnaround
	// RFPs is the RFP win rate.
	RFPs RFPWinRate
	// Renewals is active contracts ending within each of RenewalWindows.
	Renewals []RenewalWindow
	// Orders is the order figures of a business review: FOC met and due-date slips.
	Orders OrderKPIs
}

// MRRTotal is a number of accounts and their monthly recurring revenue.
type MRRTotal struct {
	// Count is how many accounts.
	Count int
	// MRR is their monthly recurring revenue, per currency.
	MRR []MoneyTotal
}

// CarrierMRR is a carrier's share of the portfolio.
type CarrierMRR struct {
	// CarrierID identifies the carrier.
	CarrierID string
	// Name is the carrier's name.
	Name string
	// Accounts is how many of its accounts are not churned.
	Accounts int
	// MRR is their monthly recurring revenue, per currency.
	MRR []MoneyTotal
}

// RegionMRR is a sales region's share of the portfolio.
type RegionMRR struct {
	// Region is the sales region.
	Region enum.Region
	// Accounts is how many accounts in the region are not churned.
	Accounts int
	// MRR is their monthly recurring revenue, per currency.
	MRR []MoneyTotal
}

// AccountStatusMRR is the accounts in one status.
type AccountStatusMRR struct {
	// Status is the account status.
	Status account.Status
	// Accounts is how many accounts are in it.
	Accounts int
	// MRR is their monthly recurring revenue, per currency (for churned accounts, as last billed).
	MRR []MoneyTotal
}

// SeverityEscalations is the escalations of one severity.
type SeverityEscalations struct {
	// Severity is the severity.
	Severity escalation.Severity
	// Open is how many are neither resolved nor closed.
	Open int
	// OpenResponseBreaches is how many of the open ones missed their response
	// target: acknowledged late, or not yet acknowledged with the time passed.
	OpenResponseBreaches int
	// OpenResolutionBreaches is how many of the open ones are past their resolution due time.
	OpenResolutionBreaches int
	// AllTimeResponseBreaches is how many, open or not, missed their response target.
	AllTimeResponseBreaches int
	// AllTimeResolutionBreaches is how many, open or not, missed their
	// resolution target: resolved late, or still open with the time passed.
	AllTimeResolutionBreaches int
	// MeanHoursToRestore is the mean time to restore of the resolved ones, in
	// hours, less the time pending the client; nil when none is resolved.
	MeanHoursToRestore *float64
}

// QuoteStatusTotal is the quotes in one status and their value.
type QuoteStatusTotal struct {
	// Status is the quote status.
	Status quote.Status
	// Count is how many quotes are in it.
	Count int
	// MRC is their monthly recurring charges, per currency.
	MRC []MoneyTotal
	// TCV is their total contract value, per currency.
	TCV []MoneyTotal
}

// SPARCTurnaround is how fast special pricing requests are decided.
type SPARCTurnaround struct {
	// Decided is how many submitted requests have been decided.
	Decided int
	// AverageHours is the mean time from submission to decision, in hours; null when none was decided.
	AverageHours *float64
	// MaxHours is the longest time from submission to decision, in hours; null when none was decided.
	MaxHours *float64
	// OverTarget is how many were decided after their response due time.
	OverTarget int
}

// RFPWinRate is how RFPs turned out.
type RFPWinRate struct {
	// Won is how many RFPs were won.
	Won int
	// Lost is how many were lost.
	Lost int
	// WinRate is Won / (Won + Lost), between 0 and 1; null when none was decided.
	WinRate *float64
}

// RenewalWindow is the active contracts ending within a number of days.
type RenewalWindow struct {
	// Days is the horizon: contracts ending between now and now + Days.
	Days int
	// Count is how many contracts end within it.
	Count int
	// MRR is their monthly recurring charges, per currency.
	MRR []MoneyTotal
}

// Portfolio computes the portfolio report at now, over what the viewer in ctx may see.
func Portfolio(ctx context.Context, c *ent.Client, now time.Time) (*PortfolioResult, error) {
	now = utc(now)
	r := &PortfolioResult{AsOf: now}
	steps := []struct {
		what string
		run  func(context.Context, *ent.Client, time.Time, *PortfolioResult) error
	}{
		{"accounts", portfolioAccounts},
		{"carriers", portfolioCarriers},
		{"escalations", portfolioEscalations},
		{"time to restore", portfolioTimeToRestore},
		{"quotes", portfolioQuotes},
		{"special pricing requests", portfolioSPARCs},
		{"RFPs", portfolioRFPs},
		{"renewals", portfolioRenewals},
		{"orders", portfolioOrders},
	}
	for _, s := range steps {
		if err := s.run(ctx, c, now, r); err != nil {
			return nil, fmt.Errorf("portfolio %s: %w", s.what, err)
		}
	}
	return r, nil
}

// portfolioAccounts fills the totals, regions, statuses and accounts at risk
// from one query grouped by region, status and currency.
func portfolioAccounts(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Region   string `sql:"region"`
		Status   string `sql:"status"`
		Currency string `sql:"currency"`
		Count    int    `sql:"n"`
		MRR      int64  `sql:"total_mrr"`
	}
	err := c.Account.Query().
		Modify(func(s *sql.Selector) {
			s.Select(s.C(account.FieldRegion), s.C(account.FieldStatus), s.C(account.FieldCurrency)).
				AppendSelectAs("COUNT(*)", "n").
				AppendSelectAs(sumInt(s.C(account.FieldMrr)), "total_mrr").
				GroupBy(s.C(account.FieldRegion), s.C(account.FieldStatus), s.C(account.FieldCurrency))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return err
	}
	regions := map[string]*RegionMRR{}
	statuses := map[string]*AccountStatusMRR{}
	for _, row := range rows {
		st := statuses[row.Status]
		if st == nil {
			st = &AccountStatusMRR{Status: account.Status(row.Status)}
			statuses[row.Status] = st
		}
		st.Accounts += row.Count
		st.MRR = addMoney(st.MRR, row.Currency, money.Amount(row.MRR))
		if account.Status(row.Status) == account.StatusChurned {
			continue
		}
		rg := regions[row.Region]
		if rg == nil {
			rg = &RegionMRR{Region: enum.Region(row.Region)}
			regions[row.Region] = rg
		}
		rg.Accounts += row.Count
		rg.MRR = addMoney(rg.MRR, row.Currency, money.Amount(row.MRR))
		r.Accounts += row.Count
		r.MRR = addMoney(r.MRR, row.Currency, money.Amount(row.MRR))
	}
	for _, k := range ordered(enumValues(migrate.AccountsTable, account.FieldRegion), regions) {
		if rg := regions[k]; rg != nil {
			r.ByRegion = append(r.ByRegion, *rg)
		} else {
			r.ByRegion = append(r.ByRegion, RegionMRR{Region: enum.Region(k)})
		}
	}
	for _, k := range ordered(enumValues(migrate.AccountsTable, account.FieldStatus), statuses) {
		if st := statuses[k]; st != nil {
			r.ByStatus = append(r.ByStatus, *st)
		} else {
			r.ByStatus = append(r.ByStatus, AccountStatusMRR{Status: account.Status(k)})
		}
	}
	if st := statuses[account.StatusAtRisk.String()]; st != nil {
		r.AtRisk = MRRTotal{Count: st.Accounts, MRR: st.MRR}
	}
	return nil
}

// portfolioCarriers fills the top carriers by MRR, ranked within each
// currency (amounts in different currencies do not compare): one query
// grouped by carrier and currency, then one for the names, which goes
// through the carriers' own privacy policy.
func portfolioCarriers(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		CarrierID string `sql:"carrier_id"`
		Currency  string `sql:"currency"`
		Count     int    `sql:"n"`
		MRR       int64  `sql:"total_mrr"`
	}
	err := c.Account.Query().
		Where(account.StatusNEQ(account.StatusChurned)).
		Modify(func(s *sql.Selector) {
			s.Select(s.C(account.FieldCarrierID), s.C(account.FieldCurrency)).
				AppendSelectAs("COUNT(*)", "n").
				AppendSelectAs(sumInt(s.C(account.FieldMrr)), "total_mrr").
				GroupBy(s.C(account.FieldCarrierID), s.C(account.FieldCurrency)).
				OrderBy(sql.Asc(s.C(account.FieldCurrency)), sql.Desc("total_mrr"), sql.Asc(s.C(account.FieldCarrierID)))
		}).
		Scan(ctx, &rows)
	if err != nil || len(rows) == 0 {
		return err
	}
	// The top carriers of each currency, in currency order, largest first;
	// then every carrier's accounts and MRR in all its currencies.
	var ids []string
	ranked := map[string]int{}
	for _, row := range rows {
		if ranked[row.Currency] < TopCarriers && !slices.Contains(ids, row.CarrierID) {
			ranked[row.Currency]++
			ids = append(ids, row.CarrierID)
		}
	}
	totals := map[string]*CarrierMRR{}
	for _, row := range rows {
		t := totals[row.CarrierID]
		if t == nil {
			t = &CarrierMRR{CarrierID: row.CarrierID}
			totals[row.CarrierID] = t
		}
		t.Accounts += row.Count
		t.MRR = addMoney(t.MRR, row.Currency, money.Amount(row.MRR))
	}
	var names []struct {
		ID   string `sql:"id"`
		Name string `sql:"name"`
	}
	err = c.Carrier.Query().
		Where(carrier.IDIn(ids...)).
		Select(carrier.FieldID, carrier.FieldName).
		Scan(ctx, &names)
	if err != nil {
		return err
	}
	name := make(map[string]string, len(names))
	for _, n := range names {
		name[n.ID] = n.Name
	}
	for _, id := range ids {
		t := totals[id]
		t.Name = name[id]
		r.ByCarrier = append(r.ByCarrier, *t)
	}
	return nil
}

// where is p, an ent predicate of the table s selects from, as a SQL
// predicate for an expression of s (a COUNT ... FILTER, say).
func where(s *sql.Selector, p func(*sql.Selector)) *sql.Predicate {
	probe := sql.Dialect(s.Dialect()).Select().From(sql.Table(s.TableName()))
	p(probe)
	return probe.P()
}

// portfolioEscalations fills open escalations and SLA breaches by severity,
// in one query: the open ones in breach beside the open count, and breaches
// of all time apart.
func portfolioEscalations(ctx context.Context, c *ent.Client, now time.Time, r *PortfolioResult) error {
	var rows []struct {
		Severity          string `sql:"severity"`
		Open              int    `sql:"open"`
		OpenResponse      int    `sql:"open_response_breaches"`
		OpenResolution    int    `sql:"open_resolution_breaches"`
		AllTimeResponse   int    `sql:"response_breaches"`
		AllTimeResolution int    `sql:"resolution_breaches"`
	}
	err := c.Escalation.Query().
		Modify(func(s *sql.Selector) {
			// The rules are workflow's, the ones the sweep and the fields use.
			open := func() *sql.Predicate { return where(s, workflow.OpenEscalation()) }
			responseBreach := func() *sql.Predicate { return where(s, workflow.ResponseBreachedAt(now)) }
			resolutionBreach := func() *sql.Predicate { return where(s, workflow.ResolutionBreachedAt(now)) }
			s.Select(s.C(escalation.FieldSeverity)).
				AppendSelectExprAs(countIf(open()), "open").
				AppendSelectExprAs(countIf(sql.And(open(), responseBreach())), "open_response_breaches").
				AppendSelectExprAs(countIf(sql.And(open(), resolutionBreach())), "open_resolution_breaches").
				AppendSelectExprAs(countIf(responseBreach()), "response_breaches").
				AppendSelectExprAs(countIf(resolutionBreach()), "resolution_breaches").
				GroupBy(s.C(escalation.FieldSeverity))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return err
	}
	bySeverity := map[string]SeverityEscalations{}
	for _, row := range rows {
		bySeverity[row.Severity] = SeverityEscalations{
			Severity:                  escalation.Severity(row.Severity),
			Open:                      row.Open,
			OpenResponseBreaches:      row.OpenResponse,
			OpenResolutionBreaches:    row.OpenResolution,
			AllTimeResponseBreaches:   row.AllTimeResponse,
			AllTimeResolutionBreaches: row.AllTimeResolution,
		}
		r.OpenEscalations += row.Open
		r.OpenResponseBreaches += row.OpenResponse
		r.OpenResolutionBreaches += row.OpenResolution
		r.AllTimeResponseBreaches += row.AllTimeResponse
		r.AllTimeResolutionBreaches += row.AllTimeResolution
	}
	for _, k := range ordered(enumValues(migrate.EscalationsTable, escalation.FieldSeverity), bySeverity) {
		e, ok := bySeverity[k]
		if !ok {
			e = SeverityEscalations{Severity: escalation.Severity(k)}
		}
		r.EscalationsBySeverity = append(r.EscalationsBySeverity, e)
	}
	return nil
}

// portfolioQuotes fills the quote pipeline by status, its money per currency.
func portfolioQuotes(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Status   string `sql:"status"`
		Currency string `sql:"currency"`
		Count    int    `sql:"n"`
		MRC      int64  `sql:"total_mrc"`
		TCV      int64  `sql:"total_tcv"`
	}
	err := c.Quote.Query().
		Modify(func(s *sql.Selector) {
			s.Select(s.C(quote.FieldStatus), s.C(quote.FieldCurrency)).
				AppendSelectAs("COUNT(*)", "n").
				AppendSelectAs(sumInt(s.C(quote.FieldMrc)), "total_mrc").
				AppendSelectAs(sumInt(s.C(quote.FieldTcv)), "total_tcv").
				GroupBy(s.C(quote.FieldStatus), s.C(quote.FieldCurrency))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return err
	}
	byStatus := map[string]QuoteStatusTotal{}
	for _, row := range rows {
		q := byStatus[row.Status]
		q.Status = quote.Status(row.Status)
		q.Count += row.Count
		q.MRC = addMoney(q.MRC, row.Currency, money.Amount(row.MRC))
		q.TCV = addMoney(q.TCV, row.Currency, money.Amount(row.TCV))
		byStatus[row.Status] = q
	}
	for _, k := range ordered(enumValues(migrate.QuotesTable, quote.FieldStatus), byStatus) {
		q, ok := byStatus[k]
		if !ok {
			q = QuoteStatusTotal{Status: quote.Status(k)}
		}
		r.Pipeline = append(r.Pipeline, q)
	}
	return nil
}

// portfolioSPARCs fills the time to decision of special pricing requests.
func portfolioSPARCs(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Decided    int      `sql:"decided"`
		Average    *float64 `sql:"avg_hours"`
		Max        *float64 `sql:"max_hours"`
		OverTarget int      `sql:"over_target"`
	}
	err := c.SpecialPricingRequest.Query().
		Where(
			specialpricingrequest.SubmittedAtNotNil(),
			specialpricingrequest.DecidedAtNotNil(),
		).
		Modify(func(s *sql.Selector) {
			hours := hoursBetween(s.Dialect(), s.C(specialpricingrequest.FieldSubmittedAt), s.C(specialpricingrequest.FieldDecidedAt))
			s.Select().
				AppendSelectAs("COUNT(*)", "decided").
				AppendSelectAs("AVG("+hours+")", "avg_hours").
				AppendSelectAs("MAX("+hours+")", "max_hours").
				AppendSelectExprAs(countIf(sql.ColumnsGT(
					s.C(specialpricingrequest.FieldDecidedAt),
					s.C(specialpricingrequest.FieldResponseDueAt),
				)), "over_target")
		}).
		Scan(ctx, &rows)
	if err != nil || len(rows) == 0 {
		return err
	}
	row := rows[0]
	r.SPARCTurnaround = SPARCTurnaround{Decided: row.Decided, OverTarget: row.OverTarget}
	if row.Decided > 0 {
		r.SPARCTurnaround.AverageHours, r.SPARCTurnaround.MaxHours = row.Average, row.Max
	}
	return nil
}

// portfolioRFPs fills the RFP win rate.
func portfolioRFPs(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Won  int `sql:"won"`
		Lost int `sql:"lost"`
	}
	err := c.RFP.Query().
		Where(rfp.StatusIn(rfp.StatusWon, rfp.StatusLost)).
		Modify(func(s *sql.Selector) {
			s.Select().
				AppendSelectExprAs(countIf(sql.EQ(s.C(rfp.FieldStatus), rfp.StatusWon.String())), "won").
				AppendSelectExprAs(countIf(sql.EQ(s.C(rfp.FieldStatus), rfp.StatusLost.String())), "lost")
		}).
		Scan(ctx, &rows)
	if err != nil || len(rows) == 0 {
		return err
	}
	r.RFPs = RFPWinRate{Won: rows[0].Won, Lost: rows[0].Lost}
	if n := r.RFPs.Won + r.RFPs.Lost; n > 0 {
		rate := float64(r.RFPs.Won) / float64(n)
		r.RFPs.WinRate = &rate
	}
	return nil
}

// portfolioRenewals fills the active contracts ending within each window, in
// one query grouped by the shortest window a contract falls in and currency;
// the windows are cumulative, so each adds up the shorter ones, per currency.
func portfolioRenewals(ctx context.Context, c *ent.Client, now time.Time, r *PortfolioResult) error {
	today := workflow.DayOf(now)
	horizon := func(days int) date.Date { return today.AddDays(days) }
	var rows []struct {
		Days     int    `sql:"days"`
		Currency string `sql:"currency"`
		Count    int    `sql:"n"`
		MRR      int64  `sql:"total_mrc"`
	}
	err := c.Contract.Query().
		Where(
			contract.StatusEQ(contract.StatusActive),
			contract.EndDateGTE(today),
			contract.EndDateLTE(horizon(RenewalWindows[len(RenewalWindows)-1])),
		).
		Modify(func(s *sql.Selector) {
			window := sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("CASE")
				for _, days := range RenewalWindows {
					b.WriteString(" WHEN ").Join(sql.LTE(s.C(contract.FieldEndDate), horizon(days)))
					b.WriteString(fmt.Sprintf(" THEN %d", days))
				}
				b.WriteString(" END")
			})
			s.Select().
				AppendSelectExprAs(window, "days").
				AppendSelectAs(s.C(contract.FieldCurrency), "currency").
				AppendSelectAs("COUNT(*)", "n").
				AppendSelectAs(sumInt(s.C(contract.FieldMrc)), "total_mrc").
				GroupBy("days", s.C(contract.FieldCurrency))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return err
	}
	for _, days := range RenewalWindows {
		w := RenewalWindow{Days: days}
		for _, row := range rows {
			if row.Days <= days {
				w.Count += row.Count
				w.MRR = addMoney(w.MRR, row.Currency, money.Amount(row.MRR))
			}
		}
		r.Renewals = append(r.Renewals, w)
	}
	return nil
}

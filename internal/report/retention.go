package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"

	"entgo.io/ent/dialect/sql"
)

// RetentionResult is revenue retention over a period, for the accounts the
// viewer may read: what the accounts billed at the start, what they gained
// and lost by the end, and the ratios.
type RetentionResult struct {
	// From and To bound the period.
	From, To time.Time
	// StartingMRR is the MRR of the accounts that existed at From.
	StartingMRR money.Amount
	// Expansion is MRR gained by those accounts that did not churn.
	Expansion money.Amount
	// Contraction is MRR lost by those accounts that did not churn.
	Contraction money.Amount
	// Churn is the starting MRR of the accounts that churned by To.
	Churn money.Amount
	// GrossRetention is (starting - contraction - churn) / starting; nil without starting MRR.
	GrossRetention *float64
	// NetRetention is (starting + expansion - contraction - churn) / starting; nil without starting MRR.
	NetRetention *float64
}

// Retention computes revenue retention between from and to. An account's MRR
// and status at a moment come from the audit trail: the value before the
// first change after that moment, or the current value when nothing changed
// since. One query, summed in SQL over the accounts the viewer may read.
func Retention(ctx context.Context, c *ent.Client, from, to time.Time) (*RetentionResult, error) {
	if !to.After(from) {
		return nil, fault.InvalidField("to", "must be after from")
	}
	var rows []struct {
		Starting    int64 `sql:"starting"`
		Expansion   int64 `sql:"expansion"`
		Contraction int64 `sql:"contraction"`
		Churn       int64 `sql:"churn"`
	}
	err := c.Account.Query().
		Modify(func(s *sql.Selector) {
			start := mrrAt(s, from)
			end := mrrAt(s, to)
			churned := fmt.Sprintf("(%s = 'CHURNED')", statusAt(s, to).sql)
			existed := fmt.Sprintf("(%s <= ?)", s.C(account.FieldCreatedAt))
			// Each expression carries its own arguments, in the order they appear.
			s.Select()
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s THEN %s ELSE 0 END", existed, start.sql), append([]any{from}, start.args...)), "starting")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND NOT %s AND %s > %s THEN %s - %s ELSE 0 END", existed, churned, end.sql, start.sql, end.sql, start.sql),
				concat([]any{from}, statusAt(s, to).args, end.args, start.args, end.args, start.args)), "expansion")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND NOT %s AND %s > %s THEN %s - %s ELSE 0 END", existed, churned, start.sql, end.sql, start.sql, end.sql),
				concat([]any{from}, statusAt(s, to).args, start.args, end.args, start.args, end.args)), "contraction")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND %s THEN %s ELSE 0 END", existed, churned, start.sql),
				concat([]any{from}, statusAt(s, to).args, start.args)), "churn")
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("report: retention: %w", err)
	}
	r := &RetentionResult{From: from, To: to}
	if len(rows) == 1 {
		r.StartingMRR = money.Amount(rows[0].Starting)
		r.Expansion = money.Amount(rows[0].Expansion)
		r.Contraction = money.Amount(rows[0].Contraction)
		r.Churn = money.Amount(rows[0].Churn)
	}
	if r.StartingMRR > 0 {
		start := float64(r.StartingMRR)
		gross := float64(r.StartingMRR-r.Contraction-r.Churn) / start
		net := float64(r.StartingMRR+r.Expansion-r.Contraction-r.Churn) / start
		r.GrossRetention, r.NetRetention = &gross, &net
	}
	return r, nil
}

// expr is SQL text with its arguments.
type expr struct {
	sql  string
	args []any
}

// fieldAt is an account field's value at moment t, as text: the from-value of
// the first audited change of it after t, or the current column.
func fieldAt(s *sql.Selector, field, column string, t time.Time) expr {
	return expr{
		sql: fmt.Sprintf(`COALESCE((SELECT ch.from_value FROM audit_changes ch JOIN audit_entries e ON ch.entry_id = e.id `+
			`WHERE e.entity_type = 'Account' AND e.entity_id = %s AND ch.field = '%s' AND ch.from_value IS NOT NULL AND e.created_at > ? `+
			`ORDER BY e.created_at ASC LIMIT 1), %s)`, s.C(account.FieldID), field, column),
		args: []any{t},
	}
}

// mrrAt is an account's MRR in cents at moment t. The trail keeps money as a
// decimal with two places, so dropping the point gives cents.
func mrrAt(s *sql.Selector, t time.Time) expr {
	text := fieldAt(s, "mrr", "NULL", t)
	return expr{
		sql:  fmt.Sprintf("COALESCE(CAST(REPLACE(%s, '.', '') AS BIGINT), %s)", text.sql, s.C(account.FieldMrr)),
		args: text.args,
	}
}

// statusAt is an account's status at moment t.
func statusAt(s *sql.Selector, t time.Time) expr {
	return fieldAt(s, "status", s.C(account.FieldStatus), t)
}

// sum is COALESCE(SUM(text), 0), with each ? of text bound to the next of
// args through the builder, which spells placeholders for the dialect.
func sum(text string, args []any) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE(SUM(")
		parts := strings.Split(text, "?")
		for i, part := range parts {
			b.WriteString(part)
			if i < len(parts)-1 {
				b.Arg(args[i])
			}
		}
		b.WriteString("), 0)")
	})
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

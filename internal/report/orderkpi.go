package report

import (
	"context"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/order"
	"carrierdesk/internal/workflow"

	"entgo.io/ent/dialect/sql"
)

// OrderKPIs are the order figures of a business review (QBR): how often the
// firm order confirmation came within its target, and how often due dates
// slipped. They count every order the viewer may see, from the stored
// measures the order rules keep (focMet, dueDateSlipped).
type OrderKPIs struct {
	// FOCTargetBusinessDays is the FOC target the figures are judged against.
	FOCTargetBusinessDays int
	// FOCReturned is how many orders have an FOC judged against the target (submitted, then confirmed).
	FOCReturned int
	// FOCMet is how many of those came within the target.
	FOCMet int
	// FOCMissed is how many came later.
	FOCMissed int
	// FOCMetRate is FOCMet / FOCReturned, between 0 and 1; null when none was returned.
	FOCMetRate *float64
	// Completed is how many orders were completed.
	Completed int
	// CompletedLate is how many were completed after their confirmed due date.
	CompletedLate int
	// ConfirmedAfterDesired is how many FOCs committed a due date later than the DDD.
	ConfirmedAfterDesired int
	// DueDateSlips is how many orders slipped either way (each counted once).
	DueDateSlips int
}

// portfolioOrders fills the order figures in one query.
func portfolioOrders(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Met       int `sql:"met"`
		Missed    int `sql:"missed"`
		Completed int `sql:"completed"`
		Late      int `sql:"late"`
		Later     int `sql:"later"`
		Slips     int `sql:"slips"`
	}
	err := c.Order.Query().
		Modify(func(s *sql.Selector) {
			completed := sql.EQ(s.C(order.FieldStatus), order.StatusCompleted.String())
			s.Select().
				AppendSelectExprAs(countIf(sql.EQ(s.C(order.FieldFocMet), true)), "met").
				AppendSelectExprAs(countIf(sql.EQ(s.C(order.FieldFocMet), false)), "missed").
				AppendSelectExprAs(countIf(completed), "completed").
				AppendSelectExprAs(countIf(sql.And(completed, sql.ColumnsGT(s.C(order.FieldCompletedAt), s.C(order.FieldConfirmedDueDate)), sql.EQ(s.C(order.FieldDueDateSlipped), true))), "late").
				AppendSelectExprAs(countIf(sql.ColumnsGT(s.C(order.FieldConfirmedDueDate), s.C(order.FieldDesiredDueDate))), "later").
				AppendSelectExprAs(countIf(sql.EQ(s.C(order.FieldDueDateSlipped), true)), "slips")
		}).
		Scan(ctx, &rows)
	k := OrderKPIs{FOCTargetBusinessDays: workflow.FOCTargetBusinessDays}
	if err != nil {
		return err
	}
	if len(rows) == 1 {
		row := rows[0]
		k.FOCMet, k.FOCMissed, k.FOCReturned = row.Met, row.Missed, row.Met+row.Missed
		k.Completed, k.CompletedLate, k.ConfirmedAfterDesired, k.DueDateSlips = row.Completed, row.Late, row.Later, row.Slips
		if k.FOCReturned > 0 {
			rate := float64(k.FOCMet) / float64(k.FOCReturned)
			k.FOCMetRate = &rate
		}
	}
	r.Orders = k
	return nil
}

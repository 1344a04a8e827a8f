package report

import (
	"context"
	"database/sql"
	"math"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalation"
)

// portfolioTimeToRestore fills each severity's mean time to restore (MTTR),
// from escalations' time_to_restore_seconds, which leaves out the time
// pending the client; it runs after portfolioEscalations has listed the severities.
func portfolioTimeToRestore(ctx context.Context, c *ent.Client, _ time.Time, r *PortfolioResult) error {
	var rows []struct {
		Severity string          `sql:"severity"`
		Mean     sql.NullFloat64 `sql:"mean"`
	}
	err := c.Escalation.Query().
		Where(escalation.TimeToRestoreSecondsNotNil()).
		GroupBy(escalation.FieldSeverity).
		Aggregate(ent.As(ent.Mean(escalation.FieldTimeToRestoreSeconds), "mean")).
		Scan(ctx, &rows)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if !row.Mean.Valid {
			continue
		}
		hours := math.Round(row.Mean.Float64/3600*100) / 100
		for i := range r.EscalationsBySeverity {
			if string(r.EscalationsBySeverity[i].Severity) == row.Severity {
				r.EscalationsBySeverity[i].MeanHoursToRestore = &hours
			}
		}
	}
	return nil
}

package graph

import (
	"context"
	"errors"
	"log/slog"

	"carrierdesk/ent"
	"carrierdesk/internal/plan"
)

// plannedNode serves node(id) with the read planner (ent/gql_plan.go): the
// node and every connection selected below it in one statement on
// PostgreSQL. ok is false when the planner does not serve this read; the
// usual path then answers, errors included. A planned read that fails for
// any other reason than a selection the planner does not express is logged
// and served the usual way too: the planner is an optimisation, never an
// answer of its own.
func (r *queryResolver) plannedNode(ctx context.Context, id string) (ent.Noder, bool) {
	if !r.planner {
		return nil, false
	}
	table, err := nodeTable(ctx, id)
	if err != nil {
		return nil, false
	}
	n, ok, err := r.client.PlanNode(ctx, table, id)
	if err != nil {
		if !errors.Is(err, plan.ErrUnsupported) {
			slog.WarnContext(ctx, "planned read failed; serving it the usual way", "err", err)
		}
		return nil, false
	}
	return n, ok
}

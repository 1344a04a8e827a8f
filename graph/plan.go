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

// paginator is a query of a root connection: ent's Paginate and the
// planner's.
type paginator[C, O any] interface {
	Paginate(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int, opts ...O) (C, error)
	PlanPaginate(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int, opts ...O) (C, bool, error)
}

// paginate serves a root connection with the read planner when it can,
// and with ent's Paginate otherwise (see plannedNode).
func paginate[C, O any](ctx context.Context, r *queryResolver, q paginator[C, O], after *ent.Cursor, first *int, before *ent.Cursor, last *int, opts ...O) (C, error) {
	if r.planner {
		conn, ok, err := q.PlanPaginate(ctx, after, first, before, last, opts...)
		switch {
		case err == nil && ok:
			return conn, nil
		case err != nil && !errors.Is(err, plan.ErrUnsupported):
			slog.WarnContext(ctx, "planned read failed; serving it the usual way", "err", err)
		}
	}
	return q.Paginate(ctx, after, first, before, last, opts...)
}

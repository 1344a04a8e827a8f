package graph

import (
	"context"

	"carrierdesk/ent"
	"carrierdesk/internal/report"
)

// aggregate runs a reporting aggregate with the connection's own where input,
// so a reporting tool filters aggregates exactly as it filters lists.
func aggregate(ctx context.Context, c *ent.Client, entity report.AggregateEntity, measures []*report.Measure, groupBy []string, where any, limit *int) (*report.AggregateResult, error) {
	spec := report.AggregateSpec{Entity: entity, GroupBy: groupBy, Where: where}
	for _, m := range measures {
		spec.Measures = append(spec.Measures, *m)
	}
	if limit != nil {
		spec.Limit = *limit
	}
	return report.Aggregate(ctx, c, spec)
}

// inOrder returns nodes in the order of ids, leaving out IDs with no node
// (records the viewer may no longer read).
func inOrder[T any](ids []string, nodes []T, id func(T) string) []T {
	byID := make(map[string]T, len(nodes))
	for _, n := range nodes {
		byID[id(n)] = n
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if n, ok := byID[i]; ok {
			out = append(out, n)
		}
	}
	return out
}

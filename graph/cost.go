package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"

	"carrierdesk/graph/cursor"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/saturating"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// costLimits refuses, before anything runs, an operation that could ask for
// too much, and reports the cost of every other one in extensions.cost, so a
// reporting tool can size its pages to fit.
//
// The requested cost is an upper bound on the objects a response can hold,
// computed from the document alone: every object counts 1; a connection multiplies the
// cost of one item (its edge's node, or one of its nodes) by its page size,
// first or last, or DefaultPage when it names none; any other list of objects
// counts as a page of DefaultPage items, or as many as the IDs it is given.
// Scalars, edges, cursors and introspection cost nothing. The depth is how
// deeply fields nest, not counting introspection, so a schema query from
// GraphiQL passes whatever its shape.
//
// The actual cost counts the same way the objects the response really holds:
// a connection's returned edges instead of its page size, a null object as
// nothing. A client sizing pages reads how far below the bound it stayed.
//
// OperationLimits runs it after the page limits, so page sizes over the
// maximum are reported as such, rather than as a cost.
type costLimits struct{ limits Limits }

// Cost is what extensions.cost reports: the operation's computed cost, the
// cost it actually incurred and the limit it was held to.
type Cost struct {
	Requested int          `json:"requested"`
	Actual    int64        `json:"actual"`
	Limit     int          `json:"limit"`
	returned  atomic.Int64 // objects counted as fields resolve, concurrently
}

// costStat keys the computed cost in the operation's stats, from check to response.
const costStat = "cost"

// MutateOperationContext measures the operation and refuses it when it is too deep or too costly.
func (c costLimits) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	l := c.limits
	cost, depth := l.MeasureCost(rc.Doc, rc.Operation, rc.Variables)
	rc.Stats.SetExtension(costStat, &Cost{Requested: cost, Limit: l.MaxCost})
	if l.MaxDepth > 0 && depth > l.MaxDepth {
		return &gqlerror.Error{
			Message: fmt.Sprintf("the operation nests %d fields deep, more than the limit of %d", depth, l.MaxDepth),
			Extensions: map[string]any{
				"code":  fault.CodeDepthLimit,
				"depth": depth,
				"limit": l.MaxDepth,
			},
		}
	}
	if l.MaxCost > 0 && cost > l.MaxCost {
		return &gqlerror.Error{
			Message: fmt.Sprintf("the operation could return %d objects, more than the limit of %d: ask for smaller pages (first, last) or fewer nested connections", cost, l.MaxCost),
			Extensions: map[string]any{
				"code":  fault.CodeComplexityLimit,
				"cost":  cost,
				"limit": l.MaxCost,
			},
		}
	}
	return nil
}

// InterceptResponse puts the computed cost in the response's extensions.
// Subscription events go without: their cost was checked once, at the start;
// so do operations that read nothing (__typename, introspection): they cost
// nothing to budget for, and their answer stays the bare one clients expect.
func (costLimits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		return resp
	}
	if c, ok := oc.Stats.GetExtension(costStat).(*Cost); ok && c.Requested > 0 {
		c.Actual = c.returned.Load()
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = c
	}
	return resp
}

// InterceptField counts the objects each field returns, for the actual cost.
func (costLimits) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	fc := graphql.GetFieldContext(ctx)
	if res == nil || fc == nil || len(fc.Field.Selections) == 0 || strings.HasPrefix(fc.Field.Name, "__") ||
		strings.HasPrefix(fc.Object, "__") || !graphql.HasOperationContext(ctx) {
		return res, err
	}
	if c, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costStat).(*Cost); ok {
		c.returned.Add(int64(objectsReturned(fc.Field, res)))
	}
	return res, err
}

// objectsReturned is how many objects res, the value of field f, counts for:
// as MeasureCost counts them, an edge counts through its node when it has one selected.
func objectsReturned(f graphql.CollectedField, res any) int {
	v := reflect.ValueOf(res)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map:
		if v.IsNil() {
			return 0
		}
	case reflect.Slice:
		if f.Name == "edges" && selectsField(f.Selections, "node") {
			return 0
		}
		return v.Len()
	}
	return 1
}

// selectsField reports a field called name in set, or in its inline fragments.
func selectsField(set ast.SelectionSet, name string) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.InlineFragment:
			if selectsField(s.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}

// MeasureCost computes the cost and depth of op, an operation of doc that has been validated.
func (l Limits) MeasureCost(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (cost, depth int) {
	m := costMeter{limits: l, doc: doc, vars: vars, fragments: map[fragmentUse]measure{}}
	r := m.selections(op.SelectionSet, notInConnection)
	return r.cost, r.depth
}

// measure is the cost and depth of a selection set.
type measure struct{ cost, depth int }

// fragmentUse is a fragment measured within a connection of a page size (notInConnection: outside one).
type fragmentUse struct {
	name string
	page int
}

type costMeter struct {
	limits    Limits
	doc       *ast.QueryDocument
	vars      map[string]any
	fragments map[fragmentUse]measure // measured fragments: a fragment used many times is walked once
}

// notInConnection is the page of a selection set that is not a connection's own.
const notInConnection = -1

// selections measures set; page is the page size when set is a connection's own selection.
func (m *costMeter) selections(set ast.SelectionSet, page int) measure {
	var total measure
	for _, sel := range set {
		var r measure
		switch sel := sel.(type) {
		case *ast.Field:
			r = m.field(sel, page)
		case *ast.InlineFragment:
			r = m.selections(sel.SelectionSet, page)
		case *ast.FragmentSpread:
			use := fragmentUse{sel.Name, page}
			var ok bool
			if r, ok = m.fragments[use]; !ok {
				// Validation has ruled out cycles; the placeholder stops one regardless.
				m.fragments[use] = measure{}
				if f := m.doc.Fragments.ForName(sel.Name); f != nil {
					r = m.selections(f.SelectionSet, page)
				}
				m.fragments[use] = r
			}
		}
		// Type conditions are summed rather than the largest taken: an upper bound either way.
		total.cost = saturating.Add(total.cost, r.cost)
		total.depth = max(total.depth, r.depth)
	}
	return total
}

// field measures one field; page is the page size of the connection it belongs to, if any.
func (m *costMeter) field(f *ast.Field, page int) measure {
	if strings.HasPrefix(f.Name, "__") || f.Definition == nil {
		return measure{}
	}
	if len(f.SelectionSet) == 0 {
		return measure{depth: 1} // a scalar or enum
	}
	if cursor.IsConnection(f) {
		inner := m.selections(f.SelectionSet, m.pageSize(f))
		return measure{cost: saturating.Add(1, inner.cost), depth: 1 + inner.depth}
	}
	inner := m.selections(f.SelectionSet, notInConnection)
	isList := f.Definition.Type.Elem != nil
	switch {
	case isList && page >= 0 && f.Name == "edges":
		// An edge is a wrapper: its node is the object that counts (a row, if only cursors are asked for).
		return measure{cost: saturating.Mul(page, max(1, inner.cost)), depth: 1 + inner.depth}
	case isList && page >= 0:
		return measure{cost: saturating.Mul(page, saturating.Add(1, inner.cost)), depth: 1 + inner.depth}
	case isList:
		return measure{cost: saturating.Mul(m.listLength(f), saturating.Add(1, inner.cost)), depth: 1 + inner.depth}
	}
	return measure{cost: saturating.Add(1, inner.cost), depth: 1 + inner.depth}
}

// pageSize is the larger of a connection's first and last, or the default page.
func (m *costMeter) pageSize(f *ast.Field) int {
	args := f.ArgumentMap(m.vars)
	first, hasFirst := intArg(args["first"])
	last, hasLast := intArg(args["last"])
	switch {
	case hasFirst && hasLast:
		return max(first, last, 0)
	case hasFirst:
		return max(first, 0)
	case hasLast:
		return max(last, 0)
	}
	return m.limits.DefaultPage
}

// listLength is how many items a plain list of objects is assumed to hold:
// as many as the IDs asked for (nodes(ids:)), or else a default page.
func (m *costMeter) listLength(f *ast.Field) int {
	if ids, ok := f.ArgumentMap(m.vars)["ids"].([]any); ok {
		return len(ids)
	}
	return m.limits.DefaultPage
}

package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"carrierdesk/graph/cursor"
	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// pageLimits bounds every Relay connection in an operation before anything runs:
// a connection without first or last gets first: DefaultPage, and asking for more
// than MaxPage nodes is a BAD_USER_INPUT error rather than a silent truncation.
//
// Defaults are written into a per-request copy of the operation, so the nested
// eager loading (which reads arguments from the document) limits its SQL too;
// the cached, shared document is never changed.
type pageLimits struct {
	limits Limits

	// rewrites keeps, per query text and operation name, the rewritten
	// operation of documents whose page sizes name no variable, so the
	// copy is made once rather than per request. Nil rewrites every time.
	rewrites *lru.LRU[pageRewrite]
	vars     map[string]any // the request's variables, while rewriting one request
}

// pageRewrite is an operation with its default page sizes written in; the
// zero value means the operation needs none.
type pageRewrite struct {
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
}

// MutateOperationContext checks page sizes and fills in the default.
func (l pageLimits) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	key := rc.RawQuery + "\x00" + rc.OperationName
	if l.rewrites != nil && rc.RawQuery != "" {
		if r, ok := l.rewrites.Get(ctx, key); ok {
			if r.doc != nil {
				rc.Doc, rc.Operation = r.doc, r.op
			}
			return nil
		}
	}
	w := pageWalker{limits: l.limits, vars: rc.Variables, doc: rc.Doc, seen: map[string]bool{}}
	w.check(rc.Operation.SelectionSet, nil)
	if w.err != nil {
		return w.err
	}
	if !w.needsDefault {
		if l.rewrites != nil && rc.RawQuery != "" && !w.usesVariables {
			l.rewrites.Add(ctx, key, pageRewrite{}) // nothing to rewrite
		}
		return nil
	}
	op := *rc.Operation
	l.vars = rc.Variables
	op.SelectionSet = l.withDefaults(rc.Operation.SelectionSet)
	doc := &ast.QueryDocument{Position: rc.Doc.Position, Comment: rc.Doc.Comment}
	for _, o := range rc.Doc.Operations {
		if o == rc.Operation {
			o = &op
		}
		doc.Operations = append(doc.Operations, o)
	}
	for _, f := range rc.Doc.Fragments {
		cp := *f
		cp.SelectionSet = l.withDefaults(f.SelectionSet)
		doc.Fragments = append(doc.Fragments, &cp)
	}
	rc.Doc, rc.Operation = doc, &op
	if l.rewrites != nil && rc.RawQuery != "" && !w.usesVariables {
		l.rewrites.Add(ctx, key, pageRewrite{doc: doc, op: &op})
	}
	return nil
}

type pageWalker struct {
	limits       Limits
	vars         map[string]any
	doc          *ast.QueryDocument
	seen         map[string]bool
	needsDefault bool
	// usesVariables is set when a page size or cursor is a variable, so
	// the rewrite and the checks hold for this request's variables only.
	usesVariables bool
	err           *gqlerror.Error
}

func (w *pageWalker) check(set ast.SelectionSet, path ast.Path) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			// p shares path's array: it is only read below, and copied for an error.
			p := append(path, ast.PathName(sel.Alias))
			if cursor.IsConnection(sel) {
				for _, a := range sel.Arguments {
					if pagingArgument(a.Name) && a.Value != nil && a.Value.Kind == ast.Variable {
						w.usesVariables = true
					}
				}
				args := sel.ArgumentMap(w.vars)
				// A cursor that does not decode, or that another connection or
				// ordering gave out, is the client's mistake, said before
				// anything runs: left to the resolvers it surfaced as
				// UNAVAILABLE (the decoder's "unexpected EOF"), INTERNAL, or
				// a page from a place that means nothing here.
				if f := cursor.Repeated(args["orderBy"]); f != "" {
					w.invalid(p, "orderBy", fmt.Sprintf("orders by %s twice: name each field once", f))
					return
				}
				for _, name := range []string{"after", "before"} {
					if v := args[name]; v != nil {
						if why := cursor.Check(sel, w.vars, v); why != "" {
							w.invalid(p, name, fmt.Sprintf("%s is not a cursor of %s under this orderBy (%s): pass a pageInfo cursor (startCursor, endCursor) or an edge's cursor that this connection returned with the same orderBy", name, p.String(), why))
							return
						}
					}
				}
				first, hasFirst := intArg(args["first"])
				last, hasLast := intArg(args["last"])
				for _, a := range []struct {
					name string
					n    int
					has  bool
				}{{"first", first, hasFirst}, {"last", last, hasLast}} {
					if !a.has {
						continue
					}
					if a.n < 0 || a.n > w.limits.MaxPage {
						w.invalid(p, a.name, fmt.Sprintf("%s must be between 0 and %d; %s asked for %d", a.name, w.limits.MaxPage, p.String(), a.n))
						return
					}
				}
				if !hasFirst && !hasLast {
					w.needsDefault = true
				}
			}
			w.check(sel.SelectionSet, p)
		case *ast.InlineFragment:
			w.check(sel.SelectionSet, path)
		case *ast.FragmentSpread:
			if w.seen[sel.Name] {
				continue
			}
			w.seen[sel.Name] = true
			if f := w.doc.Fragments.ForName(sel.Name); f != nil {
				w.check(f.SelectionSet, path)
			}
		}
	}
}

// invalid records a BAD_USER_INPUT error on argument field of the connection at p.
func (w *pageWalker) invalid(p ast.Path, field, msg string) {
	w.err = &gqlerror.Error{
		Message:    msg,
		Path:       slices.Clone(p),
		Extensions: map[string]any{"code": fault.Invalid.Code(), "field": field},
	}
}

// pagingArgument reports the arguments of a connection this walk checks.
func pagingArgument(name string) bool {
	return name == "first" || name == "last" || name == "after" || name == "before"
}

// withDefaults copies set, adding first: DefaultPage to connections that name no page size.
func (l pageLimits) withDefaults(set ast.SelectionSet) ast.SelectionSet {
	if set == nil {
		return nil
	}
	out := make(ast.SelectionSet, len(set))
	for i, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			cp := *sel
			if cursor.IsConnection(sel) && !namesPageSize(sel, l.vars) {
				// Drop first and last (absent, or variables that are null) and give first its default.
				cp.Arguments = nil
				for _, a := range sel.Arguments {
					if a.Name != "first" && a.Name != "last" {
						cp.Arguments = append(cp.Arguments, a)
					}
				}
				cp.Arguments = append(cp.Arguments, &ast.Argument{
					Name:  "first",
					Value: &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(l.limits.DefaultPage), Position: sel.Position},
				})
			}
			cp.SelectionSet = l.withDefaults(sel.SelectionSet)
			out[i] = &cp
		case *ast.InlineFragment:
			cp := *sel
			cp.SelectionSet = l.withDefaults(sel.SelectionSet)
			out[i] = &cp
		default:
			out[i] = sel
		}
	}
	return out
}

// namesPageSize reports whether a connection field has a non-null first or last.
func namesPageSize(f *ast.Field, vars map[string]any) bool {
	args := f.ArgumentMap(vars)
	_, hasFirst := intArg(args["first"])
	_, hasLast := intArg(args["last"])
	return hasFirst || hasLast
}

// intArg reads an integer argument, whether it came from the document or from JSON variables.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return clampInt(float64(n)), true
	case json.Number:
		f, err := n.Float64()
		return clampInt(f), err == nil
	case float64:
		return clampInt(n), true
	}
	return 0, false
}

func clampInt(f float64) int {
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	if f < math.MinInt32 {
		return math.MinInt32
	}
	return int(f)
}

package graph

import (
	"context"
	"regexp"
	"strings"

	"carrierdesk/internal/escape"
	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// StrictText refuses a string literal of the document that escapes half a
// surrogate pair ("\ud800"): gqlparser decodes it to U+FFFD, which would be
// stored as if the client had meant it. Variables are checked in their raw
// JSON by the transports, before they are decoded.
type StrictText struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = StrictText{}

// ExtensionName names the extension for gqlgen.
func (StrictText) ExtensionName() string { return "StrictText" }

// Validate accepts any schema.
func (StrictText) Validate(graphql.ExecutableSchema) error { return nil }

// surrogateEscape is how every lone surrogate escape starts; documents without one are not walked.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// MutateOperationContext walks the literals of a document that may hold a lone surrogate escape.
func (StrictText) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Doc == nil || !surrogateEscape.MatchString(rc.RawQuery) {
		return nil
	}
	w := literalWalk{src: []rune(rc.RawQuery)}
	for _, op := range rc.Doc.Operations {
		for _, v := range op.VariableDefinitions {
			w.value(v.DefaultValue, v.Variable)
		}
		w.directives(op.Directives)
		w.selections(op.SelectionSet)
	}
	for _, f := range rc.Doc.Fragments {
		w.directives(f.Directives)
		w.selections(f.SelectionSet)
	}
	return w.err
}

// literalWalk finds the first string literal whose source is not Unicode.
type literalWalk struct {
	src []rune // the document, indexed as gqlparser's positions are: by rune
	err *gqlerror.Error
}

func (w *literalWalk) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				w.value(a.Value, a.Name)
			}
			w.directives(s.Directives)
			w.selections(s.SelectionSet)
		case *ast.InlineFragment:
			w.directives(s.Directives)
			w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			w.directives(s.Directives)
		}
	}
}

func (w *literalWalk) directives(list ast.DirectiveList) {
	for _, d := range list {
		for _, a := range d.Arguments {
			w.value(a.Value, a.Name)
		}
	}
}

// value checks v, an argument or input field called name, and what it holds.
func (w *literalWalk) value(v *ast.Value, name string) {
	if v == nil || w.err != nil {
		return
	}
	for _, c := range v.Children {
		child := name
		if c.Name != "" {
			child = c.Name
		}
		w.value(c.Value, child)
	}
	if v.Kind != ast.StringValue || v.Position == nil || v.Position.Start < 0 || v.Position.End > len(w.src) || v.Position.Start >= v.Position.End {
		return
	}
	src := string(w.src[v.Position.Start:v.Position.End])
	if strings.HasPrefix(src, `"""`) || !escape.Broken([]byte(src)) {
		return // block strings have no escapes
	}
	w.err = gqlerror.ErrorPosf(v.Position, "%s holds an escape of half a surrogate pair, such as \\ud800, which is no character: write characters beyond U+FFFF as a pair (\\ud83d\\ude00) or as themselves", name)
	w.err.Extensions = map[string]any{"code": fault.Invalid.Code(), "field": name}
}

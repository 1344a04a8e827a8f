package graph

import (
	"context"
	"crypto/sha256"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/saturating"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// documentLimits refuses documents built to make the server work: too many
// aliases, one field asked for over and over, a pile of directives,
// introspection nested without end. It measures before validation does,
// because validation is where such a document costs: the overlapping-fields
// rule compares every pair of fields of a response key, so nine thousand
// copies of one field validate for seconds.
type documentLimits struct {
	limits   Limits
	measured graphql.Cache[struct{}] // SHA-256 of query texts that passed, so each is parsed here once
}

// MutateOperationParameters measures the query; one that does not parse is
// left for the executor to report.
func (d documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(p.Query))
	key := string(sum[:]) // not the text itself: a megabyte of query would stay a megabyte in the cache
	if _, ok := d.measured.Get(ctx, key); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, d.limits.MaxTokens)
	if err != nil {
		return nil
	}
	if gqlErr := newDocumentMeasure(d.limits, doc).check(); gqlErr != nil {
		return gqlErr
	}
	d.measured.Add(ctx, key, struct{}{})
	return nil
}

// documentMeasure measures a document with its fragments expanded where
// they are spread, each fragment measured once, so that a fragment spread
// twice in each of twenty nested fragments costs twenty steps, not a million.
type documentMeasure struct {
	limits    Limits
	doc       *ast.QueryDocument
	fragments map[string]*ast.FragmentDefinition
	aliases   map[string]int
	keys      map[string]map[string]int
	depths    map[string]int
	visiting  map[string]bool // fragments being measured: a cycle, which validation reports, counts nothing
}

func newDocumentMeasure(l Limits, doc *ast.QueryDocument) *documentMeasure {
	m := &documentMeasure{
		limits:    l,
		doc:       doc,
		fragments: map[string]*ast.FragmentDefinition{},
		aliases:   map[string]int{},
		keys:      map[string]map[string]int{},
		depths:    map[string]int{},
		visiting:  map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if _, ok := m.fragments[f.Name]; !ok {
			m.fragments[f.Name] = f
		}
	}
	return m
}

// check returns the first limit the document exceeds, or nil.
func (m *documentMeasure) check() *gqlerror.Error {
	if err := m.checkOperations(m.doc.Operations); err != nil {
		return err
	}
	for _, f := range m.doc.Fragments {
		if err := m.directives(f.Directives, f.Position); err != nil {
			return err
		}
		if err := m.selectionSet(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// checkOperations checks each operation, its fragments counted where spread.
func (m *documentMeasure) checkOperations(ops ast.OperationList) *gqlerror.Error {
	for _, op := range ops {
		if err := m.directives(op.Directives, op.Position); err != nil {
			return err
		}
		for _, v := range op.VariableDefinitions {
			if err := m.directives(v.Directives, v.Position); err != nil {
				return err
			}
		}
		if err := m.selectionSet(op.SelectionSet); err != nil {
			return err
		}
		if n := m.aliasCount(op.SelectionSet); n > m.limits.MaxAliases {
			return documentLimitError(op.Position, fault.CodeAliasLimit,
				"the operation has %s aliases, counting a fragment's each time it is spread; at most %d are allowed", saturating.Text(n), m.limits.MaxAliases)
		}
	}
	return nil
}

// selectionSet checks set and every selection set within it.
func (m *documentMeasure) selectionSet(set ast.SelectionSet) *gqlerror.Error {
	if len(set) == 0 {
		return nil
	}
	keys := map[string]int{}
	m.addKeys(keys, set)
	for key, n := range keys {
		if n > m.limits.MaxFieldRepeats {
			return documentLimitError(set[0].GetPosition(), fault.CodeFieldRepeatLimit,
				"%q is asked for %s times in one selection set, counting fragments; at most %d are allowed", key, saturating.Text(n), m.limits.MaxFieldRepeats)
		}
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
			if s.Name == "__schema" || s.Name == "__type" {
				if d := 1 + m.depth(s.SelectionSet); d > m.limits.MaxIntrospection {
					return documentLimitError(s.Position, fault.CodeIntrospectionDepth,
						"introspection nests %s levels deep; at most %d are allowed", saturating.Text(d), m.limits.MaxIntrospection)
				}
			}
			if err := m.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
			if err := m.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *documentMeasure) directives(list ast.DirectiveList, pos *ast.Position) *gqlerror.Error {
	if len(list) > m.limits.MaxDirectives {
		return documentLimitError(pos, fault.CodeDirectiveLimit, "%d directives in one place; at most %d are allowed", len(list), m.limits.MaxDirectives)
	}
	return nil
}

// addKeys counts the response keys of set into keys, with its fragments' top-level keys.
func (m *documentMeasure) addKeys(keys map[string]int, set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			keys[s.Alias] = saturating.Add(keys[s.Alias], 1)
		case *ast.InlineFragment:
			m.addKeys(keys, s.SelectionSet)
		case *ast.FragmentSpread:
			for k, n := range m.fragmentKeys(s.Name) {
				keys[k] = saturating.Add(keys[k], n)
			}
		}
	}
}

func (m *documentMeasure) fragmentKeys(name string) map[string]int {
	if keys, ok := m.keys[name]; ok {
		return keys
	}
	f := m.fragments[name]
	if f == nil || m.visiting[name] {
		return nil
	}
	m.visiting[name] = true
	keys := map[string]int{}
	m.addKeys(keys, f.SelectionSet)
	delete(m.visiting, name)
	m.keys[name] = keys
	return keys
}

// aliasCount counts the aliased fields in set, a fragment's each time it is spread.
func (m *documentMeasure) aliasCount(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != s.Name {
				n++
			}
			n = saturating.Add(n, m.aliasCount(s.SelectionSet))
		case *ast.InlineFragment:
			n = saturating.Add(n, m.aliasCount(s.SelectionSet))
		case *ast.FragmentSpread:
			n = saturating.Add(n, m.fragmentMemo(s.Name, m.aliases, m.aliasCount))
		}
	}
	return n
}

// depth is how many levels of fields set nests.
func (m *documentMeasure) depth(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			d = max(d, 1+m.depth(s.SelectionSet))
		case *ast.InlineFragment:
			d = max(d, m.depth(s.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, m.fragmentMemo(s.Name, m.depths, m.depth))
		}
	}
	return d
}

// fragmentMemo measures fragment name once with measure, remembering the result in memo.
func (m *documentMeasure) fragmentMemo(name string, memo map[string]int, measure func(ast.SelectionSet) int) int {
	if n, ok := memo[name]; ok {
		return n
	}
	f := m.fragments[name]
	if f == nil || m.visiting[name] {
		return 0
	}
	m.visiting[name] = true
	n := measure(f.SelectionSet)
	delete(m.visiting, name)
	memo[name] = n
	return n
}

func documentLimitError(pos *ast.Position, code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

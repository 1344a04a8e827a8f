package graph

import (
	"context"
	"fmt"

	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// StrictNumbers holds variables to input coercion as the GraphQL
// specification has it: an Int or a Float is a JSON number, never a string.
// gqlparser and gqlgen both accept "12" for an Int; a client that sends one
// has a bug that should surface, not a value that happens to parse.
type StrictNumbers struct {
	check numberCheck // the schema's types, by name, once Validate has run
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &StrictNumbers{}

// ExtensionName names the extension for gqlgen.
func (*StrictNumbers) ExtensionName() string { return "StrictNumbers" }

// Validate takes note of the schema's input types.
func (s *StrictNumbers) Validate(schema graphql.ExecutableSchema) error {
	s.check = numberCheck{types: schema.Schema().Types}
	return nil
}

// MutateOperationContext refuses a variable, or a field of an input object in
// one, that holds a string where the schema wants an Int or a Float.
func (s *StrictNumbers) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil || len(rc.Variables) == 0 {
		return nil
	}
	for _, v := range rc.Operation.VariableDefinitions {
		if value, ok := rc.Variables[v.Variable]; ok {
			if err := s.check.check(v.Type, value, v.Variable); err != nil {
				return err
			}
		}
	}
	return nil
}

// numberCheck walks a variable's value along its type.
type numberCheck struct{ types map[string]*ast.Definition }

func (c numberCheck) check(t *ast.Type, value any, field string) *gqlerror.Error {
	if value == nil || t == nil {
		return nil
	}
	if t.Elem != nil {
		if list, ok := value.([]any); ok {
			for _, item := range list {
				if err := c.check(t.Elem, item, field); err != nil {
					return err
				}
			}
			return nil
		}
		return c.check(t.Elem, value, field) // a single value stands for a list of one
	}
	switch t.NamedType {
	case "Int", "Float":
		if s, isString := value.(string); isString {
			return &gqlerror.Error{
				Message:    fmt.Sprintf("%s must be a JSON number for %s, not the string %q", field, t.NamedType, s),
				Extensions: map[string]any{"code": fault.Invalid.Code(), "field": field},
			}
		}
		return nil
	}
	def := c.types[t.NamedType]
	object, ok := value.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return nil
	}
	for _, f := range def.Fields {
		if err := c.check(f.Type, object[f.Name], f.Name); err != nil {
			return err
		}
	}
	return nil
}

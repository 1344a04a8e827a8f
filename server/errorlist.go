package main

import (
	"context"
	"fmt"
	"regexp"

	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// errorList caps the errors of a response at max, the last saying how many
// more there were, and in production strips the validator's "Did you mean"
// suggestions, which spell out the schema to callers who may not introspect it.
type errorList struct {
	max        int
	production bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorList{}

// ExtensionName names the extension for gqlgen.
func (errorList) ExtensionName() string { return "ErrorList" }

// Validate accepts any schema.
func (errorList) Validate(graphql.ExecutableSchema) error { return nil }

var suggestionText = regexp.MustCompile(`\s*Did you mean[^?]*\?`)

// InterceptResponse bounds the response's errors.
func (e errorList) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if n := len(resp.Errors); n > e.max {
		errs := make(gqlerror.List, e.max)
		copy(errs, resp.Errors[:e.max-1])
		errs[e.max-1] = &gqlerror.Error{
			Message:    fmt.Sprintf("%d more errors not shown", n-e.max+1),
			Extensions: map[string]any{"code": fault.CodeTooManyErrors},
		}
		resp.Errors = errs
	}
	if e.production {
		for _, err := range resp.Errors {
			err.Message = suggestionText.ReplaceAllString(err.Message, "")
		}
	}
	return resp
}

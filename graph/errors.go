package graph

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"strings"
	"syscall"

	"carrierdesk/ent"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/lib/pq"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// PresentError is the one place where an error becomes what a client sees.
// Every error gets an extensions.code; bad input names its field; anything we
// do not recognise is INTERNAL with a fixed message, and its text goes to the
// log only, so no SQL, driver text or stack reaches a client.
func PresentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		if _, ok := gqlErr.Extensions["code"]; ok {
			// A variable that does not fit its type is bad input in a named field.
			if len(gqlErr.Path) > 1 && gqlErr.Path[0] == ast.PathName("variable") {
				return withCode(gqlErr, fault.Invalid.Code(), lastName(gqlErr.Path))
			}
			return gqlErr
		}
		if gqlErr.Err == nil {
			// Parse and validation errors of gqlgen itself carry their own code;
			// anything else without a cause is a message we wrote.
			return withCode(gqlErr, fault.Invalid.Code(), "")
		}
		// An argument that failed to coerce: gqlgen wraps the cause with the
		// path of the offending input field, below the field being resolved.
		if !known(gqlErr.Err) && len(gqlErr.Path) > len(graphql.GetPath(ctx)) {
			return withCode(&gqlerror.Error{Message: gqlErr.Message, Path: graphql.GetPath(ctx)}, fault.Invalid.Code(), lastName(gqlErr.Path))
		}
		err = gqlErr.Err
	}
	p := toGQL(ctx, err)
	if p.Path == nil {
		p.Path = graphql.GetPath(ctx)
	}
	return p
}

// known reports a cause that toGQL maps to a specific code.
func known(err error) bool {
	var verr *ent.ValidationError
	_, isFault := fault.As(err)
	return isFault || errors.As(err, &verr) || ent.IsNotFound(err) || errors.Is(err, privacy.Deny) ||
		isUnavailable(err)
}

// isUnavailable reports an error that means the database could not be
// reached or went away (refused, reset, dropped, shutting down), as opposed
// to one that it answered: the client should retry later.
func isUnavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// Class 08 is connection exception; 57P01-57P03 are admin, crash and
		// startup shutdowns ("the database system is shutting down").
		return pqErr.Code.Class() == "08" || pqErr.Code == "57P01" || pqErr.Code == "57P02" || pqErr.Code == "57P03"
	}
	text := err.Error()
	return strings.Contains(text, "connection refused") || strings.Contains(text, "bad connection") ||
		strings.Contains(text, "connection reset") || strings.Contains(text, "broken pipe")
}

// toGQL maps a cause to a client error.
func toGQL(ctx context.Context, err error) *gqlerror.Error {
	if e, ok := fault.As(err); ok {
		msg := e.Msg
		if e.Field != "" {
			msg = e.Field + " " + msg
		}
		if e.Kind == fault.Internal {
			logInternal(ctx, err)
			msg = "internal error"
		}
		if len(e.Fields) > 1 {
			return invalidFields(e.Fields)
		}
		return withCode(&gqlerror.Error{Message: msg, Extensions: maps.Clone(e.Details)}, e.Kind.Code(), e.Field)
	}
	var verr *ent.ValidationError
	if errors.As(err, &verr) {
		field := fault.APIName(verr.Name)
		return withCode(&gqlerror.Error{Message: field + " " + validationReason(verr)}, fault.Invalid.Code(), field)
	}
	if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
		return withCode(&gqlerror.Error{Message: "not found"}, fault.NotFound.Code(), "")
	}
	if isUnavailable(err) {
		slog.WarnContext(ctx, "database unavailable", "err", err, "path", graphql.GetPath(ctx).String())
		return withCode(&gqlerror.Error{Message: "the database is not available; retry later"}, fault.Unavailable.Code(), "")
	}
	if err.Error() == "introspection disabled" {
		// gqlgen's own refusal when the Introspection extension turned it off.
		return withCode(&gqlerror.Error{Message: "introspection is not available to this user"}, fault.Forbidden.Code(), "")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return withCode(&gqlerror.Error{Message: "the operation took too long"}, fault.Unavailable.Code(), "")
	}
	if errors.Is(err, context.Canceled) {
		return withCode(&gqlerror.Error{Message: "the request was cancelled"}, fault.Unavailable.Code(), "")
	}
	logInternal(ctx, err)
	return withCode(&gqlerror.Error{Message: "internal error"}, fault.Internal.Code(), "")
}

// invalidFields is one error naming every invalid field of a write: the
// first in extensions.field, as for a single one, and all in extensions.fields.
func invalidFields(list []fault.FieldError) *gqlerror.Error {
	fields := make([]fieldError, len(list))
	msgs := make([]string, len(list))
	for i, f := range list {
		fields[i] = fieldError{Field: f.Field, Message: strings.TrimSpace(f.Field + " " + f.Msg)}
		msgs[i] = fields[i].Message
	}
	e := &gqlerror.Error{Message: strings.Join(msgs, "; "), Extensions: map[string]any{"fields": fields}}
	return withCode(e, fault.Invalid.Code(), list[0].Field)
}

// validationReason is ent's reason for rejecting a value, without ent's prefix.
func validationReason(e *ent.ValidationError) string { return fault.Reason(e.Unwrap()) }

func lastName(path ast.Path) string {
	for i := len(path) - 1; i >= 0; i-- {
		if name, ok := path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return ""
}

func withCode(e *gqlerror.Error, code, field string) *gqlerror.Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
	if field != "" {
		e.Extensions["field"] = field
		if _, ok := e.Extensions["fields"]; !ok && code == fault.Invalid.Code() {
			// Every invalid field, however many: clients read one list.
			e.Extensions["fields"] = []fieldError{{Field: field, Message: e.Message}}
		}
	}
	return e
}

// fieldError is one entry of extensions.fields.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func logInternal(ctx context.Context, err error) {
	slog.ErrorContext(ctx, "internal error", "err", err, "path", graphql.GetPath(ctx).String())
}

// Recover turns a panic in a resolver into an INTERNAL error; the panic goes to the log.
func Recover(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String())
	return fault.E(fault.Internal, "", "internal error")
}

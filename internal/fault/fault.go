// Package fault carries what went wrong as a kind a client can act on, the
// operation that failed and, for bad input, the offending field. The GraphQL
// error presenter maps kinds to extensions.code once, at the edge; nothing
// else in the program decides what a client is told.
package fault

import (
	"errors"
	"strings"
)

// Kind classifies an error by what the client can do about it.
type Kind int

// The kinds, each with the extensions.code a client sees.
const (
	Internal          Kind = iota // INTERNAL: our fault; details go to the log only
	Invalid                       // BAD_USER_INPUT: fix the named field
	NotFound                      // NOT_FOUND: no such object, or not visible to the viewer
	Conflict                      // CONFLICT: a unique or reference rule, or a stale version
	Forbidden                     // FORBIDDEN: the viewer may not do or see this
	Unauthenticated               // UNAUTHENTICATED: no valid credentials
	InvalidTransition             // INVALID_TRANSITION: the workflow does not allow it now
	Unavailable                   // UNAVAILABLE: a dependency is down; retry later
)

var codes = [...]string{
	Internal:          "INTERNAL",
	Invalid:           "BAD_USER_INPUT",
	NotFound:          "NOT_FOUND",
	Conflict:          "CONFLICT",
	Forbidden:         "FORBIDDEN",
	Unauthenticated:   "UNAUTHENTICATED",
	InvalidTransition: "INVALID_TRANSITION",
	Unavailable:       "UNAVAILABLE",
}

// Code is the GraphQL extensions.code for the kind.
func (k Kind) Code() string {
	if int(k) < len(codes) {
		return codes[k]
	}
	return codes[Internal]
}

// Error is an error a client may be told about.
type Error struct {
	Kind  Kind
	Op    string // the operation, such as "quote.submit"; for logs
	Field string // the offending input field, in the API's spelling, if any
	Msg   string // safe to show to a client
	Err   error  // the cause; never shown to a client
	// Details are more facts a client can act on, shown as extensions
	// beside the code (a conflict's currentVersion, say).
	Details map[string]any
	// Fields lists every invalid input field when a write had several; Field
	// and Msg are then the first's.
	Fields []FieldError
}

// FieldError is one invalid input field and what is wrong with it.
type FieldError struct {
	Field string // in the API's spelling
	Msg   string // safe to show to a client, without the field's name
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(" ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error.
func E(kind Kind, field, msg string) *Error {
	return &Error{Kind: kind, Field: field, Msg: msg}
}

// InvalidField reports bad input in field.
func InvalidField(field, msg string) *Error { return E(Invalid, field, msg) }

// InvalidFields reports every field of list at once, or nil for an empty list.
func InvalidFields(list []FieldError) error {
	if len(list) == 0 {
		return nil
	}
	e := InvalidField(list[0].Field, list[0].Msg)
	if len(list) > 1 {
		e.Fields = list
	}
	return e
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// acronyms are spelled in capitals in API names, as ent and entgql spell them.
var acronyms = map[string]string{"id": "ID", "sla": "SLA", "url": "URL", "ip": "IP", "json": "JSON", "uuid": "UUID"}

// APIName turns a schema field name such as "circuit_id" into the name a
// client sees in the API ("circuitID").
func APIName(field string) string {
	parts := strings.Split(field, "_")
	var b strings.Builder
	for i, p := range parts {
		if a, ok := acronyms[p]; ok && i > 0 {
			b.WriteString(a)
			continue
		}
		if i == 0 {
			b.WriteString(p)
			continue
		}
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// Reason turns the error of one of ent's built-in field validators (NotEmpty,
// MaxLen, Match, Range...) into what a client reads after the field's name.
func Reason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "value is less than the required length"), strings.Contains(msg, "empty"):
		return "must not be empty"
	case strings.Contains(msg, "value is greater than the required"):
		return "is too long"
	case strings.Contains(msg, "does not match validation"):
		return "has the wrong format"
	case strings.Contains(msg, "value out of range"):
		return "is out of range"
	case strings.Contains(msg, "invalid enum value"):
		return "is not an allowed value"
	case strings.Contains(msg, "missing required"):
		return "is required"
	}
	return "is invalid"
}

package main

// Text a request carries must be Unicode. Go's JSON decoder turns bytes that
// are not UTF-8, and an escape of half a surrogate pair ("\ud800"), into
// U+FFFD without a word, so a client's broken text would be stored as
// replacement characters. The raw request is checked instead, before it is
// decoded, on every transport: POST and GET, event streams and WebSockets.
// The same escape in a string literal of the document is refused by
// graph.StrictText, whatever the transport.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"carrierdesk/internal/escape"
	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// requestTextError finds text in a JSON request (a body, a WebSocket
// subscribe payload) that is not Unicode, and names where it is: the
// variable, or the request parameter. It returns nil for Unicode text.
func requestTextError(raw []byte) *gqlerror.Error {
	if !escape.Broken(raw) {
		return nil
	}
	var params map[string]json.RawMessage
	if json.Unmarshal(raw, &params) != nil {
		return textError("", "the request")
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if !escape.Broken(params[name]) {
			continue
		}
		var vars map[string]json.RawMessage
		if name == "variables" && json.Unmarshal(params[name], &vars) == nil {
			if err := variablesTextError(vars); err != nil {
				return err
			}
		}
		return textError("", name)
	}
	return textError("", "the request")
}

// variablesTextError names the first variable whose text is not Unicode, or is nil.
func variablesTextError(vars map[string]json.RawMessage) *gqlerror.Error {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if escape.Broken(vars[name]) || !utf8.ValidString(name) {
			return textError(name, "variable $"+name)
		}
	}
	return nil
}

// queryStringTextError finds text that is not Unicode in the parameters of a GET request.
func queryStringTextError(q url.Values) *gqlerror.Error {
	for _, name := range []string{"query", "operationName"} {
		// Not JSON: escapes in the query's literals are graph.StrictText's.
		if !utf8.ValidString(q.Get(name)) {
			return textError("", name)
		}
	}
	for _, name := range []string{"variables", "extensions"} {
		v := q.Get(name)
		if !escape.Broken([]byte(v)) {
			continue
		}
		var vars map[string]json.RawMessage
		if name == "variables" && json.Unmarshal([]byte(v), &vars) == nil {
			if err := variablesTextError(vars); err != nil {
				return err
			}
		}
		return textError("", name)
	}
	return nil
}

// textError is the BAD_USER_INPUT error for text that is not Unicode in
// where, naming field when it is known.
func textError(field, where string) *gqlerror.Error {
	ext := map[string]any{"code": fault.Invalid.Code()}
	if field != "" {
		ext["field"] = field
	}
	return &gqlerror.Error{
		Message:    fmt.Sprintf("%s holds text that is not valid Unicode: bytes that are not UTF-8, or an escape of half a surrogate pair such as \\ud800; send UTF-8, and characters beyond U+FFFF as a pair (\\ud83d\\ude00) or as themselves", utf8Safe(where)),
		Extensions: ext,
	}
}

// utf8Safe is s with bytes that are not UTF-8 replaced, to be quoted in a message.
func utf8Safe(s string) string { return string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD"))) }

// unicodeSSE is gqlgen's event-stream transport, with the request body
// checked for text that is not Unicode before gqlgen decodes it, and a
// documentId made the APQ extension gqlgen reads.
type unicodeSSE struct{ transport.SSE }

// Do refuses a body with text that is not Unicode, and runs the rest.
func (t unicodeSSE) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeHTTPError(w, mediaJSON, http.StatusRequestEntityTooLarge, fault.CodeRequestTooLarge, fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit))
		return
	case err != nil:
		writeHTTPError(w, mediaJSON, http.StatusBadRequest, fault.CodeBadRequest, "the request body could not be read")
		return
	}
	if gqlErr := requestTextError(body); gqlErr != nil {
		writeGraphQLBody(w, mediaJSON, http.StatusBadRequest, requestErrors{Errors: gqlerror.List{gqlErr}})
		return
	}
	if body, err = withDocumentIDJSON(body); err != nil {
		writeHTTPError(w, mediaJSON, http.StatusBadRequest, fault.CodeBadRequest, err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.SSE.Do(w, r, exec)
}

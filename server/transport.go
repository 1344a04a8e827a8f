package main

// GraphQL over HTTP: the media types, the GET and POST transport, and the
// shape of a request error.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// negotiateMedia picks the response's media type for the Accept header: the type
// of highest quality, then the more specific match, then the one the client
// listed first. No header, or only a wildcard, is application/json, as the
// specification requires for clients that predate
// application/graphql-response+json. It reports false when neither is acceptable.
func negotiateMedia(accept []string) (string, bool) {
	type match struct {
		q           float64
		specificity int
		position    int
	}
	best := map[string]match{}
	position, ranges := 0, 0
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			ranges++
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			for _, offered := range []string{mediaJSON, mediaGraphQLResponse} {
				s := mediaRangeSpecificity(mt, offered)
				if cur, seen := best[offered]; s > 0 && (!seen || s > cur.specificity) {
					best[offered] = match{q: q, specificity: s, position: position}
				}
			}
			position++
		}
	}
	if ranges == 0 {
		return mediaJSON, true
	}
	chosen, found := "", match{}
	for _, offered := range []string{mediaJSON, mediaGraphQLResponse} {
		m, ok := best[offered]
		if !ok || m.q <= 0 {
			continue
		}
		if chosen == "" || m.q > found.q || (m.q == found.q && (m.specificity > found.specificity ||
			(m.specificity == found.specificity && m.position < found.position))) {
			chosen, found = offered, m
		}
	}
	if chosen == "" {
		return mediaJSON, false
	}
	return chosen, true
}

// mediaRangeSpecificity is how closely the media range matches offered: 3 exactly, 2
// by subtype wildcard, 1 by */*, 0 not at all.
func mediaRangeSpecificity(mediaRange, offered string) int {
	switch {
	case mediaRange == offered:
		return 3
	case mediaRange == "application/*":
		return 2
	case mediaRange == "*/*":
		return 1
	}
	return 0
}

// requestErrors is a response without data: the request failed before
// execution (the specification's "request error").
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeHTTPError answers with one GraphQL-shaped error and no data.
func writeHTTPError(w http.ResponseWriter, media string, status int, code, msg string) {
	writeGraphQLBody(w, media, status, requestErrors{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}})
}

// writeGraphQLBody answers with body as JSON in media.
func writeGraphQLBody(w http.ResponseWriter, media string, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		slog.Error("encoding a response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"`+fault.Internal.Code()+`"}}]}`)
	}
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// httpTransport is GraphQL over HTTP, GET and POST, as the GraphQL over HTTP
// specification has it. It replaces gqlgen's GET and POST transports, which
// answer an application/json client's validation failure with 422, ignore
// Accept's quality values and never answer 406, refuse a GET mutation with
// 406 instead of 405, put "data": null in request errors, echo a body that is
// not JSON back to its sender, and take a subscription without a stream.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

// Supports takes GET and POST requests other than WebSocket upgrades; the
// event-stream transport, registered before it, has taken those it serves.
func (httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

// Do runs one operation.
func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiateMedia(r.Header.Values("Accept"))
	if !ok {
		writeHTTPError(w, mediaJSON, http.StatusNotAcceptable, fault.CodeNotAcceptable,
			"the response is "+mediaGraphQLResponse+" or "+mediaJSON+"; the Accept header allows neither")
		return
	}
	// A request error (parse, validation, variables, limits) has no data: with
	// application/graphql-response+json that is a 400; an application/json
	// client expects 200 for any well-formed request.
	failed := http.StatusOK
	if media == mediaGraphQLResponse {
		failed = http.StatusBadRequest
	}
	start := graphql.Now()
	params, status, err := readOperation(r)
	var textErr *gqlerror.Error
	switch {
	case errors.As(err, &textErr):
		writeGraphQLBody(w, media, failed, requestErrors{Errors: gqlerror.List{textErr}})
		return
	case err != nil:
		code := map[int]string{http.StatusRequestEntityTooLarge: fault.CodeRequestTooLarge, http.StatusRequestTimeout: fault.CodeRequestTimeout}[status]
		if code == "" {
			code = fault.CodeBadRequest
		}
		writeHTTPError(w, media, status, code, err.Error())
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeGraphQLBody(w, media, failed, requestErrors{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	switch op := opCtx.Operation.Operation; {
	case r.Method == http.MethodGet && op != ast.Query:
		w.Header().Set("Allow", "POST")
		writeHTTPError(w, media, http.StatusMethodNotAllowed, fault.CodeMethodNotAllowed, "a "+string(op)+" must be sent with POST; GET is for queries")
		return
	case op == ast.Subscription:
		writeHTTPError(w, media, failed, errcode.ValidationFailed,
			"a subscription needs a stream: a WebSocket (graphql-transport-ws) or a POST that accepts text/event-stream")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeGraphQLBody(w, media, http.StatusOK, responses(ctx))
}

// operationRequest is a GraphQL-over-HTTP request's parameters. Pointers tell
// a missing query from an empty one.
type operationRequest struct {
	Query         *string        `json:"query"`
	OperationName *string        `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
	DocumentID    *string        `json:"documentId"` // a persisted document request's
}

// readOperation reads the parameters of a GET query string or a POST body;
// on failure it gives the status to answer with, or a *gqlerror.Error for
// text that is not Unicode, which is bad input like a variable of the wrong type.
func readOperation(r *http.Request) (*graphql.RawParams, int, error) {
	var req operationRequest
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, http.StatusBadRequest, errors.New("the query string could not be parsed")
		}
		if v, ok := q["query"]; ok {
			req.Query = &v[0]
		}
		if v := q.Get("operationName"); v != "" {
			req.OperationName = &v
		}
		if v, ok := q["documentId"]; ok {
			req.DocumentID = &v[0]
		}
		if err := queryStringTextError(q); err != nil {
			return nil, http.StatusBadRequest, err
		}
		for name, dst := range map[string]*map[string]any{"variables": &req.Variables, "extensions": &req.Extensions} {
			if v := q.Get(name); v != "" {
				dec := json.NewDecoder(strings.NewReader(v))
				dec.UseNumber()
				if dec.Decode(dst) != nil {
					return nil, http.StatusBadRequest, fmt.Errorf("%s must be a JSON object", name)
				}
			}
		}
	} else {
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooLarge):
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", tooLarge.Limit)
		case errors.As(err, &netErr) && netErr.Timeout():
			return nil, http.StatusRequestTimeout, errors.New("the request body took too long to arrive")
		case err != nil:
			return nil, http.StatusBadRequest, errors.New("the request body could not be read")
		}
		if err := requestTextError(body); err != nil {
			return nil, http.StatusBadRequest, err
		}
		body = bytes.TrimLeft(body, " \t\r\n")
		switch {
		case len(body) == 0:
			return nil, http.StatusBadRequest, errors.New(`the request body is empty; send {"query": "..."}`)
		case body[0] == '[':
			return nil, http.StatusBadRequest, errors.New("batched operations are not supported: send one operation per request")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			return nil, http.StatusBadRequest, jsonProblem(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, http.StatusBadRequest, errors.New("the request body holds more than one JSON value")
		}
	}
	if req.DocumentID != nil {
		var err error
		if req.Extensions, err = withDocumentID(req.Extensions, *req.DocumentID); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	if req.Query == nil && req.Extensions["persistedQuery"] == nil {
		return nil, http.StatusBadRequest, errors.New("query is required")
	}
	p := &graphql.RawParams{Variables: req.Variables, Extensions: req.Extensions}
	if req.Query != nil {
		p.Query = *req.Query
	}
	if req.OperationName != nil {
		p.OperationName = *req.OperationName
	}
	return p, 0, nil
}

// jsonProblem explains a body that does not decode, without repeating it.
func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		switch typeErr.Field {
		case "query", "operationName", "documentId":
			return fmt.Errorf("%s must be a string", typeErr.Field)
		case "variables", "extensions":
			return fmt.Errorf("%s must be a JSON object", typeErr.Field)
		case "":
			return errors.New("the request body must be a JSON object")
		}
		return fmt.Errorf("%s has the wrong type", typeErr.Field)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the request body is not valid JSON")
	}
	return errors.New("the request body could not be decoded")
}

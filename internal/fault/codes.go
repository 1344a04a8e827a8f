package fault

// The extensions.code values of refusals made at the HTTP and GraphQL edge,
// before any resolver runs. With the kinds' codes above, these are every
// code a client can see, each spelled once: the server and graph packages
// use these names, never the strings.
const (
	CodeBadRequest           = "BAD_REQUEST"            // a body that could not be read
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"      // HTTP 413
	CodeURITooLong           = "URI_TOO_LONG"           // HTTP 414
	CodeRequestTimeout       = "REQUEST_TIMEOUT"        // HTTP 408: the body came too slowly
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"     // HTTP 405
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE" // HTTP 415
	CodeNotAcceptable        = "NOT_ACCEPTABLE"         // HTTP 406
	CodeRateLimited          = "RATE_LIMITED"           // HTTP 429, with Retry-After
	CodeTooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS" // a WebSocket over WS_MAX_SUBSCRIPTIONS

	// An operation that is not one of the trusted documents (TRUSTED_DOCUMENTS),
	// or a hash the server does not know: the code automatic persisted queries use.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

	// Operations refused for their size.
	CodeAliasLimit         = "ALIAS_LIMIT_EXCEEDED"
	CodeFieldRepeatLimit   = "FIELD_REPEAT_LIMIT_EXCEEDED"
	CodeDirectiveLimit     = "DIRECTIVE_LIMIT_EXCEEDED"
	CodeIntrospectionDepth = "INTROSPECTION_DEPTH_LIMIT_EXCEEDED"
	CodeComplexityLimit    = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeDepthLimit         = "DEPTH_LIMIT_EXCEEDED"

	// The last error of a response cut at GRAPHQL_MAX_ERRORS, counting the rest.
	CodeTooManyErrors = "TOO_MANY_ERRORS"
)

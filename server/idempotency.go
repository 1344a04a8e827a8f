package main

import (
	"net/http"

	"carrierdesk/graph"
	"carrierdesk/internal/fault"
)

// maxIdempotencyKey bounds the Idempotency-Key header; UUIDs and ULIDs fit easily.
const maxIdempotencyKey = 255

// idempotencyKeys hands a request's Idempotency-Key header to the mutation
// transaction (graph.Transactions), which makes a retry with the same key
// return the first response instead of writing again.
func idempotencyKeys(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxIdempotencyKey || !printable(key) {
			writeHTTPError(w, "application/json", http.StatusBadRequest, fault.Invalid.Code(), "Idempotency-Key must be 1 to 255 printable ASCII characters")
			return
		}
		next.ServeHTTP(w, r.WithContext(graph.WithIdempotencyKey(r.Context(), key)))
	})
}

func printable(s string) bool {
	for _, c := range []byte(s) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

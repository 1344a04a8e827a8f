package main

import (
	"net/http"
	"sync"

	"carrierdesk/internal/replica"
)

// readAfterHeader carries read-your-writes across instances: a response to
// a request that wrote names the primary's WAL position after the write,
// and a client that sends it back on later requests (to any instance) reads
// from a replica only once the replica has replayed that far. Without it,
// the instance that took the write still routes the writer's reads to the
// primary until then; the header is for the instances that did not.
const readAfterHeader = "Read-After"

// readAfter reads a request's Read-After token and has the response carry a
// new one when the request writes. A token that does not parse is ignored:
// it can only ever send its sender's reads to the primary. WebSocket
// connections carry none (their operations share one request); the instance
// holding the connection remembers the viewer's writes itself.
func readAfter(replicas *replica.Driver, next http.Handler) http.Handler {
	if replicas == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		var mu sync.Mutex // root fields of one operation resolve concurrently
		c := &replica.Client{Wrote: func(lsn replica.LSN) {
			mu.Lock()
			defer mu.Unlock()
			if old, err := replica.ParseLSN(w.Header().Get(readAfterHeader)); err != nil || lsn > old {
				w.Header().Set(readAfterHeader, lsn.String())
			}
		}}
		if v := r.Header.Get(readAfterHeader); v != "" {
			c.After, _ = replica.ParseLSN(v)
		}
		next.ServeHTTP(w, r.WithContext(replica.WithClient(r.Context(), c)))
	})
}

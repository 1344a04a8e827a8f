package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"carrierdesk/internal/events"
	"carrierdesk/internal/fault"
)

// eventStreams is the set of a server's open server-sent-event subscriptions.
// http.Server.Shutdown waits for them as for any request, but a stream lasts
// as long as its subscription, so it would hold shutdown to its deadline. On
// shutdown each stream gets a final event telling its client to reconnect
// (UNAVAILABLE, with an SSE retry hint) and ends without "complete", which
// graphql-sse clients and EventSource both treat as a dropped connection to
// retry: the client resumes from its last cursor on another instance.
type eventStreams struct {
	mu      sync.Mutex
	streams map[*eventStream]struct{}
	closing bool
}

type eventStreamsKey struct{}

func newEventStreams() *eventStreams {
	return &eventStreams{streams: map[*eventStream]struct{}{}}
}

// goAwayEvent is the last thing a stream sends when the server shuts down.
var goAwayEvent = []byte("retry: 1000\nevent: next\ndata: " +
	`{"errors":[{"message":"the server is shutting down: reconnect to resume from your last cursor","extensions":{"code":"` +
	fault.Unavailable.Code() + `"}}]}` + "\n\n")

// goAway ends every stream, and any opened later, with goAwayEvent.
func (s *eventStreams) goAway() {
	s.mu.Lock()
	s.closing = true
	streams := make([]*eventStream, 0, len(s.streams))
	for e := range s.streams {
		streams = append(streams, e)
	}
	s.mu.Unlock()
	for _, e := range streams {
		e.end()
	}
}

// add registers e, unless the server is closing.
func (s *eventStreams) add(e *eventStream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.streams[e] = struct{}{}
	return true
}

func (s *eventStreams) remove(e *eventStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.streams, e)
}

// endStreamsOnShutdown handles event-stream requests: it gives each event
// its cursor as id, resumes from Last-Event-ID, and lets the eventStreams of
// the request's context (a server's, outside tests) end the stream on
// shutdown. Other requests pass untouched.
func endStreamsOnShutdown(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flusher, canFlush := w.(http.Flusher)
		if !canFlush || isWebSocketUpgrade(r) || !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		e := &eventStream{ResponseWriter: w, flusher: flusher, cancel: cancel}
		if set, _ := r.Context().Value(eventStreamsKey{}).(*eventStreams); set != nil {
			if !set.add(e) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write(goAwayEvent)
				return
			}
			defer set.remove(e)
		}
		next.ServeHTTP(e, resumeFromLastEventID(r.WithContext(ctx)))
		e.finish()
	})
}

// finish writes what the handler left unflushed: an error it answered with
// before any event (a 400 for bad input, say) is written and never flushed.
func (e *eventStream) finish() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.ended && e.pending.Len() > 0 {
		_, _ = e.ResponseWriter.Write(e.pending.Bytes())
		e.pending.Reset()
	}
}

// eventStream holds what gqlgen writes until it flushes, which it does after
// each event, so that the final event never lands inside another; once ended
// it drops everything (gqlgen's "complete" included) and cancels the
// subscription.
type eventStream struct {
	http.ResponseWriter
	flusher http.Flusher
	cancel  context.CancelFunc

	mu      sync.Mutex
	pending bytes.Buffer
	ended   bool
}

func (e *eventStream) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return len(p), nil
	}
	return e.pending.Write(p)
}

func (e *eventStream) Flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return
	}
	_, _ = e.ResponseWriter.Write(withEventID(e.pending.Bytes()))
	e.pending.Reset()
	e.flusher.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (e *eventStream) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// end writes the final event and stops the subscription.
func (e *eventStream) end() {
	e.mu.Lock()
	if !e.ended {
		e.ended = true
		e.pending.Reset()
		_, _ = e.ResponseWriter.Write(goAwayEvent)
		e.flusher.Flush()
	}
	e.mu.Unlock()
	e.cancel()
}

// nextEvent starts every result gqlgen writes to an event stream.
var nextEvent = []byte("event: next\ndata: ")

// withEventID gives a subscription result that carries a cursor an "id:"
// line with it, so that a client reconnecting after a drop sends it back as
// Last-Event-ID (as EventSource does) and resumes from there.
func withEventID(event []byte) []byte {
	data, ok := bytes.CutPrefix(event, nextEvent)
	if !ok {
		return event
	}
	if cursor := resultCursor(bytes.TrimSpace(data)); cursor != "" {
		return slices.Concat([]byte("id: "+cursor+"\n"), event)
	}
	return event
}

// resultCursor is the cursor a subscription result carries (its root field's
// cursor, if selected), or "".
func resultCursor(result []byte) string {
	var r struct{ Data map[string]json.RawMessage }
	if json.Unmarshal(result, &r) != nil {
		return ""
	}
	for _, field := range r.Data {
		var notice struct{ Cursor string }
		if json.Unmarshal(field, &notice) == nil && notice.Cursor != "" && !strings.ContainsAny(notice.Cursor, "\r\n\x00") {
			return notice.Cursor
		}
	}
	return ""
}

// resumeFromLastEventID hands an event-stream request's Last-Event-ID to the
// subscription, which resumes from it rather than from its after: argument
// (a reconnecting client sends the original request again).
func resumeFromLastEventID(r *http.Request) *http.Request {
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		return r.WithContext(events.WithLastEventID(r.Context(), id))
	}
	return r
}

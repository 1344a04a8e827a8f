package replica

import "context"

type standbyKey struct{}

// AllowStandby returns ctx whose reads a standby may serve: they accept data
// up to REPLICA_MAX_LAG old, except the viewer's own writes, which they see.
// Without it every statement goes to the primary.
func AllowStandby(ctx context.Context) context.Context {
	return context.WithValue(ctx, standbyKey{}, true)
}

func standbyAllowed(ctx context.Context) bool {
	ok, _ := ctx.Value(standbyKey{}).(bool)
	return ok
}

// Client is what one request tells about its client's writes and how it
// hears of new ones: the token of read-your-writes across instances.
type Client struct {
	After LSN       // the client has written up to here (0: nothing known)
	Wrote func(LSN) // called with the primary's position after a write of the request commits; nil: not told
}

type clientKey struct{}

// WithClient returns ctx carrying c.
func WithClient(ctx context.Context, c *Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

func clientFrom(ctx context.Context) *Client {
	c, _ := ctx.Value(clientKey{}).(*Client)
	return c
}

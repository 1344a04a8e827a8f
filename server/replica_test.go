package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/replica"

	"entgo.io/ent/dialect"
)

// The read-replica tests need a streaming standby of the test cluster, which
// .ci/replica makes on port 5433 (CI runs it first). Without one they are
// skipped, loudly; CARRIERDESK_TEST_REPLICA=require makes that a failure.
var (
	replicaURL      = or(os.Getenv("CARRIERDESK_TEST_REPLICA_URL"), "postgres://postgres@127.0.0.1:5433/test?sslmode=disable")
	replicaRequired = os.Getenv("CARRIERDESK_TEST_REPLICA") == "require"
	replicaOnce     sync.Once
	replicaReason   string // why the standby cannot be used, if it cannot
)

// requireStandby skips or fails t when there is no streaming standby.
func requireStandby(t *testing.T) {
	t.Helper()
	replicaOnce.Do(func() {
		if pgReason != "" {
			replicaReason = "PostgreSQL is not reachable"
			return
		}
		db, err := sql.Open("postgres", replicaURL)
		if err != nil {
			replicaReason = err.Error()
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var standby bool
		if err := db.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
			replicaReason = err.Error()
		} else if !standby {
			replicaReason = "the server there is not a standby"
		}
		if replicaReason != "" {
			banner := strings.Repeat("!", 78)
			fmt.Fprintf(os.Stderr, "%s\n!!! No streaming replica at %s (%s):\n!!! the read-replica tests are SKIPPED. Make one with .ci/replica (as root).\n%s\n",
				banner, redact(replicaURL), replicaReason, banner)
		}
	})
	if replicaReason == "" {
		return
	}
	if replicaRequired || (pgRequired && pgReason != "") {
		t.Fatalf("a streaming replica is required at %s: %s", redact(replicaURL), replicaReason)
	}
	t.Skipf("no streaming replica at %s (%s): skipped", redact(replicaURL), replicaReason)
}

// replicaApp is a test server on PostgreSQL whose DATABASE_READ_URL is the
// test's schema on the standby.
type replicaApp struct {
	*testApp
	primary *sql.DB // the test cluster, as superuser
	standby *sql.DB // the standby, as superuser
}

func newReplicaApp(t *testing.T, maxLag time.Duration) *replicaApp {
	t.Helper()
	requireStandby(t)
	app := newConfiguredTestApp(t, dialect.Postgres, func(cfg *Config) {
		cfg.ReadURLs = []string{sameSchema(t, replicaURL, cfg.DatabaseURL)}
		cfg.ReplicaMaxLag = maxLag
	})
	ra := &replicaApp{testApp: app}
	var err error
	if ra.primary, err = sql.Open("postgres", pgURL); err != nil {
		t.Fatal(err)
	}
	if ra.standby, err = sql.Open("postgres", replicaURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ra.primary.Close()
		ra.standby.Close()
	})
	ra.caughtUp(t)
	return ra
}

// sameSchema is standbyURL with the search_path of primaryURL: the test's schema.
func sameSchema(t *testing.T, standbyURL, primaryURL string) string {
	t.Helper()
	p, err := url.Parse(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(standbyURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", p.Query().Get("search_path"))
	u.RawQuery = q.Encode()
	return u.String()
}

// reads is how many reads the server sent to the primary and to the standby.
func (a *replicaApp) reads() (primary, standby int64) {
	return a.db.Replicas.Reads(replica.Primary), a.db.Replicas.Reads(replica.Replica)
}

// caughtUp waits until the server has the standby in rotation, replayed up
// to the primary's WAL position as of now.
func (a *replicaApp) caughtUp(t *testing.T) {
	t.Helper()
	var text string
	if err := a.primary.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	head, err := replica.ParseLSN(text)
	if err != nil {
		t.Fatal(err)
	}
	a.waitStandby(t, "in rotation, replayed to "+text, func(s replica.StandbyStatus) bool {
		return s.InRotation && s.Replayed >= head
	})
}

// waitStandby waits, at most 60 s, until the server's standby is as ok says.
func (a *replicaApp) waitStandby(t *testing.T, what string, ok func(replica.StandbyStatus) bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := a.db.Replicas.Status()[0]
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby is not %s after 60s: %+v", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pauseReplay stops the standby replaying WAL until the test ends.
func (a *replicaApp) pauseReplay(t *testing.T) {
	t.Helper()
	if _, err := a.standby.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = a.standby.Exec(`SELECT pg_wal_replay_resume()`) })
	deadline := time.Now().Add(10 * time.Second)
	for state := ""; state != "paused"; {
		if err := a.standby.QueryRow(`SELECT pg_get_wal_replay_pause_state()`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay is %s, not paused, after 10s", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *replicaApp) resumeReplay(t *testing.T) {
	t.Helper()
	if _, err := a.standby.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
}

// standbyCluster is the version and name of the standby's cluster, from
// its cluster_name (Debian's are "15/replica").
func (a *replicaApp) standbyCluster(t *testing.T) (version, cluster string) {
	t.Helper()
	var name string
	if err := a.standby.QueryRow(`SHOW cluster_name`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	version, cluster, ok := strings.Cut(name, "/")
	if !ok {
		t.Fatalf("cannot tell the standby's cluster from its cluster_name %q", name)
	}
	return version, cluster
}

// ctlStandby stops or starts the standby's cluster with pg_ctlcluster.
func ctlStandby(t *testing.T, version, cluster, action string) {
	t.Helper()
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctlcluster %s %s %s: %v\n%s", version, cluster, action, err, out)
	}
}

var replicaCarriers atomic.Int64

// createCarrier creates a carrier named name through the API as the admin.
func (a *replicaApp) createCarrier(t *testing.T, name string) gqlResponse {
	t.Helper()
	n := replicaCarriers.Add(1)
	res := a.do(t, createCarrier, map[string]any{"input": map[string]any{
		"name": name, "ocn": fmt.Sprintf("R%03d", n%1000), "ccna": string(rune('A'+n%26)) + string(rune('A'+n/26%26)) + "R",
	}})
	if len(res.Errors) > 0 {
		t.Fatalf("createCarrier: %s", res.Raw)
	}
	return res
}

// carrierNames is the carriers the app's viewer sees.
func carrierNames(t *testing.T, app *testApp) []string {
	t.Helper()
	var data struct {
		Carriers struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	app.ok(t, `{ carriers(first: 100) { edges { node { name } } } }`, nil, &data)
	var names []string
	for _, e := range data.Carriers.Edges {
		names = append(names, e.Node.Name)
	}
	return names
}

func sees(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// accountCount is the accounts report's count, as app's viewer asks for it.
func accountCount(t *testing.T, app *testApp, headers ...string) int {
	t.Helper()
	res := app.do(t, `{ accountAggregate(measures: [{op: COUNT}]) { rows { values { int } } } }`, nil, headers...)
	if len(res.Errors) > 0 {
		t.Fatalf("accountAggregate: %s", res.Raw)
	}
	var data struct {
		AccountAggregate struct {
			Rows []struct{ Values []struct{ Int int } }
		}
	}
	if err := json.Unmarshal(res.Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.AccountAggregate.Rows) == 0 {
		return 0
	}
	return data.AccountAggregate.Rows[0].Values[0].Int
}

// TestReplicaServesReadOnlyRoles: an analyst's queries and anyone's reports
// are read from the standby, other queries and writes from the primary;
// with replay paused, the analyst sees the standby's older data.
func TestReplicaServesReadOnlyRoles(t *testing.T) {
	app := newReplicaApp(t, 5*time.Second)
	app.createCarrier(t, "Before Pause")
	analyst := app.as(app.signRep(t, "analyst@carrierdesk.example", enum.RoleAnalyst))
	app.caughtUp(t)
	carrierNames(t, analyst) // loads the analyst, from the primary, for the tokens' cache

	p0, r0 := app.reads()
	if names := carrierNames(t, analyst); !sees(names, "Before Pause") {
		t.Fatalf("the analyst sees %v, not the carrier", names)
	}
	p1, r1 := app.reads()
	if r1 == r0 || p1 != p0 {
		t.Fatalf("the analyst's query: %d reads on the primary, %d on the standby; want all on the standby", p1-p0, r1-r0)
	}
	carrierNames(t, app.testApp)
	p2, r2 := app.reads()
	if p2 == p1 || r2 != r1 {
		t.Fatalf("the admin's query: %d reads on the primary, %d on the standby; want all on the primary", p2-p1, r2-r1)
	}
	accountCount(t, app.testApp)
	if p3, r3 := app.reads(); r3 == r2 || p3 != p2 {
		t.Fatalf("the admin's report: %d reads on the primary, %d on the standby; want all on the standby", p3-p2, r3-r2)
	}

	app.pauseReplay(t)
	app.createCarrier(t, "During Pause")
	if names := carrierNames(t, analyst); sees(names, "During Pause") {
		t.Fatalf("the analyst sees %v with the standby's replay paused: not read from the standby", names)
	}
	if names := carrierNames(t, app.testApp); !sees(names, "During Pause") {
		t.Fatalf("the admin sees %v, without the carrier just created", names)
	}
}

// TestReplicaReadYourWrites: with the standby's replay paused, a writer's
// report after its write is read from the primary and counts the write, at
// once; another instance does the same for a client that sends the
// response's Read-After token back.
func TestReplicaReadYourWrites(t *testing.T) {
	app := newReplicaApp(t, 5*time.Second)
	analyst := app.as(app.signRep(t, "analyst@carrierdesk.example", enum.RoleAnalyst))
	other := app.anotherInstance(t)
	app.caughtUp(t)
	other.caughtUp(t)
	if n := accountCount(t, app.testApp); n != 0 {
		t.Fatalf("%d accounts before any was created", n)
	}

	app.pauseReplay(t)
	var carrier struct{ CreateCarrier struct{ ID string } }
	app.ok(t, createCarrier, map[string]any{"input": map[string]any{"name": "Written", "ocn": "W001", "ccna": "WRT"}}, &carrier)
	res := app.do(t, `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`, map[string]any{"input": map[string]any{
		"accountNumber": "RYW-0001", "ban": "BAN-RYW-0001", "name": "Read your writes", "market": "Denver",
		"region": "WEST", "carrierID": carrier.CreateCarrier.ID,
	}})
	if len(res.Errors) > 0 {
		t.Fatalf("createAccount: %s", res.Raw)
	}
	token := res.Header.Get("Read-After")
	if _, err := replica.ParseLSN(token); err != nil {
		t.Fatalf("the write's response carries Read-After %q: %v", token, err)
	}

	start := time.Now()
	p0, r0 := app.reads()
	if n := accountCount(t, app.testApp); n != 1 {
		t.Fatalf("the writer's report after its write counts %d accounts, want 1", n)
	}
	if p1, r1 := app.reads(); p1 == p0 || r1 != r0 {
		t.Fatalf("the writer's report: %d reads on the primary, %d on the standby; want the primary", p1-p0, r1-r0)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("the writer's report took %s: it waited for the paused standby", waited)
	}
	// The standby is in rotation and stale: others' reports do not see the write yet.
	if n := accountCount(t, analyst); n != 0 {
		t.Fatalf("the analyst's report counts %d accounts with replay paused: not read from the standby", n)
	}

	// Another instance knows nothing of the write but what the client tells it.
	if n := accountCount(t, other.testApp); n != 0 {
		t.Fatalf("another instance, without the token, counts %d accounts: not read from the standby", n)
	}
	if n := accountCount(t, other.testApp, "Read-After", token); n != 1 {
		t.Fatalf("another instance, given the token, counts %d accounts, want 1", n)
	}
	if n := accountCount(t, other.testApp, "Read-After", "not a position"); n != 0 {
		t.Fatalf("another instance, given a bad token, counts %d accounts: want it ignored", n)
	}

	app.resumeReplay(t)
	app.caughtUp(t)
	_, r2 := app.reads()
	if n := accountCount(t, app.testApp); n != 1 {
		t.Fatalf("after replay, the writer's report counts %d accounts, want 1", n)
	}
	if _, r3 := app.reads(); r3 == r2 {
		t.Fatal("once the standby has replayed the write, the writer's report is still read from the primary")
	}
}

// anotherInstance is a second server on the same databases, as behind a
// load balancer, with its own routing and memory of writes.
func (a *replicaApp) anotherInstance(t *testing.T) *replicaApp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := openDatabase(ctx, a.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, a.cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	other := &testApp{db: db, cfg: a.cfg, token: a.token}
	other.authn = NewAuthenticator(verifier, db.Client, a.cfg.ViewerTTL)
	other.srv = httptest.NewServer(NewHandler(db, a.cfg, other.authn))
	t.Cleanup(func() {
		other.srv.Close()
		db.Close()
	})
	return &replicaApp{testApp: other, primary: a.primary, standby: a.standby}
}

// TestReplicaStoppedFallsBack: with the standby stopped, the analyst's
// queries are answered by the primary without an error; started again, the
// standby serves them once more.
func TestReplicaStoppedFallsBack(t *testing.T) {
	app := newReplicaApp(t, 5*time.Second)
	app.createCarrier(t, "Steady")
	analyst := app.as(app.signRep(t, "analyst@carrierdesk.example", enum.RoleAnalyst))
	app.caughtUp(t)
	carrierNames(t, analyst)
	_, r0 := app.reads()
	carrierNames(t, analyst)
	if _, r1 := app.reads(); r1 == r0 {
		t.Fatal("the analyst's query was not read from the standby")
	}

	version, cluster := app.standbyCluster(t)
	ctlStandby(t, version, cluster, "stop")
	stopped := true
	t.Cleanup(func() {
		if stopped { // the test failed half-way: later tests need the standby
			ctlStandby(t, version, cluster, "start")
		}
	})
	for i := range 3 {
		p0, r0 := app.reads()
		if names := carrierNames(t, analyst); !sees(names, "Steady") {
			t.Fatalf("query %d with the standby stopped sees %v", i, names)
		}
		if p1, r1 := app.reads(); p1 == p0 || r1 != r0 {
			t.Fatalf("query %d with the standby stopped: %d reads on the primary, %d on the standby", i, p1-p0, r1-r0)
		}
	}
	app.waitStandby(t, "out of rotation", func(s replica.StandbyStatus) bool { return !s.InRotation })

	ctlStandby(t, version, cluster, "start")
	stopped = false
	app.caughtUp(t)
	_, r2 := app.reads()
	carrierNames(t, analyst)
	if _, r3 := app.reads(); r3 == r2 {
		t.Fatal("the standby, started again, does not serve the analyst")
	}
}

// TestReplicaLagOutOfRotation: a standby further behind than REPLICA_MAX_LAG
// is out of rotation, and the primary serves fresh data; caught up, it is
// back in.
func TestReplicaLagOutOfRotation(t *testing.T) {
	app := newReplicaApp(t, time.Second)
	analyst := app.as(app.signRep(t, "analyst@carrierdesk.example", enum.RoleAnalyst))
	app.caughtUp(t)
	carrierNames(t, analyst)

	app.pauseReplay(t)
	app.createCarrier(t, "Behind")
	app.waitStandby(t, "out of rotation for its lag", func(s replica.StandbyStatus) bool {
		return !s.InRotation && strings.HasPrefix(s.Reason, "lags")
	})
	p0, r0 := app.reads()
	if names := carrierNames(t, analyst); !sees(names, "Behind") {
		t.Fatalf("with the standby out of rotation, the analyst sees %v", names)
	}
	if p1, r1 := app.reads(); p1 == p0 || r1 != r0 {
		t.Fatalf("with the standby out of rotation: %d reads on the primary, %d on the standby", p1-p0, r1-r0)
	}

	app.resumeReplay(t)
	app.caughtUp(t)
	_, r2 := app.reads()
	if names := carrierNames(t, analyst); !sees(names, "Behind") {
		t.Fatalf("back in rotation, the analyst sees %v", names)
	}
	if _, r3 := app.reads(); r3 == r2 {
		t.Fatal("the standby, caught up, does not serve the analyst")
	}
}

// TestReplicaConfig: DATABASE_READ_URL and REPLICA_MAX_LAG.
func TestReplicaConfig(t *testing.T) {
	const primary = "postgres://u@db:5432/app"
	for _, tc := range []struct {
		name  string
		env   map[string]string
		check func(Config) bool
		fails string
	}{
		{"none", nil, func(c Config) bool { return c.ReadURLs == nil && c.ReplicaMaxLag == 5*time.Second }, ""},
		{"two standbys", map[string]string{"DATABASE_URL": primary, "DATABASE_READ_URL": "postgres://u@r1:5432/app, postgresql://u@r2/app", "REPLICA_MAX_LAG": "2s"},
			func(c Config) bool {
				return len(c.ReadURLs) == 2 && c.ReadURLs[1] == "postgresql://u@r2/app" && c.ReplicaMaxLag == 2*time.Second
			}, ""},
		{"standby of SQLite", map[string]string{"DATABASE_READ_URL": "postgres://u@r1/app"}, nil, "DATABASE_READ_URL needs DATABASE_URL"},
		{"not postgres", map[string]string{"DATABASE_URL": primary, "DATABASE_READ_URL": "postgres://u@r1/app,mysql://u:hunter2@r2/app"}, nil, "URL 2 must be postgres://"},
		{"no host", map[string]string{"DATABASE_URL": primary, "DATABASE_READ_URL": "postgres:///app"}, nil, "URL 1 must be postgres://"},
		{"zero lag", map[string]string{"REPLICA_MAX_LAG": "0"}, nil, "REPLICA_MAX_LAG must be a duration of 100ms or more"},
		{"lag without unit", map[string]string{"REPLICA_MAX_LAG": "5"}, nil, "REPLICA_MAX_LAG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(func(k string) string { return tc.env[k] })
			switch {
			case tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails)):
				t.Fatalf("want an error saying %q, got %v", tc.fails, err)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Fatalf("the error shows a password: %v", err)
			case tc.fails == "" && err != nil:
				t.Fatal(err)
			case tc.check != nil && !tc.check(cfg):
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

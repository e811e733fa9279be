package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"sync"
	"time"
)

// lib/pq sends a cancel request when a call's context ends, but keeps reading the socket until
// the server answers it, so a server that hangs instead of refusing (a frozen process, a
// partition) holds the call for as long as it hangs. Every connection of a Store is therefore
// guarded: when the context of the call using it ends, the socket's deadline is moved into the
// past, the blocked read fails at once, and lib/pq marks the connection bad, so it is closed
// and never handed out again. The pool opens fresh connections on its own once the server
// answers.

// errNamedArgs refuses named arguments for a statement that takes only positional ones.
var errNamedArgs = errors.New("postgres: named arguments are not supported")

// longAgo is a deadline in the past: any read or write on the socket fails at once.
var longAgo = time.Unix(1, 0)

// guardingConnector opens lib/pq connections whose every call ends when its context ends.
type guardingConnector struct {
	pq interface {
		Connect(context.Context) (driver.Conn, error)
		Driver() driver.Driver
	}
}

// dialSlot carries the socket a connection attempt dials back to Connect, through the
// context lib/pq hands its dialer.
type dialSlot struct {
	mu      sync.Mutex
	conn    net.Conn
	expired bool // the attempt's context ended: the socket fails at once
}

type dialSlotKey struct{}

func (s *dialSlot) set(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn = c
	if s.expired {
		c.SetDeadline(longAgo) //nolint:errcheck // a closed socket fails anyway
	}
}

func (s *dialSlot) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired = true
	if s.conn != nil {
		s.conn.SetDeadline(longAgo) //nolint:errcheck // a closed socket fails anyway
	}
}

// Connect opens a connection; the handshake, too, ends when ctx ends.
func (gc guardingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	slot := &dialSlot{}
	stop := context.AfterFunc(ctx, slot.expire)
	conn, err := gc.pq.Connect(context.WithValue(ctx, dialSlotKey{}, slot))
	if !stop() && err == nil {
		conn.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	slot.mu.Lock()
	nc := slot.conn
	slot.mu.Unlock()
	if nc == nil {
		return conn, nil // not dialed by guardingDialer: nothing to guard
	}
	return &guardedConn{Conn: conn, socket: nc}, nil
}

func (gc guardingConnector) Driver() driver.Driver { return gc.pq.Driver() }

// guardingDialer dials TCP and unix sockets for lib/pq and hands them to the connection
// attempt that asked. The sockets of lib/pq's own cancel requests, dialed without one, get
// their context's deadline, so a cancel sent to a hung server gives up too.
type guardingDialer struct{ d net.Dialer }

func (gd guardingDialer) Dial(network, address string) (net.Conn, error) {
	return gd.DialContext(context.Background(), network, address)
}

func (gd guardingDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return gd.DialContext(ctx, network, address)
}

func (gd guardingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := gd.d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if slot, ok := ctx.Value(dialSlotKey{}).(*dialSlot); ok {
		slot.set(c)
	} else if deadline, ok := ctx.Deadline(); ok {
		c.SetDeadline(deadline) //nolint:errcheck // a closed socket fails anyway
	}
	return c, nil
}

// guardedConn is a lib/pq connection whose socket fails as soon as the context of the call
// using it ends. A guard lasts until the next call or until the pool takes the connection
// back, so rows still being read and a commit without a context of its own are covered by
// the context of the call that started them.
type guardedConn struct {
	driver.Conn
	socket net.Conn

	mu    sync.Mutex
	gen   uint64      // bumped by every guard: a late guard of an earlier call does nothing
	stop  func() bool // ends the current guard
	dirty bool        // the socket's deadline is in the past
}

// guard makes the socket fail when ctx ends, in place of any earlier guard.
func (g *guardedConn) guard(ctx context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releaseLocked()
	if ctx.Done() == nil {
		return
	}
	gen := g.gen
	g.stop = context.AfterFunc(ctx, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.gen == gen {
			g.dirty = true
			g.socket.SetDeadline(longAgo) //nolint:errcheck // a closed socket fails anyway
		}
	})
}

// releaseLocked ends the current guard and clears a deadline it set.
func (g *guardedConn) releaseLocked() {
	g.gen++
	if g.stop != nil {
		g.stop()
		g.stop = nil
	}
	if g.dirty {
		g.dirty = false
		g.socket.SetDeadline(time.Time{}) //nolint:errcheck // a closed socket fails anyway
	}
}

func (g *guardedConn) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releaseLocked()
}

func (g *guardedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	g.guard(ctx)
	st, err := g.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &guardedStmt{Stmt: st, conn: g}, nil
}

func (g *guardedConn) Prepare(query string) (driver.Stmt, error) {
	return g.PrepareContext(context.Background(), query)
}

func (g *guardedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	g.guard(ctx)
	return g.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (g *guardedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	g.guard(ctx)
	return g.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (g *guardedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	g.guard(ctx)
	return g.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (g *guardedConn) Ping(ctx context.Context) error {
	g.guard(ctx)
	return g.Conn.(driver.Pinger).Ping(ctx)
}

func (g *guardedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := g.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// ResetSession runs before the pool hands the connection out again: no earlier call's guard
// may reach the next one.
func (g *guardedConn) ResetSession(ctx context.Context) error {
	g.release()
	if r, ok := g.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (g *guardedConn) IsValid() bool {
	if v, ok := g.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (g *guardedConn) Close() error {
	g.release()
	return g.Conn.Close()
}

// guardedStmt is a prepared statement of a guarded connection.
type guardedStmt struct {
	driver.Stmt
	conn *guardedConn
}

func (s *guardedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.conn.guard(ctx)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the driver's statement has no context form
	return s.Stmt.Exec(vals)
}

func (s *guardedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.conn.guard(ctx)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the driver's statement has no context form
	return s.Stmt.Query(vals)
}

func (s *guardedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

// namedToValues turns positional named values into plain ones, for a statement without
// context methods.
func namedToValues(args []driver.NamedValue) ([]driver.Value, error) {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errNamedArgs
		}
		vals[i] = a.Value
	}
	return vals, nil
}

package pgtest

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy stands between a test's store and its database on 127.0.0.1, to play the faults a
// real server shows: Freeze is a server that accepts connections and answers nothing (a
// SIGSTOP, a partition), Refuse one that is down. A fault lasts until Heal.
type Proxy struct {
	target string
	ln     net.Listener
	addr   string

	mu       sync.Mutex
	frozen   bool
	refusing bool
	thawed   *sync.Cond
	conns    map[net.Conn]struct{}
	accepted int
	wg       sync.WaitGroup
}

// NewProxy returns a proxy to the database at dbURL, closed when the test ends, and the URL
// that reaches the database through it.
func NewProxy(t testing.TB, dbURL string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("proxy: parse %q: %v", dbURL, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: listen: %v", err)
	}
	p := &Proxy{target: u.Host, ln: ln, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.thawed = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.serve(ln)
	t.Cleanup(p.close)
	u.Host = p.addr
	q := u.Query()
	q.Del("host") // a unix socket directory would bypass the proxy
	u.RawQuery = q.Encode()
	return p, u.String()
}

// Accepted counts the connections the proxy has accepted.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Freeze holds every byte in both directions, on open and new connections alike.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// Refuse closes every connection and refuses new ones, as a stopped server does.
func (p *Proxy) Refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refusing = true
	for c := range p.conns {
		c.Close()
	}
}

// Heal ends a fault: held bytes flow again and new connections reach the database.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen, p.refusing = false, false
	p.thawed.Broadcast()
}

func (p *Proxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refusing := p.refusing
		if !refusing {
			p.accepted++
		}
		p.mu.Unlock()
		if refusing {
			c.Close()
			continue
		}
		p.wg.Add(1)
		go p.relay(c)
	}
}

// relay copies one client connection to the database and back, through the gate.
func (p *Proxy) relay(client net.Conn) {
	defer p.wg.Done()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, server)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(server, client) }()
	go func() { defer wg.Done(); p.pipe(client, server) }()
	wg.Wait()
	p.untrack(client, server)
}

func (p *Proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

// pipe copies src to dst, holding what it read while the proxy is frozen.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.frozen {
				p.thawed.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *Proxy) close() {
	p.ln.Close()
	p.Heal()
	p.Refuse()
	p.wg.Wait()
}

package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// statements prepares the write path's statements once per connection. A statement
// executed with arguments but unprepared costs lib/pq two round trips (parse, then bind and
// execute); prepared, one. A batch is two statements, so each round trip saved is time the
// next batch does not wait.
type statements struct {
	db *sqlx.DB
	mu sync.Mutex
	by map[string]*sqlx.Stmt
}

func newStatements(db *sqlx.DB) *statements {
	return &statements{db: db, by: map[string]*sqlx.Stmt{}}
}

// prepared returns query prepared on the pool, preparing it the first time.
func (p *statements) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	p.mu.Lock()
	st, ok := p.by[query]
	p.mu.Unlock()
	if !ok {
		var err error
		if st, err = p.db.PreparexContext(ctx, query); err != nil {
			return nil, fmt.Errorf("preparing statement: %w", err)
		}
		p.mu.Lock()
		if prior, raced := p.by[query]; raced {
			st.Close()
			st = prior
		} else {
			p.by[query] = st
		}
		p.mu.Unlock()
	}
	return st, nil
}

// close releases every prepared statement.
func (p *statements) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.by {
		st.Close()
	}
	p.by = map[string]*sqlx.Stmt{}
}

// selectDB runs a prepared query on the pool, outside any transaction.
func (p *statements) selectDB(ctx context.Context, dest any, query string, args ...any) error {
	st, err := p.prepared(ctx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

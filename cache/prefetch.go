package cache

import (
	"context"
	"io/fs"
	"os"
	"sync"
	"unicode/utf8"
)

// prefetcher lists directories ahead of the (sequential, order-defining)
// walker on other goroutines. It only decides *when* a directory is read;
// the walker still decides, in the runner's order, what is visited, so the
// result cannot change. When the walker reaches a directory no worker has
// started, it lists it itself.
type prefetcher struct {
	ctx     context.Context
	set     *patternSet
	cache   *StatCache
	mu      sync.Mutex
	cond    *sync.Cond
	stack   []*listing
	futures map[string]*listing
	closed  bool
	wg      sync.WaitGroup
}

type listing struct {
	path    string
	segs    []string
	started bool
	done    chan struct{}
	entries []dirEntry
	err     error
}

func newPrefetcher(ctx context.Context, set *patternSet, cache *StatCache, workers int) *prefetcher {
	p := &prefetcher{ctx: ctx, set: set, cache: cache, futures: map[string]*listing{}}
	p.cond = sync.NewCond(&p.mu)
	for range workers {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *prefetcher) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.wg.Wait()
}

func (p *prefetcher) work() {
	defer p.wg.Done()
	var buf []uint16
	for {
		p.mu.Lock()
		for len(p.stack) == 0 && !p.closed {
			p.cond.Wait()
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		l := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		if l.started {
			p.mu.Unlock()
			continue
		}
		l.started = true
		p.mu.Unlock()
		if p.ctx.Err() != nil {
			l.err = p.ctx.Err()
			close(l.done)
			continue
		}
		l.entries, l.err = p.readDir(l.path)
		if l.err == nil {
			p.schedule(l.path, l.segs, l.entries, &buf)
		}
		close(l.done)
	}
}

// list returns the sorted entries of dir, from a prefetched listing when
// there is one.
func (p *prefetcher) list(dir string, segs []string, buf *[]uint16) ([]dirEntry, error) {
	p.mu.Lock()
	l, ok := p.futures[dir]
	if ok {
		delete(p.futures, dir)
		if !l.started {
			l.started = true // the walker takes it over
			ok = false
		}
	}
	p.mu.Unlock()
	if ok {
		<-l.done
		return l.entries, l.err
	}
	entries, err := p.readDir(dir)
	if err == nil {
		p.schedule(dir, segs, entries, buf)
	}
	return entries, err
}

// readDir lists dir, through the stat cache's directory listings when a
// stat cache is in use: one stat instead of open, getdents and close.
func (p *prefetcher) readDir(dir string) ([]dirEntry, error) {
	if p.cache == nil {
		return readDirSorted(dir)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return readDirSorted(dir)
	}
	if entries, ok := p.cache.lookupDir(st); ok {
		return entries, nil
	}
	entries, err := readDirSorted(dir)
	if err == nil {
		p.cache.storeDir(st, entries)
	}
	return entries, err
}

// schedule queues the subdirectories the walker will descend into (real
// directories that match or partially match), first child on top.
func (p *prefetcher) schedule(dir string, segs []string, entries []dirEntry, buf *[]uint16) {
	if !isCleanAbs(dir) {
		return
	}
	var add []*listing
	for _, e := range entries {
		if e.typ != fs.ModeDir || !utf8.ValidString(e.name) {
			continue
		}
		child := dir + "/" + e.name
		childSegs := append(segs[:len(segs):len(segs)], e.name)
		if dir == "/" {
			child = "/" + e.name
			childSegs = []string{"", e.name}
		}
		if p.set.match(childSegs, false, buf) == matchNone && !p.set.partialMatch(childSegs, false, buf) {
			continue
		}
		add = append(add, &listing{path: child, segs: childSegs, done: make(chan struct{})})
	}
	if len(add) == 0 {
		return
	}
	p.mu.Lock()
	for i := len(add) - 1; i >= 0; i-- {
		if _, dup := p.futures[add[i].path]; dup {
			continue
		}
		p.futures[add[i].path] = add[i]
		p.stack = append(p.stack, add[i])
	}
	p.mu.Unlock()
	p.cond.Broadcast()
}

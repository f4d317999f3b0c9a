package gunicornconf

// The tree-sitter tree is flattened in C, in one cgo call: parse the
// source, walk the tree with a TreeCursor in preorder and write one fixed
// record per node (symbol, field, flags, byte range, points, parent). The
// Go bindings' own API costs about ten cgo crossings per node and copies
// the rest of the source into C memory on every read callback; for a
// typical gunicorn.conf.py that was most of the parse time. The C runtime
// is the one github.com/tree-sitter/go-tree-sitter compiles (imported for
// it below); these declarations are tree-sitter's public C API
// (tree_sitter/api.h, ABI of v0.25).

/*
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>

typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef struct TSLanguage TSLanguage;
typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct { uint32_t row; uint32_t column; } TSPoint;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *);
bool ts_parser_set_language(TSParser *, const TSLanguage *);
void ts_parser_reset(TSParser *);
TSTree *ts_parser_parse_string(TSParser *, const TSTree *, const char *, uint32_t);
void ts_tree_delete(TSTree *);
TSNode ts_tree_root_node(const TSTree *);
TSTreeCursor ts_tree_cursor_new(TSNode);
void ts_tree_cursor_delete(TSTreeCursor *);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *);
bool ts_tree_cursor_goto_parent(TSTreeCursor *);
TSSymbol ts_node_symbol(TSNode);
bool ts_node_is_named(TSNode);
bool ts_node_is_missing(TSNode);
uint32_t ts_node_start_byte(TSNode);
uint32_t ts_node_end_byte(TSNode);
TSPoint ts_node_start_point(TSNode);
TSPoint ts_node_end_point(TSNode);
uint32_t ts_language_symbol_count(const TSLanguage *);
uint32_t ts_language_field_count(const TSLanguage *);
const char *ts_language_symbol_name(const TSLanguage *, TSSymbol);
const char *ts_language_field_name_for_id(const TSLanguage *, TSFieldId);
void ts_set_allocator(void *(*)(size_t), void *(*)(size_t, size_t), void *(*)(void *, size_t), void (*)(void *));

// One node of the flattened tree.
typedef struct {
	uint32_t start, end;
	uint32_t srow, scol, erow, ecol;
	int32_t parent;   // index of the parent record, -1 for the root
	uint32_t depth;   // named ancestors, the node itself included
	uint32_t nkids;   // children (counted as they are pushed)
	uint16_t sym, field;
	uint8_t named, missing;
} dkNode;

typedef struct {
	dkNode *nodes;
	int32_t n;        // records written
	int32_t too_deep; // index of the node past max_depth, or -1
	int32_t failed;   // 1: the parser returned no tree or memory ran out
} dkFlat;

static int dk_push(dkFlat *f, int32_t *cap, TSTreeCursor *cur, int32_t parent) {
	if (f->n == *cap) {
		int32_t nc = *cap * 2;
		dkNode *nn = realloc(f->nodes, (size_t)nc * sizeof(dkNode));
		if (!nn) return 0;
		f->nodes = nn;
		*cap = nc;
	}
	TSNode n = ts_tree_cursor_current_node(cur);
	TSPoint sp = ts_node_start_point(n), ep = ts_node_end_point(n);
	dkNode *r = &f->nodes[f->n];
	r->start = ts_node_start_byte(n);
	r->end = ts_node_end_byte(n);
	r->srow = sp.row; r->scol = sp.column; r->erow = ep.row; r->ecol = ep.column;
	r->parent = parent;
	r->nkids = 0;
	r->sym = ts_node_symbol(n);
	// Only a child can have a field: the root's lookup is skipped.
	r->field = parent >= 0 ? ts_tree_cursor_current_field_id(cur) : 0;
	r->named = ts_node_is_named(n);
	r->missing = ts_node_is_missing(n);
	r->depth = (parent >= 0 ? f->nodes[parent].depth : 0) + (r->named ? 1 : 0);
	if (parent >= 0) f->nodes[parent].nkids++;
	f->n++;
	return 1;
}

// dk_flatten parses src and flattens the tree in preorder. It stops at
// the first node whose named depth exceeds max_depth.
static void dk_flatten(TSParser *p, const char *src, uint32_t len, uint32_t max_depth, dkFlat *f) {
	f->nodes = NULL; f->n = 0; f->too_deep = -1; f->failed = 0;
	TSTree *tree = ts_parser_parse_string(p, NULL, src, len);
	ts_parser_reset(p);
	if (!tree) { f->failed = 1; return; }
	TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(tree));
	// About one node per four bytes of Python (1001 for the 4 KB file
	// Render produces): one allocation for a typical file instead of a
	// chain of reallocs; past 64 Ki records the buffer doubles as before.
	int32_t cap = len < 3 * 65536 ? (int32_t)(len / 3) + 64 : 65536, at = 0;
	f->nodes = malloc((size_t)cap * sizeof(dkNode));
	if (!f->nodes) { f->failed = 1; goto out; }
	if (!dk_push(f, &cap, &cur, -1)) { f->failed = 1; goto out; }
	for (;;) {
		if (ts_tree_cursor_goto_first_child(&cur)) {
			if (!dk_push(f, &cap, &cur, at)) { f->failed = 1; goto out; }
			at = f->n - 1;
			if (f->nodes[at].depth > max_depth) { f->too_deep = at; goto out; }
			continue;
		}
		for (;;) {
			int32_t parent = f->nodes[at].parent;
			if (parent < 0) goto out;
			if (ts_tree_cursor_goto_next_sibling(&cur)) {
				if (!dk_push(f, &cap, &cur, parent)) { f->failed = 1; goto out; }
				at = f->n - 1;
				if (f->nodes[at].depth > max_depth) { f->too_deep = at; goto out; }
				break;
			}
			ts_tree_cursor_goto_parent(&cur);
			at = parent;
		}
	}
out:
	ts_tree_cursor_delete(&cur);
	ts_tree_delete(tree);
}

static TSParser *dk_parser_new(const void *lang) {
	TSParser *p = ts_parser_new();
	if (p && !ts_parser_set_language(p, lang)) { ts_parser_delete(p); return NULL; }
	return p;
}
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"

	_ "github.com/tree-sitter/go-tree-sitter" // tree-sitter's C runtime, which flatten.go calls
	tspython "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// init points tree-sitter's allocator at the C library's malloc and free.
// go-tree-sitter's default allocator ends in the same malloc and free, but
// through a C-to-Go callback on every allocation, which cost a quarter of
// the parse time. It runs before any program code can have made a tree,
// and a program that installs its own allocator with
// tree_sitter.SetAllocator afterwards replaces this one as before.
func init() { C.ts_set_allocator(nil, nil, nil, nil) }

// grammar holds the Python grammar's symbol and field names, read once.
type grammar struct {
	lang    *C.TSLanguage
	symbols []string // by symbol id
	fields  []string // by field id; 0 is "no field"
}

var pythonGrammar = sync.OnceValue(func() *grammar {
	lang := (*C.TSLanguage)(tspython.Language())
	g := &grammar{lang: lang}
	ns := int(C.ts_language_symbol_count(lang))
	g.symbols = make([]string, ns)
	for i := range ns {
		if s := C.ts_language_symbol_name(lang, C.TSSymbol(i)); s != nil {
			g.symbols[i] = C.GoString(s)
		}
	}
	nf := int(C.ts_language_field_count(lang))
	g.fields = make([]string, nf+1)
	for i := 1; i <= nf; i++ {
		if s := C.ts_language_field_name_for_id(lang, C.TSFieldId(i)); s != nil {
			g.fields[i] = C.GoString(s)
		}
	}
	return g
})

func (g *grammar) symbol(id uint16) string {
	if int(id) < len(g.symbols) {
		return g.symbols[id]
	}
	switch id {
	case 0xFFFF:
		return "ERROR"
	case 0xFFFE:
		return "_ERROR"
	}
	return ""
}

func (g *grammar) field(id uint16) string {
	if int(id) < len(g.fields) {
		return g.fields[id]
	}
	return ""
}

// parsers is a bounded free list of C parsers. A sync.Pool would drop
// parsers at GC without deleting their C memory; this list deletes what
// it cannot keep.
var parsers = make(chan *C.TSParser, 8)

func getParser() (*C.TSParser, error) {
	select {
	case p := <-parsers:
		return p, nil
	default:
	}
	p := C.dk_parser_new(unsafe.Pointer(pythonGrammar().lang))
	if p == nil {
		return nil, errors.New("tree-sitter: the Python grammar's ABI does not match the runtime")
	}
	return p, nil
}

func putParser(p *C.TSParser) {
	select {
	case parsers <- p:
	default:
		C.ts_parser_delete(p)
	}
}

// flatTree parses src with tree-sitter's Python grammar and returns the
// tree as Go nodes: the root, or the node that went past maxDepth named
// levels (tooDeep) with root nil.
func flatTree(src []byte, maxDepth int) (root, tooDeep *node, err error) {
	g := pythonGrammar()
	p, err := getParser()
	if err != nil {
		return nil, nil, err
	}
	var f C.dkFlat
	var ptr *C.char
	if len(src) > 0 {
		ptr = (*C.char)(unsafe.Pointer(&src[0]))
	} else {
		ptr = (*C.char)(unsafe.Pointer(&[1]byte{}))
	}
	// src is not retained by C after the call returns.
	C.dk_flatten(p, ptr, C.uint32_t(len(src)), C.uint32_t(maxDepth), &f)
	putParser(p)
	defer C.free(unsafe.Pointer(f.nodes))
	if f.failed != 0 || f.n == 0 {
		return nil, nil, errors.New("the parser gave up")
	}
	recs := unsafe.Slice(f.nodes, int(f.n))
	nodes := make([]node, len(recs))
	// All child lists share one backing array, in preorder of parents.
	kids := make([]*node, len(recs))
	off := 0
	for i := range nodes {
		r := &recs[i]
		n := &nodes[i]
		*n = node{
			kind: g.symbol(uint16(r.sym)), field: g.field(uint16(r.field)),
			named: r.named != 0, missing: r.missing != 0,
			start: int(r.start), end: int(r.end),
			line: int(r.srow) + 1, col: int(r.scol) + 1, eline: int(r.erow) + 1, ecol: int(r.ecol) + 1,
		}
		if k := int(r.nkids); k > 0 {
			n.kids = kids[off : off : off+k]
			off += k
		}
		if p := r.parent; p >= 0 {
			n.parent = &nodes[p]
			nodes[p].kids = append(nodes[p].kids, n)
		}
	}
	if f.too_deep >= 0 {
		return nil, &nodes[f.too_deep], nil
	}
	return &nodes[0], nil, nil
}

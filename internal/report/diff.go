package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// diffContext is the number of unchanged lines around each change, as in
// diff -u.
const diffContext = 3

// maxDiffEdits bounds the line diff's work; beyond it the changed middle of
// a file is shown as one replacement (still a correct patch).
const maxDiffEdits = 2000

// UnifiedDiff is what -diff prints: the fixes of diags (see ApplyFixes) as
// a unified diff, one file after another in path order, with diff -u's
// hunks (3 lines of context, "\ No newline at end of file" markers) under
// "--- a/PATH" and "+++ b/PATH" headers that git apply and patch -p1
// accept. read returns a file's current contents. The diff is "" when no
// fix changes anything; errors are ApplyFixes'.
func UnifiedDiff(diags []Diagnostic, read func(path string) ([]byte, error)) (string, error) {
	fixed, err := ApplyFixes(diags, read)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(fixed))
	for name := range fixed {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		old, err := read(name)
		if err != nil {
			return "", &FileError{File: name, Err: err}
		}
		p := filepath.ToSlash(name)
		from, to := "a/"+strings.TrimPrefix(p, "./"), "b/"+strings.TrimPrefix(p, "./")
		if filepath.IsAbs(name) || strings.HasPrefix(p, "/") {
			from, to = p, p
		}
		b.WriteString(diffLines(from, to, old, fixed[name]))
	}
	return b.String(), nil
}

// splitLines splits after each newline; the last line may have none.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

type lineOp struct {
	kind opKind
	a, b int // index in old (equal, delete) and new (equal, insert)
}

// diffLines renders a unified diff of two texts, "" when they are equal.
func diffLines(fromName, toName string, oldText, newText []byte) string {
	a, b := splitLines(oldText), splitLines(newText)
	ops := lineDiff(a, b)
	changed := false
	for _, op := range ops {
		if op.kind != opEqual {
			changed = true
			break
		}
	}
	if !changed {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromName, toName)

	// Group the ops into hunks: changes closer than 2*context+1 equal lines
	// share a hunk.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == opEqual {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for {
			for end < len(ops) && ops[end].kind != opEqual {
				end++
			}
			run := 0
			for end+run < len(ops) && ops[end+run].kind == opEqual {
				run++
			}
			if end+run == len(ops) || run > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end += run
		}
		writeHunk(&out, ops[start:end], a, b)
		i = end
	}
	return out.String()
}

func writeHunk(out *strings.Builder, ops []lineOp, a, b []string) {
	// The hunk's first line in each file, and the counts.
	aStart, bStart, aCount, bCount := -1, -1, 0, 0
	for _, op := range ops {
		if op.kind != opInsert {
			if aStart < 0 {
				aStart = op.a
			}
			aCount++
		}
		if op.kind != opDelete {
			if bStart < 0 {
				bStart = op.b
			}
			bCount++
		}
	}
	// An empty range is named by the line before it (diff -u's "-0,0").
	if aStart < 0 {
		aStart = ops[0].a
	}
	if bStart < 0 {
		bStart = ops[0].b
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, op := range ops {
		var prefix byte
		var line string
		switch op.kind {
		case opEqual:
			prefix, line = ' ', a[op.a]
		case opDelete:
			prefix, line = '-', a[op.a]
		case opInsert:
			prefix, line = '+', b[op.b]
		}
		out.WriteByte(prefix)
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats a 0-based start and a count as diff -u does: 1-based,
// ",N" left out when N is 1, and an empty range named by the line before.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}

// lineDiff returns an edit script from a to b: the common prefix and
// suffix, and between them a shortest script found by Myers' O(ND)
// algorithm (deletions before insertions in each change, as diff prints
// them).
func lineDiff(a, b []string) []lineOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []lineOp
	for i := 0; i < pre; i++ {
		ops = append(ops, lineOp{opEqual, i, i})
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for i := 0; i < suf; i++ {
		ops = append(ops, lineOp{opEqual, len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

func myers(a, b []string, aOff, bOff int) []lineOp {
	n, m := len(a), len(b)
	whole := func() []lineOp {
		ops := make([]lineOp, 0, n+m)
		for i := range a {
			ops = append(ops, lineOp{opDelete, aOff + i, bOff})
		}
		for j := range b {
			ops = append(ops, lineOp{opInsert, aOff + n, bOff + j})
		}
		return ops
	}
	if n == 0 || m == 0 {
		return whole()
	}
	maxD := min(n+m, maxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		// Keep only the diagonals round d reads: -d-1 .. d+1.
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insertion
			} else {
				x = v[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		return whole()
	}
	// Walk back through the trace, collecting ops in reverse.
	var rev []lineOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		// v before round d (after round d-1), diagonals -d-1 .. d+1.
		vd, vo := trace[d], d+1
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[vo+k-1] < vd[vo+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[vo+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, lineOp{opEqual, aOff + x, bOff + y})
		}
		if x == prevX {
			y--
			rev = append(rev, lineOp{opInsert, aOff + x, bOff + y})
		} else {
			x--
			rev = append(rev, lineOp{opDelete, aOff + x, bOff + y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, lineOp{opEqual, aOff + x, bOff + y})
	}
	ops := make([]lineOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return reorderChanges(ops)
}

// reorderChanges puts each run of changes in diff's order: deletions, then
// insertions.
func reorderChanges(ops []lineOp) []lineOp {
	out := make([]lineOp, 0, len(ops))
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			out = append(out, ops[i])
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != opEqual {
			j++
		}
		for _, op := range ops[i:j] {
			if op.kind == opDelete {
				out = append(out, op)
			}
		}
		for _, op := range ops[i:j] {
			if op.kind == opInsert {
				out = append(out, op)
			}
		}
		i = j
	}
	return out
}

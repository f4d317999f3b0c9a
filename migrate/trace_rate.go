package migrate

import (
	"fmt"
	"strings"

	"github.com/deploykit/deploykit/internal/report"
)

// rateTrace sets each statement's verdict and message from what the trace
// observed and the size of the tables involved, then the report verdict.
//
// The rules, in order:
//   - a failed statement is dangerous (the migration would fail there);
//   - a rewrite or a scan of a pre-existing table while this transaction
//     holds a lock of SHARE or stronger on it (writers wait) is dangerous when
//     the table is at or above RowsThreshold rows or BytesThreshold bytes, and
//     safe below both;
//   - a scan under a weaker lock (VALIDATE CONSTRAINT takes SHARE UPDATE
//     EXCLUSIVE) is safe at any size;
//   - a catalog-only change is safe, even under ACCESS EXCLUSIVE, because
//     apply bounds the wait for the lock with lock_timeout;
//   - a statement not traced (it cannot run in a transaction) is warn: the
//     trace could not see it; with TraceOptions.Static it takes the verdict of
//     the static findings on it instead;
//   - finally, a blocking lock taken earlier in the same transaction block
//     than a dangerous statement is held while that statement runs, so that
//     earlier statement is at least warn.
func rateTrace(rep *TraceReport, opts TraceOptions) {
	rowsT, bytesT := opts.rowsThreshold(), opts.bytesThreshold()
	large := func(e TableEffect) bool {
		return (rowsT > 0 && e.Rows >= rowsT) || (bytesT > 0 && e.Bytes >= bytesT)
	}
	// strongest lock per relation held within each block so far.
	held := map[int]map[string]string{}
	anyHeld := map[string]string{}
	for i := range rep.Statements {
		ts := &rep.Statements[i]
		switch ts.Status {
		case TraceFailed:
			ts.Verdict, ts.Message = VerdictDangerous, "statement failed: "+ts.Error
			continue
		case TraceNotTraced:
			ts.Verdict, ts.Message = VerdictWarn, "not traced: "+ts.Reason
			continue
		case TraceTraced:
		default:
			continue
		}
		if held[ts.block] == nil {
			held[ts.block] = map[string]string{}
		}
		for _, l := range ts.Locks {
			if LockModeRank(l.Mode) > LockModeRank(held[ts.block][l.Relation]) {
				held[ts.block][l.Relation] = l.Mode
			}
			if LockModeRank(l.Mode) > LockModeRank(anyHeld[l.Relation]) {
				anyHeld[l.Relation] = l.Mode
			}
		}
		lockOn := func(rel string) string {
			if m := held[ts.block][rel]; m != "" {
				return m
			}
			return anyHeld[rel]
		}
		ts.Verdict = VerdictSafe
		var msgs []string
		effects := func(kind string, list []TableEffect) {
			for _, e := range list {
				mode := lockOn(e.Relation)
				size := describeSize(e)
				switch {
				case LockModeRank(mode) < 5:
					msgs = append(msgs, fmt.Sprintf("%s %s (%s) under %s, which does not block reads or writes", kind, e.Relation, size, orUnknown(mode)))
				case large(e):
					ts.Verdict = VerdictDangerous
					who := "writes"
					if mode == "ACCESS EXCLUSIVE" {
						who = "reads and writes"
					}
					msgs = append(msgs, fmt.Sprintf("%s %s (%s) under %s: %s wait until the transaction ends", kind, e.Relation, size, mode, who))
				default:
					msgs = append(msgs, fmt.Sprintf("%s %s (%s) under %s: fast at this size", kind, e.Relation, size, mode))
				}
			}
		}
		effects("rewrites", ts.Rewrites)
		rewritten := map[string]bool{}
		for _, e := range ts.Rewrites {
			rewritten[e.Relation] = true
		}
		var scans []TableEffect
		for _, e := range ts.Scans {
			if !rewritten[e.Relation] { // a rewrite reads the table anyway
				scans = append(scans, e)
			}
		}
		effects("scans", scans)
		if len(msgs) == 0 {
			for _, l := range ts.Locks {
				if l.Blocking && l.Kind != "index" {
					msgs = append(msgs, fmt.Sprintf("takes %s on %s for a catalog-only change: brief, with lock_timeout bounding the wait", l.Mode, l.Relation))
					break
				}
			}
		}
		ts.Message = strings.Join(msgs, "; ")
	}
	// Locks taken earlier in a block are held while a later dangerous
	// statement of the same block runs.
	for i := range rep.Statements {
		d := &rep.Statements[i]
		if d.Status != TraceTraced || d.Verdict != VerdictDangerous {
			continue
		}
		for j := 0; j < i; j++ {
			e := &rep.Statements[j]
			if e.Status != TraceTraced || e.block != d.block {
				continue
			}
			for _, l := range e.Locks {
				if !l.Blocking || l.Kind == "index" {
					continue
				}
				if e.Verdict == VerdictSafe {
					e.Verdict = VerdictWarn
				}
				note := fmt.Sprintf("its %s lock on %s stays held while line %d runs (same transaction)", l.Mode, l.Relation, d.Line)
				if e.Message == "" {
					e.Message = note
				} else {
					e.Message += "; " + note
				}
				break
			}
		}
	}
	rep.Verdict = VerdictSafe
	for _, ts := range rep.Statements {
		if verdictRank(ts.Verdict) > verdictRank(rep.Verdict) {
			rep.Verdict = ts.Verdict
		}
	}
}

// rateUntraced rates statements the trace could not run by the static
// findings on them: the worst finding's severity, safe when there is none.
func rateUntraced(rep *TraceReport, static *FileReport) {
	worst := map[int]Severity{}
	for _, f := range static.Findings {
		i := statementFor(rep.Statements, f.Pos.Line, f.Pos.Column)
		if i >= 0 && f.Severity.Rank() > worst[i].Rank() {
			worst[i] = f.Severity
		}
	}
	for i := range rep.Statements {
		ts := &rep.Statements[i]
		if ts.Status != TraceNotTraced {
			continue
		}
		switch worst[i] {
		case SeverityError:
			ts.Verdict = VerdictDangerous
		case SeverityWarning:
			ts.Verdict = VerdictWarn
		default:
			ts.Verdict = VerdictSafe
		}
		ts.Message = "not traced: " + ts.Reason + "; rated by the static analysis"
	}
	rep.Verdict = VerdictSafe
	for _, ts := range rep.Statements {
		if verdictRank(ts.Verdict) > verdictRank(rep.Verdict) {
			rep.Verdict = ts.Verdict
		}
	}
}

func verdictRank(v Verdict) int {
	switch v {
	case VerdictSafe:
		return 1
	case VerdictWarn:
		return 2
	case VerdictDangerous:
		return 3
	}
	return 0
}

func orUnknown(mode string) string {
	if mode == "" {
		return "a lock taken before this statement"
	}
	return mode
}

func describeSize(e TableEffect) string {
	rows := "rows unknown (never analysed)"
	if e.Rows >= 0 {
		rows = fmt.Sprintf("%d rows", e.Rows)
	}
	if e.Bytes < 0 {
		return rows
	}
	return rows + ", " + report.Bytes(e.Bytes)
}

package migrate

// lockMode is a PostgreSQL table-level lock mode, ordered from weakest to
// strongest (PostgreSQL docs, 13.3.1 "Table-Level Locks").
type lockMode int

const (
	lockNone lockMode = iota
	lockAccessShare
	lockRowShare
	lockRowExclusive
	lockShareUpdateExclusive
	lockShare
	lockShareRowExclusive
	lockExclusive
	lockAccessExclusive
)

var lockNames = [...]string{
	lockNone:                 "",
	lockAccessShare:          "ACCESS SHARE",
	lockRowShare:             "ROW SHARE",
	lockRowExclusive:         "ROW EXCLUSIVE",
	lockShareUpdateExclusive: "SHARE UPDATE EXCLUSIVE",
	lockShare:                "SHARE",
	lockShareRowExclusive:    "SHARE ROW EXCLUSIVE",
	lockExclusive:            "EXCLUSIVE",
	lockAccessExclusive:      "ACCESS EXCLUSIVE",
}

// String returns the mode as PostgreSQL spells it, e.g. "ACCESS EXCLUSIVE".
func (m lockMode) String() string {
	if m < 0 || int(m) >= len(lockNames) {
		return ""
	}
	return lockNames[m]
}

// blocksReads reports whether the mode conflicts with the ACCESS SHARE
// lock every SELECT takes: only ACCESS EXCLUSIVE does (table 13.2).
func (m lockMode) blocksReads() bool { return m == lockAccessExclusive }

// blocksWrites reports whether the mode conflicts with the ROW EXCLUSIVE
// lock INSERT/UPDATE/DELETE take: SHARE and stronger (table 13.2).
func (m lockMode) blocksWrites() bool { return m >= lockShare }

// effect describes what a statement does to the relations it touches.
type effect struct {
	locks []relLock
	// slow is set when the statement scans, rewrites or builds an index on
	// an existing relation, so its duration grows with the table.
	slow    bool
	slowRel string
}

// relLock is one lock on one existing relation.
type relLock struct {
	rel  string
	mode lockMode
}

// lock records mode on rel, keeping the strongest mode per relation.
func (e *effect) lock(rel string, mode lockMode) {
	for i := range e.locks {
		if e.locks[i].rel == rel {
			if mode > e.locks[i].mode {
				e.locks[i].mode = mode
			}
			return
		}
	}
	e.locks = append(e.locks, relLock{rel, mode})
}

func (e *effect) markSlow(rel string) {
	if !e.slow {
		e.slow = true
		e.slowRel = rel
	}
}

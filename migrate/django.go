package migrate

import "strings"

// djangoVerbs maps the start of a Django operation's describe() text (as
// sqlmigrate prints it in "-- ..." comments) to the operation class.
// Longer prefixes come first so "Create proxy model" wins over "Create".
var djangoVerbs = []struct{ prefix, class string }{
	{"Add field ", "AddField"},
	{"Remove field ", "RemoveField"},
	{"Alter field ", "AlterField"},
	{"Rename field ", "RenameField"},
	{"Create proxy model ", "CreateModel"},
	{"Create model ", "CreateModel"},
	{"Delete model ", "DeleteModel"},
	{"Rename model ", "RenameModel"},
	{"Rename table for ", "AlterModelTable"},
	{"Alter unique_together ", "AlterUniqueTogether"},
	{"Alter index_together ", "AlterIndexTogether"},
	{"Set order_with_respect_to ", "AlterOrderWithRespectTo"},
	{"Change Meta options ", "AlterModelOptions"},
	{"Change managers ", "AlterModelManagers"},
	{"Create index ", "AddIndex"},
	{"Remove index ", "RemoveIndex"},
	{"Rename index ", "RenameIndex"},
	{"Create constraint ", "AddConstraint"},
	{"Remove constraint ", "RemoveConstraint"},
	{"Concurrently create index ", "AddIndexConcurrently"},
	{"Concurrently remove index ", "RemoveIndexConcurrently"},
	{"Creates extension ", "CreateExtension"},
	{"Create collation ", "CreateCollation"},
	{"Remove collation ", "RemoveCollation"},
	{"Custom state/database change combination", "SeparateDatabaseAndState"},
	{"Raw SQL operation", "RunSQL"},
	{"Raw Python operation", "RunPython"},
}

// djangoCannotBeSQL is the line Django prints before an operation that has
// no SQL (RunPython).
const djangoCannotBeSQL = "MIGRATION NOW PERFORMS OPERATION THAT CANNOT BE WRITTEN AS SQL:"

// djangoOperations reads the comment lines before a statement and returns
// the Django operations they describe, in order, rendered as "AddField
// views to post". sqlmigrate frames each description as "--",
// "-- <describe()>", "--"; an operation without SQL (RunPython) is preceded
// by djangoCannotBeSQL. Django 5.1+ prefixes the description with a
// category symbol ("+ Add field ..."), which is dropped. A framed line that
// is no known description counts as a custom operation.
func djangoOperations(lines []string) []string {
	var ops []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || l == djangoCannotBeSQL {
			continue
		}
		if op, ok := describeToOperation(l); ok {
			ops = append(ops, op)
			continue
		}
		framedBefore := i > 0 && (strings.TrimSpace(lines[i-1]) == "" || strings.TrimSpace(lines[i-1]) == djangoCannotBeSQL)
		framedAfter := i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == ""
		if framedBefore && framedAfter {
			ops = append(ops, l)
		}
	}
	return ops
}

// describeToOperation maps one describe() text to "Class rest".
func describeToOperation(s string) (string, bool) {
	// Django 5.1's OperationCategory symbols: + - ~ p s ? >
	if len(s) > 2 && s[1] == ' ' && strings.ContainsRune("+-~ps?>", rune(s[0])) {
		s = s[2:]
	}
	for _, v := range djangoVerbs {
		if strings.HasPrefix(s, v.prefix) {
			rest := strings.TrimSpace(s[len(v.prefix):])
			if rest == "" {
				return v.class, true
			}
			return v.class + " " + rest, true
		}
		if strings.TrimSpace(v.prefix) == s {
			return v.class, true
		}
	}
	return "", false
}

// operationClass returns the Django class of an Operation string
// ("AddField views to post" -> "AddField"), "" for plain SQL.
func operationClass(op string) string {
	if i := strings.IndexByte(op, ' '); i >= 0 {
		return op[:i]
	}
	return op
}

package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteDiagnosticsText writes one line per diagnostic, "file:line:col:
// severity: message [RULE]" (the form editors and go vet use), then an
// indented "fix:" line with the fixes' messages (a fix with edits and no
// message is described by its edits) and one "see:" line per related
// position. A diagnostic with no file prints "-" for it.
func WriteDiagnosticsText(w io.Writer, diags []Diagnostic) error {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "%s: %s: %s [%s]\n", d.Pos, d.Severity, d.Message, d.Rule)
		if fix := fixSummary(d); fix != "" {
			fix = strings.ReplaceAll(strings.TrimRight(fix, "\n"), "\n", "\n\t     ")
			fmt.Fprintf(&b, "\tfix: %s\n", fix)
		}
		for _, r := range d.Related {
			pos := r.Pos
			if pos.File == "" {
				pos.File = d.Pos.File
			}
			fmt.Fprintf(&b, "\tsee: %s: %s\n", pos, r.Message)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fixSummary is one line per suggested fix: its message, or for a fix
// with edits and no message, what the edits do.
func fixSummary(d Diagnostic) string {
	var parts []string
	for _, f := range d.SuggestedFixes {
		switch {
		case f.Message != "":
			parts = append(parts, f.Message)
		case len(f.TextEdits) > 0:
			parts = append(parts, describeEdits(f.TextEdits))
		}
	}
	return strings.Join(parts, "\n")
}

func describeEdits(edits []TextEdit) string {
	var parts []string
	for _, e := range edits {
		at := fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Column)
		end := e.End
		switch {
		case !end.IsValid() || end == e.Pos || (end.Line == e.Pos.Line && end.Column == e.Pos.Column):
			parts = append(parts, "insert "+strconv.Quote(e.NewText)+" at "+at)
		case e.NewText == "":
			parts = append(parts, fmt.Sprintf("delete %s-%d:%d", at, end.Line, end.Column))
		default:
			parts = append(parts, fmt.Sprintf("replace %s-%d:%d with %s", at, end.Line, end.Column, strconv.Quote(e.NewText)))
		}
	}
	return strings.Join(parts, "; ")
}

// WriteDiagnosticsGitHub writes GitHub Actions workflow commands, one per
// diagnostic, which the runner turns into annotations:
//
//	::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=RULE::message
//
// Info diagnostics use the "notice" command. The end properties appear only
// when the diagnostic has an end. Advice is appended to the message as
// "Fix: ..." lines. Escaping is the runner's: %, CR and LF in the message;
// also ':' and ',' in properties.
func WriteDiagnosticsGitHub(w io.Writer, diags []Diagnostic) error {
	var b strings.Builder
	for _, d := range diags {
		cmd := "notice"
		switch d.Severity {
		case SeverityError:
			cmd = "error"
		case SeverityWarning:
			cmd = "warning"
		}
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+escapeProperty(d.Pos.File))
		}
		if d.Pos.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Pos.Line))
			if d.Pos.Column > 0 {
				props = append(props, "col="+strconv.Itoa(d.Pos.Column))
			}
			if d.End.IsValid() && !d.End.before(d.Pos) {
				props = append(props, "endLine="+strconv.Itoa(d.End.Line))
				if d.End.Column > 0 && d.Pos.Column > 0 {
					props = append(props, "endColumn="+strconv.Itoa(d.End.Column))
				}
			}
		}
		props = append(props, "title="+escapeProperty(d.Rule))
		msg := d.Message
		if fix := fixSummary(d); fix != "" {
			msg += "\nFix: " + strings.ReplaceAll(fix, "\n", "\nFix: ")
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty follow the runner's workflow-command
// escaping (actions/toolkit, packages/core/src/command.ts): % CR LF always,
// and ':' ',' in properties.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

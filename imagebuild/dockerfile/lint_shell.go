package dockerfile

import (
	"path"
	"regexp"
	"strings"
)

// shellCommand is one simple command of a shell script: leading variable
// assignments split off, redirections dropped.
type shellCommand struct {
	env   map[string]string
	words []string
}

// name is the command's base name ("pip" for /usr/local/bin/pip), after
// wrappers like sudo, env and exec.
func (c shellCommand) name() string {
	if len(c.words) == 0 {
		return ""
	}
	return path.Base(c.words[0])
}

// args are the words after the command name.
func (c shellCommand) args() []string {
	if len(c.words) < 2 {
		return nil
	}
	return c.words[1:]
}

var assignRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// splitShell splits a POSIX shell script into simple commands. It is a
// deliberately small lexer: quotes and backslashes are honoured, the
// operators && || ; | & newline and grouping characters separate commands,
// and redirections are dropped. Command substitutions are kept as words.
func splitShell(script string) []shellCommand {
	var (
		cmds  []shellCommand
		words []string
		cur   strings.Builder
		in    bool // a word is being built
	)
	flushWord := func() {
		if in {
			words = append(words, cur.String())
			cur.Reset()
			in = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			if c := makeCommand(words); len(c.words) > 0 || len(c.env) > 0 {
				cmds = append(cmds, c)
			}
		}
		words = nil
	}
	r := []rune(script)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\':
			if i+1 < len(r) {
				i++
				if r[i] != '\n' {
					cur.WriteRune(r[i])
					in = true
				}
			}
		case c == '\'':
			in = true
			for i++; i < len(r) && r[i] != '\''; i++ {
				cur.WriteRune(r[i])
			}
		case c == '"':
			in = true
			for i++; i < len(r) && r[i] != '"'; i++ {
				if r[i] == '\\' && i+1 < len(r) && strings.ContainsRune("\"\\$`\n", r[i+1]) {
					i++
					if r[i] == '\n' {
						continue
					}
				}
				cur.WriteRune(r[i])
			}
		case c == '#' && !in:
			for i < len(r) && r[i] != '\n' {
				i++
			}
			flushCmd()
		case c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || (c == '{' || c == '}') && !in:
			flushCmd()
		case c == '>' || c == '<':
			// Redirection: drop the operator, an fd number before it and
			// the target word after it.
			if in && shellIsDigits(cur.String()) {
				cur.Reset()
				in = false
			}
			flushWord()
			for i+1 < len(r) && (r[i+1] == '>' || r[i+1] == '&' || r[i+1] == '<') {
				i++
			}
			for i+1 < len(r) && (r[i+1] == ' ' || r[i+1] == '\t') {
				i++
			}
			for i+1 < len(r) && !strings.ContainsRune(" \t\n;&|()", r[i+1]) {
				i++
			}
		case c == ' ' || c == '\t' || c == '\r':
			flushWord()
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	flushCmd()
	return cmds
}

func shellIsDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func makeCommand(words []string) shellCommand {
	cmd := shellCommand{env: map[string]string{}}
	i := 0
	for ; i < len(words); i++ {
		w := words[i]
		if assignRE.MatchString(w) {
			k, v, _ := strings.Cut(w, "=")
			cmd.env[k] = v
			continue
		}
		switch path.Base(w) {
		case "sudo", "exec", "env", "nice", "time", "command", "then", "do", "else", "!":
			continue
		}
		break
	}
	cmd.words = words[i:]
	return cmd
}

// isPipInstall reports whether c is "pip install", "pip3 install" or
// "python -m pip install", and returns the arguments after "install".
func (c shellCommand) pipInstall() ([]string, bool) {
	w := c.words
	if len(w) >= 2 && isPipName(path.Base(w[0])) && w[1] == "install" {
		return w[2:], true
	}
	if len(w) >= 4 && isPythonName(path.Base(w[0])) && w[1] == "-m" && w[2] == "pip" && w[3] == "install" {
		return w[4:], true
	}
	return nil, false
}

var pipNameRE = regexp.MustCompile(`^pip[0-9.]*$`)
var pythonNameRE = regexp.MustCompile(`^python[0-9.]*$`)

func isPipName(s string) bool    { return pipNameRE.MatchString(s) }
func isPythonName(s string) bool { return pythonNameRE.MatchString(s) }

// sub reports whether c is "<name> <sub>" (e.g. "poetry install") and
// returns the arguments after the subcommand. Global options between the
// name and the subcommand are skipped.
func (c shellCommand) sub(name string, subs ...string) ([]string, bool) {
	if c.name() != name {
		return nil, false
	}
	for i := 1; i < len(c.words); i++ {
		w := c.words[i]
		if strings.HasPrefix(w, "-") {
			continue
		}
		for _, s := range subs {
			if w == s {
				return c.words[i+1:], true
			}
		}
		return nil, false
	}
	return nil, false
}

func shellHasFlag(args []string, flags ...string) bool {
	for _, a := range args {
		for _, f := range flags {
			if a == f || strings.HasPrefix(a, f+"=") {
				return true
			}
		}
	}
	return false
}

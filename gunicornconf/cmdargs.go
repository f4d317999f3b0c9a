package gunicornconf

import (
	"fmt"
	"strings"
	"sync"
)

// OryxCmdArgs is what the startup script that App Service's Oryx
// generates for a Python code deployment puts in GUNICORN_CMD_ARGS
// (besides --chdir and, when the app has a gunicorn.conf.py, -c): it sets
// the timeout and logs requests and errors to stdout/stderr, and gunicorn
// applies it after the config file. Source: microsoft/Oryx
// src/startupscriptgenerator/src/python/scriptgenerator.go and its tests
// (`GUNICORN_CMD_ARGS="--timeout 600 --access-logfile '-' --error-logfile '-'
// --chdir=..." gunicorn application:app`).
const OryxCmdArgs = "--timeout 600 --access-logfile '-' --error-logfile '-'"

// FlagSetting is one setting given on a command line.
type FlagSetting struct {
	Name  string // catalogue name, e.g. "timeout"
	Flag  string // the flag as written, e.g. "--timeout"
	Value string // the raw argument ("" for store_true flags)
}

// ParseArgs maps gunicorn command-line arguments (or the words of
// GUNICORN_CMD_ARGS) to settings, using the catalogue's flags. Positional
// arguments (the application) are returned in rest. Unknown flags are an
// error, as they are for gunicorn's argparse.
func ParseArgs(args []string) (set []FlagSetting, rest []string, err error) {
	flags := flagIndex()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		name, val, hasVal := a, "", false
		if strings.HasPrefix(a, "--") {
			if eq := strings.IndexByte(a, '='); eq >= 0 {
				name, val, hasVal = a[:eq], a[eq+1:], true
			}
		} else if len(a) > 2 {
			// -w4
			name, val, hasVal = a[:2], a[2:], true
		}
		s, ok := flags[name]
		if !ok {
			return nil, nil, fmt.Errorf("gunicornconf: unrecognized argument %q", name)
		}
		if s.Action == "store_true" || s.Action == "store_const" {
			set = append(set, FlagSetting{Name: s.Name, Flag: name})
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("gunicornconf: argument %s: expected one argument", name)
			}
			i++
			val = args[i]
		}
		set = append(set, FlagSetting{Name: s.Name, Flag: name, Value: val})
	}
	return set, rest, nil
}

// flagIndex maps every command-line flag to its setting.
var flagIndex = sync.OnceValue(func() map[string]Setting {
	m := map[string]Setting{}
	for _, s := range catalogue().settings {
		for _, f := range s.CLI {
			m[f] = s
		}
	}
	return m
})

// SplitShell splits a string into words the way Python's shlex.split does
// in POSIX mode (gunicorn splits GUNICORN_CMD_ARGS with it): whitespace
// separates words, single quotes are literal, double quotes allow
// backslash escapes of \ " $ `, and a backslash outside quotes escapes the
// next character.
func SplitShell(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("gunicornconf: no closing quotation in %q", s)
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("gunicornconf: no closing quotation in %q", s)
			}
		case c == '\\':
			inWord = true
			if i+1 >= len(s) {
				return nil, fmt.Errorf("gunicornconf: no escaped character in %q", s)
			}
			i++
			b.WriteByte(s[i])
		default:
			inWord = true
			b.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

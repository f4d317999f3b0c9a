package cache

import (
	"unicode/utf16"
	"unicode/utf8"
)

// The runner's hashFiles is JavaScript: every string it handles is a
// sequence of UTF-16 code units, file names are decoded from bytes with
// replacement characters, and String.prototype.trim has its own idea of
// white space. The helpers here reproduce those semantics.

// lossyString decodes b as UTF-8 the way Node's Buffer.toString does for
// file names, replacing each invalid byte with U+FFFD. ok reports whether
// the input was already valid (and is returned unchanged).
func lossyString(s string) (out string, ok bool) {
	if utf8.ValidString(s) {
		return s, true
	}
	buf := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		buf = append(buf, r) // RuneError for an invalid byte, width 1
		i += w
	}
	return string(buf), false
}

// units converts s (valid UTF-8) to UTF-16 code units, reusing buf.
func units(s string, buf []uint16) []uint16 {
	buf = buf[:0]
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				buf = utf16.AppendRune(buf, r)
			}
			return buf
		}
		buf = append(buf, uint16(s[i]))
	}
	return buf
}

// fromUnits converts UTF-16 code units back to a Go string.
func fromUnits(u []uint16) string {
	ascii := true
	for _, c := range u {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := make([]byte, len(u))
		for i, c := range u {
			b[i] = byte(c)
		}
		return string(b)
	}
	return string(utf16.Decode(u))
}

// isJSWhiteSpace reports whether r is WhiteSpace or LineTerminator in
// ECMAScript (what String.prototype.trim removes).
func isJSWhiteSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x00A0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// jsTrim is String.prototype.trim.
func jsTrim(s string) string {
	start := 0
	for start < len(s) {
		r, w := utf8.DecodeRuneInString(s[start:])
		if !isJSWhiteSpace(r) {
			break
		}
		start += w
	}
	end := len(s)
	for end > start {
		r, w := utf8.DecodeLastRuneInString(s[start:end])
		if !isJSWhiteSpace(r) {
			break
		}
		end -= w
	}
	return s[start:end]
}

// isLineTerminator reports whether the UTF-16 unit c is one that the
// JavaScript regular expression '.' does not match.
func isLineTerminator(c uint16) bool {
	return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029
}

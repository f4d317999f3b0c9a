package cache

// jsRegexpValid reports whether new RegExp(src) would compile in JavaScript
// (no flags, web-compatibility Annex B grammar). minimatch uses this to
// decide whether "[...]" in a glob is a character class or literal text.
// The check covers what can appear there: classes with ranges, escapes,
// groups, quantifiers and assertions.
func jsRegexpValid(src []uint16) bool {
	i := 0
	n := len(src)
	depth := 0
	canQuantify := false
	var lookbehind []bool // per open group: is it a lookbehind
	for i < n {
		c := src[i]
		switch c {
		case '\\':
			if i+1 >= n {
				return false
			}
			e := src[i+1]
			i += 2
			canQuantify = !(e == 'b' || e == 'B')
		case '[':
			j, ok := jsClassEnd(src, i+1)
			if !ok {
				return false
			}
			i = j
			canQuantify = true
		case '(':
			lb := false
			if i+1 < n && src[i+1] == '?' {
				if i+2 >= n {
					return false
				}
				switch src[i+2] {
				case ':', '=', '!':
					i += 3
				case '<':
					if i+3 < n && (src[i+3] == '=' || src[i+3] == '!') {
						lb = true
						i += 4
						break
					}
					j := i + 3
					for j < n && src[j] != '>' {
						if !isIdentUnit(src[j], j == i+3) {
							return false
						}
						j++
					}
					if j >= n || j == i+3 {
						return false
					}
					i = j + 1
				default:
					return false
				}
			} else {
				i++
			}
			depth++
			lookbehind = append(lookbehind, lb)
			canQuantify = false
		case ')':
			if depth == 0 {
				return false
			}
			depth--
			lb := lookbehind[len(lookbehind)-1]
			lookbehind = lookbehind[:len(lookbehind)-1]
			i++
			canQuantify = !lb
		case '|':
			i++
			canQuantify = false
		case '^', '$':
			i++
			canQuantify = false
		case '*', '+', '?':
			if !canQuantify {
				return false
			}
			i++
			if i < n && src[i] == '?' {
				i++
			}
			canQuantify = false
		case '{':
			j, lo, hi, ok := jsBraced(src, i)
			if !ok {
				i++ // a literal '{'
				canQuantify = true
				continue
			}
			if !canQuantify || (hi >= 0 && hi < lo) {
				return false
			}
			i = j
			if i < n && src[i] == '?' {
				i++
			}
			canQuantify = false
		default:
			i++
			canQuantify = true
		}
	}
	return depth == 0
}

func isIdentUnit(c uint16, first bool) bool {
	switch {
	case c == '$' || c == '_':
		return true
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return c >= 0x80
}

// jsBraced parses "{n}", "{n,}" or "{n,m}" at src[i]. hi is -1 when open.
func jsBraced(src []uint16, i int) (end, lo, hi int, ok bool) {
	j := i + 1
	num := func() (int, bool) {
		start := j
		v := 0
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			if v < 1<<30 {
				v = v*10 + int(src[j]-'0')
			}
			j++
		}
		return v, j > start
	}
	lo, ok = num()
	if !ok {
		return 0, 0, 0, false
	}
	hi = lo
	if j < len(src) && src[j] == ',' {
		j++
		var has bool
		hi, has = num()
		if !has {
			hi = -1
		}
	}
	if j >= len(src) || src[j] != '}' {
		return 0, 0, 0, false
	}
	return j + 1, lo, hi, true
}

// jsClassEnd parses a class body starting at src[i] (after '['), returning
// the index after the closing ']'.
func jsClassEnd(src []uint16, i int) (int, bool) {
	n := len(src)
	if i < n && src[i] == '^' {
		i++
	}
	// atom returns the unit value, or -1 for a class escape like \d.
	atom := func() (int, bool) {
		c := src[i]
		if c != '\\' {
			i++
			return int(c), true
		}
		if i+1 >= n {
			return 0, false
		}
		e := src[i+1]
		i += 2
		switch e {
		case 'd', 'D', 'w', 'W', 's', 'S':
			return -1, true
		case 'b':
			return 8, true
		case 't':
			return 9, true
		case 'n':
			return 10, true
		case 'v':
			return 11, true
		case 'f':
			return 12, true
		case 'r':
			return 13, true
		case 'x':
			if i+1 < n && isHex(src[i]) && isHex(src[i+1]) {
				v := hexVal(src[i])<<4 | hexVal(src[i+1])
				i += 2
				return v, true
			}
			return 'x', true
		case 'u':
			if i+3 < n && isHex(src[i]) && isHex(src[i+1]) && isHex(src[i+2]) && isHex(src[i+3]) {
				v := hexVal(src[i])<<12 | hexVal(src[i+1])<<8 | hexVal(src[i+2])<<4 | hexVal(src[i+3])
				i += 4
				return v, true
			}
			return 'u', true
		case 'c':
			if i < n && ((src[i] >= 'a' && src[i] <= 'z') || (src[i] >= 'A' && src[i] <= 'Z') || (src[i] >= '0' && src[i] <= '9') || src[i] == '_') {
				v := int(src[i] % 32)
				i++
				return v, true
			}
			return '\\', true
		}
		if e >= '0' && e <= '7' {
			v := int(e - '0')
			for k := 0; k < 2 && i < n && src[i] >= '0' && src[i] <= '7' && v*8+int(src[i]-'0') <= 0377; k++ {
				v = v*8 + int(src[i]-'0')
				i++
			}
			return v, true
		}
		return int(e), true
	}
	for i < n {
		if src[i] == ']' {
			return i + 1, true
		}
		lo, ok := atom()
		if !ok {
			return 0, false
		}
		if i+1 < n && src[i] == '-' && src[i+1] != ']' {
			i++
			hi, ok := atom()
			if !ok {
				return 0, false
			}
			if lo >= 0 && hi >= 0 && hi < lo {
				return 0, false
			}
		}
	}
	return 0, false
}

func isHex(c uint16) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c uint16) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

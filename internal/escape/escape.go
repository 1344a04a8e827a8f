// Package escape finds text that is not Unicode in the source of JSON and
// GraphQL strings, before a decoder turns it into U+FFFD without a word.
package escape

import "unicode/utf8"

// Broken reports bytes that are not UTF-8 in src, or a \uXXXX escape of half
// a surrogate pair (\ud800 alone, or \udc00 with no leading half). src is
// JSON, or the source of a GraphQL string literal: in both, a backslash
// outside a string is a syntax error, so every backslash starts an escape.
func Broken(src []byte) bool {
	if !utf8.Valid(src) {
		return true
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' {
			continue
		}
		if i+1 < len(src) && src[i+1] == 'u' {
			r, ok := hex4(src[i+2:])
			switch {
			case !ok:
			case r >= 0xDC00 && r <= 0xDFFF:
				return true // a trailing half with no leading one
			case r >= 0xD800 && r <= 0xDBFF:
				next, ok := hex4(src[min(i+8, len(src)):])
				if i+7 >= len(src) || src[i+6] != '\\' || src[i+7] != 'u' || !ok || next < 0xDC00 || next > 0xDFFF {
					return true // a leading half not followed by a trailing one
				}
				i += 6 // to the trailing half's backslash, skipped below
			}
		}
		i++ // past the escaped character
	}
	return false
}

// hex4 reads four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

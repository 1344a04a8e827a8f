package escape

import "testing"

func TestBroken(t *testing.T) {
	for src, want := range map[string]bool{
		`"plain"`:                    false,
		`"caf\u00e9 \n \\ud800"`:     false, // an escaped backslash, then text
		`"\ud83d\ude00"`:             false, // a pair
		`"\uD83D\uDE00 and more"`:    false,
		"\"\xff\"":                   true,
		`"\ud800"`:                   true,
		`"\ud800x"`:                  true,
		`"\ud800\u0041"`:             true,
		`"\ude00"`:                   true,
		`"\ud83d\ude00\udc00"`:       true,
		`{"a": "\\", "b": "\udfff"}`: true,
		`"\ud800`:                    true,
	} {
		if got := Broken([]byte(src)); got != want {
			t.Errorf("Broken(%s) = %v, want %v", src, got, want)
		}
	}
}

package ids

import "testing"

func TestNewRoundTrip(t *testing.T) {
	for typ := range prefixes {
		id := New(typ)
		got, ok := TypeOf(id)
		if !ok || got != typ {
			t.Errorf("TypeOf(%q) = %q, %v; want %q", id, got, ok, typ)
		}
	}
}

func TestNewIsOrderedAndUnique(t *testing.T) {
	prev := New("Quote")
	for range 1000 {
		id := New("Quote")
		if id <= prev {
			t.Fatalf("IDs not increasing: %q after %q", id, prev)
		}
		prev = id
	}
}

func TestTypeOfRejects(t *testing.T) {
	for _, id := range []string{
		"", "1", "acc_", "xyz_01jd5x0m3c9y8v6q2k7t4w1n5e", "acc-01jd5x0m3c9y8v6q2k7t4w1n5e",
		"acc_01JD5X0M3C9Y8V6Q2K7T4W1N5E", "acc_01jd5x0m3c9y8v6q2k7t4w1n5u", "acc_01jd5x0m3c9y8v6q2k7t4w1n5e0",
	} {
		if typ, ok := TypeOf(id); ok {
			t.Errorf("TypeOf(%q) = %q, true; want rejection", id, typ)
		}
	}
}

func FuzzTypeOf(f *testing.F) {
	f.Add(New("Account"))
	f.Add("acc_")
	f.Fuzz(func(t *testing.T, id string) {
		if typ, ok := TypeOf(id); ok {
			if prefixes[typ]+"_" != id[:4] {
				t.Fatalf("TypeOf(%q) = %q", id, typ)
			}
		}
	})
}

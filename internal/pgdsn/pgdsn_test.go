package pgdsn

import "testing"

func TestTune(t *testing.T) {
	cases := map[string]string{
		"postgres://u@h:5432/db?sslmode=disable":               "postgres://u@h:5432/db?binary_parameters=yes&jit=off&sslmode=disable",
		"postgres://postgres@/basis?host=%2Ftmp%2Fx&port=5432": "postgres://postgres@/basis?binary_parameters=yes&host=%2Ftmp%2Fx&jit=off&port=5432",
		"host=/tmp/x dbname=basis":                             "host=/tmp/x dbname=basis jit=off binary_parameters=yes",
		"postgres://u@h/db?jit=on":                             "postgres://u@h/db?binary_parameters=yes&jit=on",
	}
	for in, want := range cases {
		if got := Tune(in); got != want {
			t.Errorf("Tune(%q) = %q, want %q", in, got, want)
		}
	}
}

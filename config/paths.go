package config

import (
	"reflect"
	"strings"
)

// KeyPaths lists every configuration key as a dotted path
// ("mailout.smtp.host", "mailin.accounts[].after"), from the Config struct's
// yaml tags: the one list the README reference and config.example.yaml are
// checked against.
func KeyPaths() []string {
	var out []string
	walkKeys(reflect.TypeOf(Config{}), "", &out)
	return out
}

func walkKeys(t reflect.Type, prefix string, out *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		path := prefix + name
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct && ft.String() != "time.Duration":
			walkKeys(ft, path+".", out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			walkKeys(ft.Elem(), path+"[].", out)
		default:
			*out = append(*out, path)
		}
	}
}

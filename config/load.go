package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Env is how Load reads the environment; tests pass their own.
type Env func(string) string

// Load reads file (strictly) over the defaults, applies environment
// overrides and validates the result. A missing file is an error only when
// required is true (the user named it with -c or BASIS_CONFIG).
func Load(file string, required bool, env Env) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		cfg.File = file
		if err := decode(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", file, err)
		}
	case errors.Is(err, os.ErrNotExist) && !required:
	default:
		return Config{}, fmt.Errorf("config %s: %w (check -c or BASIS_CONFIG)", file, err)
	}
	applyEnv(&cfg, env)
	if err := cfg.Validate(); err != nil {
		where := file
		if cfg.File == "" {
			where = "defaults"
		}
		return Config{}, fmt.Errorf("config %s: %w", where, err)
	}
	return cfg, nil
}

func decode(data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

func applyEnv(cfg *Config, env Env) {
	if env == nil {
		env = os.Getenv
	}
	if v := env("BASIS_DATABASE_URL"); v != "" {
		cfg.Database.URL = v
	}
	if v := env("BASIS_SECRET_KEY"); v != "" {
		cfg.SecretKey = v
	}
	for i := range cfg.Mailin.Accounts {
		if a := &cfg.Mailin.Accounts[i]; a.PasswordEnv != "" {
			a.Password = env(a.PasswordEnv)
		}
	}
	if s := &cfg.Mailout.SMTP; s.PasswordEnv != "" {
		s.Password = env(s.PasswordEnv)
	}
}

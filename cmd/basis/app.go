package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/demo"
	"github.com/basis-crm/basis/internal/pgdsn"
	"github.com/basis-crm/basis/internal/pglocal"
	"github.com/basis-crm/basis/mailout"
	"github.com/basis-crm/basis/schema"
)

// app is an opened Basis: configuration, database and crm store.
type app struct {
	cfg     config.Config
	db      *sqlx.DB
	store   *crm.Store
	cluster *pglocal.Cluster
	log     *slog.Logger
	actor   crm.Actor
	// demo is set in demo mode (serve --demo, or nothing configured).
	demo *demo.Demo
	// mailout is the outbox, made once by mailer().
	mailout    *mailout.Mailer
	mailoutErr error
}

type openMode int

const (
	needCurrentSchema openMode = iota
	anySchema
)

// open loads the configuration, starts or connects to PostgreSQL and, unless
// mode is anySchema, refuses a stale schema.
func (env *cli) open(ctx context.Context, mode openMode, level slog.Level) (*app, error) {
	cfg, err := config.Load(env.configFile, env.configRequired, env.getenv)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level}))}
	a.actor = cliActor(env.getenv)
	url := cfg.Database.URL
	if url == "" {
		if a.cluster, err = pglocal.Start(ctx, filepath.Join(cfg.DataDir, "postgres"), a.log); err != nil {
			return nil, fmt.Errorf("embedded database: %w", err)
		}
		url = a.cluster.URL("basis")
	}
	if a.db, err = connect(ctx, url); err != nil {
		a.Close()
		return nil, err
	}
	if mode == needCurrentSchema {
		if err := schema.Check(ctx, a.db.DB); err != nil {
			a.Close()
			return nil, err
		}
	}
	key, err := secretKey(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.store = crm.NewStore(a.db, key, crm.Policy{Purposes: cfg.Policy.Purposes,
		LegitimateInterestMonths: cfg.Policy.LegitimateInterestMonths}, a.log)
	return a, nil
}

func connect(ctx context.Context, url string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", pgdsn.Tune(url))
	if err != nil {
		return nil, fmt.Errorf("database: %w (check database.url or BASIS_DATABASE_URL)", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database unreachable: %w (check database.url or BASIS_DATABASE_URL, or leave both empty for the embedded database)", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	return db, nil
}

// Close releases the database and stops the embedded cluster.
func (a *app) Close() {
	if a.db != nil {
		a.db.Close()
	}
	if a.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.cluster.Stop(ctx); err != nil {
			a.log.Error("stop embedded database", "err", err)
		}
	}
}

// secretKey returns the configured key, or the one generated into data_dir
// on first run.
func secretKey(cfg config.Config) ([]byte, error) {
	if cfg.SecretKey != "" {
		return []byte(cfg.SecretKey), nil
	}
	path := filepath.Join(cfg.DataDir, "secret_key")
	data, err := os.ReadFile(path)
	if err == nil {
		if key := strings.TrimSpace(string(data)); len(key) >= 32 {
			return []byte(key), nil
		}
		return nil, fmt.Errorf("secret key file %s is damaged (fewer than 32 characters): restore it from backup, or set secret_key", path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	buf := make([]byte, 32)
	rand.Read(buf)
	key := hex.EncodeToString(buf)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return secretKey(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w (set secret_key or BASIS_SECRET_KEY)", err)
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return []byte(key), nil
}

// cliActor names the person at the terminal for the audit log:
// BASIS_ACTOR (a staff member's address), else the system account running
// the command ($USER, or the account's name where USER is not set, as
// under cron or systemd).
func cliActor(getenv func(string) string) crm.Actor {
	if u := getenv("BASIS_ACTOR"); u != "" {
		return crm.Actor("user:" + u)
	}
	if u := getenv("USER"); u != "" {
		return crm.Actor("cli:" + u)
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return crm.Actor("cli:" + u.Username)
	}
	return "cli"
}

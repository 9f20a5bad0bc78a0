package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// component is one part of `basis serve` (web UI, IMAP pollers, outbox
// sender, scheduler). setup mounts its HTTP handlers and returns the
// background loops to run until ctx ends; each feature registers its own
// from its own file with addComponent.
type component struct {
	name  string
	setup func(ctx context.Context, a *app, mux *http.ServeMux) ([]func(ctx context.Context) error, error)
}

var components []component

func addComponent(name string, setup func(ctx context.Context, a *app, mux *http.ServeMux) ([]func(ctx context.Context) error, error)) {
	components = append(components, component{name, setup})
}

func init() {
	register("serve", "[--demo]", func(ctx context.Context, env *cli, args []string) error {
		fs := newFlags("serve")
		demoFlag := fs.Bool("demo", false, "simulate the shared inbox and outgoing mail in-process")
		if _, err := parseInterspersed(fs, args); err != nil {
			return err
		}
		lessGC(env)
		a, err := env.open(ctx, needCurrentSchema, slog.LevelInfo)
		if err != nil {
			return err
		}
		defer a.Close()
		if demoWanted(a.cfg, *demoFlag) {
			d, err := startDemo(a, env.stdout)
			if err != nil {
				return err
			}
			defer d.Close()
			a.demo = d
		}
		if err := ensureAdmin(ctx, a, env, env.stdout); err != nil {
			return err
		}
		return serve(ctx, a)
	})
}

func serve(ctx context.Context, a *app) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var loops []func(ctx context.Context) error
	for _, c := range components {
		l, err := c.setup(ctx, a, mux)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		loops = append(loops, l...)
	}
	ln, err := net.Listen("tcp", a.cfg.Web.Listen)
	if err != nil {
		return fmt.Errorf("web.listen %s: %w (is another basis running? change web.listen)", a.cfg.Web.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.log.Info("basis serving", "url", a.cfg.Web.BaseURL, "listen", ln.Addr().String())
	errc := make(chan error, len(loops)+1)
	go func() { errc <- srv.Serve(ln) }()
	var wg sync.WaitGroup
	for _, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- err
			}
		}()
	}
	var failure error
	select {
	case err := <-errc:
		failure = err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	cancel()
	shutdownCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) && failure == nil {
		failure = fmt.Errorf("web: shutdown: %w", err)
	}
	wg.Wait()
	if failure != nil && !errors.Is(failure, http.ErrServerClosed) {
		return failure
	}
	return nil
}

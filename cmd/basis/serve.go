package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

func init() {
	register("serve", "", func(ctx context.Context, env *cli, args []string) error {
		if _, err := parseInterspersed(newFlags("serve"), args); err != nil {
			return err
		}
		a, err := env.open(ctx, needCurrentSchema, slog.LevelInfo)
		if err != nil {
			return err
		}
		defer a.Close()
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
	ln, err := net.Listen("tcp", a.cfg.Web.Listen)
	if err != nil {
		return fmt.Errorf("web.listen %s: %w (is another basis running? change web.listen)", a.cfg.Web.Listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.log.Info("basis serving", "url", a.cfg.Web.BaseURL, "listen", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

package main

import (
	"context"
	"net/http"

	"github.com/basis-crm/basis/web"
)

// The web UI and the public pages, mounted on the serve mux.
func init() {
	addComponent("web", func(ctx context.Context, a *app, mux *http.ServeMux) ([]func(ctx context.Context) error, error) {
		srv, err := web.New(web.Options{Store: a.store, Organization: a.cfg.Organization, BaseURL: a.cfg.Web.BaseURL,
			MaxUploadBytes: a.cfg.Evidence.MaxFileBytes, Log: a.log})
		if err != nil {
			return nil, err
		}
		srv.Mount(mux)
		return nil, nil
	})
}

// Package web is Basis's staff UI (server-rendered html/template pages with
// embedded assets) and its public pages: double opt-in confirmation,
// unsubscribe (RFC 8058 one-click) and the privacy notice.
//
// Every route is in one table (Routes) with the roles allowed to use it, so
// that a test can walk all of them. State-changing requests are protected
// against cross-site forgery by http.CrossOriginProtection and SameSite=Lax
// session cookies.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailout"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	Store        *crm.Store
	Organization config.Organization
	// BaseURL is the public address (web.base_url); cookies are Secure when
	// it is https.
	BaseURL string
	// MaxUploadBytes bounds a business card upload (evidence.max_file_bytes);
	// 0 means 10 MiB.
	MaxUploadBytes int64
	// SessionTTL is how long a login lasts; 0 means 12 hours.
	SessionTTL time.Duration
	Log        *slog.Logger
	// Mailer queues privacy notices, consent requests and campaigns; nil
	// turns the mail actions off (their pages say mail is not configured).
	Mailer *mailout.Mailer
	// SendTest delivers a campaign test to a staff member's own address,
	// directly over SMTP and outside the outbox; nil means a test is
	// rendered and shown on the page, not sent.
	SendTest func(ctx context.Context, to, subject, text, html string) error
	// Demo is the demo mode's mailbox (caught mail, inquiries to drop in);
	// nil outside demo mode.
	Demo DemoMailbox
	// MaxConcurrent bounds the requests served at once; the others wait
	// their turn in arrival order. 0 means 2 per CPU, at least 4 (or
	// BASIS_WEB_CONCURRENCY).
	MaxConcurrent int
}

// Server serves the staff UI and the public pages.
type Server struct {
	store   *crm.Store
	org     config.Organization
	secure  bool
	maxUp   int64
	ttl     time.Duration
	log     *slog.Logger
	pages   map[string]map[string]*template.Template // by language, then page
	limiter *loginLimiter
	routes  []Route
	mailer  *mailout.Mailer
	test    func(ctx context.Context, to, subject, text, html string) error
	demo    DemoMailbox
	baseURL string
	// sessions caches session lookups for a second (session_cache.go).
	sessions *sessionCache
	// busy bounds the requests served at once (limit.go).
	busy chan struct{}
}

// New checks the options and parses the templates.
func New(opt Options) (*Server, error) {
	if opt.Store == nil {
		return nil, fmt.Errorf("web: no store")
	}
	u, err := url.Parse(opt.BaseURL)
	if opt.BaseURL != "" && (err != nil || u.Host == "") {
		return nil, fmt.Errorf("web: web.base_url %q is not an absolute URL (e.g. https://crm.example.it)", opt.BaseURL)
	}
	s := &Server{store: opt.Store, org: opt.Organization, secure: u != nil && u.Scheme == "https",
		maxUp: opt.MaxUploadBytes, ttl: opt.SessionTTL, log: opt.Log, limiter: newLoginLimiter(5, 15*time.Minute),
		mailer: opt.Mailer, test: opt.SendTest, demo: opt.Demo, baseURL: opt.BaseURL,
		sessions: newSessionCache(), busy: make(chan struct{}, concurrency(opt.MaxConcurrent))}
	if s.maxUp <= 0 {
		s.maxUp = 10 << 20
	}
	if s.ttl <= 0 {
		s.ttl = 12 * time.Hour
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.org.DefaultLanguage == "" {
		s.org.DefaultLanguage = "it"
	}
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	return s, nil
}

// Handler returns the whole site: every route of the table behind its role
// check, cross-origin protection and the security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
}

// Mount registers every route on mux, each wrapped in the security headers,
// cross-origin protection and its role check.
func (s *Server) Mount(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	for _, rt := range s.routes {
		h := securityHeaders(cop.Handler(s.guard(rt)))
		if !unlimited[rt.Path] {
			h = s.limit(h)
		}
		mux.Handle(rt.Method+" "+rt.Path, h)
	}
}

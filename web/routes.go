package web

import "net/http"

// Route is one entry of the site's route table.
type Route struct {
	Method string
	Path   string // net/http pattern path
	// Roles may use the route; nil means public (no login).
	Roles   []string
	handler http.HandlerFunc
}

var (
	anyRole  = []string{"admin", "staff", "auditor"}
	writers  = []string{"admin", "staff"}
	admins   = []string{"admin"}
	overseer = []string{"admin", "auditor"}
)

// Routes returns the route table, for tests that walk every route.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) routeTable() []Route {
	rs := []Route{
		{"GET", "/static/", nil, s.static},
		{"GET", "/login", nil, s.loginForm},
		{"POST", "/login", nil, s.login},
		{"POST", "/logout", anyRole, s.logout},
		{"POST", "/settings/language", anyRole, s.setLanguage},

		{"GET", "/{$}", anyRole, s.dashboard},
		{"GET", "/review", anyRole, s.review},
		{"POST", "/review", writers, s.reviewAction},
		{"GET", "/search", anyRole, s.search},
		{"GET", "/contacts/new", writers, s.addForm},
		{"POST", "/contacts/new", writers, s.add},
		{"GET", "/contacts/{id}", anyRole, s.contact},
		{"POST", "/contacts/{id}/status", writers, s.setStatus},
		{"POST", "/contacts/{id}/activity", writers, s.logActivity},
		{"POST", "/contacts/{id}/object", writers, s.object},
		{"POST", "/contacts/{id}/merge", writers, s.merge},
		{"GET", "/contacts/{id}/erase", writers, s.eraseForm},
		{"POST", "/contacts/{id}/erase", writers, s.erase},
		{"GET", "/contacts/{id}/export", anyRole, s.export},
		{"GET", "/evidence/{id}", anyRole, s.evidenceDownload},
		{"GET", "/evidence/{id}/view", anyRole, s.evidenceView},
		{"GET", "/evidence/{id}/html", anyRole, s.evidenceHTML},
		{"GET", "/audit", anyRole, s.auditLog},
		{"GET", "/audit/verify", anyRole, s.auditVerify},
		{"POST", "/contacts/{id}/notice", writers, s.sendNotice},
		{"POST", "/contacts/{id}/consent", writers, s.requestConsent},
		{"GET", "/requests", anyRole, s.requests},
		{"POST", "/requests", writers, s.addRequest},
		{"GET", "/requests/{id}", anyRole, s.request},
		{"POST", "/requests/{id}/fulfil", writers, s.fulfilRequest},
		{"POST", "/requests/{id}/extend", writers, s.extendRequest},
		{"POST", "/requests/{id}/refuse", writers, s.refuseRequest},
		{"GET", "/messages/flagged", anyRole, s.flagged},
		{"POST", "/messages/{id}/assign", writers, s.assignFlagged},
		{"POST", "/messages/{id}/dismiss", writers, s.dismissFlagged},
		{"GET", "/campaigns", anyRole, s.campaigns},
		{"GET", "/campaigns/new", writers, s.newCampaignForm},
		{"POST", "/campaigns", writers, s.createCampaign},
		{"POST", "/campaigns/preview", writers, s.previewCampaign},
		{"POST", "/campaigns/preview/html", writers, s.previewCampaignHTML},
		{"GET", "/campaigns/{id}", anyRole, s.campaign},
		{"GET", "/campaigns/{id}/html", anyRole, s.campaignHTML},
		{"POST", "/campaigns/{id}/schedule", writers, s.scheduleCampaign},
		{"POST", "/campaigns/{id}/pause", writers, s.pauseCampaign},
		{"POST", "/campaigns/{id}/resume", writers, s.resumeCampaign},
		{"POST", "/campaigns/{id}/cancel", writers, s.cancelCampaign},
		{"POST", "/campaigns/{id}/test", writers, s.testCampaign},
		{"GET", "/demo", anyRole, s.demoMailbox},
		{"GET", "/demo/{n}", anyRole, s.demoMessage},
		{"GET", "/demo/{n}/html", anyRole, s.demoMessageHTML},
		{"POST", "/demo/drop", writers, s.demoDrop},
		{"GET", "/users", overseer, s.users},
		{"POST", "/users", admins, s.addUser},
		{"POST", "/users/{id}/role", admins, s.setRole},
		{"POST", "/users/{id}/disable", admins, s.disableUser},

		{"GET", "/u/{token}", nil, s.unsubscribeForm},
		{"POST", "/u/{token}", nil, s.unsubscribe},
	}
	for _, lang := range languages {
		rs = append(rs,
			Route{"GET", "/" + lang + "/confirm/{token}", nil, s.confirmForm},
			Route{"POST", "/" + lang + "/confirm/{token}", nil, s.confirm},
			Route{"GET", "/" + lang + "/privacy", nil, s.privacy},
		)
	}
	return append(rs, Route{"GET", "/privacy", nil, s.privacyRedirect})
}

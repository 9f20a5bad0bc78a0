package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/basis-crm/basis/crm"
)

// fulfilRequest does what the request asks. Access and portability answer
// with the export ZIP as a download; an erasure needs a reason and the
// address typed again, as the contact's erase form does; an objection
// suppresses the address; rectification and restriction record what was
// done. Without a ZIP to send, it returns to the request page.
func (s *Server) fulfilRequest(w http.ResponseWriter, r *http.Request) {
	req, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	in := crm.FulfilInput{Reason: strings.TrimSpace(r.PostFormValue("reason")),
		Outcome: strings.TrimSpace(r.PostFormValue("outcome")), Actor: actorOf(r)}
	if req.Kind == "erasure" && req.Status == "open" && !erasureConfirmed(r, req, in.Reason) {
		s.requestRefused(w, r, req, translate(s.langFor(r), "Give a reason and type the contact's address to confirm."))
		return
	}
	zip := &zipDownload{w: w, name: "basis-request-" + strconv.FormatInt(req.ID, 10) + ".zip"}
	if req.Kind == "access" || req.Kind == "portability" {
		in.Export = zip
	}
	if _, err := s.store.FulfilRequest(r.Context(), req.ID, in); err != nil {
		if zip.started {
			// The download has begun: the status line is gone, so the
			// error can only be logged; the request stays open.
			s.log.Error("web request fulfilment failed during the export", "request_id", req.ID, "err", err)
			return
		}
		s.requestError(w, r, req, err)
		return
	}
	if !zip.started {
		back(w, r, requestPath(req.ID), "fulfilled")
	}
}

// erasureConfirmed reports whether an erasure was confirmed: a reason, and
// the contact's address typed again when there is a contact to erase.
func erasureConfirmed(r *http.Request, req crm.Request, reason string) bool {
	confirm := strings.ToLower(strings.TrimSpace(r.PostFormValue("confirm")))
	return reason != "" && (req.Email == "" || confirm == req.Email)
}

// zipDownload writes an export to the response as an attachment, setting
// the headers just before the first byte, so that an error before the
// export began can still be shown as a page.
type zipDownload struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (z *zipDownload) Write(p []byte) (int, error) {
	if !z.started {
		z.started = true
		z.w.Header().Set("Content-Type", "application/zip")
		z.w.Header().Set("Content-Disposition", `attachment; filename="`+z.name+`"`)
	}
	return z.w.Write(p)
}
